"""The kernel's FUSE requests answered with agent calls (pyfuse3 Operations).

Answers come from the caches in nodes.py while they are fresh (the mount's
cache timeout); every change made through the mount updates or drops what it
affects.  Agent calls run in a worker thread, one at a time (the agent serves
one call at a time), so the trio loop keeps taking requests meanwhile and
answers those the caches can.  Guest errors reach the caller with the guest's
errno.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import stat
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pyfuse3
import trio

from ..errors import Error
from ..protocol import dirents
from ..protocol.dirents import Dirent
from .nodes import Node, Nodes, fsname, join
from .readahead import Listing, ReadAhead

log = logging.getLogger(__name__)
T = TypeVar("T")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_TRUNC | os.O_APPEND
UTIME_OMIT = -2  # utimens's "leave this one as it is"
HIDDEN = b".guestbox_hidden"  # files unlinked while open, until closed: never listed


def dirent_of(st: dict[str, int], name: bytes = b"") -> Dirent:
    """A Dirent from the API's statns dict."""
    return Dirent(
        name, st["st_dev"], st["st_ino"], st["st_mode"], st["st_nlink"], st["st_uid"],
        st["st_gid"], st["st_rdev"], st["st_size"], st["st_blocks"], st["st_blksize"],
        st["st_atime_sec"] * 10**9 + st["st_atime_nsec"],
        st["st_mtime_sec"] * 10**9 + st["st_mtime_nsec"],
        st["st_ctime_sec"] * 10**9 + st["st_ctime_nsec"], b"")


