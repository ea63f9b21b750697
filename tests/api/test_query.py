"""The query family against the real appliance: listing, stat, content, search."""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import tarfile
from pathlib import Path

import pytest

import guestbox

# -- helpers -------------------------------------------------------------------


def _tar_in(g: guestbox.GuestFS, tmp_path: Path, dest: str, members: list[tarfile.TarInfo]) -> None:
    tar = tmp_path / "tree.tar"
    with tarfile.open(tar, "w") as t:
        for m in members:
            t.addfile(m)
    g.tar_in(str(tar), dest)


def symlink(g: guestbox.GuestFS, tmp_path: Path, target: str, linkname: str) -> None:
    """Create the guest symlink linkname -> target with whatever operation exists."""
    if hasattr(g, "ln_s"):
        g.ln_s(target, linkname)
    elif hasattr(g, "tar_in"):
        info = tarfile.TarInfo(os.path.basename(linkname))
        info.type = tarfile.SYMTYPE
        info.linkname = target
        _tar_in(g, tmp_path, os.path.dirname(linkname), [info])
    else:
        pytest.skip("needs ln_s")


def fifo(g: guestbox.GuestFS, tmp_path: Path, path: str) -> None:
    if hasattr(g, "mkfifo"):
        g.mkfifo(0o644, path)
    elif hasattr(g, "tar_in"):
        info = tarfile.TarInfo(os.path.basename(path))
        info.type = tarfile.FIFOTYPE
        _tar_in(g, tmp_path, os.path.dirname(path), [info])
    else:
        pytest.skip("needs mkfifo")


def chardev(g: guestbox.GuestFS, tmp_path: Path, path: str) -> None:
    if hasattr(g, "mknod_c"):
        g.mknod_c(0o644, 1, 3, path)
    elif hasattr(g, "tar_in"):
        info = tarfile.TarInfo(os.path.basename(path))
        info.type = tarfile.CHRTYPE
        info.devmajor, info.devminor = 1, 3
        _tar_in(g, tmp_path, os.path.dirname(path), [info])
    else:
        pytest.skip("needs mknod_c")


@pytest.fixture
def tree(g: guestbox.GuestFS, gdir: str) -> str:
    """gdir with a.txt, b/c.txt, b/d/e.bin, .hidden."""
    g.write(f"{gdir}/a.txt", b"hello\nworld\n")
    g.mkdir_p(f"{gdir}/b/d")
    g.write(f"{gdir}/b/c.txt", b"see\n")
    g.write(f"{gdir}/b/d/e.bin", b"\x00\x01\x02")
    g.write(f"{gdir}/.hidden", b"")
    return gdir


def _enoent(excinfo: pytest.ExceptionInfo[BaseException], op: str, path: str) -> None:
    assert isinstance(excinfo.value, FileNotFoundError)
    assert isinstance(excinfo.value, RuntimeError)
    assert str(excinfo.value) == f"{op}: {path}: No such file or directory"


# -- listing -------------------------------------------------------------------


def test_ls_and_ls0(g: guestbox.GuestFS, tree: str, tmp_path: Path) -> None:
    assert g.ls(tree) == [".hidden", "a.txt", "b"]
    out = tmp_path / "names"
    g.ls0(tree, str(out))
    data = out.read_bytes()
    assert data.endswith(b"\0")
    assert sorted(data[:-1].split(b"\0")) == [b".hidden", b"a.txt", b"b"]


