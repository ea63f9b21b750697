"""The agent's side of transfer disks (see protocol/bulk.py): find, read, write, release.

Transfer disks are opened with O_DIRECT and fed from page-aligned buffers or
by sendfile: under emulation every byte the guest CPU copies is expensive,
and this way QEMU moves the data between guest memory and the host's file.
"""

from __future__ import annotations

import logging
import mmap
import os
import time
from collections.abc import Callable, Iterator

from ..protocol.bulk import BULK_TARGETS
from .devices import open_new_disk
from .registry import AgentError

log = logging.getLogger(__name__)
SCSI_DEVICES = "/sys/bus/scsi/devices"
IO_SIZE = 8 * 1024 * 1024
SECTOR = 512
Progress = Callable[[int], None] | None


def _target(address: str) -> int | None:
    parts = address.split(":")
    return int(parts[2]) if len(parts) == 4 and parts[2].isdigit() else None


def is_transfer_disk(name: str) -> bool:
    """True for a disk (sdX) attached by the host to carry bulk data, not a guest disk."""
    try:  # the link ends with the SCSI address H:C:T:L (one readlink, not a realpath walk)
        address = os.path.basename(os.readlink(f"/sys/block/{name}/device"))
    except OSError:
        return False
    return _target(address) in BULK_TARGETS


class Transfer:
    """One transfer disk: found by its SCSI target, read or written, then let go."""

    def __init__(self, target: int, size: int | None) -> None:
        self.size = size  # bytes to read (input), None for output
        self.written = 0
        self._address, name = self._find(target)
        mode = os.O_RDONLY if size is not None else os.O_WRONLY
        self.fd = open_new_disk(f"/dev/{name}", mode | os.O_DIRECT | os.O_CLOEXEC)
        self._buf = mmap.mmap(-1, IO_SIZE)  # page-aligned, as O_DIRECT wants
        self._fill = 0  # bytes staged in _buf for output

    @staticmethod
    def _find(target: int, wait: float = 20.0) -> tuple[str, str]:
        deadline = time.monotonic() + wait
        while True:
            for address in os.listdir(SCSI_DEVICES):
                if _target(address) == target and address.endswith(":0"):
                    try:
                        names = os.listdir(f"{SCSI_DEVICES}/{address}/block")
                    except FileNotFoundError:
                        continue
                    if names and os.path.exists(f"/dev/{names[0]}"):
                        return address, names[0]
            if time.monotonic() > deadline:
                raise AgentError(f"transfer disk at SCSI target {target} did not appear")
            time.sleep(0.002)

    def chunks(self) -> Iterator[memoryview]:
        """The input, in views of one reused buffer: each is valid until the next."""
        assert self.size is not None
        left = self.size
        view = memoryview(self._buf)
        while left > 0:
            n = os.readv(self.fd, [view])
            if n <= 0:
                raise AgentError(f"transfer disk ended {left} bytes early")
            yield view[: min(n, left)]
            left -= n

    def write(self, data: bytes | memoryview) -> None:
        """Stage data and write it out in whole aligned buffers."""
        view = memoryview(data)
        while view:
            n = min(len(view), IO_SIZE - self._fill)
            self._buf[self._fill : self._fill + n] = view[:n]
            self._fill += n
            view = view[n:]
            if self._fill == IO_SIZE:
                self._flush()

    def _flush(self) -> None:
        if not self._fill:
            return
        padded = -(-self._fill // SECTOR) * SECTOR
        self._buf[self._fill : padded] = bytes(padded - self._fill)
        os.writev(self.fd, [memoryview(self._buf)[:padded]])
        self.written += self._fill
        self._fill = 0

    def send_fd(self, src: int, progress: Progress = None) -> None:
        """Copy src from its position to its end: whole sectors by sendfile (no copy
        through Python), the tail staged and padded."""
        self._flush()
        pos = os.lseek(src, 0, os.SEEK_CUR)
        end = os.lseek(src, 0, os.SEEK_END)
        if pos % SECTOR == 0 and self._direct_from(src, pos, end, progress):
            return
        while end - pos >= SECTOR:
            n = os.sendfile(self.fd, src, pos, min(IO_SIZE, (end - pos) // SECTOR * SECTOR))
            if n <= 0:
                break
            pos += n
            self.written += n
        self.write(os.pread(src, end - pos, pos))

    def _direct_from(self, src: int, pos: int, end: int, progress: Progress) -> bool:
        """Copy src[pos:end] with direct I/O on both sides; False if src does not allow it."""
        try:
            dsrc = os.open(f"/proc/self/fd/{src}", os.O_RDONLY | os.O_DIRECT | os.O_CLOEXEC)
        except OSError:
            return False
        view = memoryview(self._buf)
        try:
            while pos < end:
                n = os.preadv(dsrc, [view], pos)
                if n <= 0:
                    break
                take = min(n, end - pos)
                padded = -(-take // SECTOR) * SECTOR
                view[take:padded] = bytes(padded - take)
                os.writev(self.fd, [view[:padded]])
                self.written += take
                pos += take
                if progress:
                    progress(self.written)
                if take % SECTOR:
                    break  # the end of the file
        finally:
            os.close(dsrc)
        return True

    def receive_into(self, dst: int, progress: Progress = None) -> bool:
        """Copy the whole input to dst from its position, direct I/O on both sides when dst
        allows it (nothing copied by the guest's CPU); False if it does not (use chunks)."""
        assert self.size is not None
        start = os.lseek(dst, 0, os.SEEK_CUR)
        if start % SECTOR:
            return False
        try:
            ddst = os.open(f"/proc/self/fd/{dst}", os.O_WRONLY | os.O_DIRECT | os.O_CLOEXEC)
        except OSError:
            return False  # a filesystem without direct I/O
        try:
            off = start
            for view in self.chunks():
                whole = len(view) // SECTOR * SECTOR
                if whole:
                    os.pwritev(ddst, [view[:whole]], off)
                if whole < len(view):
                    os.pwrite(dst, view[whole:], off + whole)
                off += len(view)
                if progress:
                    progress(off - start)
        finally:
            os.close(ddst)
        os.lseek(dst, off, os.SEEK_SET)
        return True

    def abandon(self) -> None:
        """Let go of the disk after a failure (or a second time): never raises."""
        try:
            self.close()
        except OSError as e:
            log.warning("closing the transfer disk: %s", e)

    def close(self) -> None:
        """Flush what was written to the host's file, then remove the disk from the guest."""
        if self.fd < 0:
            return
        try:
            if self.size is None:
                self._flush()
                os.fsync(self.fd)
        finally:
            os.close(self.fd)
            self.fd = -1  # (the buffer goes with the object: a traceback may still view it)
            try:
                with open(f"{SCSI_DEVICES}/{self._address}/delete", "w") as f:
                    f.write("1")
            except OSError:
                pass  # the host's unplug removes it anyway
