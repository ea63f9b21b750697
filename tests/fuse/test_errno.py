"""Errors through the FUSE mount: Python's os calls get the guest's errno, unchanged.

The mount is made with allow_other, so that a process of uid 65534 can use it
and meet EACCES and EPERM where the guest's permissions say so.  /boot is a
second guest filesystem: renames and links across it give EXDEV.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

from .conftest import Mount, as_nobody, errno_of, mounted

pytestmark = pytest.mark.timeout(300)

RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
AT_FDCWD = -100
_libc = ctypes.CDLL(None, use_errno=True)


def _prepare(g: guestbox.GuestFS) -> None:
    """Root's files and directories, made in the guest before mounting."""
    g.mkdir_mode("/e", 0o755)
    g.write("/e/file", b"content\n")
    g.mkdir_mode("/e/dir", 0o755)
    g.write("/e/dir/inside", b"")
    g.mkdir_mode("/e/empty", 0o755)
    g.write("/e/secret", b"root only\n")
    g.chmod(0o600, "/e/secret")
    g.write("/e/public", b"for everyone\n")
    g.chmod(0o644, "/e/public")
    g.mkdir("/e/open")
    g.chmod(0o777, "/e/open")  # mkdir_mode is subject to the umask
    g.write("/boot/file", b"on the other filesystem\n")


@pytest.fixture(scope="module")
def m(fresh_image: Callable[[], Path]) -> Iterator[Mount]:
    with mounted(fresh_image(), options="allow_other", prepare=_prepare) as mount:
        yield mount


@pytest.fixture(scope="module")
def e(m: Mount) -> Path:
    return m.path / "e"


def renameat2(old: Path, new: Path, flags: int) -> None:
    """renameat2(2) through ctypes (os has no way to pass its flags)."""
    if _libc.renameat2(AT_FDCWD, os.fsencode(old), AT_FDCWD, os.fsencode(new), flags) != 0:
        n = ctypes.get_errno()
        raise OSError(n, os.strerror(n), str(old))


@pytest.mark.parametrize("call", [
    lambda e: open(e / "missing"),
    lambda e: os.stat(e / "missing"),
    lambda e: os.lstat(e / "missing" / "deeper"),
    lambda e: os.unlink(e / "missing"),
    lambda e: os.rmdir(e / "missing"),
    lambda e: os.readlink(e / "missing"),
    lambda e: os.listdir(e / "missing"),
    lambda e: os.rename(e / "missing", e / "other"),
    lambda e: os.open(e / "missing" / "new", os.O_CREAT | os.O_WRONLY),
    lambda e: os.chmod(e / "missing", 0o644),
], ids=["open", "stat", "lstat-under", "unlink", "rmdir", "readlink", "listdir", "rename",
        "create-under", "chmod"])
def test_enoent(e: Path, call: Callable[[Path], object]) -> None:
    assert errno_of(lambda: call(e)) == "ENOENT"


@pytest.mark.parametrize("call", [
    lambda e: os.mkdir(e / "dir"),
    lambda e: os.mkdir(e / "file"),
    lambda e: os.open(e / "file", os.O_CREAT | os.O_EXCL | os.O_WRONLY),
    lambda e: os.open(e / "dir", os.O_CREAT | os.O_EXCL | os.O_WRONLY),
    lambda e: os.link(e / "file", e / "public"),
    lambda e: os.symlink("anything", e / "file"),
    lambda e: os.mkfifo(e / "file"),
], ids=["mkdir-dir", "mkdir-file", "create-excl", "create-excl-dir", "link", "symlink",
        "mkfifo"])
def test_eexist(e: Path, call: Callable[[Path], object]) -> None:
    assert errno_of(lambda: call(e)) == "EEXIST"
    assert (e / "file").read_bytes() == b"content\n"


def test_enotempty(e: Path) -> None:
    assert errno_of(lambda: os.rmdir(e / "dir")) == "ENOTEMPTY"
    assert errno_of(lambda: os.rename(e / "empty", e / "dir")) == "ENOTEMPTY"
    assert os.listdir(e / "dir") == ["inside"]


@pytest.mark.parametrize("call", [
    lambda e: open(e / "file" / "x"),
    lambda e: os.stat(e / "file" / "x"),
    lambda e: os.mkdir(e / "file" / "x"),
    lambda e: os.rmdir(e / "file"),
    lambda e: os.listdir(e / "file"),
    lambda e: os.rename(e / "empty", e / "file"),
    lambda e: os.open(e / "file", os.O_RDONLY | os.O_DIRECTORY),
], ids=["open-under", "stat-under", "mkdir-under", "rmdir", "listdir", "rename-dir-onto-file",
        "o_directory"])
def test_enotdir(e: Path, call: Callable[[Path], object]) -> None:
    assert errno_of(lambda: call(e)) == "ENOTDIR"


def _read_dir(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 10)
    finally:
        os.close(fd)


