"""The host's side of a rescue session (GuestFS.rescue_session, `guestbox rescue`): a
shell in the appliance whose pty the agent relays over the channel (agent/rescue.py,
protocol/rescue.py).

The session owns the channel while it lasts: the handle is busy, and what the user
needs from the library (inspection data for ^] i) must be fetched before it starts.
"""

from __future__ import annotations

import time

from .client import Client
from .errors import ApplianceError, error_for
from .protocol import rescue as msg
from .protocol.frames import CHUNK_SIZE, FrameType, decode_doc

END_TIMEOUT = 30.0
"""Seconds the agent has to end the session once asked."""


class RescueSession:
    """A running rescue shell: send it input, read its output until read() gives None."""

    def __init__(self, client: Client, term: str, rows: int, cols: int, bind: bool) -> None:
        self.client = client
        self.status: int | None = None  # the shell's exit status, once over
        self.over = False
        self.serial = client.start_session(
            "_rescue", {"term": term, "rows": rows, "cols": cols, "bind": bind})

    def fileno(self) -> int:
        """The descriptor to wait on (select) for output; see also buffered()."""
        sock = self.client.vm.sock
        if sock is None:
            raise ApplianceError("rescue: the appliance is gone")
        return sock.fileno()

    def buffered(self) -> bool:
        """Whether output is already buffered (read() would not wait)."""
        return self.client.chan.pending()

    def _send(self, message: bytes) -> None:
        if not self.over:
            self.client.chan.send(FrameType.CHUNK, self.serial, message)

    def send_input(self, data: bytes) -> None:
        """Keyboard bytes for the shell."""
        for i in range(0, len(data), CHUNK_SIZE):
            self._send(msg.encode(msg.INPUT, data[i:i + CHUNK_SIZE]))

    def resize(self, rows: int, cols: int) -> None:
        self._send(msg.window(rows, cols))

    def sync(self) -> None:
        self._send(msg.encode(msg.SYNC))

    def umount_all(self) -> None:
        self._send(msg.encode(msg.UMOUNT))

    def read(self) -> bytes | None:
        """The shell's next output (b"" for a frame with none); None once the session is over."""
        if self.over:
            return None
        ftype, serial, body = self.client.chan.recv()
        if serial != self.serial:
            return b""  # left over from an earlier call
        if ftype == FrameType.CHUNK:
            return body
        if ftype == FrameType.OK:
            doc, _ = decode_doc(body)
            ret = doc.get("ret")
            self.status = ret if isinstance(ret, int) else None
            self.over = True
            return None
        if ftype == FrameType.ERR:
            self.over = True
            doc, _ = decode_doc(body)
            eno = doc.get("errno")
            raise error_for(str(doc.get("message")), eno if isinstance(eno, int) else None)
        return b""  # END, progress ...

    def close(self) -> None:
        """End the session (the shell is hung up) and wait for the agent to be done."""
        if self.over:
            return
        self.client.chan.send(FrameType.END, self.serial)
        deadline = time.monotonic() + END_TIMEOUT
        self.client.vm.deadline = deadline
        try:
            while self.read() is not None:
                pass
        finally:
            self.client.vm.deadline = None
