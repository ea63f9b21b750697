"""Agent side of the FUSE mount's own calls: directories listed with attributes, rename2."""

from __future__ import annotations

import ctypes
import errno
import os
from stat import S_ISLNK

from ..protocol import dirents
from ..protocol.frames import MAX_BUFFER
from .context import Ctx
from .paths import resolve, to_guest
from .registry import AgentError, impl

AT_FDCWD = -100
RENAME_FLAGS = 0b111  # RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT
_libc = ctypes.CDLL(None, use_errno=True)


@impl
def internal_readdirplus(ctx: Ctx, dir: str) -> bytes:  # noqa: A002 - libguestfs's name
    fd = os.open(dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)  # a link: not followed
    try:
        listing = _listing(fd, MAX_BUFFER)
    finally:
        os.close(fd)
    if listing is None:
        raise AgentError(f"{to_guest(dir)}: directory too large to list in one call",
                         errno.EOVERFLOW)
    return b"".join(listing)


@impl
def internal_readdirplus_ahead(ctx: Ctx, dirs: list[str], budget: int) -> bytes:
    """Listings of dirs in order, as long as they fit in budget bytes: the FUSE mount's
    read-ahead.  O_NOATIME: a listing nobody asked for yet leaves the guest as it was."""
    parts: list[bytes] = []
    left = budget
    for path in dirs:
        try:
            fd = os.open(resolve(path, follow=False),
                         os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NOATIME)
        except OSError as e:
            parts.append(dirents.AHEAD.pack(e.errno or errno.EIO, 0, 0, 0))
            continue
        try:
            st = os.fstat(fd)
            listing = _listing(fd, left)
        finally:
            os.close(fd)
        if listing is None:  # more than is left: too big if nothing else was listed
            if left == budget:
                parts.append(dirents.AHEAD.pack(-1, st.st_dev, st.st_ino, 0))
            break
        size = sum(map(len, listing))
        parts.append(dirents.AHEAD.pack(0, st.st_dev, st.st_ino, size))
        parts += listing
        left -= size
    return b"".join(parts)


def _listing(fd: int, limit: int) -> list[bytes] | None:
    """The packed entries of the open directory fd; None once they pass limit bytes.

    Written for the emulated CPU, for which this loop is most of a tree walk: lstat
    relative to fd, dirents.pack's header packed inline.  (Listed from fd itself, not
    its /proc/self/fd path, which would open it again without O_NOATIME.)
    """
    parts: list[bytes] = []
    append, pack, fsencode = parts.append, dirents.HEADER.pack, os.fsencode
    lstat, readlink = os.lstat, os.readlink
    total = 0
    for name in os.listdir(fd):
        try:
            st = lstat(name, dir_fd=fd)
            mode = st.st_mode
            link = fsencode(readlink(name, dir_fd=fd)) if S_ISLNK(mode) else b""
        except OSError:  # gone since the scan: left out, as readdir would soon
            continue
        bname = fsencode(name)
        packed = pack(st.st_dev, st.st_ino, mode, st.st_nlink, st.st_uid, st.st_gid,
                      st.st_rdev, st.st_size, st.st_blocks, st.st_blksize, st.st_atime_ns,
                      st.st_mtime_ns, st.st_ctime_ns, len(bname), len(link)) + bname + link
        total += len(packed)
        if total > limit:
            return None
        append(packed)
    return parts


@impl
def internal_rename(ctx: Ctx, oldpath: str, newpath: str, flags: int) -> None:
    if flags & ~RENAME_FLAGS:
        raise AgentError(f"rename: unknown flags {flags:#x}", errno.EINVAL)
    if flags == 0:
        os.rename(oldpath, newpath)
        return
    if _libc.renameat2(AT_FDCWD, os.fsencode(oldpath), AT_FDCWD, os.fsencode(newpath),
                       flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), oldpath, None, newpath)
