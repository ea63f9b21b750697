"""`guestbox ls`: list guest directories, as virt-ls (guestfs-tools 1.48)."""

from __future__ import annotations

import argparse
import os
import stat
import time
from typing import Any

from ...errors import Error
from ...protocol.dirents import Dirent
from .. import toolopts
from ..toolmount import library_error
from ..toolopts import ToolError
from .output import csv_field, human_size, stdout_closed, write, write_json
from .registry import Tool, register
from .tree import entry_type, walk
from .virtargs import add_json, need_drives, take_old_style_disks, usage_failure

NAME = "ls"
COMMAND = f"guestbox {NAME}"

DOC = """\
    guestbox ls -a DISK [-a DISK ...] [-l] [-R] ... DIR [DIR ...]
    guestbox ls DISK [DISK ...] DIR

Lists each guest directory DIR as virt-ls does, in its four modes:
  (neither)  the names in DIR, sorted
  -l         `ls -la` of DIR, as the appliance's ls prints it
  -R         every path under DIR, relative to it
  -lR        DIR and everything under it, a line each: type, permissions,
             size, the optional fields, the path (and `-> TARGET` for a
             symbolic link): virt-ls's long format, or with --csv its CSV
The optional fields work with -lR only: --uids (UID, GID), --times (atime,
mtime, ctime as local time; --time-t: seconds since the epoch, --time-relative:
seconds ago, --time-days: days ago), --extra-stats (device, inode, links, rdev,
blocks), --checksum[=TYPE] (of regular files; md5 unless TYPE: crc, sha1,
sha224, sha256, sha384, sha512), -h (sizes as 1.5K, 240M; not with --csv).

--json (guestbox's own, with or without -l and -R): a list of the entries -lR
would show (without -R: the entries in DIR), each {"path", "type", "mode",
"size", "uid", "gid", "atime", "mtime", "ctime", "dev", "ino", "nlink", "rdev",
"blocks"} with times in seconds since the epoch, dev and rdev as "MAJOR:MINOR",
"link" for symbolic links and "checksum" with --checksum.

The disks are opened read-only and mounted as inspection finds them, or as -m
says.  A DIR that cannot be listed is told on stderr and the others are still
listed; the exit status is then 1.  Without -a, every argument but the last is a
disk.  Not supported: libvirt guests (-d, -c), --blocksize.
"""

LONG, RECURSIVE = 1, 2


