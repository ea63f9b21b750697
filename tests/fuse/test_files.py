"""Files through the FUSE mount with Python's os calls: what a program's I/O relies on.

Truncation, times to the nanosecond, link counts, statvfs, fsync, writes at
random offsets, O_APPEND, reading while another descriptor writes, a large
file, xattrs, odd names, and a directory of 2,000 entries listed with the
attributes the API gives.  Where the guest's own view matters it is read with
the same handle's API while the mount is served (the handle serves one call at
a time, whoever makes it).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import stat
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

from .conftest import MiB, Mount, mounted, run

pytestmark = pytest.mark.timeout(300)
BIG_DIR = 2000


def _big_directory(g: guestbox.GuestFS) -> None:
    """/many: BIG_DIR entries (files of several sizes, modes, owners and times, links, dirs)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for i in range(BIG_DIR):
            info = tarfile.TarInfo(f"many/entry-{i:04d}" + (" \u00e9" if i % 7 == 0 else ""))
            info.mtime = 1_500_000_000 + i * 3601
            info.uid, info.gid = (i % 3) * 1000, (i % 5) * 100
            info.mode = (0o644, 0o600, 0o755, 0o4711, 0o440)[i % 5]
            data = b""
            if i % 50 == 1:
                info.type, info.mode = tarfile.DIRTYPE, 0o750
            elif i % 50 == 2:
                info.type, info.linkname = tarfile.SYMTYPE, f"entry-{i - 1:04d}"
            else:
                data = bytes([i % 256]) * (i * 37 % 9000)
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path = Path(f"/tmp/guestbox-fuse-many-{os.getpid()}.tar")
    path.write_bytes(buf.getvalue())
    try:
        g.tar_in(str(path), "/")
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def m(fresh_image: Callable[[], Path]) -> Iterator[Mount]:
    with mounted(fresh_image(), prepare=_big_directory) as mount:
        yield mount


def guest(m: Mount, path: Path) -> str:
    """The guest path of a host path on the mount."""
    return "/" + str(path.relative_to(m.path))


def test_truncate_grow_and_shrink(m: Mount, work: Path) -> None:
    f = work / "f"
    f.write_bytes(b"0123456789")
    os.truncate(f, 100_000)
    assert f.read_bytes() == b"0123456789" + bytes(100_000 - 10)
    os.truncate(f, 4)
    assert f.stat().st_size == 4 and f.read_bytes() == b"0123"
    with open(f, "r+b") as fp:  # ftruncate on a descriptor with writes not sent yet
        fp.seek(0, os.SEEK_END)
        fp.write(b"x" * 300_000)
        fp.flush()
        os.ftruncate(fp.fileno(), 7)
        assert os.fstat(fp.fileno()).st_size == 7
    assert f.read_bytes() == b"0123xxx"
    assert m.g.read_file(guest(m, f)) == b"0123xxx"
    os.truncate(f, 0)
    assert f.read_bytes() == b"" and m.g.filesize(guest(m, f)) == 0


def test_utime_nanoseconds(m: Mount, work: Path) -> None:
    f = work / "f"
    f.write_bytes(b"some data")
    os.utime(f, ns=(1_111_111_111_222_222_222, 2_000_000_000_999_999_999))
    st = os.stat(f)
    assert (st.st_atime_ns, st.st_mtime_ns) == (1_111_111_111_222_222_222,
                                                 2_000_000_000_999_999_999)
    g = m.g.lstatns(guest(m, f))
    assert (g["st_mtime_sec"], g["st_mtime_nsec"]) == (2_000_000_000, 999_999_999)
    os.symlink("f", work / "link")
    os.utime(work / "link", ns=(5, 3_000_000_000_000_000_001), follow_symlinks=False)
    assert os.lstat(work / "link").st_mtime_ns == 3_000_000_000_000_000_001
    assert os.stat(work / "link").st_mtime_ns == 2_000_000_000_999_999_999  # target untouched
    with open(f, "ab") as fp:  # futimens after a write not sent yet: the time set stays
        fp.write(b" and more")
        fp.flush()
        os.utime(fp.fileno(), ns=(10**18, 10**18 + 1))
    assert os.stat(f).st_mtime_ns == 10**18 + 1
    assert f.read_bytes() == b"some data and more"
    assert m.g.lstatns(guest(m, f))["st_mtime_nsec"] == 1


