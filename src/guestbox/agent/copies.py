"""The agent's copies between devices and files, with offsets, sizes and sparseness.

The four operations share one copy.  Everything that can be checked is checked
before the destination is touched (libguestfs notices a short source only after
writing what there was).  Then the bytes move in large pieces, the way that
costs the emulated CPU least:

- an end (device or file) where the copy starts on a boundary of its unit (a
  sector, a filesystem block) is opened again with O_DIRECT, and read into or
  written from one page-aligned buffer: QEMU moves the bytes, the guest CPU
  copies none of them (about 900 MB/s, where libguestfs's 8 KiB reads and
  writes make 50-100);
- otherwise between regular files, copy_file_range (which may even share
  blocks), else sendfile: one copy, inside the kernel;
- else through the buffer, by this process.

Sparse copies go through the buffer, writing only the blocks that are not all
zeros; the holes of a sparse source file are skipped unread.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import mmap
import os
import stat
import sys
from collections.abc import Callable

from .context import Ctx
from .paths import to_guest
from .registry import AgentError, impl

CHUNK = 16 * 1024 * 1024
"""Bytes per kernel copy call, and between two progress messages."""
BUFFER = 8 * 1024 * 1024
"""Bytes read at a time when the copy goes through this process's buffer."""
BLOCK = 4096
"""The unit of zero detection of sparse copies."""
SEGMENT = 256 * 1024
"""Looked at as a whole first by the zero detection."""
ZEROS = bytes(BUFFER)
FILE_ALIGN = 4096
"""Direct I/O on a file: offsets and sizes multiple of this (and of its block size)."""
BLKSSZGET = 0x1268
"""ioctl: the logical sector size of a block device."""
FALLBACK = frozenset({errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP,
                      errno.EBADF, errno.ESPIPE})
"""errnos by which copy_file_range or sendfile say they cannot copy between these two."""
WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EPERM})
"""errnos of a failed kernel copy that come from the destination's side."""


@dataclasses.dataclass
class End:
    """One open end of a copy: its descriptor, its stat, the name messages show."""

    fd: int
    st: os.stat_result
    shown: str
    direct_fd: int | None = None
    """The same file or device opened again with O_DIRECT, for whole units."""
    unit: int = 512
    """What direct I/O must be a multiple of (offsets and sizes)."""

    @property
    def is_device(self) -> bool:
        return stat.S_ISBLK(self.st.st_mode)

    def extent(self) -> int:
        """Bytes in a regular file, or in a block device."""
        if self.is_device:
            return os.lseek(self.fd, 0, os.SEEK_END)
        return self.st.st_size

    def go_direct(self, mode: int, start: int) -> None:
        """Open the same file or device again with O_DIRECT, if the copy starts on a
        boundary of its unit (a device's sector, a file's block) and it allows it."""
        if self.is_device:
            self.unit = int.from_bytes(fcntl.ioctl(self.fd, BLKSSZGET, bytes(4)),
                                       sys.byteorder)
        else:
            self.unit = max(self.st.st_blksize, FILE_ALIGN)
        if self.unit <= 0 or start % self.unit:
            return
        try:
            self.direct_fd = os.open(f"/proc/self/fd/{self.fd}",
                                     mode | os.O_DIRECT | os.O_CLOEXEC)
        except OSError:
            pass  # not on this filesystem (FUSE ...): the page cache will do

    def transfer(self, buf: memoryview, pos: int, write: bool) -> int:
        """Read into buf, or write buf, at pos; on the direct descriptor if these are
        whole units (all but the tail of a copy).  Should direct I/O turn out not to
        work here after all, the ordinary descriptor does the rest."""
        direct = self.direct_fd
        if direct is not None and pos % self.unit == 0 and len(buf) % self.unit == 0:
            try:
                return _rw(direct, buf, pos, write)
            except OSError as e:
                if e.errno != errno.EINVAL:
                    raise
            self.direct_fd = None
            os.close(direct)
        return _rw(self.fd, buf, pos, write)

    def close(self) -> None:
        if self.direct_fd is not None:
            os.close(self.direct_fd)
        os.close(self.fd)


def _rw(fd: int, buf: memoryview, pos: int, write: bool) -> int:
    return os.pwrite(fd, buf, pos) if write else os.preadv(fd, [buf], pos)


def _open(path: str, flags: int, is_device: bool) -> End:
    """path opened with flags (never blocking on a FIFO), checked to be a block device
    (a Device) or a regular file (a Pathname)."""
    shown = path if is_device else to_guest(path)
    wrong = AgentError(f"{shown}: not {'a block device' if is_device else 'a regular file'}",
                       errno.EINVAL)
    try:
        fd = os.open(path, flags | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY
                     | (0 if is_device else os.O_NOFOLLOW), 0o666)
    except OSError as e:
        if e.errno == errno.ENXIO:  # a FIFO no one reads, a device node with no device
            raise wrong from None
        raise
    end = End(fd, os.fstat(fd), shown)
    mode = end.st.st_mode
    if stat.S_ISDIR(mode):
        end.close()
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not (stat.S_ISBLK(mode) if is_device else stat.S_ISREG(mode)):
        end.close()
        raise wrong
    return end


