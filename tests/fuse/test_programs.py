"""Ordinary programs on the FUSE mount: cp -a, find, sha256sum, mv, rm -r, ln, chmod, touch, tar.

One image is mounted for the whole module; every test works in its own
directory of it.  What the programs leave on the mount is compared with what
the same programs leave on the host (trees.host_tree), so the host's kernel is
the reference.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import Mount, mounted, run
from .trees import host_tree, make_tree

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def m(fresh_image: Callable[[], Path]) -> Iterator[Mount]:
    with mounted(fresh_image()) as mount:
        yield mount


@pytest.fixture(scope="module")
def src(hostdir: Path) -> Path:
    """The host tree the tests copy to and from the mount."""
    return make_tree(hostdir / "src")


@pytest.fixture(scope="module")
def copied(m: Mount, src: Path) -> Path:
    """src copied onto the mount with cp -a (checked by test_cp_a_in)."""
    run("cp", "-a", src, m.path / "tree")
    return m.path / "tree"


def test_mount_is_fuse(m: Mount) -> None:
    with open("/proc/self/mounts") as f:
        fields = [line.split() for line in f]
    types = [f[2] for f in fields if f[1] == str(m.path)]
    assert len(types) == 1 and types[0].startswith("fuse"), types
    assert {"boot", "lost+found"} <= set(os.listdir(m.path))


def test_cp_a_in(copied: Path, src: Path) -> None:
    assert host_tree(copied) == host_tree(src)


def test_cp_a_out(copied: Path, hostdir: Path, src: Path) -> None:
    out = hostdir / "out"
    run("cp", "-a", copied, out)
    try:
        assert host_tree(out) == host_tree(src)
    finally:
        shutil.rmtree(out)


def _find(root: Path) -> list[str]:
    return sorted(run("find", root, "-printf", r"%P|%y|%m|%U|%G|%l|%n\n").splitlines())


def test_find(copied: Path, src: Path) -> None:
    found = _find(copied)
    assert len(found) == len(host_tree(src)) + 1  # and the top directory, as ""
    assert found == _find(src)
    names = run("find", copied, "-type", "f", "-size", "+1M", "-printf", "%P\n").split()
    assert sorted(names) == ["big", "links/mid-hard", "sub/mid"]


def test_sha256sum(copied: Path, src: Path) -> None:
    files = sorted(str(p.relative_to(src)) for p in src.rglob("*")
                   if p.is_file() and not p.is_symlink())
    out = run("sha256sum", "--", *files, cwd=copied)
    expected = "".join(f"{hashlib.sha256((src / f).read_bytes()).hexdigest()}  {f}\n"
                       for f in files)
    assert out == expected
    check = copied.parent / "SHA256SUMS"
    check.write_text(expected)
    assert run("sha256sum", "--check", check, cwd=copied).count(": OK") == len(files)
    check.unlink()


def _listing(root: Path, *argv: str) -> str:
    """ls's output in root, without what is the filesystem's: directory sizes, block totals."""
    lines = []
    for line in run("ls", *argv, cwd=root).splitlines():
        if line.startswith("total "):
            continue
        f = line.split(maxsplit=5)
        if len(f) == 6 and f[0].startswith("d"):
            f[4] = "-"
        lines.append(" ".join(f))
    return "\n".join(lines)


def test_ls_l(copied: Path, src: Path) -> None:
    argv = ("-lnR", "--time-style=full-iso", ".")
    out = _listing(copied, *argv)
    assert "-rwsr-xr-x 1 0 0 10 " in out and "drwxrwxrwt" in out and "-> ../one" in out
    assert out == _listing(src, *argv)


def test_stat(copied: Path, src: Path) -> None:
    names = sorted(str(p.relative_to(src)) for p in src.rglob("*") if not p.is_dir()
                   or p.is_symlink())
    fmt = "%n|%F|%a|%u|%g|%s|%h|%y|%N"
    assert run("stat", "-c", fmt, "--", *names, cwd=copied) == \
        run("stat", "-c", fmt, "--", *names, cwd=src)


def test_mv(work: Path) -> None:
    (work / "a").write_text("A")
    (work / "b").write_text("B")
    (work / "d1" / "inner").mkdir(parents=True)
    (work / "d1" / "inner" / "f").write_bytes(os.urandom(200_000))
    data = (work / "d1" / "inner" / "f").read_bytes()
    run("mv", work / "a", work / "a2")
    run("mv", work / "a2", work / "d1")
    run("mv", "-f", work / "b", work / "d1" / "a2")  # over an existing file
    run("mv", work / "d1", work / "d2")
    assert sorted(os.listdir(work)) == ["d2"]
    assert sorted(os.listdir(work / "d2")) == ["a2", "inner"]
    assert (work / "d2" / "a2").read_text() == "B"
    assert (work / "d2" / "inner" / "f").read_bytes() == data


def test_mv_to_another_guest_filesystem(m: Mount, work: Path) -> None:
    """/boot is another filesystem in the guest: rename gives EXDEV, mv copies instead."""
    f = work / "moving"
    f.write_bytes(os.urandom(300_000))
    data = f.read_bytes()
    f.chmod(0o640)
    os.utime(f, ns=(1, 1_234_567_891_987_654_321))
    dest = m.path / "boot" / "moved"
    run("mv", f, dest)
    assert not f.exists()
    st = os.lstat(dest)
    assert (stat.S_IMODE(st.st_mode), st.st_mtime_ns, dest.read_bytes()) == \
        (0o640, 1_234_567_891_987_654_321, data)
    assert os.stat(dest).st_dev == os.stat(work).st_dev  # one FUSE filesystem on the host
    dest.unlink()


def test_rm_r(copied: Path, work: Path) -> None:
    run("cp", "-a", copied, work / "victim")
    assert len(list((work / "victim").rglob("*"))) == len(list(copied.rglob("*")))
    run("rm", "-r", work / "victim")
    assert os.listdir(work) == []
    assert not (work / "victim").exists()


def test_ln_s_and_ln(work: Path) -> None:
    (work / "target").write_text("through the link\n")
    run("ln", "-s", "target", work / "rel")
    run("ln", "-s", "/no/such/place", work / "dangling")
    assert os.readlink(work / "rel") == "target"
    assert run("readlink", work / "dangling") == "/no/such/place\n"
    assert (work / "rel").read_text() == "through the link\n"
    assert stat.S_ISLNK(os.lstat(work / "dangling").st_mode)
    run("ln", "-sfn", "other", work / "rel")  # replaces the link
    assert os.readlink(work / "rel") == "other"
    run("ln", work / "target", work / "hard")
    a, b = os.stat(work / "target"), os.stat(work / "hard")
    assert (a.st_ino, a.st_nlink) == (b.st_ino, 2)
    with open(work / "hard", "a") as f:
        f.write("appended through the other name\n")
    assert (work / "target").read_text() == \
        "through the link\nappended through the other name\n"


def test_chmod(work: Path) -> None:
    f = work / "f"
    f.write_text("x")
    (work / "d" / "e").mkdir(parents=True)
    (work / "d" / "e" / "g").write_text("y")
    for how, mode in (("4755", 0o4755), ("u-s,g+w", 0o775), ("a=r", 0o444), ("0600", 0o600),
                      ("2750", 0o2750), ("+t", 0o3750)):
        run("chmod", how, f)
        assert stat.S_IMODE(os.stat(f).st_mode) == mode, how
    run("chmod", "-R", "go-rwx", work / "d")
    assert {stat.S_IMODE(os.stat(p).st_mode) for p in (work / "d", work / "d" / "e")} == {0o700}
    assert stat.S_IMODE(os.stat(work / "d" / "e" / "g").st_mode) == 0o600


def test_touch_d(work: Path) -> None:
    f = work / "f"
    run("touch", "-d", "2001-02-03 04:05:06.123456789 UTC", f)  # creates it
    assert f.stat().st_size == 0
    assert f.stat().st_mtime_ns == 981_173_106_123_456_789
    run("touch", "-m", "-d", "@1700000000.5", f)
    st = f.stat()
    assert (st.st_mtime_ns, st.st_atime_ns) == (1_700_000_000_500_000_000, 981_173_106_123_456_789)
    run("touch", "-a", "-d", "1999-12-31 23:59:59 UTC", f)
    assert (f.stat().st_atime_ns, f.stat().st_mtime_ns) == (946_684_799 * 10**9,
                                                             1_700_000_000_500_000_000)
    run("touch", f)  # now
    assert abs(f.stat().st_mtime_ns - time.time_ns()) < 30 * 10**9
    run("touch", "-d", "@1700000000.5", f)
    run("touch", "-r", f, work)  # a directory, from a reference file
    assert work.stat().st_mtime_ns == 1_700_000_000_500_000_000
    assert run("stat", "-c", "%.9Y %.9X", f) == "1700000000.500000000 1700000000.500000000\n"


def test_tar_on_the_mount_from_host_and_back(work: Path, src: Path, hostdir: Path) -> None:
    """tar creates an archive on the mount from a host tree and extracts from it to the host."""
    archive = work / "tree.tar"
    run("tar", "--xattrs", "--xattrs-include=user.*", "-C", src, "-cf", archive, ".")
    out = hostdir / "untarred"
    out.mkdir()
    try:
        run("tar", "--xattrs", "--xattrs-include=user.*", "-C", out, "-xpf", archive)
        assert host_tree(out) == host_tree(src)
    finally:
        shutil.rmtree(out)


def test_tar_into_the_mount_and_out(work: Path, src: Path, hostdir: Path) -> None:
    """tar extracts a host archive into the mount, and archives the mount's tree."""
    archive = hostdir / "in.tar"
    run("tar", "--xattrs", "--xattrs-include=user.*", "-C", src, "-cf", archive, ".")
    try:
        run("tar", "--xattrs", "--xattrs-include=user.*", "-C", work, "-xpf", archive)
        assert host_tree(work) == host_tree(src)
        run("tar", "--xattrs", "--xattrs-include=user.*", "-C", work, "-cf", archive, ".")
        assert run("tar", "-tvf", archive) != ""
        out = hostdir / "out-of-mount"
        out.mkdir()
        run("tar", "--xattrs", "--xattrs-include=user.*", "-C", out, "-xpf", archive)
        assert host_tree(out) == host_tree(src)
        shutil.rmtree(out)
    finally:
        archive.unlink()


