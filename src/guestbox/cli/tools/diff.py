"""`guestbox diff`: the differences between the files of two guests, as virt-diff (1.48).

The first guest's disks are given with -a, the second's with -A; both are
opened read-only and mounted as -i does, each in its own appliance.  Every
file of each is listed (a directory, then what is in it, names sorted), and
the two lists are merged by path: `+ FILE` added, `- FILE` deleted, `= FILE`
followed by `diff -u`'s hunks and `@@ End of diff @@` for a regular file
whose size, mtime, ctime or --checksum changed, or `- OLD`, `+ NEW` and
`# changed: FIELDS` when only its status or extended attributes changed.
Access times, and directories' link counts and times, are ignored unless
--atime, --dir-links, --dir-times.  A FILE is shown as virt-diff shows it:
type, permissions, size, then what the options ask for (--uids, --times or
--time-t/--time-relative/--time-days, --extra-stats, --checksum, --xattrs),
its path and a link's target; with --csv as comma-separated values (without
the file differences).  The exit status is 0 whether or not there are
differences, 1 on an error.

--json (guestbox's): the changes as a JSON array of objects {"change":
"added" | "deleted" | "content" | "status", "old": FILE, "new": FILE (each
when there is one), "fields": [the status fields that changed, "xattrs"]
(status), "diff": the `diff -u` hunks (content)}; a FILE is {"path", "type"
(- d l c b p s u), "mode", "size", "uid", "gid", "atime", "mtime", "ctime" ...
(the status fields as compared: those ignored are 0), "checksum" (with
--checksum), "link" (symbolic links), "xattrs": {name: value}}.  Bytes that
are not UTF-8 in names and contents are written \\xNN.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from ...handle import GuestFS
from ...protocol import dirents
from .. import toolopts
from ..toolopts import ToolError
from . import stdout
from .diff_output import Line
from .registry import Tool, register

NAME = "diff"
PROG = f"guestbox {NAME}"
FIELDS = ("st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev", "st_size",
          "st_blksize", "st_blocks", "st_atime_sec", "st_atime_nsec", "st_mtime_sec",
          "st_mtime_nsec", "st_ctime_sec", "st_ctime_nsec")
"""libguestfs's statns fields in the order guestfs_compare_statns compares them."""
SHOWN = ("st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev", "st_size",
         "st_blksize", "st_blocks", "st_atime_sec", "st_mtime_sec", "st_ctime_sec")
"""The fields `# changed:` names (whole seconds only, as virt-diff)."""
TYPES = ((stat.S_ISREG, b"-"), (stat.S_ISDIR, b"d"), (stat.S_ISCHR, b"c"), (stat.S_ISBLK, b"b"),
         (stat.S_ISFIFO, b"p"), (stat.S_ISLNK, b"l"), (stat.S_ISSOCK, b"s"))