def test_hard_link_counts(m: Mount, work: Path) -> None:
    a = work / "a"
    a.write_bytes(b"shared")
    assert os.stat(a).st_nlink == 1
    os.link(a, work / "b")
    os.link(a, work / "c")
    inos = {os.stat(work / n).st_ino for n in "abc"}
    assert len(inos) == 1
    assert [os.stat(work / n).st_nlink for n in "abc"] == [3, 3, 3]
    os.unlink(work / "b")
    assert [os.stat(work / n).st_nlink for n in "ac"] == [2, 2]
    assert m.g.lstatns(guest(m, a))["st_nlink"] == 2
    (work / "sub1").mkdir()
    (work / "sub2").mkdir()
    assert os.stat(work).st_nlink == 4 == m.g.lstatns(guest(m, work))["st_nlink"]


def test_statvfs_free_space_shrinks(m: Mount, work: Path) -> None:
    before = os.statvfs(m.path)
    g = m.g.statvfs("/")
    assert (before.f_bsize, before.f_blocks, before.f_namemax) == \
        (g["bsize"], g["blocks"], g["namemax"])
    with open(work / "big", "wb") as f:
        for _ in range(32):
            f.write(os.urandom(MiB))
        f.flush()
        os.fsync(f.fileno())
    after = os.statvfs(m.path)
    freed = (before.f_bfree - after.f_bfree) * after.f_frsize
    assert 32 * MiB <= freed < 40 * MiB
    assert before.f_ffree - after.f_ffree >= 1
    os.unlink(work / "big")


