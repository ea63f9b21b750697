"""Test trees: one made on the host, and snapshots of a tree to compare copies by.

`make_tree` builds a directory with what `cp -a` and `tar` must carry: nested
directories, files of several sizes (a few MiB too), symbolic links, a hard
link, special modes (setuid, setgid, sticky, 0750 ...), owners other than
root, user.* xattrs, names with spaces and UTF-8, and mtimes set to the
nanosecond.  `host_tree` (any host directory, the FUSE mount included) and
`api_tree` (a directory in a guest, through the API) describe a tree the same
way, so that a tree, its copies and the guest's view of them compare with ==.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import stat
from pathlib import Path

import guestbox

MiB = 1024 * 1024
T0 = 1_000_000_000_123_456_789
"""2001-09-09T01:46:40.123456789Z: the first mtime set, in ns; the others follow it."""


@dataclasses.dataclass(frozen=True)
class Entry:
    """What a copy must keep of one name: type, mode, owner, mtime, content or target, xattrs."""

    kind: str  # "f", "d" or "l"
    mode: int  # permission bits, with setuid, setgid and sticky
    uid: int
    gid: int
    mtime_ns: int
    size: int | None = None  # files only (a directory's size is the filesystem's business)
    sha256: str | None = None
    target: str | None = None
    xattrs: tuple[tuple[str, bytes], ...] = ()
    hardlinks: tuple[str, ...] = ()
    """For a file with several names in the tree: all of them (itself included), sorted."""


Tree = dict[str, Entry]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "d"
    if stat.S_ISLNK(mode):
        return "l"
    if stat.S_ISREG(mode):
        return "f"
    raise AssertionError(f"unexpected file type {mode:o}")


def _link_groups(inodes: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """For each name sharing its inode with others, all the names of that inode."""
    by_ino: dict[int, list[str]] = {}
    for name, ino in inodes.items():
        by_ino.setdefault(ino, []).append(name)
    return {n: tuple(sorted(g)) for g in by_ino.values() if len(g) > 1 for n in g}


def host_tree(root: str | os.PathLike[str]) -> Tree:
    """The tree under root (not root itself), as seen by the host's system calls."""
    out: Tree = {}
    inodes: dict[str, int] = {}
    base = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(base):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, base)
            st = os.lstat(path)
            kind = _kind(st.st_mode)
            xattrs = () if kind == "l" else tuple(sorted(
                (a, os.getxattr(path, a, follow_symlinks=False))
                for a in os.listxattr(path, follow_symlinks=False) if a.startswith("user.")))
            sha = None
            if kind == "f":
                with open(path, "rb") as f:
                    sha = hashlib.file_digest(f, "sha256").hexdigest()
                inodes[rel] = st.st_ino
            out[rel] = Entry(kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
                             st.st_mtime_ns, st.st_size if kind == "f" else None, sha,
                             os.readlink(path) if kind == "l" else None, xattrs)
    return _with_links(out, inodes)


def api_tree(g: guestbox.GuestFS, directory: str) -> Tree:
    """The tree under directory in the guest, read through the API (lstatns, readlink ...)."""
    out: Tree = {}
    inodes: dict[str, int] = {}
    for rel in g.find(directory):
        path = f"{directory}/{rel}"
        st = g.lstatns(path)
        kind = _kind(st["st_mode"])
        xattrs = () if kind == "l" else tuple(sorted(
            (x["attrname"], x["attrval"]) for x in g.lgetxattrs(path)
            if x["attrname"].startswith("user.")))
        if kind == "f":
            inodes[rel] = st["st_ino"]
        out[rel] = Entry(
            kind, stat.S_IMODE(st["st_mode"]), st["st_uid"], st["st_gid"],
            st["st_mtime_sec"] * 10**9 + st["st_mtime_nsec"],
            st["st_size"] if kind == "f" else None,
            g.checksum("sha256", path) if kind == "f" else None,
            g.readlink(path) if kind == "l" else None, xattrs)
    return _with_links(out, inodes)


def _with_links(tree: Tree, inodes: dict[str, int]) -> Tree:
    groups = _link_groups(inodes)
    return {k: dataclasses.replace(e, hardlinks=groups.get(k, ())) for k, e in tree.items()}


def _file(path: Path, data: bytes, mode: int, uid: int = 0, gid: int = 0) -> None:
    path.write_bytes(data)
    os.chown(path, uid, gid)
    os.chmod(path, mode)  # after chown, which clears setuid and setgid


def make_tree(root: Path, seed: int = 7) -> Path:
    """Build the test tree at root (which must not exist); returns root."""
    rnd = random.Random(seed)
    root.mkdir()
    sub = root / "sub"
    deepest = sub / "deeper" / "deepest"
    deepest.mkdir(parents=True)
    (root / "links").mkdir()
    (root / "with space").mkdir()
    _file(root / "empty", b"", 0o644)
    _file(root / "one", b"x", 0o600, 1000, 1000)
    _file(root / "page", rnd.randbytes(4095), 0o640, 1000, 100)
    _file(root / "odd", rnd.randbytes(65537), 0o444)
    _file(root / "big", rnd.randbytes(3 * MiB + 7), 0o644, 65534, 65534)
    _file(root / "setuid", b"#!/bin/sh\n", 0o4755)
    _file(root / "setgid", b"#!/bin/sh\n", 0o2755, 0, 50)
    _file(sub / "mid", rnd.randbytes(MiB + 13), 0o664, 1000, 1000)
    _file(deepest / "leaf", b"leaf\n", 0o640, 1001, 1002)
    _file(root / "with space" / "n\u00e4me \u2713 \u65e5\u672c.txt", "gr\u00fc\u00dfe\n".encode(),
          0o644)
    os.link(sub / "mid", root / "links" / "mid-hard")
    os.symlink("../one", root / "links" / "rel")
    os.symlink("/etc/passwd", root / "links" / "abs")
    os.symlink("nowhere", root / "links" / "dangling")
    os.symlink("../sub", root / "links" / "dir")
    os.lchown(root / "links" / "rel", 1000, 1000)
    os.setxattr(root / "one", "user.comment", b"first file")
    os.setxattr(root / "big", "user.bin", bytes(range(256)))
    os.setxattr(sub, "user.dir", b"on a directory")
    os.chown(sub, 1000, 1000)
    os.chmod(sub, 0o750)
    os.chmod(sub / "deeper", 0o700)
    os.chmod(deepest, 0o1777)
    os.chown(root / "with space", 65534, 65534)
    set_times(root)
    return root


def set_times(root: Path) -> None:
    """Give every name under root its own mtime (ns), directories last, deepest first."""
    paths = sorted((p for p in root.rglob("*")), key=lambda p: (p.is_dir() and not p.is_symlink(),
                                                                -len(p.parts), str(p)))
    for i, p in enumerate(paths):
        t = T0 + i * 86_400_000_000_001
        os.utime(p, ns=(t, t), follow_symlinks=False)
