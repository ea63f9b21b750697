"""Framing and codec of the host-agent protocol.

A frame is a 9-byte header, `>IBI` (length of what follows the length field,
frame type, serial), then a body.  Calls and replies carry a JSON document;
a `bytes` value travels after it raw (never base64 or escaped).  File
contents travel as CHUNK frames, ended by an END frame; either side can
CANCEL a stream.  Nothing longer than MAX_FRAME is accepted, from either side.
"""

from __future__ import annotations

import enum
import json
import marshal
import struct
from collections.abc import Callable
from typing import Any

HEADER = struct.Struct(">IBI")
JSONLEN = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024 + 4096
"""The hard cap on one frame; a buffer argument or result must fit in it."""
CHUNK_SIZE = 1024 * 1024
"""Bytes of file content per CHUNK frame."""
MAX_BUFFER = MAX_FRAME - 4096


class FrameType(enum.IntEnum):
    HELLO = 0  # agent -> host, once: the agent is ready; body is JSON info
    CALL = 1  # host -> agent: {"op": name, "args": {...}} in marshal, see encode_call
    OK = 2  # agent -> host: {"ret": value} [+ raw blob]
    ERR = 3  # agent -> host: {"errno": n | null, "message": text}
    CHUNK = 4  # either way: raw file content of the current stream
    END = 5  # either way: end of the current stream
    CANCEL = 6  # either way: abandon the current stream
    PROGRESS = 7  # agent -> host: {"position": n, "total": n}
    LOG = 8  # agent -> host: {"message": text}, a line for the verbose log


_TYPES = {t.value: t for t in FrameType}  # faster than FrameType(n), which runs on every frame
_ENCODER = json.JSONEncoder(separators=(",", ":"))  # json.dumps would make one per call


class ProtocolError(Exception):
    """The peer sent something that breaks the protocol."""


def encode_doc(doc: dict[str, Any], blob: bytes | None = None) -> bytes:
    """A JSON document plus an optional raw blob, as a frame body."""
    data = _ENCODER.encode(doc).encode()
    return JSONLEN.pack(len(data)) + data + (blob or b"")


def encode_int_reply(value: int) -> bytes:
    """encode_doc({"ret": value}) for an int, made directly (it answers many small calls)."""
    data = b'{"ret":%d}' % value
    return JSONLEN.pack(len(data)) + data


def decode_doc(body: bytes | memoryview) -> tuple[dict[str, Any], bytes]:
    """The JSON document and the raw blob of a frame body; ProtocolError if malformed."""
    if len(body) < JSONLEN.size:
        raise ProtocolError("frame body too short")
    (n,) = JSONLEN.unpack_from(body)
    if n > len(body) - JSONLEN.size:
        raise ProtocolError("JSON length beyond the frame")
    try:
        doc = json.loads(bytes(body[JSONLEN.size : JSONLEN.size + n]))
    except (ValueError, UnicodeDecodeError) as e:
        raise ProtocolError(f"bad JSON in frame: {e}") from None
    if not isinstance(doc, dict):
        raise ProtocolError("frame document is not an object")
    return doc, bytes(body[JSONLEN.size + n :])


MARSHAL_VERSION = 4


def encode_call(doc: dict[str, Any]) -> bytes:
    """A CALL body: the document in marshal format, buffer arguments inside it as bytes.

    Only the host writes calls and only the agent reads them; the agent trusts
    the host, and marshal decodes several times faster than JSON, which counts
    on every call under TCG.  Replies, which the host must not trust, stay JSON.
    """
    return marshal.dumps(doc, MARSHAL_VERSION)


def decode_call(body: bytes) -> dict[str, Any]:
    """The document of a CALL body; ProtocolError if it is not one."""
    try:
        doc = marshal.loads(body)
    except (EOFError, ValueError, TypeError) as e:
        raise ProtocolError(f"bad call document: {e}") from None
    if not isinstance(doc, dict):
        raise ProtocolError("call document is not a dict")
    return doc


def send_parts(write: Callable[[list[bytes | bytearray | memoryview]], int],
               parts: tuple[bytes | bytearray | memoryview, ...]) -> None:
    """Write every byte of parts with a gathering write(buffers) -> n, however little it takes."""
    n = write(list(parts))
    if n == sum(map(len, parts)):
        return  # nearly always: one system call, and no views to make
    views: list[bytes | bytearray | memoryview] = [memoryview(p) for p in parts if len(p)]
    while True:
        while n:  # drop what is written
            if n >= len(views[0]):
                n -= len(views.pop(0))
            else:
                views[0] = views[0][n:]
                n = 0
        if not views:
            return
        n = write(views)


class Channel:
    """Reads and writes frames over a byte transport given as two callables.

    `recv_into(buf) -> n` fills part of a buffer (0 means end of file);
    `send(*parts)` writes all of the parts, one frame, in order (see send_parts).
    """

    def __init__(
        self, recv_into: Callable[[memoryview], int], send: Callable[..., None]
    ) -> None:
        self._recv_into = recv_into
        self._send = send
        self._buf = bytearray(CHUNK_SIZE + 65536)
        self._start = 0
        self._end = 0

    def send(self, ftype: FrameType, serial: int, *body: bytes | bytearray | memoryview) -> None:
        """Send one frame whose body is the parts given, in order (none for an empty body).

        The parts go to the transport as they are, to be written in one gathering
        system call: no copy in Python, which costs more than the call under TCG.
        """
        size = sum(map(len, body))
        if size + 5 > MAX_FRAME:
            raise ProtocolError(f"frame of {size} bytes exceeds the limit of {MAX_FRAME}")
        self._send(HEADER.pack(size + 5, ftype, serial), *body)

    def send_doc(
        self, ftype: FrameType, serial: int, doc: dict[str, Any], blob: bytes | None = None
    ) -> None:
        data = _ENCODER.encode(doc).encode()
        if blob:
            self.send(ftype, serial, JSONLEN.pack(len(data)) + data, blob)
        else:
            self.send(ftype, serial, JSONLEN.pack(len(data)) + data)

    def _fill(self, need: int) -> None:
        """Make at least `need` unread bytes available in the buffer."""
        if self._end - self._start >= need:
            return
        if len(self._buf) < need:
            newbuf = bytearray(need)
            newbuf[: self._end - self._start] = self._buf[self._start : self._end]
            self._buf = newbuf
        elif self._start and len(self._buf) - self._start < need:
            n = self._end - self._start
            self._buf[:n] = self._buf[self._start : self._end]
            self._start, self._end = 0, n
        view = memoryview(self._buf)
        while self._end - self._start < need:
            n = self._recv_into(view[self._end :])
            if n == 0:
                raise EOFError("connection closed by peer")
            self._end += n

    def recv(self) -> tuple[FrameType, int, bytes]:
        """The next frame: (type, serial, body)."""
        self._fill(HEADER.size)
        length, ftype, serial = HEADER.unpack_from(self._buf, self._start)
        if length < 5 or length > MAX_FRAME:
            raise ProtocolError(f"frame length {length} out of range")
        kind = _TYPES.get(ftype)
        if kind is None:
            raise ProtocolError(f"unknown frame type {ftype}")
        self._fill(length + 4)
        body = bytes(memoryview(self._buf)[self._start + HEADER.size : self._start + length + 4])
        self._start += length + 4
        if self._start == self._end:
            self._start = self._end = 0
        return kind, serial, body

    def pending(self) -> bool:
        """True if a whole or partial frame is already buffered."""
        return self._end > self._start