@pytest.mark.parametrize("call, expected", [
    (lambda e: open(e / "dir", "wb"), "EISDIR"),
    (lambda e: os.open(e / "dir", os.O_RDWR), "EISDIR"),
    (lambda e: _read_dir(e / "dir"), "EISDIR"),
    (lambda e: os.unlink(e / "dir"), "EISDIR"),
    (lambda e: os.rename(e / "file", e / "empty"), "EISDIR"),
    (lambda e: os.link(e / "dir", e / "dirlink"), "EPERM"),
], ids=["open-write", "open-rdwr", "read", "unlink", "rename-file-onto-dir", "link-dir"])
def test_directory_where_a_file_is_wanted(e: Path, call: Callable[[Path], object],
                                          expected: str) -> None:
    assert errno_of(lambda: call(e)) == expected
    assert os.listdir(e / "dir") == ["inside"]


def test_exdev_across_guest_filesystems(m: Mount, e: Path) -> None:
    assert errno_of(lambda: os.rename(e / "file", m.path / "boot" / "file2")) == "EXDEV"
    assert errno_of(lambda: os.link(m.path / "boot" / "file", e / "bootlink")) == "EXDEV"
    assert (e / "file").read_bytes() == b"content\n"
    assert not (e / "bootlink").exists()


def test_enametoolong(e: Path) -> None:
    assert errno_of(lambda: open(e / ("n" * 256), "wb")) == "ENAMETOOLONG"
    assert errno_of(lambda: os.mkdir(e / ("n" * 256))) == "ENAMETOOLONG"
    name = "n" * 255  # the longest ext4 takes
    (e / name).write_bytes(b"ok")
    assert (e / name).read_bytes() == b"ok"
    os.unlink(e / name)


def test_xattr_errors(e: Path) -> None:
    assert errno_of(lambda: os.getxattr(e / "file", "user.missing")) == "ENODATA"
    assert errno_of(lambda: os.removexattr(e / "file", "user.missing")) == "ENODATA"
    os.setxattr(e / "file", "user.once", b"1")
    assert errno_of(lambda: os.setxattr(e / "file", "user.once", b"2", os.XATTR_CREATE)) == \
        "EEXIST"
    assert errno_of(lambda: os.setxattr(e / "file", "user.other", b"2", os.XATTR_REPLACE)) == \
        "ENODATA"
    assert os.getxattr(e / "file", "user.once") == b"1"
    os.removexattr(e / "file", "user.once")


def test_rename_noreplace(e: Path) -> None:
    (e / "a").write_bytes(b"A")
    (e / "b").write_bytes(b"B")
    assert errno_of(lambda: renameat2(e / "a", e / "b", RENAME_NOREPLACE)) == "EEXIST"
    assert ((e / "a").read_bytes(), (e / "b").read_bytes()) == (b"A", b"B")
    renameat2(e / "a", e / "c", RENAME_NOREPLACE)
    assert sorted(p.name for p in e.iterdir() if p.name in "abc") == ["b", "c"]
    assert (e / "c").read_bytes() == b"A"
    os.unlink(e / "b")
    os.unlink(e / "c")


def test_rename_exchange(e: Path) -> None:
    (e / "x").write_bytes(b"file x")
    (e / "y").mkdir()
    (e / "y" / "in-y").write_bytes(b"inside y")
    ino_x, ino_y = os.stat(e / "x").st_ino, os.stat(e / "y").st_ino
    renameat2(e / "x", e / "y", RENAME_EXCHANGE)
    assert (e / "y").read_bytes() == b"file x"
    assert (e / "x" / "in-y").read_bytes() == b"inside y"
    assert (os.stat(e / "x").st_ino, os.stat(e / "y").st_ino) == (ino_y, ino_x)
    assert errno_of(lambda: renameat2(e / "x", e / "nothing", RENAME_EXCHANGE)) == "ENOENT"
    os.unlink(e / "x" / "in-y")
    os.rmdir(e / "x")
    os.unlink(e / "y")


def test_nobody_can_use_what_is_open_to_all(e: Path) -> None:
    """The control for the EACCES tests: uid 65534 reads and lists what all may."""
    assert as_nobody("read", e / "public") == "OK"
    assert as_nobody("list", e / "dir") == "OK"
    assert as_nobody("stat", e / "secret") == "OK"
    assert as_nobody("create", e / "open" / "by-nobody") == "OK"
    assert (e / "open" / "by-nobody").exists()


@pytest.mark.parametrize("op, name", [
    ("read", "secret"),          # 0600 root file
    ("write", "public"),         # 0644 root file
    ("create", "new-file"),      # in a 0755 root directory
    ("mkdir", "new-dir"),
    ("unlink", "public"),
])
def test_eacces_for_another_user(e: Path, op: str, name: str) -> None:
    assert as_nobody(op, e / name) == "EACCES"
    assert (e / "secret").read_bytes() == b"root only\n"
    assert (e / "public").exists() and not (e / "new-file").exists()
    assert not (e / "new-dir").exists()


def test_eperm_for_another_user(e: Path) -> None:
    assert as_nobody("chmod", e / "public") == "EPERM"
    assert os.stat(e / "public").st_mode & 0o777 == 0o644
