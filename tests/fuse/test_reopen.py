"""What is done through the mount is in the image: reopened with a new handle after unmounting.

The same changes (cp -a of the test tree, then chmod, chown, touch -d, utime,
mv, rm -r, ln -s, ln, xattrs, truncate, writes at offsets, O_APPEND, mkdir)
are made on a host copy of the tree and, through the mount, on the guest;
the host copy says what to expect.  Then the mount is unmounted, the handle
closed, and a new read-only handle reads the tree back with the API: every
file, mode, owner, link target, hard link, xattr and mtime (to the ns) must be
as expected.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import guestbox

from .conftest import mounted, run
from .trees import Tree, api_tree, host_tree, make_tree

pytestmark = pytest.mark.timeout(300)


def _change(tree: Path) -> None:
    """The changes, made the same way on the host copy and on the mount."""
    run("chmod", "0705", tree / "one")
    run("chmod", "-R", "g+w", tree / "sub")
    os.lchown(tree / "page", 1234, 5678)
    run("chown", "-h", "42:43", tree / "links" / "abs")
    os.truncate(tree / "odd", 1000)
    run("touch", "-d", "2010-10-10 10:10:10.101010101 UTC", tree / "odd")
    run("mv", tree / "big", tree / "sub" / "big-moved")
    run("mv", tree / "with space", tree / "renamed dir")
    run("rm", "-r", tree / "sub" / "deeper")
    run("rm", tree / "setgid")
    run("ln", "-s", "../sub/mid", tree / "links" / "new-link")
    run("ln", tree / "page", tree / "links" / "page-hard")
    os.setxattr(tree / "empty", "user.new", b"new value")
    os.removexattr(tree / "one", "user.comment")
    os.setxattr(tree / "sub" / "mid", "user.replaced", b"x" * 1000)
    fd = os.open(tree / "written", os.O_CREAT | os.O_RDWR, 0o640)
    try:
        for off in (5_000_000, 0, 123_457, 4_999_990):
            os.pwrite(fd, off.to_bytes(8, "little") * 1000, off)
    finally:
        os.close(fd)
    with open(tree / "one", "ab") as f:
        f.write(b" and an appended line\n")
    os.mkdir(tree / "new dir", 0o711)
    (tree / "new dir" / "\u00fcml\u00e4ut").write_bytes(b"\xff" * 70_000)
    _stamp(tree)


def _stamp(tree: Path) -> None:
    """Times of what the changes made or touched, as if they had happened at the same moments."""
    made = [tree / "one", tree / "written", tree / "links" / "new-link",
            tree / "new dir" / "\u00fcml\u00e4ut"]
    dirs = sorted((p for p in tree.rglob("*") if p.is_dir() and not p.is_symlink()),
                  key=lambda p: (-len(p.parts), p.name))
    for i, p in enumerate([*made, *dirs]):
        t = 1_600_000_000_000_000_007 + i * 1_000_000_003
        os.utime(p, ns=(t, t), follow_symlinks=False)


@pytest.fixture(scope="module")
def outcome(fresh_image: Callable[[], Path], hostdir: Path) -> tuple[Tree, Tree, Tree]:
    """(expected, as seen through the mount, as a new handle reads the image after unmounting)."""
    src = make_tree(hostdir / "src")
    run("cp", "-a", src, hostdir / "tree")
    _change(hostdir / "tree")
    expected = host_tree(hostdir / "tree")
    image = fresh_image()
    with mounted(image) as m:
        run("cp", "-a", src, m.path / "tree")
        _change(m.path / "tree")
        seen = host_tree(m.path / "tree")
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(image), format="raw", readonly=True)
        g.launch()
        g.mount_ro("/dev/sda1", "/")
        return expected, seen, api_tree(g, "/tree")


def _fields(tree: Tree, *names: str) -> dict[str, tuple[object, ...]]:
    return {k: tuple(getattr(e, n) for n in names) for k, e in tree.items()}


def test_the_changes_are_what_was_meant(outcome: tuple[Tree, Tree, Tree]) -> None:
    """The host reference itself: the changes did happen (so comparing with it means something)."""
    expected = outcome[0]
    assert "big" not in expected and "sub/big-moved" in expected
    assert "sub/deeper" not in expected and "setgid" not in expected
    assert expected["one"].mode == 0o705 and expected["page"].uid == 1234
    assert expected["links/page-hard"].hardlinks == ("links/page-hard", "page")
    assert expected["written"].size == 5_008_000


def test_through_the_mount(outcome: tuple[Tree, Tree, Tree]) -> None:
    expected, seen, _ = outcome
    assert seen == expected


@pytest.mark.parametrize("aspect", [
    ("kind",), ("size", "sha256"), ("mode",), ("uid", "gid"), ("target",), ("hardlinks",),
    ("xattrs",), ("mtime_ns",),
], ids=lambda a: "+".join(a))
def test_reopened(outcome: tuple[Tree, Tree, Tree], aspect: tuple[str, ...]) -> None:
    expected, _, reopened = outcome
    assert _fields(reopened, *aspect) == _fields(expected, *aspect)