def _length(src: End, srcoffset: int, size: int | None) -> int:
    """How many bytes to copy; AgentError if the source has fewer than asked for."""
    have = src.extent()
    if src.is_device and srcoffset > have:
        raise AgentError(f"lseek: {src.shown}: {os.strerror(errno.EINVAL)}", errno.EINVAL)
    if size is None:
        return max(0, have - srcoffset)
    if srcoffset + size > have:
        raise AgentError(f"{src.shown}: input too short", errno.EINVAL)
    return size


def _check_room(dest: End, destoffset: int, length: int) -> None:
    """AgentError if a device destination ends before destoffset + length."""
    room = dest.extent()
    if destoffset > room:
        raise AgentError(f"lseek: {dest.shown}: {os.strerror(errno.EINVAL)}", errno.EINVAL)
    if destoffset + length > room:
        raise AgentError(f"{dest.shown}: write: {os.strerror(errno.ENOSPC)}", errno.ENOSPC)


def _failure(src: End, dest: End, e: OSError, writing: bool) -> AgentError:
    """libguestfs's words for a failed read or write."""
    if writing:
        return AgentError(f"{dest.shown}: write: {e.strerror}", e.errno)
    return AgentError(f"read: {src.shown}: {e.strerror}", e.errno)


# -- moving the bytes ------------------------------------------------------------
Mover = Callable[[End, End, int, int, int], int]
"""(source, destination, source offset, destination offset, count) -> bytes moved (0: the
source ended).  A kernel mover raises OSError; FALLBACK errnos mean "not between these two"."""


def _copy_range(src: End, dest: End, spos: int, dpos: int, count: int) -> int:
    return os.copy_file_range(src.fd, dest.fd, count, spos, dpos)


def _sendfile(src: End, dest: End, spos: int, dpos: int, count: int) -> int:
    os.lseek(dest.fd, dpos, os.SEEK_SET)
    return os.sendfile(dest.fd, src.fd, spos, count)


class Buffered:
    """Copies through one page-aligned buffer; with skip_zeros, writes only the BLOCKs
    that are not all zeros (the destination is taken to be zero there)."""

    def __init__(self, skip_zeros: bool) -> None:
        self.buf = mmap.mmap(-1, BUFFER)
        self.skip_zeros = skip_zeros

    def __call__(self, src: End, dest: End, spos: int, dpos: int, count: int) -> int:
        view = memoryview(self.buf)[: min(count, BUFFER)]
        try:
            n = src.transfer(view, spos, write=False)
        except OSError as e:
            raise _failure(src, dest, e, writing=False) from None
        data = view[:n]
        try:
            if not self.skip_zeros:
                _pwrite_all(dest, data, dpos)
            elif not _is_zero(data):
                for start, end in _nonzero_runs(data):
                    _pwrite_all(dest, data[start:end], dpos + start)
        except OSError as e:
            raise _failure(src, dest, e, writing=True) from None
        return n


def _nonzero_runs(data: memoryview) -> list[list[int]]:
    """[start, end] of the runs of BLOCKs of data that hold a byte other than zero.

    Whole SEGMENTs of zeros are passed over first: one comparison instead of many.
    """
    runs: list[list[int]] = []
    for seg in range(0, len(data), SEGMENT):
        if _is_zero(data[seg : seg + SEGMENT]):
            continue
        for pos in range(seg, min(seg + SEGMENT, len(data)), BLOCK):
            block = data[pos : pos + BLOCK]
            if _is_zero(block):
                continue
            if runs and runs[-1][1] == pos:
                runs[-1][1] = pos + len(block)
            else:
                runs.append([pos, pos + len(block)])
    return runs


def _is_zero(data: memoryview) -> bool:
    """True if data (at most BUFFER bytes) is all zeros: one memcmp, no copy (comparing
    memoryviews with == goes byte by byte, twenty times slower)."""
    return ZEROS.startswith(data)


def _pwrite_all(dest: End, data: memoryview, pos: int) -> None:
    while data:
        n = dest.transfer(data, pos, write=True)
        data = data[n:]
        pos += n


def _data_start(fd: int, pos: int, end: int) -> int:
    """The first offset >= pos that may hold data (holes of a sparse file are zeros)."""
    try:
        return min(os.lseek(fd, pos, os.SEEK_DATA), end)
    except OSError as e:
        if e.errno == errno.ENXIO:  # nothing but a hole up to the end of the file
            return end
        return pos  # SEEK_DATA not supported here: read everything


def _movers(src: End, dest: End, sparse: bool) -> list[Mover]:
    """The ways to move bytes between src and dest, the cheapest first."""
    if sparse or src.direct_fd is not None or dest.direct_fd is not None:
        return [Buffered(skip_zeros=sparse)]
    kernel: list[Mover] = [_sendfile, Buffered(skip_zeros=False)]
    if not src.is_device and not dest.is_device:
        kernel.insert(0, _copy_range)
    return kernel