class _Checksum(argparse.Action):
    """--checksum[=TYPE]: a value only after `=` in virt-ls (getopt's optional argument);
    argparse also takes the next word, so a word starting with `/` stays a DIR."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        if value is not None and value.startswith("/"):  # a DIR, after those read so far
            ns.more_dirs = [*ns.more_dirs, (len(getattr(ns, "args", None) or []), value)]
            value = None
        ns.checksum = value or "md5"


class _Flag(argparse.Action):
    """An option that sets several attributes (--time-t: times and time_t output ...)."""

    def __init__(self, option_strings: list[str], dest: str, sets: dict[str, Any],
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)
        self.sets = sets

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        for k, v in self.sets.items():
            setattr(ns, k, v)


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, readonly=False)
    toolopts.add_version(p)
    p.add_argument("-l", "--long", action="store_true", help="long listing")
    p.add_argument("-R", "--recursive", action="store_true", help="recursive listing")
    p.add_argument("--csv", action="store_true", help="comma-separated values (-lR)")
    p.add_argument("--checksum", "--checksums", nargs="?", action=_Checksum, metavar="TYPE",
                   help="the checksum of each regular file (-lR; default md5)")
    p.add_argument("--extra-stats", "--extra-stat", dest="extra_stats", action="store_true",
                   help="device, inode, links, rdev and blocks (-lR)")
    p.add_argument("-h", "--human-readable", dest="human", action="store_true",
                   help="human-readable sizes (-lR)")
    for flags, sets, text in (
            (("--times", "--time"), {"times": True}, "access, modification, change times"),
            (("--time-t",), {"times": True, "time_t": True, "relative": 0},
             "times as seconds since the epoch"),
            (("--time-relative",), {"times": True, "time_t": True, "relative": 1},
             "times as seconds before now"),
            (("--time-days",), {"times": True, "time_t": True, "relative": 2},
             "times as days before now"),
            (("--uids", "--uid"), {"uids": True}, "UID and GID")):
        p.add_argument(*flags, action=_Flag, sets=sets, help=f"{text} (-lR)")
    add_json(p, "the entries")
    p.add_argument("args", nargs="*", metavar="DIR", help="the guest directories to list")
    p.set_defaults(checksum=None, times=False, time_t=False, relative=0, uids=False,
                   more_dirs=[])


def run(ns: argparse.Namespace) -> int:
    mode = (LONG if ns.long else 0) | (RECURSIVE if ns.recursive else 0)
    args = list(ns.args)
    for n, (index, directory) in enumerate(ns.more_dirs):
        args.insert(index + n, directory)
    dirs = take_old_style_disks(ns, args, keep=1)
    toolopts.check(ns)
    extras = ns.csv or ns.human or ns.uids or ns.times or ns.extra_stats or ns.checksum
    if mode != LONG | RECURSIVE and extras and not ns.json:
        raise ToolError("used a flag which can only be combined with -lR mode\n"
                        "For more information, read the virt-ls(1) man page.")
    if ns.human and ns.csv:
        raise ToolError("you cannot use -h and --csv options together.")
    if ns.json and ns.csv:
        raise ToolError("you cannot use --csv and --json options together.")
    if not dirs:
        raise usage_failure(COMMAND)
    need_drives(ns, COMMAND)
    ns.inspector = not ns.mounts
    errors = 0
    with toolopts.opened(ns, COMMAND, readonly=True) as g, stdout_closed():
        listing = Listing(g, ns)
        for d in dirs:
            try:
                if ns.json:
                    listing.add_json(d, ns.recursive)
                elif mode == LONG | RECURSIVE:
                    listing.long_recursive(d)
                elif mode == LONG:
                    write(g.ll(d))
                elif mode == RECURSIVE:
                    write("".join(f"{p}\n" for p in g.find(d)))
                else:
                    write("".join(f"{n}\n" for n in g.ls(d)))
            except Error as e:
                library_error(str(e))
                errors += 1
        if ns.json:
            write_json(listing.entries)
    return 1 if errors else 0


class Listing:
    """The -lR lines (and the --json entries) of the directories listed."""

    def __init__(self, g: Any, ns: argparse.Namespace) -> None:
        self.g = g
        self.ns = ns
        self.now = int(time.time())
        self.entries: list[dict[str, Any]] = []

    def long_recursive(self, top: str) -> None:
        """virt-ls -lR: top, then each entry (directories' contents after them), a line each."""
        for path, e in walk(self.g, top):
            write(self.line(path, e))

    def add_json(self, top: str, recursive: bool) -> None:
        for path, e in walk(self.g, top, recursive=recursive, include_top=recursive):
            self.entries.append(self.as_dict(path, e))

    # -- one entry ---------------------------------------------------------------------
    def line(self, path: str, e: Dirent) -> str:
        """One -lR line; in CSV only the text fields are quoted (as output_string does)."""
        ns, text = self.ns, (csv_field if self.ns.csv else str)
        fields = [text(entry_type(e.mode)), f"{stat.S_IMODE(e.mode):04o}", self.size(e.size)]
        if ns.uids:
            fields += [f"{e.uid:4d}", f"{e.gid:4d}"]
        if ns.times:
            fields += [self.when(t) for t in (e.atime_ns, e.mtime_ns, e.ctime_ns)]
        if ns.extra_stats:
            fields += [_dev(e.dev), str(e.ino), str(e.nlink), _dev(e.rdev), str(e.blocks)]
        if ns.checksum and (ns.csv or stat.S_ISREG(e.mode)):
            fields.append(text(self.checksum(path)) if stat.S_ISREG(e.mode) else "")
        fields.append(text(path))
        if stat.S_ISLNK(e.mode):
            target = os.fsdecode(e.link)
            fields.append(csv_field(target) if ns.csv else f"-> {target}")
        return ("," if ns.csv else " ").join(fields) + "\n"

    def size(self, size: int) -> str:
        text = human_size(size) if self.ns.human else str(size)
        return text if self.ns.csv else f"{text:>10}"

    def when(self, ns_: int) -> str:
        secs = ns_ // 1_000_000_000
        if not self.ns.time_t:
            return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(secs))
        if self.ns.relative == 1:
            return f"{self.now - secs:8d}"
        if self.ns.relative == 2:
            days = abs(self.now - secs) // 86400 * (1 if self.now >= secs else -1)
            return f"{days:3d}"
        return f"{secs:10d}"

    def checksum(self, path: str) -> str:
        try:
            return str(self.g.checksum(self.ns.checksum, path))
        except Error as e:  # as virt-ls: the listing stops here
            library_error(str(e))
            raise ToolError() from None

    def as_dict(self, path: str, e: Dirent) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": path, "type": entry_type(e.mode), "mode": stat.S_IMODE(e.mode),
            "size": e.size, "uid": e.uid, "gid": e.gid,
            "atime": e.atime_ns // 1_000_000_000, "mtime": e.mtime_ns // 1_000_000_000,
            "ctime": e.ctime_ns // 1_000_000_000, "dev": _dev(e.dev), "ino": e.ino,
            "nlink": e.nlink, "rdev": _dev(e.rdev), "blocks": e.blocks}
        if stat.S_ISLNK(e.mode):
            d["link"] = os.fsdecode(e.link)
        if self.ns.checksum and stat.S_ISREG(e.mode):
            d["checksum"] = self.checksum(path)
        return d


def _dev(dev: int) -> str:
    return f"{os.major(dev)}:{os.minor(dev)}"


register(Tool(NAME, "virt-ls", "list files in a guest", DOC, options, run))
