"""fill, fill_pattern, fallocate64 and is_zero: files made of known bytes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import guestbox


def test_fill_and_fill_pattern(g: guestbox.GuestFS, gdir: str) -> None:
    g.fill(65, 10, f"{gdir}/a")
    assert g.read_file(f"{gdir}/a") == b"A" * 10
    g.fill(0, 3 * 1024 * 1024 + 5, f"{gdir}/zeros")
    assert g.filesize(f"{gdir}/zeros") == 3 * 1024 * 1024 + 5
    assert g.is_zero(f"{gdir}/zeros")
    g.fill_pattern("abc", 10, f"{gdir}/p")
    assert g.read_file(f"{gdir}/p") == b"abcabcabca"
    g.fill_pattern("xyz", 0, f"{gdir}/p")  # overwrites: empty now
    assert g.read_file(f"{gdir}/p") == b""
    assert g.is_zero(f"{gdir}/p")


def test_fallocate64_allocates_zeros_and_never_shrinks(g: guestbox.GuestFS, gdir: str) -> None:
    g.fallocate64(f"{gdir}/f", 100000)
    st = g.statns(f"{gdir}/f")
    assert st["st_size"] == 100000 and st["st_blocks"] * 512 >= 100000
    assert g.is_zero(f"{gdir}/f")
    g.write(f"{gdir}/f2", b"data")
    g.fallocate64(f"{gdir}/f2", 2)
    assert g.read_file(f"{gdir}/f2") == b"data"
    assert not g.is_zero(f"{gdir}/f2")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g, d: g.fill(65, -1, f"{d}/x"), "fill: -1: length is < 0"),
        (lambda g, d: g.fill(300, 3, f"{d}/x"), "fill: 300: byte number must be in range 0..255"),
        (lambda g, d: g.fill(65, 3, d), "fill: open: {d}: Is a directory"),
        (lambda g, d: g.fill_pattern("", 3, f"{d}/x"),
         "fill_pattern: pattern string must be non-empty"),
        (lambda g, d: g.fallocate64(f"{d}/x", -1), "fallocate64: {d}/x: Invalid argument"),
        (lambda g, d: g.is_zero(d), "is_zero: {d}: Is a directory"),
        (lambda g, d: g.is_zero(f"{d}/nope"), "is_zero: {d}/nope: No such file or directory"),
    ],
)
def test_errors(g: guestbox.GuestFS, gdir: str,
                call: Callable[[guestbox.GuestFS, str], object], message: str) -> None:
    with pytest.raises(guestbox.Error, match=message.replace("{d}", gdir)):
        call(g, gdir)
    assert not g.exists(f"{gdir}/x")  # nothing left behind by a refused call
