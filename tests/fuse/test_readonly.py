"""Read-only mounts: every kind of write gives EROFS, and nothing changes.

Two ways to be read-only: mount_local(readonly=True) on a handle whose guest
filesystem is mounted read-write (only the FUSE layer stands in the way, so the
guest must be unchanged as the API sees it afterwards), and a handle whose
drive was added read-only (the image file must be byte-identical afterwards).
Reading works in both.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

from .conftest import Mount, errno_of, mounted, sha256_file

pytestmark = pytest.mark.timeout(300)


def _prepare(g: guestbox.GuestFS) -> None:
    g.mkdir("/d")
    g.write("/d/file", b"original\n")
    g.mkdir("/d/sub")
    g.write("/d/sub/inner", b"")
    g.mkdir("/d/empty")
    g.ln_s("file", "/d/link")
    g.setxattr("user.kept", b"value", 5, "/d/file")


def _api_state(g: guestbox.GuestFS) -> dict[str, object]:
    """What the guest holds under /d: contents, xattrs, lstat (ctime too; atime left out,
    reading may change it)."""
    state: dict[str, object] = {}
    for name in g.find("/d"):
        path = f"/d/{name}"
        st = {k: v for k, v in g.lstatns(path).items() if not k.startswith("st_atime")}
        state[name] = (st, g.lgetxattrs(path), g.read_file(path) if g.is_file(path) else None)
    return state


WRITES: dict[str, Callable[[Path], object]] = {
    "open-write": lambda d: open(d / "file", "r+b"),
    "open-append": lambda d: os.open(d / "file", os.O_WRONLY | os.O_APPEND),
    "open-trunc": lambda d: os.open(d / "file", os.O_RDONLY | os.O_TRUNC),
    "create": lambda d: open(d / "new", "wb"),
    "mkdir": lambda d: os.mkdir(d / "newdir"),
    "mkfifo": lambda d: os.mkfifo(d / "fifo"),
    "mknod": lambda d: os.mknod(d / "node", 0o600 | stat.S_IFREG),
    "symlink": lambda d: os.symlink("file", d / "newlink"),
    "link": lambda d: os.link(d / "file", d / "hard"),
    "unlink": lambda d: os.unlink(d / "file"),
    "unlink-link": lambda d: os.unlink(d / "link"),
    "rmdir": lambda d: os.rmdir(d / "empty"),
    "rename": lambda d: os.rename(d / "file", d / "renamed"),
    "rename-dir": lambda d: os.rename(d / "sub", d / "sub2"),
    "chmod": lambda d: os.chmod(d / "file", 0o777),
    "chown": lambda d: os.chown(d / "file", 1000, 1000),
    "lchown": lambda d: os.lchown(d / "link", 1000, 1000),
    "utime": lambda d: os.utime(d / "file", ns=(1, 1)),
    "utime-now": lambda d: os.utime(d / "file"),
    "truncate": lambda d: os.truncate(d / "file", 0),
    "truncate-grow": lambda d: os.truncate(d / "file", 10**6),
    "setxattr": lambda d: os.setxattr(d / "file", "user.new", b"x"),
    "setxattr-replace": lambda d: os.setxattr(d / "file", "user.kept", b"x"),
    "removexattr": lambda d: os.removexattr(d / "file", "user.kept"),
}


@dataclasses.dataclass
class ReadOnly:
    """A read-only mount and what its image held before."""

    m: Mount
    drive_readonly: bool
    before: dict[str, object]
    digest: str

    @property
    def path(self) -> Path:
        return self.m.path


@pytest.fixture(scope="module", params=["mount_local-readonly", "readonly-drive"])
def ro(request: pytest.FixtureRequest, fresh_image: Callable[[], Path]) -> Iterator[ReadOnly]:
    """A read-only mount, both ways, of an image whose state is known."""
    image = fresh_image()
    with guestbox.GuestFS() as g:  # the data, written before the read-only mount
        g.add_drive_opts(str(image), format="raw")
        g.launch()
        g.mount("/dev/sda1", "/")
        _prepare(g)
        before = _api_state(g)
        g.shutdown()
    digest = sha256_file(image)
    drive_ro = request.param == "readonly-drive"
    with mounted(image, readonly=not drive_ro, drive_readonly=drive_ro) as m:
        yield ReadOnly(m, drive_ro, before, digest)


def test_reads_work_writes_are_not_allowed(ro: ReadOnly) -> None:
    d = ro.path / "d"
    assert (d / "file").read_bytes() == b"original\n"
    assert (d / "link").read_bytes() == b"original\n"
    assert sorted(os.listdir(d)) == ["empty", "file", "link", "sub"]
    assert os.getxattr(d / "file", "user.kept") == b"value"
    assert os.access(d / "file", os.R_OK)
    assert not os.access(d / "file", os.W_OK)


@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_gives_erofs(ro: ReadOnly, name: str) -> None:
    assert errno_of(lambda: WRITES[name](ro.path / "d")) == "EROFS"


def test_statvfs_says_read_only(ro: ReadOnly) -> None:
    assert os.statvfs(ro.path).f_flag & os.ST_RDONLY


def test_nothing_changed(ro: ReadOnly) -> None:
    """Last: unmount, close; the guest's files are as they were.

    With a read-only drive the image is byte-identical too (with readonly=True alone
    the guest's filesystem was mounted read-write: ext4 itself notes the mount).
    """
    ro.m.close()
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(ro.m.image), format="raw", readonly=True)
        g.launch()
        g.mount_ro("/dev/sda1", "/")
        assert _api_state(g) == ro.before
    if ro.drive_readonly:
        assert sha256_file(ro.m.image) == ro.digest
