"""Directory listings read ahead: the subdirectories of a directory being listed, listed too.

A tree walk (find, du, cp -r, ls -R) opens a directory, reads it, then opens its
subdirectories one by one.  Each listing is an agent call, and under TCG the
calls, not the host, are most of the walk's time.  So when a directory is opened
its subdirectories are queued, and a background task lists them a batch per call
(internal_readdirplus_ahead) while the walker is still busy with the listing
it has: when it opens the next directory, the listing is usually there.

The newest queued directories go first (a walk goes depth first).  A listing
read ahead is used only by the directory it was read from (same guest dev and
inode), only while fresh, and only if nothing was changed through the mount
since it was read (Nodes.version); otherwise it is read again as usual.
Foreground calls wait at most for the batch in progress (BUDGET bytes).
"""

from __future__ import annotations

import collections
import stat
import time
from collections.abc import Awaitable, Callable

import pyfuse3
import trio

from ..protocol import dirents
from ..protocol.dirents import Dirent
from .nodes import Node, Nodes, fsname, join

BUDGET = 128 * 1024
"""Bytes of listings per read-ahead call: about 1,300 entries, some 60 ms under TCG."""
BATCH = 256  # directories asked for per call, at most
QUEUED = 10_000  # directories waiting, at most (the oldest are dropped)
KEPT = 100_000  # entries read ahead and not yet used, at most (the oldest listings go)

Key = tuple[int, int]  # a directory's (st_dev, st_ino) in the guest
Listing = dict[bytes, Dirent]


class ReadAhead:
    """The queue of directories to list ahead, the listings read, the task that reads them."""

    def __init__(self, nodes: Nodes, fresh: Callable[[float], bool],
                 call: Callable[[list[str], int], Awaitable[bytes]],
                 entries: Callable[[bytes], Listing]) -> None:
        self.nodes = nodes
        self.fresh = fresh  # whether a listing read at that time is still fresh
        self.call = call  # internal_readdirplus_ahead through the mount's agent queue
        self.entries = entries  # a packed listing as the mount keeps it
        self.queue: collections.deque[tuple[str, Key]] = collections.deque()
        self.read: dict[Key, tuple[int, float, Listing]] = {}  # version, time, listing
        self.kept = 0  # entries in self.read
        self.busy: dict[Key, trio.Event] = {}  # being listed by the batch in progress
        self.wanted = trio.Event()

    def want(self, path: str, listing: Listing) -> None:
        """path was opened with this listing: its subdirectories are likely next."""
        group = [(join(path, fsname(name)), (d.dev, d.ino)) for name, d in listing.items()
                 if stat.S_ISDIR(d.mode) and not self._known((d.dev, d.ino))]
        if not group:
            return
        self.queue.extendleft(reversed(group))
        while len(self.queue) > QUEUED:
            self.queue.pop()
        self.wanted.set()

    async def take(self, node: Node) -> tuple[float, Listing] | None:
        """node's listing with its time, if it was read ahead (waiting for the batch in
        progress if node is in it); None if it must be read now."""
        if node.key is None:
            return None
        busy = self.busy.get(node.key)
        if busy is not None:
            await busy.wait()
        got = self._pop(node.key)
        if got is None or got[0] != self.nodes.version or not self.fresh(got[1]):
            return None
        return got[1], got[2]

    async def run(self) -> None:
        """The background task: list what is queued, a batch at a time, until cancelled."""
        while True:
            await self.wanted.wait()
            while self.queue:
                batch = self._batch()
                if batch:
                    await self._list(batch)
            self.wanted = trio.Event()

    def _known(self, key: Key) -> bool:
        """Whether key's listing is fresh, read ahead or being read: nothing to queue."""
        if key in self.busy or (key in self.read and self.read[key][0] == self.nodes.version):
            return True
        node = self.nodes.by_key.get(key)
        return node is not None and node.listing is not None and self.fresh(node.listing_time)

    def _pop(self, key: Key) -> tuple[int, float, Listing] | None:
        got = self.read.pop(key, None)
        if got is not None:
            self.kept -= len(got[2])
        return got

    def _batch(self) -> list[tuple[str, Key]]:
        batch: list[tuple[str, Key]] = []
        while self.queue and len(batch) < BATCH:
            path, key = self.queue.popleft()
            if not self._known(key):
                batch.append((path, key))
        return batch

    async def _list(self, batch: list[tuple[str, Key]]) -> None:
        """One call for batch; what it did not reach goes back to the front of the queue."""
        events = {key: trio.Event() for _, key in batch}
        self.busy.update(events)
        version, started = self.nodes.version, time.monotonic()
        try:
            try:
                data = await self.call([path for path, _ in batch], BUDGET)
            except pyfuse3.FUSEError:
                return  # read when asked for, with the error then
            done = 0
            for done, got in enumerate(dirents.unpack_ahead(data), 1):
                key = batch[done - 1][1]
                if got.status == 0 and (got.dev, got.ino) == key:
                    listing = self.entries(got.listing)
                    self._pop(key)
                    self.read[key] = (version, started, listing)
                    self.kept += len(listing)
            if done:
                self.queue.extendleft(reversed(batch[done:]))
            while self.kept > KEPT:
                self._pop(next(iter(self.read)))
        finally:
            for key, event in events.items():
                del self.busy[key]
                event.set()