def test_ls0_missing(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    out = tmp_path / "names"
    with pytest.raises(guestbox.Error) as e:
        g.ls0(f"{gdir}/nope", str(out))
    _enoent(e, "ls0", f"{gdir}/nope")
    assert not out.exists()


def test_ll(g: guestbox.GuestFS, tree: str) -> None:
    out = g.ll(tree)
    assert "a.txt" in out and " .hidden" in out and " .." in out
    assert " 0 0 " in out and " root " not in out  # numeric owners, as libguestfs's
    assert "/sysroot" not in out
    one = g.ll(f"{tree}/a.txt")
    assert one.rstrip().endswith("a.txt") and "/sysroot" not in one
    with pytest.raises(FileNotFoundError) as e:
        g.ll(f"{tree}/nope")
    _enoent(e, "ll", f"{tree}/nope")


def test_find(g: guestbox.GuestFS, tree: str) -> None:
    assert g.find(tree) == [".hidden", "a.txt", "b", "b/c.txt", "b/d", "b/d/e.bin"]
    assert g.find(f"{tree}/b/d") == ["e.bin"]


def test_find_errors(g: guestbox.GuestFS, tree: str) -> None:
    with pytest.raises(FileNotFoundError) as e:
        g.find(f"{tree}/nope")
    _enoent(e, "find", f"{tree}/nope")
    with pytest.raises(NotADirectoryError) as e2:
        g.find(f"{tree}/a.txt")
    assert str(e2.value) == f"find: {tree}/a.txt: Not a directory"


def test_find0(g: guestbox.GuestFS, tree: str, tmp_path: Path) -> None:
    out = tmp_path / "files"
    g.find0(tree, str(out))
    data = out.read_bytes()
    assert data.endswith(b"\0")
    entries = data[:-1].split(b"\0")
    assert sorted(entries) == [b"/.hidden", b"/a.txt", b"/b", b"/b/c.txt", b"/b/d", b"/b/d/e.bin"]
    # find's order: a directory comes before what is in it
    assert entries.index(b"/b") < entries.index(b"/b/d") < entries.index(b"/b/d/e.bin")


def test_glob_expand(g: guestbox.GuestFS, tree: str) -> None:
    assert g.glob_expand(f"{tree}/*") == [f"{tree}/a.txt", f"{tree}/b/"]
    assert g.glob_expand(f"{tree}/*", directoryslash=False) == [f"{tree}/a.txt", f"{tree}/b"]
    assert g.glob_expand_opts(f"{tree}/*", directoryslash=False) == [f"{tree}/a.txt", f"{tree}/b"]
    assert g.glob_expand(f"{tree}/.h*") == [f"{tree}/.hidden"]
    assert g.glob_expand(f"{tree}/*/*.txt") == [f"{tree}/b/c.txt"]
    assert g.glob_expand(f"{tree}/b/{{c.txt,d}}") == [f"{tree}/b/c.txt", f"{tree}/b/d/"]
    assert g.glob_expand(f"{tree}/[ab]*") == [f"{tree}/a.txt", f"{tree}/b/"]
    assert g.glob_expand(f"{tree}/a.tx?") == [f"{tree}/a.txt"]
    assert g.glob_expand(f"{tree}/a.txt") == [f"{tree}/a.txt"]
    assert g.glob_expand(f"{tree}/*.nothing") == []
    assert g.glob_expand(f"{tree}/nope/*") == []


def test_glob_expand_relative(g: guestbox.GuestFS) -> None:
    with pytest.raises(guestbox.Error, match="path must start with a / character"):
        g.glob_expand("*")


# -- what is there ----------------------------------------------------------------


def test_is_predicates(g: guestbox.GuestFS, tree: str) -> None:
    f, d, nope = f"{tree}/a.txt", f"{tree}/b", f"{tree}/nope"
    assert g.exists(f) and g.exists(d) and not g.exists(nope)
    assert not g.exists(f"{f}/under-a-file")  # ENOTDIR is "does not exist"
    assert g.is_file(f) and not g.is_file(d) and not g.is_file(nope)
    assert g.is_dir(d) and not g.is_dir(f) and not g.is_dir(nope)
    assert g.is_dir("/")
    for pred in (g.is_symlink, g.is_blockdev, g.is_chardev, g.is_fifo, g.is_socket):
        assert not pred(f) and not pred(d) and not pred(nope)


def test_is_symlink_and_followsymlinks(g: guestbox.GuestFS, tree: str, tmp_path: Path) -> None:
    symlink(g, tmp_path, "a.txt", f"{tree}/lf")
    symlink(g, tmp_path, "b", f"{tree}/ld")
    symlink(g, tmp_path, "nowhere", f"{tree}/dangling")
    assert g.is_symlink(f"{tree}/lf") and g.is_symlink(f"{tree}/dangling")
    assert g.exists(f"{tree}/dangling")
    assert not g.is_file(f"{tree}/lf")
    assert g.is_file(f"{tree}/lf", followsymlinks=True)
    assert not g.is_dir(f"{tree}/ld")
    assert g.is_dir(f"{tree}/ld", followsymlinks=True)
    assert not g.is_file(f"{tree}/dangling", followsymlinks=True)
    assert g.is_file(f"{tree}/ld/c.txt")  # links in the middle of a path are followed


def test_fifo_and_chardev(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    fifo(g, tmp_path, f"{gdir}/fifo")
    assert g.is_fifo(f"{gdir}/fifo") and not g.is_file(f"{gdir}/fifo")
    assert g.file(f"{gdir}/fifo") == "FIFO"
    chardev(g, tmp_path, f"{gdir}/null")
    assert g.is_chardev(f"{gdir}/null") and not g.is_blockdev(f"{gdir}/null")
    assert g.file(f"{gdir}/null") == "character device"
    symlink(g, tmp_path, "null", f"{gdir}/lnull")
    assert not g.is_chardev(f"{gdir}/lnull")
    assert g.is_chardev(f"{gdir}/lnull", followsymlinks=True)


# -- stat ----------------------------------------------------------------------------


def test_statns(g: guestbox.GuestFS, tree: str) -> None:
    st = g.statns(f"{tree}/a.txt")
    assert st["st_size"] == 12
    assert stat.S_ISREG(st["st_mode"])
    assert st["st_nlink"] == 1 and st["st_uid"] == 0
    assert 0 <= st["st_mtime_nsec"] < 1_000_000_000 and st["st_mtime_sec"] > 1_600_000_000
    assert st["st_spare1"] == 0
    assert stat.S_ISDIR(g.statns(f"{tree}/b")["st_mode"])
    old = g.stat(f"{tree}/a.txt")
    assert old["size"] == 12 and old["mode"] == st["st_mode"] and old["ino"] == st["st_ino"]
    assert old["mtime"] == st["st_mtime_sec"]
    assert g.lstatns(f"{tree}/a.txt")["st_ino"] == st["st_ino"]
    assert g.lstat(f"{tree}/a.txt")["ino"] == st["st_ino"]


def test_stat_errors(g: guestbox.GuestFS, gdir: str) -> None:
    for op in ("statns", "lstatns", "stat", "lstat", "filesize"):
        with pytest.raises(FileNotFoundError) as e:
            getattr(g, op)(f"{gdir}/nope")
        _enoent(e, op, f"{gdir}/nope")
    with pytest.raises(guestbox.Error, match="path must start with a / character"):
        g.statns("relative")


def test_lstat_of_symlink(g: guestbox.GuestFS, tree: str, tmp_path: Path) -> None:
    symlink(g, tmp_path, "a.txt", f"{tree}/lf")
    assert stat.S_ISLNK(g.lstatns(f"{tree}/lf")["st_mode"])
    assert stat.S_ISLNK(g.lstat(f"{tree}/lf")["mode"])
    assert stat.S_ISREG(g.statns(f"{tree}/lf")["st_mode"])
    assert g.lstatns(f"{tree}/lf")["st_size"] == len("a.txt")


def test_lstatnslist(g: guestbox.GuestFS, tree: str) -> None:
    out = g.lstatnslist(tree, ["a.txt", "nope", "b", "b/c.txt"])
    assert len(out) == 4
    assert out[0]["st_size"] == 12 and stat.S_ISREG(out[0]["st_mode"])
    assert out[1]["st_ino"] == -1
    assert stat.S_ISDIR(out[2]["st_mode"])
    assert out[3]["st_size"] == 4
    assert g.lstatnslist(tree, []) == []
    with pytest.raises(FileNotFoundError):
        g.lstatnslist(f"{tree}/nope", ["a"])


def test_filesize_and_du(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/f", b"x" * 100_000)
    assert g.filesize(f"{gdir}/f") == 100_000
    kb = g.du(f"{gdir}/f")
    assert 98 <= kb <= 110
    assert g.du(gdir) >= kb
    with pytest.raises(FileNotFoundError) as e:
        g.du(f"{gdir}/nope")
    _enoent(e, "du", f"{gdir}/nope")


def test_file(g: guestbox.GuestFS, tree: str, tmp_path: Path) -> None:
    assert g.file(f"{tree}/a.txt") == "ASCII text"
    assert g.file(f"{tree}/b") == "directory"
    assert g.file(f"{tree}/.hidden") == "empty"
    g.write(f"{tree}/z.gz", gzip.compress(b"hello\n"))
    assert "ASCII text" in g.file(f"{tree}/z.gz")  # -z looks inside
    assert "gzip compressed" in g.file(f"{tree}/z.gz")
    with pytest.raises(FileNotFoundError) as e:
        g.file(f"{tree}/nope")
    _enoent(e, "file", f"{tree}/nope")
    assert "ext4 filesystem" in g.file("/dev/sda1")
    symlink(g, tmp_path, "a.txt", f"{tree}/lf")
    assert g.file(f"{tree}/lf") == "symbolic link"


# -- links and names ------------------------------------------------------------------


def test_readlink_realpath(g: guestbox.GuestFS, tree: str, tmp_path: Path) -> None:
    symlink(g, tmp_path, "b/d", f"{tree}/rel")
    symlink(g, tmp_path, f"{tree}/b", f"{tree}/abs")
    assert g.readlink(f"{tree}/rel") == "b/d"
    assert g.readlink(f"{tree}/abs") == f"{tree}/b"
    assert g.realpath(f"{tree}/rel") == f"{tree}/b/d"
    assert g.realpath(f"{tree}/abs/d/../c.txt") == f"{tree}/b/c.txt"
    assert g.realpath(f"{tree}/./b//d/") == f"{tree}/b/d"
    assert g.realpath("/") == "/"
    assert g.readlinklist(tree, ["rel", "a.txt", "nope", "abs"]) == ["b/d", "", "", f"{tree}/b"]
    with pytest.raises(OSError, match=f"^readlink: {tree}/a.txt: Invalid argument$"):
        g.readlink(f"{tree}/a.txt")
    with pytest.raises(FileNotFoundError) as e:
        g.readlink(f"{tree}/nope")
    _enoent(e, "readlink", f"{tree}/nope")
    with pytest.raises(FileNotFoundError) as e:
        g.realpath(f"{tree}/nope")
    _enoent(e, "realpath", f"{tree}/nope")


def test_symlinks_stay_in_the_guest(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    """Links that point out of the guest's root resolve inside it, never to the appliance."""
    g.mkdir_p(f"{gdir}/etc")
    g.write(f"{gdir}/etc/passwd", b"guest-passwd\n")
    # /usr/bin/file exists in the appliance, not in this guest
    symlink(g, tmp_path, "../../../../../../usr/bin/file", f"{gdir}/up")
    symlink(g, tmp_path, "/usr/bin/file", f"{gdir}/abs")
    symlink(g, tmp_path, "/", f"{gdir}/root")
    symlink(g, tmp_path, "../../../../../.." + gdir + "/etc/passwd", f"{gdir}/up2")
    symlink(g, tmp_path, f"{gdir}/etc/passwd", f"{gdir}/abs2")
    for link in ("up", "abs"):
        p = f"{gdir}/{link}"
        assert g.exists(p) and g.is_symlink(p)
        assert not g.is_file(p, followsymlinks=True)
        for op in ("cat", "read_file", "read_lines", "realpath", "statns", "filesize", "head",
                   "ll", "du", "getxattrs"):
            with pytest.raises(FileNotFoundError) as e:
                getattr(g, op)(p)
            # the message names the path the link leads to, as the guest sees it
            assert str(e.value) in (f"{op}: {p}: No such file or directory",
                                    f"{op}: /usr/bin/file: No such file or directory")
        for op, args in (("grep", ("ELF", p)), ("checksum", ("md5", p)),
                         ("pread", (p, 4, 0)), ("find", (p + "/..",))):
            with pytest.raises(FileNotFoundError):
                getattr(g, op)(*args)
    assert g.realpath(f"{gdir}/root") == "/"
    assert g.glob_expand(f"{gdir}/root/usr/bin/*") == []
    assert gdir[1:] in g.ls(f"{gdir}/root")
    assert g.lstatnslist(gdir, ["root/usr/bin/file"])[0]["st_ino"] == -1
    assert g.lstatnslist(gdir, [f"root{gdir}/etc/passwd"])[0]["st_size"] == 13
    # links that reach the guest's own file, however they climb
    for link in ("up2", "abs2"):
        p = f"{gdir}/{link}"
        assert g.cat(p) == "guest-passwd\n"
        assert g.read_lines(p) == ["guest-passwd"]
        assert g.realpath(p) == f"{gdir}/etc/passwd"
        assert g.is_file(p, followsymlinks=True)
    assert g.glob_expand(f"{gdir}/root{gdir}/etc/pass*") == [f"{gdir}/root{gdir}/etc/passwd"]
    assert g.find(f"{gdir}/root{gdir}/etc") == ["passwd"]


def test_names_cannot_climb_out(g: guestbox.GuestFS, gdir: str) -> None:
    """Names given to the list operations are resolved inside the guest too."""
    out = g.lstatnslist(gdir, ["../../../../../proc/self/status"])
    assert out[0]["st_ino"] == -1
    assert g.readlinklist(gdir, ["../../../../proc/self/exe"]) == [""]
    assert g.glob_expand("/../../proc/self/stat*") == []


# -- content ------------------------------------------------------------------------


def test_read_file_and_cat(g: guestbox.GuestFS, gdir: str) -> None:
    data = bytes(range(256)) * 10
    g.write(f"{gdir}/bin", data)
    assert g.read_file(f"{gdir}/bin") == data
    g.write(f"{gdir}/empty", b"")
    assert g.read_file(f"{gdir}/empty") == b""
    with pytest.raises(FileNotFoundError) as e:
        g.read_file(f"{gdir}/nope")
    _enoent(e, "read_file", f"{gdir}/nope")
    with pytest.raises(IsADirectoryError) as e2:
        g.read_file(gdir)
    assert str(e2.value) == f"read_file: {gdir}: Is a directory"


def test_read_lines(g: guestbox.GuestFS, gdir: str) -> None:
    cases = {
        b"": [], b"\n": [""], b"a": ["a"], b"a\n": ["a"], b"a\nb": ["a", "b"],
        b"a\r\nb\r\n": ["a", "b"], b"a\n\nb\n\n": ["a", "", "b", ""],
    }
    for content, lines in cases.items():
        g.write(f"{gdir}/f", content)
        assert g.read_lines(f"{gdir}/f") == lines, content
    with pytest.raises(FileNotFoundError) as e:
        g.read_lines(f"{gdir}/nope")
    _enoent(e, "read_lines", f"{gdir}/nope")


def test_pread(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/f", b"0123456789")
    assert g.pread(f"{gdir}/f", 3, 2) == b"234"
    assert g.pread(f"{gdir}/f", 100, 8) == b"89"
    assert g.pread(f"{gdir}/f", 5, 100) == b""
    assert g.pread(f"{gdir}/f", 0, 0) == b""
    with pytest.raises(guestbox.Error, match="^pread: count is negative$"):
        g.pread(f"{gdir}/f", -1, 0)
    with pytest.raises(guestbox.Error, match="^pread: offset is negative$"):
        g.pread(f"{gdir}/f", 1, -1)
    with pytest.raises(guestbox.Error, match="count is too large"):
        g.pread(f"{gdir}/f", 1 << 30, 0)
    with pytest.raises(FileNotFoundError) as e:
        g.pread(f"{gdir}/nope", 1, 0)
    _enoent(e, "pread", f"{gdir}/nope")
    with pytest.raises(IsADirectoryError):
        g.pread(gdir, 1, 0)


def test_large_preads_give_the_same_bytes_whichever_way_they_are_read(
        g: guestbox.GuestFS, gdir: str) -> None:
    mib = 1024 * 1024
    data = os.urandom(3 * mib + 100)
    f = f"{gdir}/big"
    g.write(f, data)  # not synced: a direct read must see what the page cache holds
    cases = [(mib, 0), (mib + 5, mib), (2 * mib, 2 * mib), (2 * mib, 3 * mib + 100),
             (2 * mib, 4 * mib), (mib, 12345)]  # aligned, odd count, to and past the end,
    for count, offset in cases:                 # an offset direct I/O cannot take
        assert g.pread(f, count, offset) == data[offset:offset + count], (count, offset)
    g.pwrite(f, b"changed", 2 * mib)
    assert g.pread(f, mib, 2 * mib)[:8] == b"changed" + data[2 * mib + 7:2 * mib + 8]


def test_head_tail(g: guestbox.GuestFS, gdir: str) -> None:
    lines = [f"line {i}" for i in range(1, 31)]
    g.write(f"{gdir}/f", ("\n".join(lines) + "\n").encode())
    assert g.head(f"{gdir}/f") == lines[:10]
    assert g.tail(f"{gdir}/f") == lines[-10:]
    assert g.head_n(3, f"{gdir}/f") == lines[:3]
    assert g.head_n(-27, f"{gdir}/f") == lines[:3]
    assert g.head_n(0, f"{gdir}/f") == []
    assert g.tail_n(2, f"{gdir}/f") == lines[-2:]
    assert g.tail_n(-29, f"{gdir}/f") == lines[28:]
    assert g.tail_n(0, f"{gdir}/f") == []
    assert g.head_n(100, f"{gdir}/f") == lines
    g.write(f"{gdir}/short", b"x\ny")
    assert g.head(f"{gdir}/short") == ["x", "y"]
    assert g.tail(f"{gdir}/short") == ["x", "y"]
    for op in ("head", "tail"):
        with pytest.raises(FileNotFoundError) as e:
            getattr(g, op)(f"{gdir}/nope")
        _enoent(e, op, f"{gdir}/nope")
    with pytest.raises(IsADirectoryError) as e2:
        g.head_n(1, gdir)
    assert str(e2.value) == f"head_n: {gdir}: Is a directory"


# -- checksums ------------------------------------------------------------------


def test_checksum(g: guestbox.GuestFS, gdir: str) -> None:
    data = b"The quick brown fox jumps over the lazy dog\n" * 100
    g.write(f"{gdir}/f", data)
    for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512"):
        assert g.checksum(name, f"{gdir}/f") == hashlib.new(name, data).hexdigest(), name
    assert g.checksum("SHA256", f"{gdir}/f") == hashlib.sha256(data).hexdigest()
    crc = g.checksum("crc", f"{gdir}/f")
    assert crc.isdigit() and crc == _posix_cksum(data)
    with pytest.raises(guestbox.Error, match="^checksum: unknown checksum type, expecting crc"):
        g.checksum("md4", f"{gdir}/f")
    with pytest.raises(FileNotFoundError) as e:
        g.checksum("md5", f"{gdir}/nope")
    _enoent(e, "checksum", f"{gdir}/nope")
    with pytest.raises(IsADirectoryError):
        g.checksum("md5", gdir)


def _posix_cksum(data: bytes) -> str:
    """POSIX cksum's CRC, computed here to check the appliance's."""
    crc = 0
    table = []
    for i in range(256):
        c = i << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04C11DB7) if c & 0x80000000 else (c << 1)
        table.append(c & 0xFFFFFFFF)
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ b]
    n = len(data)
    while n:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ (n & 0xFF)]
        n >>= 8
    return str(~crc & 0xFFFFFFFF)


def test_checksum_device(g: guestbox.GuestFS) -> None:
    # reads the whole 1 GiB device; the mounted filesystem changes under us, so check
    # the shape of the answer, not its value
    a = g.checksum_device("md5", "/dev/sda1")
    assert len(a) == 32 and int(a, 16) >= 0
    with pytest.raises(FileNotFoundError):
        g.checksum_device("md5", "/dev/nope")
    with pytest.raises(guestbox.Error, match="unknown checksum type"):
        g.checksum_device("md4", "/dev/sda1")


def test_checksums_out(g: guestbox.GuestFS, tree: str, tmp_path: Path) -> None:
    out = tmp_path / "sums"
    g.checksums_out("sha256", tree, str(out))
    lines = sorted(out.read_text().splitlines())
    want = {"./a.txt": b"hello\nworld\n", "./b/c.txt": b"see\n", "./b/d/e.bin": b"\x00\x01\x02",
            "./.hidden": b""}
    assert lines == sorted(f"{hashlib.sha256(v).hexdigest()}  {k}" for k, v in want.items())
    g.checksums_out("crc", f"{tree}/b", str(out))
    see, e = _posix_cksum(b"see\n"), _posix_cksum(b"\x00\x01\x02")
    assert sorted(out.read_text().splitlines()) == [f"{see} 4 ./c.txt", f"{e} 3 ./d/e.bin"]
    with pytest.raises(NotADirectoryError):
        g.checksums_out("md5", f"{tree}/a.txt", str(out))
    with pytest.raises(guestbox.Error, match="unknown checksum type"):
        g.checksums_out("nope", tree, str(out))


# -- extended attributes --------------------------------------------------------


def test_xattrs(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/f", b"x")
    if hasattr(g, "setxattr"):
        g.setxattr("user.test", "hello\0world", 11, f"{gdir}/f")
        assert g.getxattr(f"{gdir}/f", "user.test") == b"hello\0world"
        assert g.lgetxattr(f"{gdir}/f", "user.test") == b"hello\0world"
        assert {"attrname": "user.test", "attrval": b"hello\0world"} in g.getxattrs(f"{gdir}/f")
    else:
        assert [a for a in g.getxattrs(f"{gdir}/f") if a["attrname"].startswith("user.")] == []
        assert [a for a in g.lgetxattrs(f"{gdir}/f") if a["attrname"].startswith("user.")] == []
    with pytest.raises(guestbox.Error, match=f"^getxattr: {gdir}/f: No data available$"):
        g.getxattr(f"{gdir}/f", "user.nope")
    with pytest.raises(FileNotFoundError) as e:
        g.getxattrs(f"{gdir}/nope")
    _enoent(e, "getxattrs", f"{gdir}/nope")
    with pytest.raises(FileNotFoundError) as e:
        g.lgetxattrs(f"{gdir}/nope")
    _enoent(e, "lgetxattrs", f"{gdir}/nope")


# -- grep ----------------------------------------------------------------------------


def test_grep(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/f", b"abc\nABC\nxyz\na.c\n-e\nabcabc\n")
    f = f"{gdir}/f"
    assert g.grep("abc", f) == ["abc", "abcabc"]
    assert g.grep("abc", f, insensitive=True) == ["abc", "ABC", "abcabc"]
    assert g.grep("a.c", f, fixed=True) == ["a.c"]
    assert g.grep("(abc){2}", f, extended=True) == ["abcabc"]
    assert g.grep("-e", f) == ["-e"]
    assert g.grep("nothing", f) == []
    assert g.egrep("x(y)z", f) == ["xyz"]
    assert g.fgrep("a.c", f) == ["a.c"]
    assert g.grepi("xYz", f) == ["xyz"]
    assert g.egrepi("X(Y)Z", f) == ["xyz"]
    assert g.fgrepi("A.C", f) == ["a.c"]
    assert g.grep_opts("abc", f, insensitive=True) == ["abc", "ABC", "abcabc"]
    with pytest.raises(guestbox.Error, match="can't use 'extended' and 'fixed'"):
        g.grep("a", f, extended=True, fixed=True)
    with pytest.raises(guestbox.Error, match=r"^grep: \[: "):
        g.grep("[", f)
    with pytest.raises(FileNotFoundError) as e:
        g.grep("a", f"{gdir}/nope")
    _enoent(e, "grep", f"{gdir}/nope")


def test_zgrep(g: guestbox.GuestFS, gdir: str) -> None:
    g.write(f"{gdir}/f.gz", gzip.compress(b"abc\nABC\nxyz\na.c\n"))
    g.write(f"{gdir}/plain", b"abc\nxyz\n")
    f = f"{gdir}/f.gz"
    assert g.grep("abc", f, compressed=True) == ["abc"]
    assert g.grep("abc", f) == []  # not decompressed without compressed=True
    assert g.grep("xyz", f"{gdir}/plain", compressed=True) == ["xyz"]
    assert g.zgrep("abc", f) == ["abc"]
    assert g.zegrep("x(y)z", f) == ["xyz"]
    assert g.zfgrep("a.c", f) == ["a.c"]
    assert g.zgrepi("abc", f) == ["abc", "ABC"]
    assert g.zegrepi("A(B)C", f) == ["abc", "ABC"]
    assert g.zfgrepi("A.C", f) == ["a.c"]


def test_deprecated_flags(g: guestbox.GuestFS) -> None:
    from guestbox.api import REGISTRY

    assert REGISTRY["stat"].deprecated_by == "statns"
    assert REGISTRY["lstat"].deprecated_by == "lstatns"
    assert REGISTRY["zegrepi"].deprecated_by == "grep"
    assert REGISTRY["lstat"].nofollow == frozenset({"path"})


def test_case_sensitive_path(g: guestbox.GuestFS, gdir: str) -> None:
    """libguestfs 1.48's answers on the same tree (run side by side)."""
    g.mkdir_p(f"{gdir}/Windows/System32")
    g.touch(f"{gdir}/Windows/System32/netkvm.sys")
    g.touch(f"{gdir}/file")
    g.ln_s(f"{gdir}/Windows", f"{gdir}/link")
    low = gdir.lower()  # gdir's own elements are lower case already
    assert g.case_sensitive_path(f"{low}/windows/system32/netkvm.sys") == \
        f"{gdir}/Windows/System32/netkvm.sys"
    assert g.case_sensitive_path(f"{gdir}/WINDOWS//system32/NoSuchFile") == \
        f"{gdir}/Windows/System32/NoSuchFile"
    assert g.case_sensitive_path(f"{gdir}/windows/") == f"{gdir}/Windows"
    assert g.case_sensitive_path(f"{gdir}/LINK/system32") == f"{gdir}/link/System32"
    assert g.case_sensitive_path("/") == "/"
    for path, message in [
        (f"{gdir}/windows/system33/netkvm.sys", "system33: not found"),
        (f"{gdir}/windows/system32/nosuch/more", "nosuch: not found"),
        (f"{gdir}/windows/.", 'path contains "." or ".." elements'),
        (f"{gdir}/FILE/x", "chdir: file: Not a directory"),
        ("windows", "case_sensitive_path_stub: path must start with a / character"),
    ]:
        with pytest.raises(guestbox.Error) as e:
            g.case_sensitive_path(path)
        assert str(e.value) == f"case_sensitive_path: {message}"