def test_shell_redirections_and_sed_i(work: Path) -> None:
    f = work / "f"
    run("sh", "-c", 'echo one > "$1"; echo two >> "$1"; printf three >> "$1"', "sh", f)
    run("sed", "-i", "s/one/ONE/", f)  # writes a temporary file and renames it over f
    assert f.read_text() == "ONE\ntwo\nthree"
    assert os.listdir(work) == ["f"]
    run("sh", "-c", 'echo short > "$1"', "sh", work / "g")
    run("sh", "-c", 'echo shorter > "$1"; echo s > "$1"', "sh", work / "g")  # O_TRUNC
    assert (work / "g").read_text() == "s\n"
    (work / "g").unlink()
    run("dd", f"of={f}", "bs=1", "seek=4", "conv=notrunc", "status=none", stdin="TWO")
    assert f.read_text() == "ONE\nTWO\nthree"


def test_sqlite(work: Path) -> None:
    """A database on the mount: sqlite3's writes, syncs, locks and journal files."""
    db = work / "db.sqlite"
    run("sqlite3", db, "create table t(k integer primary key, v text);"
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000) "
        "insert into t(v) select hex(randomblob(100)) from n;"
        "update t set v = 'changed' where k % 10 = 0;")
    assert run("sqlite3", db, "pragma integrity_check; select count(*), "
               "sum(v = 'changed') from t;") == "ok\n2000|200\n"
    assert sorted(os.listdir(work)) == ["db.sqlite"]  # the journal is gone
