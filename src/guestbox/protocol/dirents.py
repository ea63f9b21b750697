"""The packed directory listing of internal_readdirplus: names with their lstat and link target.

One fixed header per entry, then the name and (for a symlink) its target, so a
directory of thousands of files costs one call and no JSON: the FUSE mount
answers `ls -l` and `find` from it (readdirplus).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import NamedTuple

HEADER = struct.Struct("<QQIIIIQqqqqqqHH")
"""dev, ino, mode, nlink, uid, gid, rdev, size, blocks, blksize, atime/mtime/ctime (ns),
name length, link target length."""


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
    """One entry, from the lstat of name."""
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