class GuestOperations(pyfuse3.Operations):
    """pyfuse3's callbacks on a launched GuestFS handle (g) whose filesystems are mounted."""

    supports_dot_lookup = True
    enable_writeback_cache = False

    def __init__(self, g: Any, readonly: bool, timeout: float, debug: bool = False) -> None:
        super().__init__()
        self.g = g
        self.readonly = readonly
        self.timeout = float(timeout)
        self.debug = debug
        self.nodes = Nodes()
        self._files: dict[int, Node] = {}
        self._dirs: dict[int, list[tuple[bytes, Dirent | Node]]] = {}
        self._next_fh = 1
        self._limiter = trio.CapacityLimiter(1)
        self.initialized = False
        self.ahead = ReadAhead(self.nodes, self._fresh, self._list_ahead, self._entries)

    def init(self) -> None:
        self.initialized = True  # FUSE's INIT: the kernel's settings are made

    # -- plumbing -------------------------------------------------------------
    async def _guest(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) (a handle method) in a worker thread; guest errors as FUSEError."""
        try:
            result = await trio.to_thread.run_sync(functools.partial(fn, *args),
                                                   limiter=self._limiter)
        except Error as e:
            if self.debug:
                self.g._debug(f"mount_local: {fn.__name__}: {e} (errno {e.errno})")
            raise pyfuse3.FUSEError(e.errno or errno.EIO) from None
        if self.debug:
            shown = ", ".join(repr(a)[:60] for a in args)
            self.g._debug(f"mount_local: {fn.__name__}({shown}) = {repr(result)[:60]}")
        return result

    def _fresh(self, when: float) -> bool:
        return time.monotonic() - when < self.timeout

    def _writable(self) -> None:
        if self.readonly:
            raise pyfuse3.FUSEError(errno.EROFS)

    def _entry(self, node: Node) -> pyfuse3.EntryAttributes:
        d = node.attr
        assert d is not None
        e = pyfuse3.EntryAttributes()
        e.st_ino = node.ino
        e.generation = 0
        e.entry_timeout = e.attr_timeout = self.timeout
        e.st_mode, e.st_nlink, e.st_uid, e.st_gid, e.st_rdev = d.mode, d.nlink, d.uid, d.gid, \
            d.rdev
        e.st_size, e.st_blocks, e.st_blksize = d.size, d.blocks, d.blksize
        e.st_atime_ns, e.st_mtime_ns, e.st_ctime_ns = d.atime_ns, d.mtime_ns, d.ctime_ns
        return e

    async def _stat(self, path: str) -> Node:
        """lstat path in the guest; its node, attributes fresh."""
        st = await self._guest(self.g.lstatns, path)
        return self.nodes.learn(path, dirent_of(st))

    async def _attrs(self, node: Node) -> Node:
        """node with fresh attributes (pending writes sent first, so the size is right)."""
        await self._flushed(node)
        if node.attr is None or not self._fresh(node.attr_time):
            await self._stat(node.path)
        return node

    async def _looked_up(self, path: str) -> pyfuse3.EntryAttributes:
        node = await self._stat(path)
        node.lookups += 1
        return self._entry(node)

    def _changed(self, parent: Node) -> None:
        """Entries of parent were added, removed or renamed: its listing and attributes go."""
        parent.listing = None
        self.nodes.changed(parent)

    def _child(self, parent_inode: int, name: bytes) -> str:
        return join(self.nodes[parent_inode].path, fsname(name))

    # -- names ----------------------------------------------------------------
    async def lookup(self, parent_inode: int, name: bytes,
                     ctx: pyfuse3.RequestContext) -> pyfuse3.EntryAttributes:
        parent = self.nodes[parent_inode]
        if name == b".":
            path = parent.path
        elif name == b"..":
            path = os.path.dirname(parent.path)
        else:
            path = join(parent.path, fsname(name))
            if parent.listing is None or not self._fresh(parent.listing_time):
                ahead = await self.ahead.take(parent)  # read ahead: no lstat needed
                if ahead is not None:
                    parent.listing_time, parent.listing = ahead
            if parent.listing is not None and self._fresh(parent.listing_time):
                d = parent.listing.get(name)
                if d is None:
                    raise pyfuse3.FUSEError(errno.ENOENT)
                node = self.nodes.learn(path, d, parent.listing_time)
                node.lookups += 1
                return self._entry(node)
        return await self._looked_up(path)

    async def forget(self, inode_list: Sequence[tuple[int, int]]) -> None:
        for ino, count in inode_list:
            self.nodes.forget(ino, count)

    async def getattr(self, inode: int, ctx: pyfuse3.RequestContext) -> pyfuse3.EntryAttributes:
        return self._entry(await self._attrs(self.nodes[inode]))

    async def readlink(self, inode: int, ctx: pyfuse3.RequestContext) -> bytes:
        node = self.nodes[inode]
        if node.attr is not None and node.attr.link and self._fresh(node.attr_time):
            return node.attr.link
        return os.fsencode(await self._guest(self.g.readlink, node.path))

    # -- directories ----------------------------------------------------------
    @staticmethod
    def _entries(packed: bytes) -> Listing:
        return {d.name: d for d in dirents.unpack(packed) if not d.name.startswith(HIDDEN)}

    async def _list_ahead(self, dirs: list[str], budget: int) -> bytes:
        return await self._guest(self.g.internal_readdirplus_ahead, dirs, budget)

    async def _listing(self, node: Node) -> Listing:
        if node.listing is None or not self._fresh(node.listing_time):
            ahead = await self.ahead.take(node)
            if ahead is not None:
                node.listing_time, node.listing = ahead
            else:
                packed = await self._guest(self.g.internal_readdirplus, node.path)
                node.listing = self._entries(packed)
                node.listing_time = time.monotonic()
        return node.listing

    async def opendir(self, inode: int, ctx: pyfuse3.RequestContext) -> int:
        node = self.nodes[inode]
        listing = await self._listing(node)
        if self.timeout > 0:
            self.ahead.want(node.path, listing)
        await self._attrs(node)
        parent = self.nodes.by_path.get(os.path.dirname(node.path), node)
        fh = self._new_fh()
        self._dirs[fh] = [(b".", node), (b"..", parent), *listing.items()]
        self._files[fh] = node
        return fh

    async def readdir(self, fh: int, start_id: int, token: pyfuse3.ReaddirToken) -> None:
        node = self._files[fh]
        entries = self._dirs[fh]
        for i in range(start_id, len(entries)):
            name, what = entries[i]
            if isinstance(what, Node):  # . and ..: the kernel takes no reference to them
                if what.attr is None:
                    continue
                if not pyfuse3.readdir_reply(token, name, self._entry(what), i + 1):
                    break
                continue
            child = self.nodes.learn(join(node.path, fsname(name)), what, node.listing_time)
            if not pyfuse3.readdir_reply(token, name, self._entry(child), i + 1):
                self.nodes.drop_unused(child)
                break
            child.lookups += 1  # readdirplus: the kernel took a reference

    async def releasedir(self, fh: int) -> None:
        self._dirs.pop(fh, None)
        self._files.pop(fh, None)

    async def fsyncdir(self, fh: int, datasync: bool) -> None:
        await self._guest(self.g.sync)

    async def mkdir(self, parent_inode: int, name: bytes, mode: int,
                    ctx: pyfuse3.RequestContext) -> pyfuse3.EntryAttributes:
        self._writable()
        path = self._child(parent_inode, name)
        await self._guest(self.g.mkdir_mode, path, stat.S_IMODE(mode))
        self._changed(self.nodes[parent_inode])
        return await self._looked_up(path)

    async def rmdir(self, parent_inode: int, name: bytes, ctx: pyfuse3.RequestContext) -> None:
        self._writable()
        path = self._child(parent_inode, name)
        await self._guest(self.g.rmdir, path)
        self._changed(self.nodes[parent_inode])
        self.nodes.removed(path)

    # -- files and links ------------------------------------------------------
    async def mknod(self, parent_inode: int, name: bytes, mode: int, rdev: int,
                    ctx: pyfuse3.RequestContext) -> pyfuse3.EntryAttributes:
        self._writable()
        path = self._child(parent_inode, name)
        await self._guest(self.g.mknod, mode, os.major(rdev), os.minor(rdev), path)
        self._changed(self.nodes[parent_inode])
        return await self._looked_up(path)

    async def create(self, parent_inode: int, name: bytes, mode: int, flags: int,
                     ctx: pyfuse3.RequestContext) -> tuple[pyfuse3.FileInfo,
                                                           pyfuse3.EntryAttributes]:
        self._writable()
        path = self._child(parent_inode, name)
        await self._guest(self.g.mknod, stat.S_IFREG | stat.S_IMODE(mode), 0, 0, path)
        self._changed(self.nodes[parent_inode])
        entry = await self._looked_up(path)
        return self._open(self.nodes[entry.st_ino]), entry

    async def symlink(self, parent_inode: int, name: bytes, target: bytes,
                      ctx: pyfuse3.RequestContext) -> pyfuse3.EntryAttributes:
        self._writable()
        path = self._child(parent_inode, name)
        await self._guest(self.g.ln_s, fsname(target), path)
        self._changed(self.nodes[parent_inode])
        return await self._looked_up(path)

    async def link(self, inode: int, new_parent_inode: int, new_name: bytes,
                   ctx: pyfuse3.RequestContext) -> pyfuse3.EntryAttributes:
        self._writable()
        path = self._child(new_parent_inode, new_name)
        await self._guest(self.g.ln, self.nodes[inode].path, path)
        self._changed(self.nodes[new_parent_inode])
        return await self._looked_up(path)

    async def unlink(self, parent_inode: int, name: bytes, ctx: pyfuse3.RequestContext) -> None:
        self._writable()
        path = self._child(parent_inode, name)
        node = self.nodes.by_path.get(path)
        if node is not None and node.opened:
            await self._hide(node, path)  # still readable and writable until the last close
        else:
            await self._guest(self.g.rm, path)
            self.nodes.removed(path)
            if node is not None:
                self.nodes.changed(node)  # its link count
        self._changed(self.nodes[parent_inode])

    async def _hide(self, node: Node, path: str) -> None:
        """Rename an open file that is being unlinked or replaced to a hidden name beside it
        (libfuse's hard_remove off: .fuse_hidden*); it is removed at its last close."""
        hidden = join(os.path.dirname(path), f"{HIDDEN.decode()}{node.ino:016x}")
        await self._guest(self.g.internal_rename, path, hidden, 0)
        self.nodes.moved(path, hidden)
        node.hidden = True

    async def _remove_hidden(self, node: Node) -> None:
        path = node.path
        await self._guest(self.g.rm, path)
        self.nodes.removed(path)
        node.hidden = False

    async def rename(self, parent_inode_old: int, name_old: bytes, parent_inode_new: int,
                     name_new: bytes, flags: int, ctx: pyfuse3.RequestContext) -> None:
        self._writable()
        old = self._child(parent_inode_old, name_old)
        new = self._child(parent_inode_new, name_new)
        for path in (old, new):  # their data go with the names
            node = self.nodes.by_path.get(path)
            if node is not None:
                await self._flushed(node)
        target = self.nodes.by_path.get(new)
        if target is not None and target.opened and not flags & pyfuse3.RENAME_EXCHANGE:
            if flags & pyfuse3.RENAME_NOREPLACE:
                raise pyfuse3.FUSEError(errno.EEXIST)
            await self._hide(target, new)  # replaced while open: kept until closed
        await self._guest(self.g.internal_rename, old, new, flags)
        self._changed(self.nodes[parent_inode_old])
        self._changed(self.nodes[parent_inode_new])
        if flags & pyfuse3.RENAME_EXCHANGE:
            self.nodes.exchanged(old, new)
        else:
            self.nodes.moved(old, new)
        for path in (old, new):
            node = self.nodes.by_path.get(path)
            if node is not None:
                self.nodes.changed(node)  # ctime

    # -- attributes -----------------------------------------------------------
    async def setattr(self, inode: int, attr: pyfuse3.EntryAttributes,
                      fields: pyfuse3.SetattrFields, fh: int | None,
                      ctx: pyfuse3.RequestContext) -> pyfuse3.EntryAttributes:
        self._writable()
        node = self.nodes[inode]
        path = node.path
        await self._flushed(node)  # before the times are set: the pwrite would change them
        if fields.update_size:
            node.data.drop_cache()
            await self._guest(self.g.truncate_size, path, attr.st_size)
        if fields.update_mode:
            await self._guest(self.g.chmod, stat.S_IMODE(attr.st_mode), path)
        if fields.update_uid or fields.update_gid:
            await self._guest(self.g.lchown, attr.st_uid if fields.update_uid else -1,
                              attr.st_gid if fields.update_gid else -1, path)
        if fields.update_atime or fields.update_mtime:
            at = divmod(attr.st_atime_ns, 10**9) if fields.update_atime else (0, UTIME_OMIT)
            mt = divmod(attr.st_mtime_ns, 10**9) if fields.update_mtime else (0, UTIME_OMIT)
            await self._guest(self.g.utimens, path, *at, *mt)
        self.nodes.changed(node)
        return self._entry(await self._attrs(node))

    async def access(self, inode: int, mode: int, ctx: pyfuse3.RequestContext) -> bool:
        node = await self._attrs(self.nodes[inode])
        assert node.attr is not None
        if mode & os.W_OK and self.readonly:
            raise pyfuse3.FUSEError(errno.EROFS)
        return permitted(node.attr, mode, ctx.uid, ctx.gid, ctx.pid)

    async def statfs(self, ctx: pyfuse3.RequestContext) -> pyfuse3.StatvfsData:
        v = await self._guest(self.g.statvfs, "/")
        s = pyfuse3.StatvfsData()
        s.f_bsize, s.f_frsize = v["bsize"], v["frsize"]
        s.f_blocks, s.f_bfree, s.f_bavail = v["blocks"], v["bfree"], v["bavail"]
        s.f_files, s.f_ffree, s.f_favail = v["files"], v["ffree"], v["favail"]
        s.f_namemax = v["namemax"]
        return s

    # -- extended attributes --------------------------------------------------
    async def _xattr_names(self, node: Node) -> list[bytes]:
        if node.xattrs is None or not self._fresh(node.xattrs_time):
            found = await self._guest(self.g.lgetxattrs, node.path)
            node.xattrs = [os.fsencode(x["attrname"]) for x in found]
            node.xattrs_time = time.monotonic()
        return node.xattrs

    async def getxattr(self, inode: int, name: bytes, ctx: pyfuse3.RequestContext) -> bytes:
        node = self.nodes[inode]
        if name not in await self._xattr_names(node):  # ls -l asks every file for two
            raise pyfuse3.FUSEError(pyfuse3.ENOATTR)
        value: bytes = await self._guest(self.g.lgetxattr, node.path, fsname(name))
        return value

    async def listxattr(self, inode: int, ctx: pyfuse3.RequestContext) -> Sequence[bytes]:
        return list(await self._xattr_names(self.nodes[inode]))

    async def setxattr(self, inode: int, name: bytes, value: bytes,
                       ctx: pyfuse3.RequestContext) -> None:
        self._writable()
        node = self.nodes[inode]
        node.xattrs = None
        await self._guest(self.g.lsetxattr, fsname(name), value, len(value), node.path)
        self.nodes.changed(node)

    async def removexattr(self, inode: int, name: bytes, ctx: pyfuse3.RequestContext) -> None:
        self._writable()
        node = self.nodes[inode]
        node.xattrs = None
        await self._guest(self.g.lremovexattr, fsname(name), node.path)
        self.nodes.changed(node)

    # -- open files -----------------------------------------------------------
    def _new_fh(self) -> int:
        fh = self._next_fh
        self._next_fh += 1
        return fh

    def _open(self, node: Node) -> pyfuse3.FileInfo:
        fh = self._new_fh()
        self._files[fh] = node
        node.opened += 1
        return pyfuse3.FileInfo(fh=fh, keep_cache=True)

    async def open(self, inode: int, flags: int, ctx: pyfuse3.RequestContext) -> pyfuse3.FileInfo:
        node = self.nodes[inode]
        if flags & WRITE_FLAGS:
            self._writable()
        if flags & os.O_TRUNC:
            node.data.take()
            node.data.drop_cache()
            await self._guest(self.g.truncate_size, node.path, 0)
            self.nodes.changed(node)
        return self._open(node)

    async def read(self, fh: int, off: int, size: int) -> bytes:
        node = self._files[fh]
        data = node.data
        async with node.io:  # the kernel reads ahead in parallel: one fetch serves them all
            if data.pending:
                await self._flush(node)
            got = data.from_cache(off, size) if self._fresh(data.cached_time) else None
            if got is not None:
                return got
            want = data.fetch_size(off, size)
            buf: bytes = await self._guest(self.g.pread, node.path, want, off)
            if not data.overtaken(off):
                data.fetched(off, buf, want, time.monotonic())
            return buf[:size]

    async def write(self, fh: int, off: int, buf: bytes) -> int:
        self._writable()
        node = self._files[fh]
        async with node.io:
            if not node.data.add(off, buf):
                await self._flush(node)
                node.data.add(off, buf)
            if node.data.full:
                await self._flush(node)
        self.nodes.changed(node)
        return len(buf)

    async def _flush(self, node: Node) -> None:
        """Send node's pending write to the guest."""
        offset, buf = node.data.take()
        view = memoryview(buf)
        while view:
            n = await self._guest(self.g.pwrite, node.path, bytes(view), offset)
            if n <= 0:
                raise pyfuse3.FUSEError(errno.EIO)
            view, offset = view[n:], offset + n
        self.nodes.changed(node)

    async def _flushed(self, node: Node) -> None:
        """node's pending write sent, if it has one (after a read or write in progress)."""
        if node.data.pending:
            async with node.io:
                await self._flush(node)

    async def flush(self, fh: int) -> None:
        await self._flushed(self._files[fh])

    async def fsync(self, fh: int, datasync: bool) -> None:
        await self.flush(fh)
        await self._guest(self.g.sync)

    async def release(self, fh: int) -> None:
        node = self._files.pop(fh)
        node.opened -= 1
        try:
            if node.opened == 0:
                await self._flushed(node)
                if node.hidden:
                    await self._remove_hidden(node)
        finally:
            self.nodes.drop_unused(node)

    async def flush_all(self) -> None:
        """Send every pending write (before unmounting)."""
        for node in list(self.nodes.by_ino.values()):
            await self._flushed(node)
            if node.hidden:
                await self._remove_hidden(node)


def permitted(d: Dirent, mode: int, uid: int, gid: int, pid: int) -> bool:
    """access(2)'s answer for a caller, from the file's attributes."""
    if mode == os.F_OK:
        return True
    if uid == 0:  # root: anything, but execute needs one x bit on a non-directory
        return not (mode & os.X_OK) or stat.S_ISDIR(d.mode) or bool(d.mode & 0o111)
    if uid == d.uid:
        bits = (d.mode >> 6) & 7
    elif gid == d.gid or d.gid in _groups(pid):
        bits = (d.mode >> 3) & 7
    else:
        bits = d.mode & 7
    return mode & bits == mode


def _groups(pid: int) -> list[int]:
    try:
        return list(pyfuse3.get_sup_groups(pid))
    except OSError:
        return []

