"""The packed directory listings of internal_readdirplus(_ahead): names, lstat, link targets.

One fixed header per entry, then the name and (for a symlink) its target, so a
directory of thousands of files costs one call and no JSON: the FUSE mount
answers `ls -l` and `find` from it (readdirplus).  The read-ahead call lists
several directories, each after an AHEAD record.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import NamedTuple

HEADER = struct.Struct("<QQIIIIQqqqqqqHH")
"""dev, ino, mode, nlink, uid, gid, rdev, size, blocks, blksize, atime/mtime/ctime (ns),
name length, link target length."""

AHEAD = struct.Struct("<iQQI")
"""Before each directory of internal_readdirplus_ahead: status (0 listed, an errno, or -1:
too big to read ahead), the directory's dev and ino, the bytes of its listing that follow."""


class Dirent(NamedTuple):
    """One directory entry as the agent saw it with lstat."""

    name: bytes
    dev: int
    ino: int
    mode: int
    nlink: int
    uid: int
    gid: int
    rdev: int
    size: int
    blocks: int
    blksize: int
    atime_ns: int
    mtime_ns: int
    ctime_ns: int
    link: bytes  # the symlink's target, empty for anything else


def pack(name: bytes, st: os.stat_result, link: bytes = b"") -> bytes:
    """One entry, from the lstat of name (the agent's listing loop packs it inline)."""
    return HEADER.pack(
        st.st_dev, st.st_ino, st.st_mode, st.st_nlink, st.st_uid, st.st_gid, st.st_rdev,
        st.st_size, st.st_blocks, st.st_blksize, st.st_atime_ns, st.st_mtime_ns,
        st.st_ctime_ns, len(name), len(link)) + name + link


def unpack(data: bytes) -> Iterator[Dirent]:
    """The entries of a packed listing, in the agent's order."""
    pos, end, size = 0, len(data), HEADER.size
    view = memoryview(data)
    while pos < end:
        *fields, nlen, llen = HEADER.unpack_from(view, pos)
        pos += size
        name = bytes(view[pos:pos + nlen])
        pos += nlen
        link = bytes(view[pos:pos + llen])
        pos += llen
        yield Dirent._make((name, *fields, link))


class Ahead(NamedTuple):
    """One directory of a read-ahead reply."""

    status: int
    dev: int
    ino: int
    listing: bytes


def unpack_ahead(data: bytes) -> Iterator[Ahead]:
    """The directories of an internal_readdirplus_ahead reply, in the order asked for."""
    pos, end = 0, len(data)
    while pos < end:
        status, dev, ino, size = AHEAD.unpack_from(data, pos)
        pos += AHEAD.size
        yield Ahead(status, dev, ino, data[pos:pos + size])
        pos += size
