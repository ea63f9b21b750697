"""An open file's read cache and write buffer: big agent calls for the kernel's small requests.

The kernel reads and writes a FUSE file in pieces of 128 KiB to 1 MiB.  Reads
are answered from one cached extent, fetched in pieces that double while the
reading is sequential (up to READ_MAX), a request overtaken by the next one
being fetched on its own; writes are gathered while contiguous and
sent in one pwrite of up to WRITE_MAX.  The owner (ops.py) does the agent calls;
this module only decides what to fetch and what to send.
"""

from __future__ import annotations

import dataclasses

READ_MIN = 256 * 1024
READ_MAX = 8 * 1024 * 1024
WRITE_MAX = 8 * 1024 * 1024


@dataclasses.dataclass
class FileData:
    """The cached extent and the pending write of one file."""

    cached_at: int = 0
    cached: bytes = b""
    cached_time: float = 0.0  # when it was fetched (time.monotonic)
    eof: bool = False  # the cached extent ends at the end of the file
    next_read: int = READ_MIN
    pending_at: int = 0
    pending: bytearray = dataclasses.field(default_factory=bytearray)

    def from_cache(self, offset: int, size: int) -> bytes | None:
        """The bytes asked for if the cache holds them (b"" at the end of the file), else None."""
        start = offset - self.cached_at
        if start < 0 or (not self.cached and not self.eof):
            return None
        if start + size <= len(self.cached) or (self.eof and start <= len(self.cached)):
            return self.cached[start:start + size]
        return None

    def fetch_size(self, offset: int, size: int) -> int:
        """How much to read from the guest at offset: more while the reading is sequential
        (a request may arrive before the one just before it), only size if overtaken."""
        end = self.cached_at + len(self.cached)
        if self.cached and end <= offset <= end + self.next_read:
            self.next_read = min(self.next_read * 2, READ_MAX)
        elif self.overtaken(offset):
            return size
        else:
            self.next_read = READ_MIN
        return max(size, self.next_read)

    def overtaken(self, offset: int) -> bool:
        """Whether a request at offset was overtaken by the one after it (the kernel's
        readahead requests run in parallel): it lies just before the cached extent, which
        is kept for the requests still to come."""
        return bool(self.cached) and self.cached_at - READ_MAX <= offset < self.cached_at

    def fetched(self, offset: int, data: bytes, asked: int, now: float) -> None:
        """Keep what a read from the guest returned at time now."""
        self.cached_at, self.cached, self.eof = offset, data, len(data) < asked
        self.cached_time = now

    def drop_cache(self) -> None:
        self.cached, self.eof = b"", False

    def add(self, offset: int, buf: bytes) -> bool:
        """Gather a write; False if it does not continue the pending one (flush first)."""
        self.drop_cache()
        if not self.pending:
            self.pending_at = offset
        elif offset != self.pending_at + len(self.pending) or \
                len(self.pending) + len(buf) > WRITE_MAX:
            return False
        self.pending += buf
        return True

    @property
    def full(self) -> bool:
        return len(self.pending) >= WRITE_MAX

    def take(self) -> tuple[int, bytes]:
        """The pending write, removed."""
        out = (self.pending_at, bytes(self.pending))
        self.pending = bytearray()
        return out
