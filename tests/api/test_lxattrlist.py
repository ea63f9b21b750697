"""lxattrlist: the extended attributes of many files of a directory in one call."""

from __future__ import annotations

import pytest

import guestbox


def test_each_file_has_its_count_then_its_attributes(g: guestbox.GuestFS, gdir: str) -> None:
    g.touch(f"{gdir}/a")
    g.touch(f"{gdir}/b")
    g.ln_s("a", f"{gdir}/link")
    g.lsetxattr("user.one", b"1", 1, f"{gdir}/a")
    g.lsetxattr("user.two", b"\x00\xff", 2, f"{gdir}/a")
    got = [(x["attrname"], x["attrval"]) for x in g.lxattrlist(gdir, ["a", "b", "link", "nope"])]
    assert got[0] == ("", b"2\0")
    assert sorted(got[1:3]) == [("user.one", b"1"), ("user.two", b"\x00\xff")]
    assert got[3:] == [("", b"0\0"), ("", b"0\0"), ("", b"")]  # b, the link itself, missing


def test_the_directory_must_exist(g: guestbox.GuestFS, gdir: str) -> None:
    with pytest.raises(FileNotFoundError, match="^lxattrlist: "):
        g.lxattrlist(f"{gdir}/nope", ["a"])