class _AddSecond(argparse.Action):
    """-A DISK: a disk of the second guest, with the --format given before it."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.drives2 = [*(ns.drives2 or []), (value, ns.format)]
        ns.format_pending = False


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False)

    def flag(*names: str, dest: str, text: str) -> None:
        p.add_argument(*names, dest=dest, action="store_true", help=text)

    p.add_argument("-A", action=_AddSecond, metavar="DISK",
                   help="a disk image of the second guest; repeat for each disk")
    p.add_argument("-D", dest="domain2", help=argparse.SUPPRESS)
    flag("--all", dest="all", text="the same as --extra-stats --times --uids --xattrs")
    flag("--atime", dest="atime", text="do not ignore changes of access times")
    p.add_argument("--checksum", "--checksums", nargs="?", const="md5", metavar="TYPE",
                   help="compare the files' checksums (md5 if TYPE is not given; "
                   "sha1, sha256 ... as checksum)")
    flag("--csv", dest="csv", text="comma-separated values")
    flag("--json", dest="json", text="the changes as JSON (guestbox's; see above)")
    flag("--dir-links", "--dir-link", "--dir-nlink", "--dir-nlinks", dest="dir_links",
         text="do not ignore changes of directories' link counts")
    flag("--dir-times", "--dir-time", dest="dir_times",
         text="do not ignore changes of directories' times")
    flag("--extra-stats", "--extra-stat", dest="extra_stats",
         text="show device, inode, link count, rdev and blocks")
    flag("-h", "--human-readable", dest="human", text="sizes in human-readable form")
    flag("--times", "--time", dest="times",
         text="show modification and change times (and access times with --atime)")
    for option, style, what in (("--time-t", "t", "seconds since the epoch"),
                                ("--time-relative", "relative", "seconds before now"),
                                ("--time-days", "days", "days before now")):
        p.add_argument(option, dest="time_style", action="store_const", const=style,
                       help=f"show times, as {what}")
    flag("--uids", "--uid", dest="uids", text="show the owner's UID and GID")
    flag("--xattrs", "--xattr", dest="xattrs", text="show extended attributes")
    p.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    p.set_defaults(drives2=None, time_style=None)


def run(ns: argparse.Namespace) -> int:
    if ns.domain2 is not None:
        raise ToolError("-D: libvirt guests are not supported by guestbox; "
                        "add the disk images with -A")
    toolopts.check(ns)
    toolopts.check(argparse.Namespace(format_pending=False, drives=ns.drives2))
    if not ns.drives:
        raise toolopts.usage_error(PROG, "you must specify at least one -a or -d option.")
    if not ns.drives2:
        raise toolopts.usage_error(PROG, "you must specify at least one -A or -D option.")
    if ns.human and ns.csv:
        raise ToolError("you cannot use -h and --csv options together.")
    if ns.json and ns.csv:
        raise ToolError("you cannot use --json and --csv options together.")
    if ns.extra:
        raise toolopts.usage_error(
            PROG, f"extra argument ‘{ns.extra[0]}’ on command line.\nMake sure to specify "
            f"the argument for --checksum or --format like '--format={ns.extra[0]}'.")
    if ns.all:
        ns.extra_stats = ns.times = ns.uids = ns.xattrs = True
    if ns.time_style:
        ns.times = True
    ns.inspector = True
    second = argparse.Namespace(**{**vars(ns), "drives": ns.drives2})
    with toolopts.opened(ns, PROG, readonly=True) as g1:
        tree1 = visit(g1, ns)
        with toolopts.opened(second, PROG, readonly=True) as g2:
            tree2 = visit(g2, ns)
            return stdout.until_reader_leaves(lambda: Differ(ns, g1, g2).run(tree1, tree2))


# -- the files of a guest ------------------------------------------------------------
@dataclasses.dataclass
class File:
    """One file as virt-diff keeps it: its status (ignored fields zeroed), extended
    attributes, checksum (regular files, with --checksum) and link target."""

    path: bytes
    st: dict[str, int]
    xattrs: list[tuple[str, bytes]]
    csum: str | None
    link: bytes


def visit(g: GuestFS, ns: argparse.Namespace) -> list[File]:
    """Every file of the mounted guest in visit's order: a directory, then each thing in it
    (names sorted), a directory's contents right after it."""
    top: dict[str, Any] = dict(g.lstatns("/"))
    files = [_file(g, ns, b"/", {f: int(top[f]) for f in FIELDS},
                   [(x["attrname"], x["attrval"]) for x in g.lgetxattrs("/")], b"")]
    stack = [iter(_listing(g, ns, b"/"))]
    while stack:
        f = next(stack[-1], None)
        if f is None:
            stack.pop()
            continue
        files.append(f)
        if stat.S_ISDIR(f.st["st_mode"]):
            stack.append(iter(_listing(g, ns, f.path)))
    return files


def _listing(g: GuestFS, ns: argparse.Namespace, directory: bytes) -> list[File]:
    """The files in directory, sorted by name: two calls (entries with their status, then
    their extended attributes)."""
    entries = sorted(dirents.unpack(g.internal_readdirplus(_s(directory))),
                     key=lambda d: d.name)
    if not entries:
        return []
    attrs = _per_file(g.lxattrlist(_s(directory), [_s(d.name) for d in entries]))
    if len(attrs) != len(entries):
        raise ToolError(f"error getting extended attrs for {_s(directory)}")
    out = []
    for d, xattrs in zip(entries, attrs, strict=True):
        path = (directory if directory != b"/" else b"") + b"/" + d.name
        st = dict(zip(FIELDS, (d.dev, d.ino, d.mode, d.nlink, d.uid, d.gid, d.rdev, d.size,
                               d.blksize, d.blocks, *divmod(d.atime_ns, 10**9),
                               *divmod(d.mtime_ns, 10**9), *divmod(d.ctime_ns, 10**9)),
                      strict=True))
        out.append(_file(g, ns, path, st, xattrs, d.link))
    return out


