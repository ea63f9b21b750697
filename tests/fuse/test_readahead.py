"""Listings read ahead: a tree walk gets the subdirectories' listings without asking for each.

The mount is made with debugcalls, and the library's debug messages are kept:
they say which agent calls the mount made.  A walk with find must list the
whole tree (a directory too big to read ahead included) with few listings
asked for one by one; what is changed through the mount after a listing was
read ahead must show; and reading ahead leaves the guest's atimes alone.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trio

import guestbox
from guestbox.fuse import readahead
from guestbox.fuse.nodes import Node, Nodes
from guestbox.fuse.readahead import Listing, ReadAhead
from guestbox.protocol import dirents

from .conftest import Mount, mounted

pytestmark = pytest.mark.timeout(300)
DIRS = 20  # /walk/dNN, each with FILES files and a subdirectory /walk/dNN/sub with 2 files
FILES = 5
BIG = 1500  # files in /walk/big: more than one read-ahead call may carry
OLD = 946_684_800  # 2000-01-01: an atime relatime updates when the directory is read
FOREGROUND = "mount_local: internal_readdirplus("
AHEAD = "mount_local: internal_readdirplus_ahead("


class Calls:
    """The mount's debug messages (the library's, kept by an event callback)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, event: int, handle: int, buf: bytes, array: list[int]) -> None:
        with self.lock:
            self.messages.append(buf.decode(errors="replace"))

    def count(self, prefix: str) -> int:
        with self.lock:
            return sum(m.startswith(prefix) for m in self.messages)

    def wait_for(self, prefix: str, at_least: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.count(prefix) < at_least:
            assert time.monotonic() < deadline, f"no {prefix!r} call within {timeout} s"
            time.sleep(0.05)


def expected_tree(dirs: int, big: int) -> list[str]:
    """find -printf '%P %y\\n' of a tree made by add_tree, sorted."""
    lines = (["big d"] + [f"big/f{i:04} f" for i in range(big)]) if big else []
    for d in range(dirs):
        lines += [f"d{d:02} d", f"d{d:02}/sub d", f"d{d:02}/sub/a f", f"d{d:02}/sub/b f"]
        lines += [f"d{d:02}/f{i} f" for i in range(FILES)]
        lines.append(f"d{d:02}/up l")
    return sorted(lines)


def add_tree(tar: tarfile.TarFile, root: str, dirs: int, big: int = 0) -> None:
    """root/dNN (dirs of them), each with FILES files, a link to .. and sub/{a,b}; and
    root/big with big files if big."""
    def add(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> None:
        info = tarfile.TarInfo(f"{root}/{name}" if name else root)
        info.type, info.linkname = kind, target
        info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
        tar.addfile(info)

    add("", tarfile.DIRTYPE)
    if big:
        add("big", tarfile.DIRTYPE)
        for i in range(big):
            add(f"big/f{i:04}")
    for d in range(dirs):
        add(f"d{d:02}", tarfile.DIRTYPE)
        add(f"d{d:02}/sub", tarfile.DIRTYPE)
        add(f"d{d:02}/sub/a")
        add(f"d{d:02}/sub/b")
        for i in range(FILES):
            add(f"d{d:02}/f{i}")
        add(f"d{d:02}/up", tarfile.SYMTYPE, "..")  # a link to a directory: not walked


@pytest.fixture(scope="module")
def calls() -> Calls:
    return Calls()


@pytest.fixture(scope="module")
def m(fresh_image: Callable[[], Path], calls: Calls, tmp_path_factory: pytest.TempPathFactory
      ) -> Iterator[Mount]:
    tarball = tmp_path_factory.mktemp("readahead") / "trees.tar"
    with tarfile.open(tarball, "w") as tar:
        add_tree(tar, "walk", DIRS, BIG)  # one tree a test
        add_tree(tar, "atime", 4)
        add_tree(tar, "changes", 6)
        add_tree(tar, "lookups", 3)

    def prepare(g: guestbox.GuestFS) -> None:
        g.tar_in(str(tarball), "/")
        for path in ("/atime", "/atime/d01", "/atime/d02"):
            g.utimens(path, OLD, 0, OLD, 0)
        g.set_event_callback(calls, guestbox.EVENT_LIBRARY)

    with mounted(fresh_image(), debugcalls=True, prepare=prepare) as mount:
        yield mount


def test_the_budget_cannot_carry_the_big_directory() -> None:
    assert BIG * 88 > readahead.BUDGET  # 88: a listing's bytes per entry, names aside


def test_reading_ahead_leaves_atimes_alone(m: Mount, calls: Calls) -> None:
    ahead = calls.count(AHEAD)
    os.listdir(m.path / "atime")  # opened: read, its subdirectories read ahead
    calls.wait_for(AHEAD, ahead + 1)
    assert m.g.lstatns("/atime")["st_atime_sec"] > OLD
    assert m.g.lstatns("/atime/d01")["st_atime_sec"] == OLD  # read ahead, never listed
    os.listdir(m.path / "atime" / "d02")  # read ahead, then listed: the guest did not read it
    assert m.g.lstatns("/atime/d02")["st_atime_sec"] == OLD


def test_names_in_a_directory_read_ahead_need_no_call(m: Mount, calls: Calls) -> None:
    ahead = calls.count(AHEAD)
    os.listdir(m.path / "lookups")
    calls.wait_for(AHEAD, ahead + 1)
    before = calls.count("mount_local: lstatns(")
    assert os.stat(m.path / "lookups" / "d01" / "f3").st_size == 0  # d01 was never listed
    assert not (m.path / "lookups" / "d02" / "nothing").exists()
    assert calls.count("mount_local: lstatns(") == before


def test_find_lists_the_tree_with_few_listings_asked_for_one_by_one(m: Mount,
                                                                    calls: Calls) -> None:
    before = calls.count(FOREGROUND)
    out = subprocess.run(["find", m.path / "walk", "-mindepth", "1", "-printf", r"%P %y\n"],
                         capture_output=True, text=True, check=True).stdout
    assert sorted(out.splitlines()) == expected_tree(DIRS, BIG)
    # 42 directories: /walk and /walk/big (too big to read ahead) are listed when opened;
    # the 40 others, read ahead, only when the walk overtakes the read-ahead
    assert calls.count(AHEAD) >= 1
    assert calls.count(FOREGROUND) - before <= 12


def test_changes_through_the_mount_after_reading_ahead_show(m: Mount, calls: Calls) -> None:
    top = m.path / "changes"
    ahead = calls.count(AHEAD)
    os.listdir(top)
    calls.wait_for(AHEAD, ahead + 1)  # d00 ... d05 read ahead, none listed yet
    (top / "d00" / "new").write_bytes(b"new")
    os.rename(top / "d01", top / "swap")
    os.rename(top / "d02", top / "d01")
    (top / "d01" / "f0").rename(top / "d01" / "moved")
    os.rename(top / "swap", top / "d02")
    os.chmod(top / "d03" / "f1", 0o600)
    for name in ("a", "b"):
        os.unlink(top / "d04" / "sub" / name)
    os.rmdir(top / "d04" / "sub")
    (top / "d05" / "f2").write_bytes(b"longer than before")
    names = ["f0", "f1", "f2", "f3", "f4", "sub", "up"]
    assert sorted(os.listdir(top / "d00")) == sorted([*names, "new"])
    assert sorted(os.listdir(top / "d01")) == sorted([*names[1:], "moved"])
    assert sorted(os.listdir(top / "d02")) == names
    assert stat.S_IMODE(os.stat(top / "d03" / "f1").st_mode) == 0o600
    assert sorted(os.listdir(top / "d04")) == [n for n in names if n != "sub"]
    assert os.stat(top / "d05" / "f2").st_size == len(b"longer than before")
    out = subprocess.run(["find", top, "-mindepth", "1", "-printf", r"%P %y\n"],
                         capture_output=True, text=True, check=True).stdout
    assert len(out.splitlines()) == len(expected_tree(6, 0)) + 1 - 3  # new; d04/sub, a, b


# -- the queue and its batches, with the agent call played by the host's own directories --
class HostAgent:
    """internal_readdirplus_ahead over host directories, a budget of `fits` directories a
    call; each call waits until `go` is set, if it is given."""

    def __init__(self, fits: int = 100, go: trio.Event | None = None) -> None:
        self.fits = fits
        self.go = go
        self.asked: list[list[str]] = []

    async def __call__(self, dirs: list[str], budget: int) -> bytes:
        self.asked.append(dirs)
        if self.go is not None:
            await self.go.wait()
        out = b""
        for path in dirs[:self.fits]:
            try:
                st = os.lstat(path)
                packed = b"".join(dirents.pack(os.fsencode(n), os.lstat(f"{path}/{n}"))
                                  for n in os.listdir(path))
            except OSError as e:
                out += dirents.AHEAD.pack(e.errno, 0, 0, 0)
                continue
            out += dirents.AHEAD.pack(0, st.st_dev, st.st_ino, len(packed)) + packed
        return out


def host_listing(path: Path) -> Listing:
    return {os.fsencode(n): host_dirent(path / n) for n in os.listdir(path)}


def host_dirent(path: Path) -> dirents.Dirent:
    return next(dirents.unpack(dirents.pack(os.fsencode(path.name), os.lstat(path))))


def entries(packed: bytes) -> Listing:
    return {d.name: d for d in dirents.unpack(packed)}


def node_of(nodes: Nodes, path: Path) -> Node:
    return nodes.learn(str(path), host_dirent(path))


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """tmp_path/a with subdirectories x, y, z (x with p and q) and a file."""
    for d in ("a/x/p", "a/x/q", "a/y", "a/z"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "a" / "file").write_bytes(b"")
    (tmp_path / "a" / "y" / "in-y").write_bytes(b"")
    return tmp_path


def reader(agent: HostAgent, nodes: Nodes | None = None, fresh: bool = True) -> ReadAhead:
    return ReadAhead(nodes or Nodes(), lambda when: fresh, agent, entries)


def test_the_newest_directories_opened_go_first_in_their_order(host: Path) -> None:
    agent = HostAgent()
    ahead = reader(agent)
    a, x = host_listing(host / "a"), host_listing(host / "a" / "x")
    ahead.want(str(host / "a"), a)
    ahead.want(str(host / "a" / "x"), x)
    listed = [f"{host}/a/x/{os.fsdecode(n)}" for n in x] + \
        [f"{host}/a/{os.fsdecode(n)}" for n in a if n != b"file"]  # files are not queued
    assert [p for p, _ in ahead.queue] == listed


def test_what_a_call_did_not_reach_is_asked_for_next(host: Path) -> None:
    agent = HostAgent(fits=2)
    nodes = Nodes()
    ahead = reader(agent, nodes)
    ahead.want(str(host / "a"), host_listing(host / "a"))

    async def main() -> Listing | None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(ahead.run)
            while ahead.queue or ahead.busy:
                await trio.sleep(0.01)
            got = await ahead.take(node_of(nodes, host / "a" / "y"))
            nursery.cancel_scope.cancel()
        return None if got is None else got[1]

    assert trio.run(main) == host_listing(host / "a" / "y")
    assert [len(dirs) for dirs in agent.asked] == [3, 1]
    assert agent.asked[1] == agent.asked[0][2:]


def test_a_listing_waited_for_while_being_read_and_dropped_after_a_change(host: Path) -> None:
    go = trio.Event()
    agent = HostAgent(go=go)
    nodes = Nodes()
    ahead = reader(agent, nodes)
    y, z = node_of(nodes, host / "a" / "y"), node_of(nodes, host / "a" / "z")

    async def release() -> None:
        await trio.sleep(0.05)
        go.set()

    async def main() -> tuple[Listing | None, Listing | None]:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(ahead.run)
            ahead.want(str(host / "a"), host_listing(host / "a"))
            await trio.sleep(0.05)
            assert y.key in ahead.busy  # being read: take waits for it
            nursery.start_soon(release)
            got_y = await ahead.take(y)
            nodes.removed(str(host / "a" / "gone"))  # any change through the mount
            got_z = await ahead.take(z)
            nursery.cancel_scope.cancel()
        return (None if got_y is None else got_y[1]), (None if got_z is None else got_z[1])

    got_y, got_z = trio.run(main)
    assert got_y == host_listing(host / "a" / "y")
    assert got_z is None


def test_listings_that_failed_or_are_stale_are_not_used(host: Path) -> None:
    agent = HostAgent()
    nodes = Nodes()
    ahead = reader(agent, nodes, fresh=False)
    x = node_of(nodes, host / "a" / "x")
    (host / "a" / "z").rmdir()
    ahead.want(str(host / "a"), host_listing(host / "a") | {
        b"z": dirents.Dirent(b"z", 1, 99, stat.S_IFDIR | 0o755, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             b"")})

    async def main() -> tuple[float, Listing] | None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(ahead.run)
            while ahead.queue or ahead.busy:
                await trio.sleep(0.01)
            nursery.cancel_scope.cancel()
        assert (1, 99) not in ahead.read  # ENOENT: nothing kept
        return await ahead.take(x)

    assert trio.run(main) is None  # read, but stale by the time it is wanted


def test_listings_kept_unused_are_bounded_the_oldest_dropped(
        host: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readahead, "KEPT", 2)  # entries: x has two, y one, z none
    agent = HostAgent()
    nodes = Nodes()
    ahead = reader(agent, nodes)
    ahead.want(str(host / "a"), host_listing(host / "a"))
    order = [key for _, key in ahead.queue]

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(ahead.run)
            while ahead.queue or ahead.busy:
                await trio.sleep(0.01)
            nursery.cancel_scope.cancel()

    trio.run(main)
    kept = [key for key in order if key in ahead.read]
    assert ahead.kept == sum(len(ahead.read[key][2]) for key in kept) <= 2
    assert kept and kept == order[len(order) - len(kept):]  # the newest stay