@dataclasses.dataclass
class Copy:
    """One copy in progress: its two ends, and the ways to move bytes still worth trying."""

    ctx: Ctx
    src: End
    dest: End
    movers: list[Mover]
    sparse: bool

    def run(self, spos: int, dpos: int, length: int) -> None:
        done = 0
        while done < length:
            if self.sparse and not self.src.is_device:
                done = _data_start(self.src.fd, spos + done, spos + length) - spos
                if done >= length:
                    break
            n = self.step(spos + done, dpos + done, min(CHUNK, length - done))
            if n == 0:
                raise AgentError(f"{self.src.shown}: input too short", errno.EIO)
            done += n
            if length > CHUNK:
                self.ctx.progress(done, length)

    def step(self, spos: int, dpos: int, count: int) -> int:
        """Move up to count bytes with the first mover that can, dropping those that can't."""
        while True:
            mover = self.movers[0]
            last = len(self.movers) == 1
            try:
                n = mover(self.src, self.dest, spos, dpos, count)
            except OSError as e:
                if e.errno in FALLBACK and not last:
                    self.movers.pop(0)
                    continue
                raise _failure(self.src, self.dest, e, e.errno in WRITE_ERRORS) from None
            if n == 0 and not last:  # a kernel copy that does nothing here: try the next way
                self.movers.pop(0)
                continue
            return n


# -- the operations ----------------------------------------------------------------
def _copy(
    ctx: Ctx, src: str, dest: str, *, from_device: bool, to_device: bool,
    srcoffset: int | None, destoffset: int | None, size: int | None,
    sparse: bool | None, append: bool | None,
) -> None:
    for name, value in (("srcoffset", srcoffset), ("destoffset", destoffset), ("size", size)):
        if value is not None and value < 0:
            raise AgentError(f"{name} is negative", errno.EINVAL)
    if append and to_device:
        raise AgentError("the append flag cannot be set for this call", errno.EINVAL)
    if append and destoffset:
        raise AgentError("destoffset cannot be used with the append flag", errno.EINVAL)
    spos = srcoffset or 0
    s = _open(src, os.O_RDONLY, from_device)
    try:
        length = _length(s, spos, size)
        d = _open(dest, os.O_WRONLY | (0 if to_device else os.O_CREAT), to_device)
        try:
            dpos = _prepare_dest(s, d, destoffset or 0, length, bool(append))
            s.go_direct(os.O_RDONLY, spos)
            d.go_direct(os.O_WRONLY, dpos)
            Copy(ctx, s, d, _movers(s, d, bool(sparse)), bool(sparse)).run(spos, dpos, length)
            if not to_device and length and os.fstat(d.fd).st_size < dpos + length:
                os.ftruncate(d.fd, dpos + length)  # zeros skipped at the end still count
        finally:
            d.close()
    finally:
        s.close()


def _prepare_dest(src: End, dest: End, destoffset: int, length: int, append: bool) -> int:
    """Where the copy goes in dest, once dest is ready for it: a device must have room,
    a file is appended to or else emptied (unless it is the source itself)."""
    if dest.is_device:
        _check_room(dest, destoffset, length)
        return destoffset
    if append:
        return dest.st.st_size
    if (dest.st.st_dev, dest.st.st_ino) != (src.st.st_dev, src.st.st_ino):
        os.ftruncate(dest.fd, 0)
    return destoffset


@impl
def copy_device_to_device(ctx: Ctx, src: str, dest: str, srcoffset: int | None = None,
                          destoffset: int | None = None, size: int | None = None,
                          sparse: bool | None = None, append: bool | None = None) -> None:
    _copy(ctx, src, dest, from_device=True, to_device=True, srcoffset=srcoffset,
          destoffset=destoffset, size=size, sparse=sparse, append=append)


@impl
def copy_device_to_file(ctx: Ctx, src: str, dest: str, srcoffset: int | None = None,
                        destoffset: int | None = None, size: int | None = None,
                        sparse: bool | None = None, append: bool | None = None) -> None:
    _copy(ctx, src, dest, from_device=True, to_device=False, srcoffset=srcoffset,
          destoffset=destoffset, size=size, sparse=sparse, append=append)


@impl
def copy_file_to_device(ctx: Ctx, src: str, dest: str, srcoffset: int | None = None,
                        destoffset: int | None = None, size: int | None = None,
                        sparse: bool | None = None, append: bool | None = None) -> None:
    _copy(ctx, src, dest, from_device=False, to_device=True, srcoffset=srcoffset,
          destoffset=destoffset, size=size, sparse=sparse, append=append)


@impl
def copy_file_to_file(ctx: Ctx, src: str, dest: str, srcoffset: int | None = None,
                      destoffset: int | None = None, size: int | None = None,
                      sparse: bool | None = None, append: bool | None = None) -> None:
    _copy(ctx, src, dest, from_device=False, to_device=False, srcoffset=srcoffset,
          destoffset=destoffset, size=size, sparse=sparse, append=append)