def _per_file(flat: list[Any]) -> list[list[tuple[str, bytes]]]:
    """lxattrlist's flat list cut into each file's attributes."""
    out: list[list[tuple[str, bytes]]] = []
    i = 0
    while i < len(flat):
        head = flat[i]["attrval"].rstrip(b"\0")
        if flat[i]["attrname"] or not head.isdigit():
            raise ToolError("error getting extended attrs")
        n = int(head)
        out.append([(x["attrname"], x["attrval"]) for x in flat[i + 1:i + 1 + n]])
        i += 1 + n
    return out


def _file(g: GuestFS, ns: argparse.Namespace, path: bytes, st: dict[str, int],
          xattrs: list[tuple[str, bytes]], link: bytes) -> File:
    """A file with the fields virt-diff ignores zeroed, and its checksum if asked for."""
    csum = str(g.checksum(ns.checksum, _s(path))) \
        if ns.checksum and stat.S_ISREG(st["st_mode"]) else None
    if not ns.atime:
        st["st_atime_sec"] = st["st_atime_nsec"] = 0
    if stat.S_ISDIR(st["st_mode"]):
        if not ns.dir_links:
            st["st_nlink"] = 0
        if not ns.dir_times:
            for f in ("atime", "mtime", "ctime"):
                st[f"st_{f}_sec"] = st[f"st_{f}_nsec"] = 0
    return File(path, st, xattrs, csum, link)


def _s(path: bytes) -> str:
    return path.decode("utf-8", "surrogateescape")


# -- the differences -----------------------------------------------------------------
@dataclasses.dataclass
class Change:
    """One difference: "deleted" (old only), "added" (new only), "content" (a regular file
    whose content changed) or "status" (fields: what else changed)."""

    kind: str
    old: File | None
    new: File | None
    fields: list[str] = dataclasses.field(default_factory=list)


def changes(files1: list[File], files2: list[File]) -> Iterator[Change]:
    """diff_guests: the two lists merged by path (as strcmp orders them)."""
    i = j = 0
    while i < len(files1) or j < len(files2):
        if i < len(files1) and (j >= len(files2) or files1[i].path < files2[j].path):
            yield Change("deleted", files1[i], None)
            i += 1
        elif i >= len(files1) or files1[i].path > files2[j].path:
            yield Change("added", None, files2[j])
            j += 1
        else:
            change = _compare(files1[i], files2[j])
            if change is not None:
                yield change
            i += 1
            j += 1


def _compare(a: File, b: File) -> Change | None:
    """Two versions of a path: content changed (as virt-diff judges it: size, mtime or
    ctime when the status differs, else the checksums), else status or attributes
    changed, else nothing."""
    stats_differ = a.st != b.st or a.xattrs != b.xattrs
    if stats_differ:
        content = stat.S_ISREG(a.st["st_mode"]) and stat.S_ISREG(b.st["st_mode"]) and any(
            a.st[f] != b.st[f] for f in ("st_mtime_sec", "st_ctime_sec", "st_size"))
    else:
        content = a.csum is not None and b.csum is not None and a.csum != b.csum
    if content:
        return Change("content", a, b)
    if stats_differ:
        return Change("status", a, b, [f for f in SHOWN if a.st[f] != b.st[f]]
                      + (["xattrs"] if a.xattrs != b.xattrs else []))
    return None


def unified(g1: GuestFS, g2: GuestFS, a: File, b: File) -> bytes | None:
    """The two versions' `diff -u` without its two header lines (None: diff failed)."""
    with tempfile.TemporaryDirectory(prefix="virtdiff") as tmp:
        left, right = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        g1.download(_s(a.path), left)
        g2.download(_s(b.path), right)
        try:
            out = subprocess.run(["diff", "-u", left, right], stdout=subprocess.PIPE,
                                 check=False).stdout
        except OSError:
            print(f"{PROG}: external diff command failed", file=sys.stderr)
            return None
    return b"".join(out.splitlines(keepends=True)[2:])


