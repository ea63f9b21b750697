"""The FUSE mount's own agent calls: directory listings, one or several at a time.

internal_readdirplus lists one directory; internal_readdirplus_ahead lists
several (the mount's read-ahead), in order, until its byte budget is spent,
each with a status and the directory's identity, and leaves atimes alone.
"""

from __future__ import annotations

import errno

import pytest

import guestbox
from guestbox.protocol import dirents

OLD = 946_684_800  # 2000-01-01: an atime relatime would update on the next read


def listing(packed: bytes) -> dict[bytes, dirents.Dirent]:
    return {d.name: d for d in dirents.unpack(packed)}


def identity(g: guestbox.GuestFS, path: str) -> tuple[int, int]:
    st = g.lstatns(path)
    return st["st_dev"], st["st_ino"]


def test_one_directory_with_attributes_and_link_targets(g: guestbox.GuestFS,
                                                        gdir: str) -> None:
    g.write(f"{gdir}/file", b"12345")
    g.ln_s("file", f"{gdir}/link")
    g.mkdir(f"{gdir}/sub")
    got = listing(g.internal_readdirplus(gdir))
    assert sorted(got) == [b"file", b"link", b"sub"]
    st = g.lstatns(f"{gdir}/file")
    f = got[b"file"]
    assert (f.ino, f.mode, f.size, f.mtime_ns) == (
        st["st_ino"], st["st_mode"], 5, st["st_mtime_sec"] * 10**9 + st["st_mtime_nsec"])
    assert got[b"link"].link == b"file" and got[b"sub"].link == b""


def test_a_link_to_a_directory_is_not_listed_as_one(g: guestbox.GuestFS, gdir: str) -> None:
    g.ln_s("/", f"{gdir}/root")  # followed by the appliance, it would list the appliance's /
    with pytest.raises(guestbox.Error) as e:
        g.internal_readdirplus(f"{gdir}/root")
    assert e.value.errno == errno.ENOTDIR


def test_several_directories_in_order_with_their_identity(g: guestbox.GuestFS,
                                                          gdir: str) -> None:
    for d, names in (("a", ["1", "2"]), ("b", []), ("c", ["3"])):
        g.mkdir(f"{gdir}/{d}")
        for n in names:
            g.touch(f"{gdir}/{d}/{n}")
    dirs = [f"{gdir}/c", f"{gdir}/a", f"{gdir}/b"]
    got = list(dirents.unpack_ahead(g.internal_readdirplus_ahead(dirs, 1 << 20)))
    assert [(a.status, (a.dev, a.ino)) for a in got] == [(0, identity(g, d)) for d in dirs]
    assert [sorted(listing(a.listing)) for a in got] == [[b"3"], [b"1", b"2"], []]
    assert listing(got[1].listing) == listing(g.internal_readdirplus(f"{gdir}/a"))


def test_what_cannot_be_listed_has_its_errno_and_the_rest_goes_on(g: guestbox.GuestFS,
                                                                  gdir: str) -> None:
    g.mkdir(f"{gdir}/dir")
    g.touch(f"{gdir}/dir/x")
    g.touch(f"{gdir}/file")
    g.ln_s("dir", f"{gdir}/link")  # a link is not followed, even to a directory
    dirs = [f"{gdir}/missing", f"{gdir}/file", f"{gdir}/link", "relative", f"{gdir}/dir"]
    got = list(dirents.unpack_ahead(g.internal_readdirplus_ahead(dirs, 1 << 20)))
    assert [a.status for a in got] == [errno.ENOENT, errno.ENOTDIR, errno.ENOTDIR, errno.EINVAL,
                                      0]
    assert list(listing(got[-1].listing)) == [b"x"]


def test_the_budget_ends_the_call_and_a_directory_over_it_is_too_big(g: guestbox.GuestFS,
                                                                     gdir: str) -> None:
    for d, count in (("small", 3), ("big", 40), ("after", 1)):
        g.mkdir(f"{gdir}/{d}")
        for i in range(count):
            g.touch(f"{gdir}/{d}/file{i:03}")
    small = len(g.internal_readdirplus(f"{gdir}/small"))
    big = len(g.internal_readdirplus(f"{gdir}/big"))
    budget = small + big // 2
    got = list(dirents.unpack_ahead(g.internal_readdirplus_ahead(
        [f"{gdir}/small", f"{gdir}/big", f"{gdir}/after"], budget)))
    assert [a.status for a in got] == [0]  # big did not fit what was left: not reached
    got = list(dirents.unpack_ahead(g.internal_readdirplus_ahead(
        [f"{gdir}/big", f"{gdir}/after"], budget)))
    assert [(a.status, (a.dev, a.ino), a.listing) for a in got] == [
        (-1, identity(g, f"{gdir}/big"), b"")]  # over the whole budget: never read ahead
    assert len(list(dirents.unpack_ahead(g.internal_readdirplus_ahead([], budget)))) == 0


def test_reading_ahead_leaves_atimes_as_they_were(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir(f"{gdir}/d")
    g.touch(f"{gdir}/d/x")
    g.utimens(f"{gdir}/d", OLD, 0, OLD, 0)
    g.internal_readdirplus_ahead([f"{gdir}/d"], 1 << 20)
    assert g.lstatns(f"{gdir}/d")["st_atime_sec"] == OLD
    g.internal_readdirplus(f"{gdir}/d")  # a listing asked for: relatime updates it
    assert g.lstatns(f"{gdir}/d")["st_atime_sec"] > OLD
