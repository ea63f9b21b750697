"""The files family against the real appliance: creating, changing, removing files.

Results are checked with ls/cat and, where they say more, with the query family's
statns/lstatns/readlink/is_dir/exists/getxattrs.
"""

from __future__ import annotations

import errno
import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

import guestbox
from guestbox.api import REGISTRY

MiB = 1024 * 1024


def requires(*ops: str) -> pytest.MarkDecorator:
    """Skip a test whose checks need operations not (yet) in the table."""
    missing = [o for o in ops if o not in REGISTRY]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)}")


def mode_of(g: guestbox.GuestFS, path: str, link: bool = False) -> int:
    st = g.lstatns(path) if link else g.statns(path)
    return int(st["st_mode"])


# -- content ---------------------------------------------------------------------
def test_write_creates_replaces_and_appends(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/f"
    g.write(f, b"hello\n")
    assert g.cat(f) == "hello\n"
    g.write(f, "replaced")
    assert g.cat(f) == "replaced"
    g.write_append(f, b" and more")
    assert g.cat(f) == "replaced and more"
    g.write_append(f"{gdir}/new", b"created")
    assert g.cat(f"{gdir}/new") == "created"
    g.write(f"{gdir}/empty", b"")
    assert g.cat(f"{gdir}/empty") == ""
    assert sorted(g.ls(gdir)) == ["empty", "f", "new"]


@requires("read_file", "statns")
def test_write_binary_and_mode(g: guestbox.GuestFS, gdir: str) -> None:
    data = bytes(range(256)) * 4
    g.write(f"{gdir}/bin", data)
    assert g.read_file(f"{gdir}/bin") == data
    assert stat.S_IMODE(mode_of(g, f"{gdir}/bin")) == 0o644  # 0666 less the default umask


def test_write_errors(g: guestbox.GuestFS, gdir: str) -> None:
    with pytest.raises(FileNotFoundError) as e:
        g.write(f"{gdir}/missing/f", b"x")
    assert str(e.value) == f"write: open: {gdir}/missing/f: No such file or directory"
    assert e.value.errno == errno.ENOENT
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(IsADirectoryError):
        g.write(gdir, b"x")
    with pytest.raises(FileNotFoundError):
        g.write_append(f"{gdir}/missing/f", b"x")


def test_pwrite(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/p"
    g.write(f, b"hello world")
    assert g.pwrite(f, b"HELLO", 0) == 5
    assert g.cat(f) == "HELLO world"
    assert g.pwrite(f, b"!!", 11) == 2
    assert g.cat(f) == "HELLO world!!"
    assert g.pwrite(f, b"", 3) == 0
    with pytest.raises(FileNotFoundError) as e:
        g.pwrite(f"{gdir}/nofile", b"x", 0)
    assert str(e.value) == f"pwrite: open: {gdir}/nofile: No such file or directory"
    with pytest.raises(guestbox.Error, match="offset is negative"):
        g.pwrite(f, b"x", -1)


@requires("statns")
def test_pwrite_past_end_makes_a_hole(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/sparse"
    g.write(f, b"ab")
    assert g.pwrite(f, b"z", 1 * MiB) == 1
    assert g.statns(f)["st_size"] == 1 * MiB + 1


def test_touch(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/t"
    g.touch(f)
    assert g.ls(gdir) == ["t"]
    assert g.cat(f) == ""
    g.write(f, b"keep")
    g.touch(f)
    assert g.cat(f) == "keep"
    with pytest.raises(guestbox.Error, match="touch can only be used on a regular files"):
        g.touch(gdir)
    g.ln_s("t", f"{gdir}/link")
    with pytest.raises(guestbox.Error, match="regular file"):
        g.touch(f"{gdir}/link")
    with pytest.raises(FileNotFoundError):
        g.touch(f"{gdir}/missing/t")


@requires("statns")
def test_touch_updates_times(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/t"
    g.write(f, b"x")
    g.utimens(f, 1000, 0, 2000, 0)
    g.touch(f)
    st = g.statns(f)
    assert st["st_mtime_sec"] > 1_000_000_000
    assert st["st_atime_sec"] > 1_000_000_000


def test_truncate(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/tr"
    g.write(f, b"0123456789")
    g.truncate_size(f, 4)
    assert g.cat(f) == "0123"
    g.truncate(f)
    assert g.cat(f) == ""
    g.truncate_size(f, 3)
    assert g.cat(f) == "\0\0\0"
    with pytest.raises(FileNotFoundError) as e:
        g.truncate(f"{gdir}/none")
    assert str(e.value) == f"truncate: open: {gdir}/none: No such file or directory"
    with pytest.raises(IsADirectoryError):
        g.truncate_size(gdir, 0)


# -- directories -----------------------------------------------------------------
def test_mkdir(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir(f"{gdir}/d")
    assert g.ls(gdir) == ["d"]
    assert g.ls(f"{gdir}/d") == []
    with pytest.raises(FileExistsError) as e:
        g.mkdir(f"{gdir}/d")
    assert str(e.value) == f"mkdir: {gdir}/d: File exists"
    assert e.value.errno == errno.EEXIST
    with pytest.raises(FileNotFoundError) as e2:
        g.mkdir(f"{gdir}/a/b")
    assert str(e2.value) == f"mkdir: {gdir}/a/b: No such file or directory"
    with pytest.raises(guestbox.Error, match="path must start with a / character"):
        g.mkdir("relative/dir")


def test_mkdir_p(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir_p(f"{gdir}/a/b/c")
    assert g.ls(f"{gdir}/a/b") == ["c"]
    g.mkdir_p(f"{gdir}/a/b/c")  # exists: fine
    g.mkdir_p(f"{gdir}/a")
    g.mkdir_p("/")
    g.write(f"{gdir}/file", b"")
    with pytest.raises(NotADirectoryError) as e:
        g.mkdir_p(f"{gdir}/file")
    assert str(e.value) == f"mkdir_p: {gdir}/file: a path element was not a directory"
    with pytest.raises(guestbox.Error):
        g.mkdir_p(f"{gdir}/file/sub")


@requires("statns")
def test_mkdir_mode_and_umask(g: guestbox.GuestFS, gdir: str) -> None:
    old = g.umask(0o022)
    try:
        assert g.umask(0o022) == 0o022
        assert g.get_umask() == 0o022
        g.mkdir_mode(f"{gdir}/m700", 0o700)
        g.mkdir_mode(f"{gdir}/m777", 0o777)
        g.mkdir(f"{gdir}/plain")
        assert stat.S_IMODE(mode_of(g, f"{gdir}/m700")) == 0o700
        assert stat.S_IMODE(mode_of(g, f"{gdir}/m777")) == 0o755
        assert stat.S_IMODE(mode_of(g, f"{gdir}/plain")) == 0o755
        assert stat.S_ISDIR(mode_of(g, f"{gdir}/m700"))
        assert g.umask(0) == 0o022
        assert g.get_umask() == 0
        g.mkdir_mode(f"{gdir}/open", 0o777)
        g.write(f"{gdir}/openfile", b"")
        assert stat.S_IMODE(mode_of(g, f"{gdir}/open")) == 0o777
        assert stat.S_IMODE(mode_of(g, f"{gdir}/openfile")) == 0o666
        with pytest.raises(guestbox.Error, match="mode is negative"):
            g.mkdir_mode(f"{gdir}/neg", -1)
        with pytest.raises(guestbox.Error, match="mask is negative"):
            g.umask(-1)
    finally:
        g.umask(old)


def test_mkdtemp(g: guestbox.GuestFS, gdir: str) -> None:
    d1 = g.mkdtemp(f"{gdir}/fooXXXXXX")
    d2 = g.mkdtemp(f"{gdir}/fooXXXXXX")
    assert d1 != d2
    for d in (d1, d2):
        assert d.startswith(f"{gdir}/foo") and len(d) == len(f"{gdir}/fooXXXXXX")
        assert not d.endswith("XXXXXX")
    assert sorted(g.ls(gdir)) == sorted(p.rsplit("/", 1)[1] for p in (d1, d2))
    assert g.ls(d1) == []
    with pytest.raises(guestbox.Error) as e:
        g.mkdtemp(f"{gdir}/bad")
    assert e.value.errno == errno.EINVAL
    with pytest.raises(FileNotFoundError):
        g.mkdtemp(f"{gdir}/missing/fooXXXXXX")


@requires("statns", "is_dir")
def test_mkdtemp_mode(g: guestbox.GuestFS, gdir: str) -> None:
    d = g.mkdtemp(f"{gdir}/tXXXXXX")
    assert g.is_dir(d)
    assert stat.S_IMODE(mode_of(g, d)) == 0o700


def test_rmdir(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir_p(f"{gdir}/full/sub")
    g.mkdir(f"{gdir}/empty")
    g.rmdir(f"{gdir}/empty")
    assert g.ls(gdir) == ["full"]
    with pytest.raises(guestbox.Error) as e:
        g.rmdir(f"{gdir}/full")
    assert str(e.value) == f"rmdir: {gdir}/full: Directory not empty"
    assert e.value.errno == errno.ENOTEMPTY
    assert isinstance(e.value, OSError)
    with pytest.raises(FileNotFoundError) as e2:
        g.rmdir(f"{gdir}/none")
    assert str(e2.value) == f"rmdir: {gdir}/none: No such file or directory"
    g.write(f"{gdir}/file", b"")
    with pytest.raises(NotADirectoryError):
        g.rmdir(f"{gdir}/file")


# -- removing --------------------------------------------------------------------
def test_rm_and_rm_f(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/a", b"")
    g.write(f"{gdir}/b", b"")
    g.mkdir(f"{gdir}/d")
    g.rm(f"{gdir}/a")
    g.rm_f(f"{gdir}/b")
    assert g.ls(gdir) == ["d"]
    with pytest.raises(FileNotFoundError) as e:
        g.rm(f"{gdir}/a")
    assert str(e.value) == f"rm: {gdir}/a: No such file or directory"
    g.rm_f(f"{gdir}/a")  # missing: no error
    g.rm_f(f"{gdir}/nodir/a")
    with pytest.raises(IsADirectoryError) as e2:
        g.rm(f"{gdir}/d")
    assert str(e2.value) == f"rm: {gdir}/d: Is a directory"
    with pytest.raises(IsADirectoryError):
        g.rm_f(f"{gdir}/d")
    assert g.ls(gdir) == ["d"]


def test_rm_rf(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir_p(f"{gdir}/tree/a/b")
    g.write(f"{gdir}/tree/a/b/f", b"x")
    g.write(f"{gdir}/tree/top", b"x")
    g.rm_rf(f"{gdir}/tree")
    assert g.ls(gdir) == []
    g.rm_rf(f"{gdir}/tree")  # missing: no error
    g.write(f"{gdir}/file", b"x")
    g.rm_rf(f"{gdir}/file")
    assert g.ls(gdir) == []


def test_rm_rf_refuses_root(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/keep", b"kept")
    for root in ("/", "/.", f"{gdir}/.."):
        with pytest.raises(guestbox.Error, match="cannot remove root directory"):
            g.rm_rf(root)
    assert g.cat(f"{gdir}/keep") == "kept"
    assert gdir.lstrip("/") in g.ls("/")


def test_removing_a_link_leaves_its_target(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir(f"{gdir}/dir")
    g.write(f"{gdir}/dir/f", b"content")
    g.ln_s(f"{gdir}/dir", f"{gdir}/abslink")  # absolute, in the guest's terms
    g.ln_s("dir", f"{gdir}/rellink")
    g.ln_s("dir/f", f"{gdir}/filelink")
    g.rm_rf(f"{gdir}/abslink")
    with pytest.raises(NotADirectoryError):
        g.rmdir(f"{gdir}/rellink")
    g.rm_f(f"{gdir}/rellink")
    g.rm(f"{gdir}/filelink")
    assert g.ls(gdir) == ["dir"]
    assert g.cat(f"{gdir}/dir/f") == "content"


# -- copying and moving ----------------------------------------------------------
def test_cp(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/src", b"data")
    g.cp(f"{gdir}/src", f"{gdir}/dst")
    assert g.cat(f"{gdir}/dst") == "data"
    g.mkdir(f"{gdir}/d")
    g.cp(f"{gdir}/src", f"{gdir}/d")
    assert g.cat(f"{gdir}/d/src") == "data"
    g.write(f"{gdir}/src", b"newer")
    g.cp(f"{gdir}/src", f"{gdir}/dst")  # overwrites
    assert g.cat(f"{gdir}/dst") == "newer"
    g.ln_s("src", f"{gdir}/srclink")
    g.cp(f"{gdir}/srclink", f"{gdir}/fromlink")  # cp copies what a link points to
    assert g.cat(f"{gdir}/fromlink") == "newer"
    with pytest.raises(FileNotFoundError) as e:
        g.cp(f"{gdir}/none", f"{gdir}/x")
    assert str(e.value) == f"cp: {gdir}/none: No such file or directory"
    with pytest.raises(guestbox.Error, match="omitting directory"):
        g.cp(f"{gdir}/d", f"{gdir}/d2")
    with pytest.raises(FileNotFoundError) as e2:
        g.cp(f"{gdir}/src", f"{gdir}/nodir/x")
    assert "/sysroot" not in str(e2.value)


@requires("statns", "lstatns", "readlink")
def test_cp_a_preserves(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir_p(f"{gdir}/src/sub")
    g.write(f"{gdir}/src/sub/f", b"f")
    g.chmod(0o600, f"{gdir}/src/sub/f")
    g.chown(1234, 5678, f"{gdir}/src/sub/f")
    g.ln_s("../../elsewhere", f"{gdir}/src/link")
    g.utimens(f"{gdir}/src/sub/f", 100, 5, 200, 7)
    g.cp_a(f"{gdir}/src", f"{gdir}/copy")
    st = g.statns(f"{gdir}/copy/sub/f")
    assert stat.S_IMODE(st["st_mode"]) == 0o600
    assert (st["st_uid"], st["st_gid"]) == (1234, 5678)
    assert (st["st_mtime_sec"], st["st_mtime_nsec"]) == (200, 7)
    assert g.cat(f"{gdir}/copy/sub/f") == "f"
    assert stat.S_ISLNK(g.lstatns(f"{gdir}/copy/link")["st_mode"])
    assert g.readlink(f"{gdir}/copy/link") == "../../elsewhere"
    # into an existing directory
    g.mkdir(f"{gdir}/into")
    g.cp_a(f"{gdir}/src", f"{gdir}/into")
    assert sorted(g.ls(f"{gdir}/into/src")) == ["link", "sub"]
    # a link src is copied as a link
    g.cp_a(f"{gdir}/src/link", f"{gdir}/linkcopy")
    assert g.readlink(f"{gdir}/linkcopy") == "../../elsewhere"
    with pytest.raises(FileNotFoundError):
        g.cp_a(f"{gdir}/none", f"{gdir}/x")


@requires("statns", "readlink")
def test_cp_r(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir_p(f"{gdir}/src/sub")
    g.write(f"{gdir}/src/sub/f", b"f")
    g.ln_s("/absolute/target", f"{gdir}/src/link")
    g.chown(1234, 1234, f"{gdir}/src/sub/f")
    g.cp_r(f"{gdir}/src", f"{gdir}/copy")
    assert g.cat(f"{gdir}/copy/sub/f") == "f"
    assert g.readlink(f"{gdir}/copy/link") == "/absolute/target"
    assert g.statns(f"{gdir}/copy/sub/f")["st_uid"] == 0  # ownership not kept
    g.write(f"{gdir}/src/sub/f", b"again")
    g.cp_r(f"{gdir}/src", f"{gdir}/copy")  # merges into copy/src
    assert g.cat(f"{gdir}/copy/src/sub/f") == "again"


def test_mv(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/a", b"A")
    g.mv(f"{gdir}/a", f"{gdir}/b")
    assert g.ls(gdir) == ["b"]
    assert g.cat(f"{gdir}/b") == "A"
    g.mkdir(f"{gdir}/d")
    g.mv(f"{gdir}/b", f"{gdir}/d")
    assert g.ls(f"{gdir}/d") == ["b"]
    g.write(f"{gdir}/c", b"C")
    g.mv(f"{gdir}/c", f"{gdir}/d/b")  # replaces
    assert g.cat(f"{gdir}/d/b") == "C"
    g.mv(f"{gdir}/d", f"{gdir}/e")  # directories too
    assert g.ls(gdir) == ["e"]
    with pytest.raises(FileNotFoundError) as e:
        g.mv(f"{gdir}/none", f"{gdir}/x")
    assert str(e.value) == f"mv: {gdir}/none: No such file or directory"


@requires("readlink")
def test_mv_moves_a_link_itself(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/target", b"T")
    g.ln_s("target", f"{gdir}/link")
    g.mv(f"{gdir}/link", f"{gdir}/link2")
    assert g.readlink(f"{gdir}/link2") == "target"
    assert sorted(g.ls(gdir)) == ["link2", "target"]


def test_rename(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/a", b"A")
    g.write(f"{gdir}/b", b"B")
    g.rename(f"{gdir}/a", f"{gdir}/c")
    assert sorted(g.ls(gdir)) == ["b", "c"]
    g.rename(f"{gdir}/c", f"{gdir}/b")  # replaces
    assert g.ls(gdir) == ["b"]
    assert g.cat(f"{gdir}/b") == "A"
    with pytest.raises(FileNotFoundError) as e:
        g.rename(f"{gdir}/none", f"{gdir}/x")
    assert str(e.value) == f"rename: rename: {gdir}/none: {gdir}/x: No such file or directory"


# -- links -----------------------------------------------------------------------
@requires("readlink", "lstatns")
def test_ln_s_stores_target_as_given(g: guestbox.GuestFS, gdir: str) -> None:
    for i, target in enumerate(["../../../nonexistent/x", "/etc/passwd", "plain", "/",
                                "a b/ c"]):
        g.ln_s(target, f"{gdir}/l{i}")
        assert g.readlink(f"{gdir}/l{i}") == target
        assert stat.S_ISLNK(g.lstatns(f"{gdir}/l{i}")["st_mode"])
    with pytest.raises(FileExistsError):
        g.ln_s("other", f"{gdir}/l2")
    g.ln_sf("other", f"{gdir}/l2")
    assert g.readlink(f"{gdir}/l2") == "other"
    g.ln_sf("new", f"{gdir}/fresh")
    assert g.readlink(f"{gdir}/fresh") == "new"
    # into a directory: the link is named after the target
    g.mkdir(f"{gdir}/d")
    g.ln_s("../some/where", f"{gdir}/d")
    assert g.readlink(f"{gdir}/d/where") == "../some/where"
    with pytest.raises(FileNotFoundError):
        g.ln_s("x", f"{gdir}/missing/l")


@requires("statns")
def test_ln_hard(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/f", b"F")
    g.ln(f"{gdir}/f", f"{gdir}/h")
    a, b = g.statns(f"{gdir}/f"), g.statns(f"{gdir}/h")
    assert a["st_ino"] == b["st_ino"] and a["st_nlink"] == 2
    g.write(f"{gdir}/other", b"O")
    with pytest.raises(FileExistsError):
        g.ln(f"{gdir}/f", f"{gdir}/other")
    g.ln_f(f"{gdir}/f", f"{gdir}/other")
    assert g.cat(f"{gdir}/other") == "F"
    assert g.statns(f"{gdir}/f")["st_nlink"] == 3
    with pytest.raises(guestbox.Error, match="same file"):
        g.ln_f(f"{gdir}/f", f"{gdir}/h")
    assert g.cat(f"{gdir}/h") == "F"
    with pytest.raises(FileNotFoundError) as e:
        g.ln(f"{gdir}/none", f"{gdir}/x")
    assert str(e.value) == f"ln: ln: {gdir}/none: {gdir}/x: No such file or directory"


# -- attributes ------------------------------------------------------------------
@requires("statns", "lstatns")
def test_chmod_chown_lchown(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/f"
    g.write(f, b"")
    g.chmod(0o4751, f)
    assert stat.S_IMODE(mode_of(g, f)) == 0o4751
    g.ln_s("f", f"{gdir}/link")
    g.chmod(0o600, f"{gdir}/link")  # follows the link
    assert stat.S_IMODE(mode_of(g, f)) == 0o600
    g.chown(1000, 2000, f"{gdir}/link")  # follows the link
    st = g.statns(f)
    assert (st["st_uid"], st["st_gid"]) == (1000, 2000)
    g.lchown(3000, 4000, f"{gdir}/link")  # the link itself
    lst = g.lstatns(f"{gdir}/link")
    assert (lst["st_uid"], lst["st_gid"]) == (3000, 4000)
    assert g.statns(f)["st_uid"] == 1000
    with pytest.raises(FileNotFoundError) as e:
        g.chmod(0o644, f"{gdir}/none")
    assert str(e.value) == f"chmod: {gdir}/none: 0644: No such file or directory"
    with pytest.raises(FileNotFoundError) as e2:
        g.chown(1, 2, f"{gdir}/none")
    assert str(e2.value) == f"chown: {gdir}/none: 1.2: No such file or directory"
    with pytest.raises(guestbox.Error, match="mode is negative"):
        g.chmod(-1, f)


@requires("statns", "lstatns")
def test_utimens(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/f"
    g.write(f, b"")
    g.utimens(f, 1_000_000_000, 123_456_789, 1_100_000_000, 987_654_321)
    st = g.statns(f)
    assert (st["st_atime_sec"], st["st_atime_nsec"]) == (1_000_000_000, 123_456_789)
    assert (st["st_mtime_sec"], st["st_mtime_nsec"]) == (1_100_000_000, 987_654_321)
    g.utimens(f, 0, -2, 5, 0)  # atime unchanged
    st = g.statns(f)
    assert (st["st_atime_sec"], st["st_atime_nsec"]) == (1_000_000_000, 123_456_789)
    assert (st["st_mtime_sec"], st["st_mtime_nsec"]) == (5, 0)
    g.utimens(f, 0, -1, 0, -2)  # atime now, mtime unchanged
    st = g.statns(f)
    assert st["st_atime_sec"] > 1_500_000_000
    assert st["st_mtime_sec"] == 5
    # a link gets its own times (utimensat AT_SYMLINK_NOFOLLOW), not its target's
    g.ln_s("f", f"{gdir}/link")
    g.utimens(f"{gdir}/link", 42, 0, 43, 0)
    assert g.lstatns(f"{gdir}/link")["st_mtime_sec"] == 43
    assert g.statns(f)["st_mtime_sec"] == 5
    with pytest.raises(FileNotFoundError) as e:
        g.utimens(f"{gdir}/none", 0, 0, 0, 0)
    assert str(e.value) == f"utimens: utimensat: {gdir}/none: No such file or directory"
    with pytest.raises(guestbox.Error) as e2:
        g.utimens(f, 0, 1_000_000_000, 0, 0)
    assert e2.value.errno == errno.EINVAL


@requires("getxattrs", "lgetxattrs")
def test_xattrs(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/f"
    g.write(f, b"")
    g.setxattr("user.one", b"value\0with nul and tail", 14, f)
    g.setxattr("user.two", "text", 4, f)
    attrs = {a["attrname"]: a["attrval"] for a in g.getxattrs(f)}
    assert attrs["user.one"] == b"value\0with nul"
    assert attrs["user.two"] == b"text"
    g.removexattr("user.one", f)
    assert [a["attrname"] for a in g.getxattrs(f)] == ["user.two"]
    with pytest.raises(guestbox.Error) as e:
        g.removexattr("user.one", f)
    assert str(e.value) == "removexattr: removexattr: No data available"
    assert e.value.errno == errno.ENODATA
    # through a link: setxattr follows it, lsetxattr/lremovexattr act on the link
    g.ln_s("f", f"{gdir}/link")
    g.setxattr("user.three", b"3", 1, f"{gdir}/link")
    assert "user.three" in [a["attrname"] for a in g.getxattrs(f)]
    g.lsetxattr("trusted.onlink", b"L", 1, f"{gdir}/link")
    assert [a["attrname"] for a in g.lgetxattrs(f"{gdir}/link")] == ["trusted.onlink"]
    assert "trusted.onlink" not in [a["attrname"] for a in g.getxattrs(f)]
    g.lremovexattr("trusted.onlink", f"{gdir}/link")
    assert g.lgetxattrs(f"{gdir}/link") == []
    g.setxattr("user.x", b"ab", 3, f)  # one past the value: its C string's NUL, as libguestfs
    assert g.getxattr(f, "user.x") == b"ab\0"
    with pytest.raises(guestbox.Error) as e2:
        g.setxattr("user.x", b"ab", 4, f)
    assert e2.value.errno == errno.EINVAL


def test_setxattr_missing_file(g: guestbox.GuestFS, gdir: str) -> None:
    with pytest.raises(FileNotFoundError) as e:
        g.setxattr("user.x", b"v", 1, f"{gdir}/none")
    assert str(e.value) == "setxattr: setxattr: No such file or directory"


# -- special files ---------------------------------------------------------------
@requires("statns", "lstatns")
def test_mknod_family(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkfifo(0o600, f"{gdir}/fifo")
    g.mknod_c(0o644, 1, 3, f"{gdir}/null")
    g.mknod_b(0o640, 8, 1, f"{gdir}/blk")
    g.mknod(stat.S_IFIFO | 0o644, 0, 0, f"{gdir}/fifo2")
    assert sorted(g.ls(gdir)) == ["blk", "fifo", "fifo2", "null"]
    assert stat.S_ISFIFO(g.lstatns(f"{gdir}/fifo")["st_mode"])
    assert stat.S_IMODE(g.lstatns(f"{gdir}/fifo")["st_mode"]) == 0o600
    assert stat.S_ISFIFO(g.lstatns(f"{gdir}/fifo2")["st_mode"])
    null = g.lstatns(f"{gdir}/null")
    assert stat.S_ISCHR(null["st_mode"])
    assert null["st_rdev"] == (1 << 8) | 3
    blk = g.lstatns(f"{gdir}/blk")
    assert stat.S_ISBLK(blk["st_mode"])
    assert blk["st_rdev"] == (8 << 8) | 1
    with pytest.raises(FileExistsError) as e:
        g.mkfifo(0o600, f"{gdir}/fifo")
    assert str(e.value) == f"mkfifo: {gdir}/fifo: File exists"


# -- guest symlinks never lead outside the guest ---------------------------------
def test_links_resolve_inside_the_guest(g: guestbox.GuestFS, gdir: str) -> None:
    """Absolute and ../ links are followed as if the guest's root were /."""
    g.ln_s("/", f"{gdir}/root")
    g.ln_s("../../../../../../../..", f"{gdir}/up")
    g.ln_s("/../../../..", f"{gdir}/absup")
    g.write(f"{gdir}/root{gdir}/via-abs", b"abs")
    g.write(f"{gdir}/up{gdir}/via-rel", b"rel")
    g.mkdir(f"{gdir}/absup{gdir}/via-absup")
    g.write_append(f"{gdir}/absup/{gdir}/via-absup/f", b"x")
    assert g.cat(f"{gdir}/via-abs") == "abs"
    assert g.cat(f"{gdir}/via-rel") == "rel"
    assert g.cat(f"{gdir}/via-absup/f") == "x"
    g.chmod(0o600, f"{gdir}/up{gdir}/via-rel")
    g.ln_s(f"{gdir}/via-abs", f"{gdir}/filelink")  # absolute, in the guest's terms
    g.write(f"{gdir}/filelink", b"through")
    assert g.cat(f"{gdir}/via-abs") == "through"


def test_links_to_appliance_paths_do_not_escape(g: guestbox.GuestFS, gdir: str) -> None:
    """Links naming directories the appliance has (/etc, /tmp, /dev) but the guest has not."""
    top = g.ls("/")
    if any(d in top for d in ("etc", "tmp", "dev", "bin")):
        pytest.skip("the shared guest has directories this test relies on being absent")
    g.ln_s("/../../../etc", f"{gdir}/etc")
    g.ln_s("../../../../../../tmp", f"{gdir}/tmp")
    g.ln_s("/dev", f"{gdir}/dev")
    g.ln_s("/bin/sh", f"{gdir}/sh")
    # If these escaped they would succeed on the appliance's own /etc, /tmp and /dev.
    for path in (f"{gdir}/etc/guestbox-escape", f"{gdir}/tmp/guestbox-escape",
                 f"{gdir}/dev/guestbox-escape"):
        with pytest.raises(FileNotFoundError):
            g.write(path, b"x")
        with pytest.raises(FileNotFoundError):
            g.mkdir(path)
        with pytest.raises(FileNotFoundError):
            g.touch(path)
        with pytest.raises(FileNotFoundError):
            g.mkfifo(0o600, path)
        with pytest.raises(FileNotFoundError):
            g.mkdtemp(path + "XXXXXX")
        with pytest.raises(FileNotFoundError):
            g.ln_s("x", path)
    with pytest.raises(FileNotFoundError):
        g.truncate(f"{gdir}/sh")
    with pytest.raises(FileNotFoundError):
        g.chmod(0o777, f"{gdir}/sh")
    with pytest.raises(FileNotFoundError):
        g.setxattr("user.x", b"x", 1, f"{gdir}/sh")
    with pytest.raises(FileNotFoundError):
        g.cp(f"{gdir}/sh", f"{gdir}/copied-sh")
    # mv onto a link to a directory that exists only in the appliance replaces the link
    g.write(f"{gdir}/moved", b"M")
    g.mv(f"{gdir}/moved", f"{gdir}/etc")
    assert g.cat(f"{gdir}/etc") == "M"
    # ln/cp into a link to an appliance-only directory do not follow it either
    g.write(f"{gdir}/src", b"S")
    with pytest.raises(FileExistsError):
        g.ln_s("x", f"{gdir}/tmp")
    g.cp(f"{gdir}/src", f"{gdir}/dev")
    assert "dev" in g.ls("/")  # cp wrote the link's target, the guest's own /dev, as a file
    assert g.cat("/dev") == "S"
    g.rm("/dev")
    assert g.ls("/") == top


@requires("readlink", "lstatns")
def test_recursive_copies_do_not_write_through_links(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/victim", b"victim")
    g.mkdir_p(f"{gdir}/src/sub")
    g.write(f"{gdir}/src/f", b"new")
    g.write(f"{gdir}/src/sub/g", b"new")
    for op in ("cp_a", "cp_r"):
        dst = f"{gdir}/dst-{op}"
        g.mkdir_p(f"{dst}/src/sub")
        g.ln_s(f"{gdir}/victim", f"{dst}/src/f")  # planted absolute links
        g.ln_s("../../../victim", f"{dst}/src/sub/g")
        getattr(g, op)(f"{gdir}/src", dst)
        assert g.cat(f"{gdir}/victim") == "victim"
        for p in (f"{dst}/src/f", f"{dst}/src/sub/g"):
            assert stat.S_ISREG(g.lstatns(p)["st_mode"])
            assert g.cat(p) == "new"
    # a planted link to a directory is not merged into
    g.mkdir(f"{gdir}/victimdir")
    g.mkdir(f"{gdir}/dst2")
    g.ln_s(f"{gdir}/victimdir", f"{gdir}/dst2/src")
    with pytest.raises(guestbox.Error):
        g.cp_a(f"{gdir}/src", f"{gdir}/dst2")
    assert g.ls(f"{gdir}/victimdir") == []


def test_mv_into_link_to_directory(g: guestbox.GuestFS, gdir: str) -> None:
    g.mkdir(f"{gdir}/real")
    g.ln_s(f"{gdir}/real", f"{gdir}/abs")
    g.ln_s("real", f"{gdir}/rel")
    g.write(f"{gdir}/a", b"A")
    g.write(f"{gdir}/b", b"B")
    g.mv(f"{gdir}/a", f"{gdir}/abs")
    g.mv(f"{gdir}/b", f"{gdir}/rel")
    assert sorted(g.ls(f"{gdir}/real")) == ["a", "b"]
    g.write(f"{gdir}/c", b"C")
    g.cp(f"{gdir}/c", f"{gdir}/abs")
    g.ln_s("elsewhere/d", f"{gdir}/abs")
    assert sorted(g.ls(f"{gdir}/real")) == ["a", "b", "c", "d"]
    assert g.cat(f"{gdir}/real/c") == "C"


# -- read-only handles -----------------------------------------------------------
def test_readonly_handle_refuses_writes(
    launch_handle: Callable[..., guestbox.GuestFS], tmp_path: Path
) -> None:
    image = tmp_path / "ro.img"
    guestbox.GuestFS().disk_create(str(image), "raw", 64 * MiB)
    h = launch_handle(image, format="raw")
    h.part_disk("/dev/sda", "mbr")
    h.mkfs("ext4", "/dev/sda1")
    h.mount("/dev/sda1", "/")
    h.mkdir("/d")
    h.write("/d/f", b"original")
    h.close()
    before = hashlib.sha256(image.read_bytes()).hexdigest()

    ro = launch_handle(image, readonly=True, format="raw")
    ro.mount_ro("/dev/sda1", "/")
    assert ro.cat("/d/f") == "original"
    attempts: list[Callable[[], object]] = [
        lambda: ro.write("/d/f", b"changed"),
        lambda: ro.write("/new", b"x"),
        lambda: ro.mkdir("/x"),
        lambda: ro.mkdir_p("/x/y"),
        lambda: ro.rm("/d/f"),
        lambda: ro.rm_rf("/d"),
        lambda: ro.touch("/d/f"),
        lambda: ro.chmod(0o777, "/d/f"),
        lambda: ro.mv("/d/f", "/d/g"),
        lambda: ro.ln_s("x", "/l"),
    ]
    for attempt in attempts:
        with pytest.raises(guestbox.ReadOnlyError) as e:
            attempt()
        assert e.value.errno == errno.EROFS
        assert isinstance(e.value, OSError) and isinstance(e.value, RuntimeError)
    assert ro.cat("/d/f") == "original"
    assert ro.ls("/d") == ["f"]
    ro.close()
    assert hashlib.sha256(image.read_bytes()).hexdigest() == before