class Differ:
    """The differences printed as virt-diff prints them (or with --json, as JSON)."""

    def __init__(self, ns: argparse.Namespace, g1: GuestFS, g2: GuestFS) -> None:
        self.ns, self.g1, self.g2 = ns, g1, g2
        self.now = int(time.time())

    def run(self, files1: list[File], files2: list[File]) -> int:
        if self.ns.json:
            out = [self._record(c) for c in changes(files1, files2)]
            stdout.write(json.dumps(out, indent=2).encode() + b"\n")
            return 0
        for c in changes(files1, files2):
            if c.kind == "deleted" and c.old:
                self._line(b"-", c.old)
            elif c.kind == "added" and c.new:
                self._line(b"+", c.new)
            elif c.kind == "content" and c.old and c.new:
                self._line(b"=", c.old)
                if not self.ns.csv:
                    sys.stdout.flush()
                    text = unified(self.g1, self.g2, c.old, c.new)
                    if text is not None:
                        stdout.write(text + b"@@ End of diff @@\n")
            elif c.old and c.new:
                self._line(b"-", c.old)
                self._line(b"+", c.new)
                line = Line(self.ns.csv)
                for word in (b"#", b"changed:", *(f.encode() for f in c.fields)):
                    line.string(word)
                stdout.write(line.render())
        return 0

    def _line(self, sign: bytes, f: File) -> None:
        """A file's line (output_file), after its sign."""
        ns, st = self.ns, f.st
        line = Line(ns.csv)
        line.string(sign)
        line.string(_type(st["st_mode"]))
        line.perms(st["st_mode"] & 0o7777)
        line.size(st["st_size"], ns.human)
        if ns.uids:
            line.uid(st["st_uid"])
            line.uid(st["st_gid"])
        if ns.times:
            for t in ("atime", "mtime", "ctime") if ns.atime else ("mtime", "ctime"):
                line.time(st[f"st_{t}_sec"], ns.time_style, self.now)
        if ns.extra_stats:
            line.dev(st["st_dev"])
            line.number(st["st_ino"])
            line.number(st["st_nlink"])
            line.dev(st["st_rdev"])
            line.number(st["st_blocks"])
        if f.csum is not None:
            line.string(f.csum.encode())
        line.string(f.path)
        if stat.S_ISLNK(st["st_mode"]):
            line.link(f.link)
        if ns.xattrs:
            for name, value in f.xattrs:
                line.string(stdout.text(name))
                line.binary(value)
        stdout.write(line.render())

    def _record(self, c: Change) -> dict[str, object]:
        """A change as --json gives it."""
        out: dict[str, object] = {"change": c.kind}
        if c.old is not None:
            out["old"] = _file_record(c.old)
        if c.new is not None:
            out["new"] = _file_record(c.new)
        if c.kind == "status":
            out["fields"] = c.fields
        if c.kind == "content" and c.old and c.new:
            text = unified(self.g1, self.g2, c.old, c.new)
            out["diff"] = None if text is None else _json_text(text)
        return out


def _type(mode: int) -> bytes:
    return next((c for test, c in TYPES if test(mode)), b"u")


def _json_text(b: bytes) -> str:
    """Guest bytes as JSON text: UTF-8, other bytes written \\xNN."""
    return b.decode("utf-8", "backslashreplace")


def _file_record(f: File) -> dict[str, object]:
    """A file for --json: its path, type, the status fields as compared (those ignored
    are 0), checksum, link target, extended attributes."""
    st = f.st
    out: dict[str, object] = {"path": _json_text(f.path), "type": _type(st["st_mode"]).decode(),
                              "mode": st["st_mode"] & 0o7777}
    out.update({k.removeprefix("st_"): v for k, v in st.items() if k != "st_mode"})
    if f.csum is not None:
        out["checksum"] = f.csum
    if stat.S_ISLNK(st["st_mode"]):
        out["link"] = _json_text(f.link)
    out["xattrs"] = {name: _json_text(value) for name, value in f.xattrs}
    return out


register(Tool(
    NAME, "virt-diff", "the differences between the files of two guests",
    __doc__.split("\n\n", 1)[1], options, run))
