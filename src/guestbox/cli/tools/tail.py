"""`guestbox tail`: follow files in a guest's disk while the guest runs, as virt-tail (1.48).

The disks are opened read-only (-i inspection by default, or the -m mounts),
each FILE is checked, and what changed is printed: what was added if a file
grew by up to 10000 bytes, else its last 10 lines; a banner `--- FILE ---`
comes before the output of a file other than the last one shown.  Then the
handle is closed, and every --interval seconds (30, as virt-tail) the disk
images' modification times are looked at: once one has changed (or after ten
intervals in any case) the disks are opened afresh and the files checked
again.  A file that does not exist counts as empty; if none of the files exists
at the start it is an error, later it ends the tool ("all files deleted").
Ctrl-C ends it (status 0, as virt-tail).  In a Windows guest, FILE may be
`C:\\path` (the drive letter is looked up and mounted, the case of each name
resolved, as virt-tail does).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time

from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from ..toolopts import ToolError
from . import stdout
from .registry import Tool, register
from .windows import windows_path

NAME = "tail"
PROG = f"guestbox {NAME}"
GREW_A_LOT = 10000  # bytes: more than this and only the last lines are shown
ROUNDS = 10  # intervals waited at most before the disks are read again anyway


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, readonly=False)
    p.add_argument("-f", "--follow", action="store_true",
                   help="ignored, for compatibility with tail(1)")
    p.add_argument("--interval", type=float, default=30.0, metavar="SECONDS",
                   help="seconds between looks at the disk images (default 30)")
    p.add_argument("files", nargs="*", metavar="FILE", help="a file in the guest to follow")


def run(ns: argparse.Namespace) -> int:
    if not ns.files:
        raise toolopts.usage_error(PROG, "missing filenames on command line.\n"
                                   "Please specify at least one file to follow.")
    toolopts.check(ns)
    if not ns.drives:
        raise toolopts.usage_error(PROG, "you must specify at least one -a or -d option.")
    if ns.interval <= 0:
        raise ToolError("--interval must be more than 0")
    ns.inspector = not ns.mounts
    try:
        return stdout.until_reader_leaves(lambda: _follow(ns))
    except KeyboardInterrupt:
        sys.stdout.flush()
        return 0  # as virt-tail: Ctrl-C is how it is meant to end


class _Seen:
    """What was last seen of one file: its mtime (seconds) and size."""

    def __init__(self) -> None:
        self.mtime = 0
        self.size = 0


def _follow(ns: argparse.Namespace) -> int:
    seen = [_Seen() for _ in ns.files]
    shown: list[int] = [-1]  # the index of the file whose output was shown last
    first = True
    while True:
        stamp = _disks_mtime(ns)
        with toolopts.opened(ns, PROG, readonly=True) as g:
            found = _check(g, ns, seen, shown)
        if found == 0:
            if first:
                raise ToolError("error: none of the files were found in the disk image")
            stdout.write(f"{PROG}: all files deleted, exiting\n".encode())
            return 0
        first = False
        _wait(ns, stamp)


def _check(g: GuestFS, ns: argparse.Namespace, seen: list[_Seen], shown: list[int]) -> int:
    """Show what changed in each file; how many of them exist."""
    root = g.inspect_get_roots()[0] if ns.inspector else None
    windows = root is not None and g.inspect_get_type(root) == "windows"
    found = 0
    for i, name in enumerate(ns.files):
        path = windows_path(g, root, name, True) if windows and root else name
        try:
            st = g.statns(path)
        except Error as e:
            if e.errno != errno.ENOENT:
                raise ToolError(f"{path}: {e}") from None
            seen[i].mtime, seen[i].size = int(time.time()), 0
            continue
        found += 1
        was = seen[i]
        if was.mtime == st["st_mtime_sec"] and was.size == st["st_size"]:
            continue
        if shown[0] != i:
            stdout.write(f"\n\n--- {path} ---\n\n".encode("utf-8", "surrogateescape"))
        shown[0] = i
        _show(g, path, was.size, st["st_size"])
        sys.stdout.flush()
        was.mtime, was.size = st["st_mtime_sec"], st["st_size"]
    return found


def _show(g: GuestFS, path: str, before: int, now: int) -> None:
    """What is new in path: the bytes added if it grew a little, else its last lines.
    Read errors are ignored, as virt-tail does (the file may be changing)."""
    try:
        if before < now <= before + GREW_A_LOT:
            stdout.write(g.pread(path, now - before, before))
        else:
            stdout.write(b"".join(stdout.text(line) + b"\n" for line in g.tail(path)))
    except Error:
        pass


def _disks_mtime(ns: argparse.Namespace) -> float:
    """The latest modification time of the disk images."""
    latest = 0.0
    for path, _ in ns.drives:
        try:
            latest = max(latest, os.stat(path).st_mtime)
        except OSError as e:
            raise ToolError(f"stat: {path}: {e.strerror}") from None
    return latest


def _wait(ns: argparse.Namespace, stamp: float) -> None:
    """Sleep until a disk image has changed since stamp (checked every --interval seconds),
    or ROUNDS intervals have passed."""
    for _ in range(ROUNDS):
        time.sleep(ns.interval)
        if _disks_mtime(ns) != stamp:
            return


register(Tool(
    NAME, "virt-tail", "follow (tail) files in a guest's disk",
    __doc__.split("\n\n", 1)[1], options, run))
