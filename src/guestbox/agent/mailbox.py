"""The agent's side of the mailbox disk (see protocol/bulk.py): big buffers in and out."""

from __future__ import annotations

import dataclasses
import mmap
import os

from ..protocol.bulk import MAILBOX_SERIAL, MAILBOX_SIZE
from .registry import AgentError

BLOCK = 4096


@dataclasses.dataclass(frozen=True)
class InMailbox:
    """An agent function's bytes result left in the mailbox's buffer (its first size bytes),
    read there directly: the reply sends them with no copy by the emulated CPU."""

    size: int


class Mailbox:
    """The mailbox device, opened once with O_DIRECT, and a page-aligned buffer for it."""

    def __init__(self) -> None:
        self._fd: int | None = None
        self._buf = mmap.mmap(-1, MAILBOX_SIZE)  # only the pages used are ever touched

    def _open(self) -> int:
        if self._fd is None:
            for name in sorted(os.listdir("/sys/block")):
                try:
                    with open(f"/sys/block/{name}/serial") as f:
                        serial = f.read().strip()
                except OSError:
                    continue
                if serial == MAILBOX_SERIAL:
                    self._fd = os.open(f"/dev/{name}", os.O_RDWR | os.O_DIRECT | os.O_CLOEXEC)
                    break
            else:
                raise AgentError("the mailbox disk is missing from the appliance")
        return self._fd

    def _check(self, size: int) -> None:
        if not 0 <= size <= MAILBOX_SIZE:
            raise AgentError(f"mailbox: {size} bytes do not fit in it")

    def read(self, size: int) -> bytes:
        """The size bytes the host left at the start of the mailbox."""
        self._check(size)
        view = memoryview(self._buf)[: -(-size // BLOCK) * BLOCK]
        try:
            got = os.preadv(self._open(), [view], 0)
            if got < size:
                raise AgentError(f"mailbox: short read ({got} of {size} bytes)")
            return bytes(view[:size])
        finally:
            view.release()

    def write(self, data: bytes | bytearray) -> None:
        """Leave data at the start of the mailbox for the host."""
        self._check(len(data))
        self._buf[: len(data)] = data
        self.send(len(data))

    def buffer(self, size: int) -> memoryview:
        """The buffer's first size bytes, rounded up to whole blocks: page-aligned memory
        for a direct read (the caller releases it; send() then passes it on)."""
        self._check(size)
        return memoryview(self._buf)[: -(-size // BLOCK) * BLOCK]

    def send(self, size: int) -> None:
        """Leave the buffer's first size bytes at the start of the mailbox for the host."""
        view = self.buffer(size)
        try:
            os.pwritev(self._open(), [view], 0)
        finally:
            view.release()


MAILBOX = Mailbox()
