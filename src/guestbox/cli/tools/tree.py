"""Walking a guest directory tree as libguestfs-common's visit() does (virt-ls -lR).

The top path first (its lstat), then each directory's entries sorted by name
(bytes, as guestfs_ls), a directory's contents right after it; symbolic links
are not followed.  A directory costs one call (internal_readdirplus: names,
lstat and link targets together); one too large for a reply falls back on ls,
lstatnslist and readlinklist.  Errors are guestbox.Error, named as libguestfs
names them (lstatns for the top, ls for a directory that cannot be listed).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from typing import Any

from ...errors import Error
from ...protocol.dirents import Dirent, unpack

_TYPES = ((stat.S_ISREG, "-"), (stat.S_ISDIR, "d"), (stat.S_ISCHR, "c"), (stat.S_ISBLK, "b"),
          (stat.S_ISFIFO, "p"), (stat.S_ISLNK, "l"), (stat.S_ISSOCK, "s"))


def entry_type(mode: int) -> str:
    """virt-ls's one-letter file type: - d c b p l s, u for anything else."""
    return next((letter for test, letter in _TYPES if test(mode)), "u")


def full_path(directory: str, name: str) -> str:
    """name in directory, as guestfs_int_full_path joins them."""
    return f"/{name}" if directory == "/" else f"{directory}/{name}"


def walk(g: Any, top: str, recursive: bool = True, include_top: bool = True
         ) -> Iterator[tuple[str, Dirent]]:
    """(path, lstat) of top (if include_top) and of what is below it (only its entries
    unless recursive), in visit()'s order."""
    st = g.lstatns(top)
    link = os.fsencode(g.readlink(top)) if stat.S_ISLNK(st["st_mode"]) else b""
    if include_top:
        yield top, _from_statns(os.fsencode(top), st, link)
    pending = [iter(_listing(g, top))]
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
            continue
        path, e = item
        yield path, e
        if recursive and stat.S_ISDIR(e.mode):
            pending.append(iter(_listing(g, path)))


def _listing(g: Any, directory: str) -> list[tuple[str, Dirent]]:
    """The entries of directory with their paths, sorted by name."""
    return [(full_path(directory, os.fsdecode(e.name)), e) for e in entries(g, directory)]


def entries(g: Any, directory: str) -> list[Dirent]:
    """directory's entries with their lstat, sorted by name (bytes)."""
    try:
        found = list(unpack(g.internal_readdirplus(directory)))
    except Error as e:
        if e.errno != errno.EOVERFLOW:
            g.ls(directory)  # for ls's error text (not a directory ...)
            raise
        found = _slowly(g, directory)
    return sorted(found, key=lambda d: d.name)


def _slowly(g: Any, directory: str) -> list[Dirent]:
    """The entries of a directory too large for internal_readdirplus, a few calls."""
    names: list[str] = g.ls(directory)
    stats = g.lstatnslist(directory, names)
    links = [n for n, st in zip(names, stats, strict=True) if stat.S_ISLNK(st["st_mode"])]
    targets = dict(zip(links, g.readlinklist(directory, links), strict=True)) if links else {}
    return [_from_statns(os.fsencode(n), st, os.fsencode(targets.get(n, "")))
            for n, st in zip(names, stats, strict=True) if st["st_ino"] != -1]


def _from_statns(name: bytes, st: dict[str, int], link: bytes) -> Dirent:
    def ns(what: str) -> int:
        return st[f"st_{what}_sec"] * 1_000_000_000 + st[f"st_{what}_nsec"]

    return Dirent(name, st["st_dev"], st["st_ino"], st["st_mode"], st["st_nlink"],
                  st["st_uid"], st["st_gid"], st["st_rdev"], st["st_size"], st["st_blocks"],
                  st["st_blksize"], ns("atime"), ns("mtime"), ns("ctime"), link)
