"""Agent side of the FUSE mount's own calls: a directory listed with attributes, rename2."""

from __future__ import annotations

import ctypes
import errno
import os
import stat

from ..protocol import dirents
from ..protocol.frames import MAX_BUFFER
from .context import Ctx
from .paths import to_guest
from .registry import AgentError, impl

AT_FDCWD = -100
RENAME_FLAGS = 0b111  # RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT
_libc = ctypes.CDLL(None, use_errno=True)


@impl
def internal_readdirplus(ctx: Ctx, dir: str) -> bytes:  # noqa: A002 - libguestfs's name
    parts = []
    total = 0
    with os.scandir(dir) as it:
        for entry in it:
            try:
                st = entry.stat(follow_symlinks=False)
                link = os.readlink(entry.path) if stat.S_ISLNK(st.st_mode) else b""
            except OSError:  # gone since the scan: left out, as readdir would soon
                continue
            packed = dirents.pack(os.fsencode(entry.name), st, os.fsencode(link))
            total += len(packed)
            if total > MAX_BUFFER:
                raise AgentError(f"{to_guest(dir)}: directory too large to list in one call",
                                 errno.EOVERFLOW)
            parts.append(packed)
    return b"".join(parts)


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
