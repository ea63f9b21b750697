"""Messages of a rescue session from the host to the agent (agent/rescue.py): each CHUNK
frame of the session is one message, a kind byte then its data.

INPUT carries keyboard bytes for the shell, WINDOW the terminal's new size (rows,
columns, two big-endian 16-bit numbers); SYNC and UMOUNT ask the agent to sync or
unmount the guest's filesystems (virt-rescue's ^] s and ^] u).  The agent's
CHUNK frames are the shell's output, raw.
"""

from __future__ import annotations

import struct

INPUT, WINDOW, SYNC, UMOUNT = b"i", b"w", b"s", b"u"
_SIZE = struct.Struct(">HH")


def encode(kind: bytes, data: bytes = b"") -> bytes:
    return kind + data


def window(rows: int, cols: int) -> bytes:
    """The WINDOW message for a terminal of rows x cols (clamped to 16 bits)."""
    return WINDOW + _SIZE.pack(max(0, min(rows, 0xFFFF)), max(0, min(cols, 0xFFFF)))


def decode(body: bytes) -> tuple[bytes, bytes]:
    """(kind, data) of a message."""
    return body[:1], body[1:]


def window_size(data: bytes) -> tuple[int, int]:
    """(rows, cols) of a WINDOW message's data; (0, 0) if it is malformed."""
    if len(data) != _SIZE.size:
        return 0, 0
    rows, cols = _SIZE.unpack(data)
    return rows, cols