def test_fsync_sends_the_data_to_the_guest(m: Mount, work: Path) -> None:
    data = os.urandom(3 * MiB + 5)
    fd = os.open(work / "f", os.O_CREAT | os.O_WRONLY, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
        # still open: only fsync can have sent it
        assert m.g.checksum("sha256", guest(m, work / "f")) == hashlib.sha256(data).hexdigest()
        os.write(fd, b"tail")
        os.fdatasync(fd)
        assert m.g.filesize(guest(m, work / "f")) == len(data) + 4
    finally:
        os.close(fd)


def test_random_offsets(m: Mount, work: Path) -> None:
    rnd = random.Random(4)
    model = bytearray()
    fd = os.open(work / "f", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        for i in range(200):
            off = rnd.randrange(0, 6 * MiB)
            chunk = rnd.randbytes(rnd.choice((1, 17, 4096, 70_000, 300_000)))
            assert os.pwrite(fd, chunk, off) == len(chunk)
            if len(model) < off:
                model += bytes(off - len(model))
            model[off:off + len(chunk)] = chunk
            if i % 20 == 0:  # reads between the writes see them
                roff = rnd.randrange(0, len(model))
                assert os.pread(fd, 100_000, roff) == model[roff:roff + 100_000]
        assert os.fstat(fd).st_size == len(model)
    finally:
        os.close(fd)
    assert (work / "f").read_bytes() == model
    assert m.g.checksum("sha256", guest(m, work / "f")) == hashlib.sha256(model).hexdigest()


def test_append(work: Path) -> None:
    f = work / "log"
    f.write_bytes(b"abc")
    fd1 = os.open(f, os.O_WRONLY | os.O_APPEND)
    fd2 = os.open(f, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd1, b"def")
        os.write(fd2, b"ghi")
        os.write(fd1, b"j" * 200_000)
        os.lseek(fd2, 0, os.SEEK_SET)  # O_APPEND writes go to the end whatever the offset
        os.write(fd2, b"end")
    finally:
        os.close(fd1)
        os.close(fd2)
    assert f.read_bytes() == b"abcdefghi" + b"j" * 200_000 + b"end"


def test_read_while_another_descriptor_writes(work: Path) -> None:
    f = work / "f"
    f.write_bytes(b"-" * 2 * MiB)
    w = os.open(f, os.O_WRONLY)
    r = os.open(f, os.O_RDONLY)
    try:
        assert os.pread(r, 10, MiB) == b"-" * 10  # now cached by the reader
        os.pwrite(w, b"new bytes!", MiB)
        assert os.pread(r, 12, MiB - 1) == b"-new bytes!-"
        os.pwrite(w, b"X" * 5000, 2 * MiB)  # past the end
        assert os.fstat(r).st_size == 2 * MiB + 5000
        assert os.pread(r, 6000, 2 * MiB - 1000) == b"-" * 1000 + b"X" * 5000
    finally:
        os.close(w)
        os.close(r)


def test_large_sequential_write_then_read(m: Mount, work: Path) -> None:
    f = work / "large"
    h = hashlib.sha256()
    rnd = random.Random(64)
    with open(f, "wb") as fp:
        for _ in range(64):
            chunk = rnd.randbytes(MiB)
            h.update(chunk)
            fp.write(chunk)
    assert f.stat().st_size == 64 * MiB
    with open(f, "rb") as fp:
        assert hashlib.file_digest(fp, "sha256").hexdigest() == h.hexdigest()
    assert m.g.checksum("sha256", guest(m, f)) == h.hexdigest()
    f.unlink()


def test_xattrs(m: Mount, work: Path) -> None:
    f = work / "f"
    f.write_bytes(b"")
    (work / "d").mkdir()
    values = {"user.a": b"1", "user.bin": bytes(range(256)), "user.big": b"v" * 3000,
              "user.empty": b""}
    for name, value in values.items():
        os.setxattr(f, name, value)
    os.setxattr(work / "d", "user.on-dir", b"yes")
    assert sorted(os.listxattr(f)) == sorted(values)
    assert {n: os.getxattr(f, n) for n in values} == values
    assert os.listxattr(work / "d") == ["user.on-dir"]
    os.setxattr(f, "user.a", b"replaced", os.XATTR_REPLACE)
    os.removexattr(f, "user.big")
    assert os.getxattr(f, "user.a") == b"replaced"
    assert sorted(os.listxattr(f)) == ["user.a", "user.bin", "user.empty"]
    assert {x["attrname"]: x["attrval"] for x in m.g.lgetxattrs(guest(m, f))} == \
        {"user.a": b"replaced", "user.bin": bytes(range(256)), "user.empty": b""}


NAMES = ["with space", "  leading and trailing  ", "-dash", "caf\u00e9 \u65e5\u672c \u2603",
         "quote'\"back\\slash", "tab\tand\nnewline", "\U0001f600", "a" * 255]


def test_names(m: Mount, work: Path) -> None:
    for i, name in enumerate(NAMES):
        (work / name).write_text(f"file {i}")
        (work / (name[:250] + ".d")).mkdir()
    expected = sorted(NAMES + [n[:250] + ".d" for n in NAMES])
    assert sorted(os.listdir(work)) == expected
    assert sorted(m.g.ls(guest(m, work))) == expected
    for i, name in enumerate(NAMES):
        assert (work / name).read_text() == f"file {i}"
        assert m.g.cat(f"{guest(m, work)}/{name}") == f"file {i}"
    os.rename(work / NAMES[3], work / NAMES[6])
    assert (work / NAMES[6]).read_text() == "file 3"


def test_big_directory_listed_completely(m: Mount) -> None:
    """2,000 entries: names and attributes as the API's lstatnslist gives them."""
    with os.scandir(m.path / "many") as it:
        seen = {e.name: e.stat(follow_symlinks=False) for e in it}
    names = sorted(m.g.ls("/many"))
    assert len(names) == BIG_DIR and sorted(seen) == names
    for name, g in zip(names, m.g.lstatnslist("/many", names), strict=True):
        st = seen[name]
        assert (stat.S_IFMT(st.st_mode), st.st_mode, st.st_uid, st.st_gid, st.st_size,
                st.st_nlink, st.st_blocks, st.st_mtime_ns, st.st_ctime_ns) == \
            (stat.S_IFMT(g["st_mode"]), g["st_mode"], g["st_uid"], g["st_gid"], g["st_size"],
             g["st_nlink"], g["st_blocks"], g["st_mtime_sec"] * 10**9 + g["st_mtime_nsec"],
             g["st_ctime_sec"] * 10**9 + g["st_ctime_nsec"]), name
    assert os.readlink(m.path / "many" / "entry-0002") == "entry-0001"
    listed = sorted(os.listdir(m.path / "many"))  # a second listing, from the caches
    assert listed == names
    run("rm", "-r", m.path / "many")  # unlinks while reading the directory
    assert not (m.path / "many").exists() and not m.g.exists("/many")


def test_rename_while_open_with_unsent_writes(m: Mount, work: Path) -> None:
    fd = os.open(work / "before", os.O_CREAT | os.O_WRONLY, 0o644)
    try:
        os.write(fd, b"a" * 100_000)
        os.rename(work / "before", work / "after")
        os.write(fd, b"b" * 100_000)
    finally:
        os.close(fd)
    assert os.listdir(work) == ["after"]
    assert (work / "after").read_bytes() == b"a" * 100_000 + b"b" * 100_000
    assert m.g.filesize(guest(m, work / "after")) == 200_000


def test_unlinked_while_open(work: Path) -> None:
    """A temporary file: created, unlinked, then written and read through its descriptor."""
    data = os.urandom(MiB)
    with tempfile.TemporaryFile(dir=work) as f:  # no O_TMPFILE on FUSE: mkstemp + unlink
        assert os.listdir(work) == []
        f.write(data)
        f.flush()
        f.seek(0)
        assert f.read() == data
    assert os.listdir(work) == []


def test_special_files(m: Mount, work: Path) -> None:
    os.mkfifo(work / "fifo", 0o640)
    os.mknod(work / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(work / "block", 0o600 | stat.S_IFBLK, os.makedev(8, 1))
    target = "/".join(["long-target"] * 90)  # 1079 bytes: not kept in the inode
    os.symlink(target, work / "long")
    assert stat.S_ISFIFO(os.lstat(work / "fifo").st_mode)
    assert stat.S_IMODE(os.lstat(work / "fifo").st_mode) == 0o640
    st = os.lstat(work / "null")
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert os.lstat(work / "block").st_rdev == os.makedev(8, 1)
    assert os.readlink(work / "long") == target
    g = m.g.lstatns(guest(m, work / "null"))
    assert (stat.S_ISCHR(g["st_mode"]), g["st_rdev"]) == (True, os.makedev(1, 3))
    assert m.g.readlink(guest(m, work / "long")) == target


def test_parallel_writers_and_readers(m: Mount, work: Path) -> None:
    """Four threads write their own files and two regions of a shared one, 64 KiB at a time,
    while two others read a file being written: every byte lands where it was written."""
    chunks = {i: [random.Random(i).randbytes(64 * 1024) for _ in range(48)] for i in range(4)}
    shared = os.open(work / "shared", os.O_CREAT | os.O_RDWR, 0o644)
    os.ftruncate(shared, 8 * 3 * MiB)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            with open(work / f"own-{i}", "wb") as f:
                for n, chunk in enumerate(chunks[i]):
                    f.write(chunk)
                    os.pwrite(shared, chunk, (2 * i + n % 2) * 3 * MiB + n // 2 * len(chunk))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    def reader() -> None:
        try:
            for _ in range(20):
                assert len(os.pread(shared, MiB, random.randrange(0, 20 * MiB))) == MiB
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    os.close(shared)
    assert not errors
    data = (work / "shared").read_bytes()
    for i in range(4):
        assert (work / f"own-{i}").read_bytes() == b"".join(chunks[i])
        for half in (0, 1):
            start = (2 * i + half) * 3 * MiB
            assert data[start:start + 24 * 64 * 1024] == b"".join(chunks[i][half::2])
