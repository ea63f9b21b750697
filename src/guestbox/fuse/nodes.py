"""The kernel's inode numbers and the guest paths and attributes behind them.

The kernel names files by inode number; the agent by guest path.  Each guest
file (its st_dev and st_ino) gets one number for the life of the mount, so hard
links stay one inode and `cp -a` keeps them; numbers are never reused, so a
file deleted and replaced never looks like its predecessor.  A node is kept
while the kernel holds references to it (lookups, not yet forgotten) or it is
open.  Attributes and directory listings are cached with their time; the
owner decides what is fresh.
"""

from __future__ import annotations

import dataclasses
import os
import time

import trio

from ..protocol.dirents import Dirent
from .filedata import FileData

ROOT = 1


def join(parent: str, name: str) -> str:
    """The guest path of name in the directory parent."""
    return parent + name if parent == "/" else f"{parent}/{name}"


@dataclasses.dataclass(eq=False)
class Node:
    """One guest file the kernel knows by number."""

    ino: int
    paths: list[str]  # every name it is known by; the first, seen last, is used for calls
    key: tuple[int, int] | None = None  # (st_dev, st_ino) in the guest
    lookups: int = 0
    opened: int = 0
    attr: Dirent | None = None
    attr_time: float = 0.0
    listing: dict[bytes, Dirent] | None = None  # a directory's entries, by name
    listing_time: float = 0.0
    xattrs: list[bytes] | None = None  # the names of its extended attributes
    xattrs_time: float = 0.0
    data: FileData = dataclasses.field(default_factory=FileData)
    hidden: bool = False  # unlinked while open: renamed aside until the last close
    io: trio.Lock = dataclasses.field(default_factory=trio.Lock)  # one read/write at a time

    @property
    def path(self) -> str:
        return self.paths[0]

    def stale(self) -> None:
        """Forget the cached attributes (after a change through the mount)."""
        self.attr_time = 0.0


class Nodes:
    """Every node, by kernel number, guest identity and path."""

    def __init__(self) -> None:
        self.by_ino: dict[int, Node] = {ROOT: Node(ROOT, ["/"], lookups=1)}
        self.by_key: dict[tuple[int, int], Node] = {}
        self.by_path: dict[str, Node] = {"/": self.by_ino[ROOT]}
        self._next = ROOT + 1
        self.version = 0  # counts the changes made through the mount

    def __getitem__(self, ino: int) -> Node:
        return self.by_ino[ino]

    def learn(self, path: str, d: Dirent, now: float | None = None) -> Node:
        """The node for the guest file d found at path, made if new; its attributes updated."""
        key = (d.dev, d.ino)
        node = self.by_key.get(key) or self.by_path.get(path)
        if node is not None and node.key not in (None, key):
            self._unname(node, path)  # path now names another file
            node = self.by_key.get(key)
        if node is None:
            node = Node(self._next, [path])
            self._next += 1
            self.by_ino[node.ino] = node
        elif node.paths[0] != path:  # the name just seen is the surest: used for calls
            if path in node.paths:
                node.paths.remove(path)
            node.paths.insert(0, path)
        node.key = key
        self.by_key[key] = node
        self.by_path[path] = node
        node.attr = d
        node.attr_time = time.monotonic() if now is None else now
        return node

    def changed(self, node: Node) -> None:
        """node's attributes changed: they and its parents' listings are stale."""
        self.version += 1
        node.stale()
        for p in node.paths:
            parent = self.by_path.get(os.path.dirname(p))
            if parent is not None and parent is not node:
                parent.listing = None

    def forget(self, ino: int, count: int) -> None:
        """The kernel dropped count references to ino."""
        node = self.by_ino.get(ino)
        if node is None or ino == ROOT:
            return
        node.lookups -= count
        self.drop_unused(node)

    def drop_unused(self, node: Node) -> None:
        """Remove node if nothing refers to it any more."""
        if node.ino == ROOT or node.lookups > 0 or node.opened > 0:
            return
        del self.by_ino[node.ino]
        if node.key is not None and self.by_key.get(node.key) is node:
            del self.by_key[node.key]
        for p in node.paths:
            if self.by_path.get(p) is node:
                del self.by_path[p]

    def removed(self, path: str) -> None:
        """path was unlinked (or replaced): it names nothing now."""
        self.version += 1
        node = self.by_path.pop(path, None)
        if node is None:
            return
        self._unname(node, path)

    def _unname(self, node: Node, path: str) -> None:
        """path no longer names node; if it was its last name, node leaves by_key, so a
        new file with the same guest inode number is another file to the kernel."""
        if path in node.paths:
            node.paths.remove(path)
        if not node.paths:
            node.paths.append(path)  # kept for messages; calls on it will say ENOENT
            if node.key is not None and self.by_key.get(node.key) is node:
                del self.by_key[node.key]
            node.key = None

    def moved(self, old: str, new: str) -> None:
        """old was renamed to new (and everything under it, for a directory)."""
        self.removed(new)  # counts as a change
        prefix = old + "/"
        for p in [p for p in self.by_path if p == old or p.startswith(prefix)]:
            node = self.by_path.pop(p)
            q = new + p[len(old):]
            node.paths = [q if x == p else x for x in node.paths]
            self.by_path[q] = node

    def exchanged(self, a: str, b: str) -> None:
        """a and b were swapped (RENAME_EXCHANGE)."""
        tmp = f"{a}\0exchange"
        self.moved(a, tmp)
        self.moved(b, a)
        self.moved(tmp, b)


def fsname(name: bytes) -> str:
    """A FUSE name (bytes) as the str the API takes (the host's file system encoding)."""
    return os.fsdecode(name)
