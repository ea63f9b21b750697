"""Streams: upload, download, offsets, tar, base64, copy in/out, against the appliance."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox
from guestbox.copyio import extract_tar_safely

MiB = 1024 * 1024


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_tree(root: Path) -> Path:
    """A small host tree with modes, a subdirectory, symlinks, a hard link and an empty file."""
    root.mkdir()
    (root / "a.txt").write_bytes(b"alpha\n")
    (root / "a.txt").chmod(0o640)
    (root / "run.sh").write_bytes(b"#!/bin/sh\necho hi\n")
    (root / "run.sh").chmod(0o755)
    (root / "empty").write_bytes(b"")
    (root / "sub").mkdir()
    (root / "sub").chmod(0o750)
    (root / "sub" / "data.bin").write_bytes(os.urandom(200_000))
    (root / "sub" / "data.bin").chmod(0o600)
    (root / "link").symlink_to("a.txt")
    (root / "abslink").symlink_to("/etc/passwd")
    os.link(root / "a.txt", root / "hard")
    return root


def tree_state(root: Path) -> dict[str, tuple[str, int, str]]:
    """{relative name: (kind, permission bits, content digest or link target)}."""
    out: dict[str, tuple[str, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", 0, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), "")
            else:
                out[rel] = ("file", stat.S_IMODE(st.st_mode), sha256(p))
    return out


@pytest.fixture
def host_tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "tree")


# -- upload / download ----------------------------------------------------------------------

def test_upload_download_round_trip(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(3 * MiB + 12345))
    g.upload(str(src), f"{gdir}/big")
    dst = tmp_path / "dst.bin"
    g.download(f"{gdir}/big", str(dst))
    assert sha256(dst) == sha256(src)
    # An empty file too.
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    g.upload(str(empty), f"{gdir}/empty")
    g.download(f"{gdir}/empty", str(tmp_path / "empty.out"))
    assert (tmp_path / "empty.out").read_bytes() == b""


def test_upload_truncates(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    big, small = tmp_path / "big", tmp_path / "small"
    big.write_bytes(b"x" * 5000)
    small.write_bytes(b"short")
    g.upload(str(big), f"{gdir}/f")
    g.upload(str(small), f"{gdir}/f")
    g.download(f"{gdir}/f", str(tmp_path / "out"))
    assert (tmp_path / "out").read_bytes() == b"short"


def test_download_progress_events(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    size = 3 * MiB + 7
    src = tmp_path / "src"
    src.write_bytes(os.urandom(size))
    g.upload(str(src), f"{gdir}/p")
    events: list[list[int]] = []
    eh = g.set_event_callback(lambda ev, eh, buf, arr: events.append(list(arr)),
                              guestbox.EVENT_PROGRESS)
    try:
        g.download(f"{gdir}/p", str(tmp_path / "out"))
    finally:
        g.delete_event_callback(eh)
    assert len(events) >= 2
    positions = [e[2] for e in events]
    assert positions == sorted(positions)
    assert all(e[3] == size for e in events)
    assert events[-1][2] == size


def test_upload_missing_host_file(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file"
    with pytest.raises(FileNotFoundError, match=f"upload: {missing}: No such file"):
        g.upload(str(missing), f"{gdir}/x")


def test_upload_into_missing_guest_dir(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(os.urandom(3 * MiB))  # more than one chunk: the stream is cancelled
    with pytest.raises(FileNotFoundError, match=f"upload: {gdir}/nodir/x: No such file"):
        g.upload(str(src), f"{gdir}/nodir/x")
    g.upload(str(src), f"{gdir}/x")  # the handle still works


def test_download_errors(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    dst = tmp_path / "out"
    with pytest.raises(FileNotFoundError, match=f"download: {gdir}/missing: No such file"):
        g.download(f"{gdir}/missing", str(dst))
    assert not dst.exists()
    # libguestfs's text, lower-case
    with pytest.raises(IsADirectoryError, match=f"download: {gdir}: is a directory"):
        g.download(gdir, str(dst))
    assert not dst.exists()
    assert os.listdir(tmp_path) == []


def test_download_failing_midway_leaves_nothing(g: guestbox.GuestFS, gdir: str,
                                                tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(os.urandom(4 * MiB))
    g.upload(str(src), f"{gdir}/f")
    outdir = tmp_path / "out"
    outdir.mkdir()
    dst = outdir / "f"
    # Host writes beyond 1.5 MiB fail with EFBIG: the download fails after some chunks.
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3 * MiB // 2, old_limit[1]))
    try:
        with pytest.raises(guestbox.Error, match="download: .*File too large"):
            g.download(f"{gdir}/f", str(dst))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    assert os.listdir(outdir) == []
    g.download(f"{gdir}/f", str(dst))  # the handle still works
    assert sha256(dst) == sha256(src)


def test_devices(g: guestbox.GuestFS, tmp_path: Path) -> None:
    g.download_offset("/dev/sda", str(tmp_path / "mbr"), 0, 512)
    assert (tmp_path / "mbr").read_bytes()[510:] == b"\x55\xaa"
    with pytest.raises(FileNotFoundError, match="upload: /dev/nosuchdisk: No such file"):
        g.upload("/dev/null", "/dev/nosuchdisk")


# -- offsets --------------------------------------------------------------------------------

def test_upload_offset(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    base = os.urandom(MiB)
    patch = os.urandom(100_000)
    (tmp_path / "base").write_bytes(base)
    (tmp_path / "patch").write_bytes(patch)
    g.upload(str(tmp_path / "base"), f"{gdir}/f")
    g.upload_offset(str(tmp_path / "patch"), f"{gdir}/f", 500_000)
    g.download(f"{gdir}/f", str(tmp_path / "out"))
    expect = base[:500_000] + patch + base[600_000:]
    assert (tmp_path / "out").read_bytes() == expect
    # Past the end: the file grows, with a hole of zeros.
    g.upload_offset(str(tmp_path / "patch"), f"{gdir}/f", 2 * MiB)
    g.download(f"{gdir}/f", str(tmp_path / "out2"))
    assert (tmp_path / "out2").read_bytes() == expect + bytes(MiB) + patch
    # A new file.
    g.upload_offset(str(tmp_path / "patch"), f"{gdir}/new", 10)
    g.download(f"{gdir}/new", str(tmp_path / "out3"))
    assert (tmp_path / "out3").read_bytes() == bytes(10) + patch
    with pytest.raises(guestbox.Error, match="upload_offset: .*offset in file is negative"):
        g.upload_offset(str(tmp_path / "patch"), f"{gdir}/f", -1)


def test_download_offset(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    data = os.urandom(3 * MiB)
    (tmp_path / "src").write_bytes(data)
    g.upload(str(tmp_path / "src"), f"{gdir}/f")
    g.download_offset(f"{gdir}/f", str(tmp_path / "a"), 12345, 2 * MiB)
    assert (tmp_path / "a").read_bytes() == data[12345 : 12345 + 2 * MiB]
    g.download_offset(f"{gdir}/f", str(tmp_path / "b"), 3 * MiB - 10, 100)
    assert (tmp_path / "b").read_bytes() == data[-10:]  # fewer bytes past the end
    g.download_offset(f"{gdir}/f", str(tmp_path / "c"), 0, 0)
    assert (tmp_path / "c").read_bytes() == b""
    with pytest.raises(guestbox.Error, match="download_offset: .*offset in file is negative"):
        g.download_offset(f"{gdir}/f", str(tmp_path / "d"), -1, 10)
    with pytest.raises(guestbox.Error, match="download_offset: .*size is negative"):
        g.download_offset(f"{gdir}/f", str(tmp_path / "d"), 0, -10)
    assert not (tmp_path / "d").exists()


# -- tar ------------------------------------------------------------------------------------

MAGIC = {
    None: None,
    "gzip": b"\x1f\x8b",
    "bzip2": b"BZh",
    "xz": b"\xfd7zXZ\x00",
    "zstd": b"\x28\xb5\x2f\xfd",
}
HOST_FLAG = {None: [], "gzip": ["--gzip"], "bzip2": ["--bzip2"], "xz": ["--xz"],
             "zstd": ["--zstd"]}


@pytest.mark.parametrize("compress", [None, "gzip", "bzip2", "xz", "zstd"])
def test_tar_round_trip(g: guestbox.GuestFS, gdir: str, tmp_path: Path, host_tree: Path,
                        compress: str | None) -> None:
    program = {None: "tar", "gzip": "gzip", "bzip2": "bzip2", "xz": "xz", "zstd": "zstd"}
    if shutil.which(program[compress] or "tar") is None:
        pytest.skip(f"{compress} is not installed on this host")
    tarball = tmp_path / "in.tar"
    subprocess.run(["tar", "-C", str(host_tree), *HOST_FLAG[compress], "-cf", str(tarball),
                    "."], check=True)
    g.tar_in(str(tarball), gdir, compress=compress)
    out = tmp_path / "out.tar"
    g.tar_out(gdir, str(out), compress=compress)
    magic = MAGIC[compress]
    if magic is not None:
        assert out.read_bytes().startswith(magic)
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    # The host's tar reads what tar_out made (it detects the compression itself).
    subprocess.run(["tar", "-C", str(unpacked), "-xf", str(out)], check=True)
    assert tree_state(unpacked) == tree_state(host_tree)
    assert os.stat(unpacked / "hard").st_ino == os.stat(unpacked / "a.txt").st_ino


def test_tar_in_errors(g: guestbox.GuestFS, gdir: str, tmp_path: Path, host_tree: Path) -> None:
    tarball = tmp_path / "in.tar"
    subprocess.run(["tar", "-C", str(host_tree), "-cf", str(tarball), "."], check=True)
    with pytest.raises(guestbox.Error, match="tar_in: unknown compression type: foo"):
        g.tar_in(str(tarball), gdir, compress="foo")
    if shutil.which("lzop") is None:  # so not in the appliance either
        with pytest.raises(guestbox.Error, match="tar_in: compression type lzop: the lzop "
                                                 "program is not available in the appliance"):
            g.tar_in(str(tarball), gdir, compress="lzop")
    with pytest.raises(FileNotFoundError, match=f"tar_in: {gdir}/missing: No such file"):
        g.tar_in(str(tarball), f"{gdir}/missing")
    bad = tmp_path / "bad.tar"
    bad.write_bytes(os.urandom(20_000))
    with pytest.raises(guestbox.Error, match=f"tar_in: tar subcommand failed on directory: "
                                             f"{gdir}: .*tar"):
        g.tar_in(str(bad), gdir)
    with pytest.raises(guestbox.Error, match="tar_in: tar subcommand failed"):
        g.tar_in(str(tarball), gdir, compress="gzip")  # not gzip data


def test_tar_out_errors(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    out = tmp_path / "out.tar"
    with pytest.raises(FileNotFoundError, match=f"tar_out: stat: {gdir}/missing: No such"):
        g.tar_out(f"{gdir}/missing", str(out))
    g.write(f"{gdir}/file", b"x")
    with pytest.raises(NotADirectoryError, match=f"tar_out: {gdir}/file: not a directory"):
        g.tar_out(f"{gdir}/file", str(out))
    with pytest.raises(guestbox.Error, match="tar_out: unknown compression type: rar"):
        g.tar_out(gdir, str(out), compress="rar")
    assert not out.exists()


def test_tar_out_options(g: guestbox.GuestFS, gdir: str, tmp_path: Path,
                         host_tree: Path) -> None:
    tarball = tmp_path / "in.tar"
    subprocess.run(["tar", "-C", str(host_tree), "--owner=1234", "--group=2345",
                    "--numeric-owner", "-cf", str(tarball), "."], check=True)
    g.tar_in(str(tarball), gdir)
    out = tmp_path / "out.tar"
    g.tar_out(gdir, str(out), numericowner=True, excludes=["*.txt", "./sub"])
    with tarfile.open(out) as tf:
        members = {m.name: m for m in tf.getmembers()}
    assert "./a.txt" not in members
    assert not any(n.startswith("./sub") for n in members)
    assert "./run.sh" in members
    assert members["./run.sh"].uid == 1234 and members["./run.sh"].gid == 2345
    assert members["./run.sh"].uname == "" and members["./run.sh"].gname == ""


def test_tgz_txz_aliases(g: guestbox.GuestFS, gdir: str, tmp_path: Path,
                         host_tree: Path) -> None:
    for name, flag in (("tgz", "--gzip"), ("txz", "--xz")):
        tarball = tmp_path / f"in.{name}"
        subprocess.run(["tar", "-C", str(host_tree), flag, "-cf", str(tarball), "."],
                       check=True)
        d = f"{gdir}/{name}"
        g.mkdir_p(d)
        getattr(g, f"{name}_in")(str(tarball), d)
        out = tmp_path / f"out.{name}"
        getattr(g, f"{name}_out")(d, str(out))
        with tarfile.open(out, "r:gz" if name == "tgz" else "r:xz") as tf:
            assert "./sub/data.bin" in tf.getnames()


# -- base64 ---------------------------------------------------------------------------------

def test_base64_in_out(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    data = os.urandom(2 * MiB + 17)
    encoded = base64.encodebytes(data)
    (tmp_path / "in.b64").write_bytes(encoded)
    g.base64_in(str(tmp_path / "in.b64"), f"{gdir}/f")
    g.download(f"{gdir}/f", str(tmp_path / "raw"))
    assert (tmp_path / "raw").read_bytes() == data
    g.base64_out(f"{gdir}/f", str(tmp_path / "out.b64"))
    assert (tmp_path / "out.b64").read_bytes() == encoded
    # Output of coreutils' base64 (76 columns) exactly, and input without newlines works.
    assert subprocess.run(["base64", str(tmp_path / "raw")], capture_output=True,
                          check=True).stdout == encoded
    (tmp_path / "flat.b64").write_bytes(base64.b64encode(b"hello world"))
    g.base64_in(str(tmp_path / "flat.b64"), f"{gdir}/h")
    assert g.cat(f"{gdir}/h") == "hello world"
    with pytest.raises(FileNotFoundError, match=f"base64_out: {gdir}/missing: No such file"):
        g.base64_out(f"{gdir}/missing", str(tmp_path / "x"))
    (tmp_path / "bad.b64").write_bytes(b"QUJD\nR")  # one stray character at the end
    with pytest.raises(guestbox.Error, match="base64_in: base64 subcommand failed"):
        g.base64_in(str(tmp_path / "bad.b64"), f"{gdir}/bad")


# -- copy_in / copy_out ---------------------------------------------------------------------

def test_copy_in_out_directory(g: guestbox.GuestFS, gdir: str, tmp_path: Path,
                               host_tree: Path) -> None:
    g.copy_in(str(host_tree), gdir)
    assert sorted(g.ls(f"{gdir}/tree")) == sorted(os.listdir(host_tree))
    local = tmp_path / "local"
    local.mkdir()
    g.copy_out(f"{gdir}/tree", str(local))
    assert tree_state(local / "tree") == tree_state(host_tree)
    # Again over what is there: files are replaced, nothing breaks.
    g.copy_out(f"{gdir}/tree/", str(local))
    assert tree_state(local / "tree") == tree_state(host_tree)


def test_copy_in_out_file(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    src = tmp_path / "one.bin"
    src.write_bytes(os.urandom(300_000))
    g.copy_in(str(src), gdir)
    local = tmp_path / "local"
    local.mkdir()
    g.copy_out(f"{gdir}/one.bin", str(local))
    assert sha256(local / "one.bin") == sha256(src)
    assert os.listdir(local) == ["one.bin"]


def test_copy_in_out_errors(g: guestbox.GuestFS, gdir: str, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="copy_in: source ‘/no/such’ does not exist"):
        g.copy_in("/no/such", gdir)
    with pytest.raises(NotADirectoryError, match=f"copy_in: target ‘{gdir}/nodir’ is not a "):
        g.copy_in(str(tmp_path), f"{gdir}/nodir")
    with pytest.raises(NotADirectoryError, match="copy_out: target ‘/no/such’ is not a dir"):
        g.copy_out(gdir, "/no/such")
    with pytest.raises(FileNotFoundError, match=f"{gdir}/missing"):
        g.copy_out(f"{gdir}/missing", str(tmp_path))
    assert os.listdir(tmp_path) == []


def crafted_tarball(path: Path, members: list[tarfile.TarInfo],
                    data: dict[str, bytes] | None = None) -> None:
    data = data or {}
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tf:
        for m in members:
            content = data.get(m.name)
            if content is not None:
                m.size = len(content)
                tf.addfile(m, io.BytesIO(content))
            else:
                tf.addfile(m)


def member(name: str, type: bytes = tarfile.REGTYPE, mode: int = 0o644,
           linkname: str = "") -> tarfile.TarInfo:
    m = tarfile.TarInfo(name)
    m.type = type
    m.mode = mode
    m.linkname = linkname
    if type in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        m.devmajor, m.devminor = 1, 3
    return m


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "outside"
    d.mkdir()
    (d / "precious").write_bytes(b"keep me")
    yield d
    assert sorted(os.listdir(d)) == ["precious"], "something was written outside localdir"
    assert (d / "precious").read_bytes() == b"keep me"


def test_copy_out_hostile_guest_tree(g: guestbox.GuestFS, gdir: str, tmp_path: Path,
                                     outside: Path) -> None:
    # A guest tree made by the appliance's tar: symlinks aiming at the host, a device
    # node, a fifo, a setuid file, next to ordinary files.
    tarball = tmp_path / "hostile.tar"
    crafted_tarball(tarball, [
        member("./", tarfile.DIRTYPE, 0o755),
        member("./evil", tarfile.SYMTYPE, linkname=str(outside)),
        member("./precious", tarfile.SYMTYPE, linkname=str(outside / "precious")),
        member("./up", tarfile.SYMTYPE, linkname="../../../../../../.."),
        member("./null", tarfile.CHRTYPE, 0o666),
        member("./fifo", tarfile.FIFOTYPE),
        member("./suid", mode=0o4755),
        member("./dir", tarfile.DIRTYPE, 0o755),
        member("./dir/ok", mode=0o644),
    ], {"./suid": b"#!/bin/sh\n", "./dir/ok": b"fine\n"})
    g.mkdir_p(f"{gdir}/h")
    g.tar_in(str(tarball), f"{gdir}/h")
    local = tmp_path / "local"
    local.mkdir()
    # Something already at the target names, pointing outside: replaced, not followed.
    (local / "h").mkdir()
    (local / "h" / "dir").mkdir()
    (local / "h" / "dir" / "ok").symlink_to(outside / "precious")
    with pytest.raises(guestbox.Error, match="copy_out: .*not everything was copied") as e:
        g.copy_out(f"{gdir}/h", str(local))
    assert "./null: device, fifo or special file, refused" in str(e.value)
    assert "./fifo: device, fifo or special file, refused" in str(e.value)
    h = local / "h"
    assert os.readlink(h / "evil") == str(outside)
    assert os.readlink(h / "up") == "../../../../../../.."
    assert (h / "dir" / "ok").read_bytes() == b"fine\n"
    assert not (h / "dir" / "ok").is_symlink()
    assert stat.S_IMODE(os.stat(h / "suid").st_mode) == 0o755  # no setuid on the host
    assert not (h / "null").exists() and not (h / "fifo").exists()
    # The symlink target name of a file copy-out is not followed either.
    g.copy_out(f"{gdir}/h/dir/ok", str(local))
    assert (local / "ok").read_bytes() == b"fine\n"


def test_copy_out_refuses_symlinked_target(g: guestbox.GuestFS, gdir: str, tmp_path: Path,
                                           outside: Path) -> None:
    g.mkdir_p(f"{gdir}/d")
    g.write(f"{gdir}/d/file", b"data")
    local = tmp_path / "local"
    local.mkdir()
    (local / "d").symlink_to(outside)  # localdir/d leads outside: refused
    with pytest.raises(guestbox.Error, match="copy_out: .*symlink"):
        g.copy_out(f"{gdir}/d", str(local))


def test_extract_tar_safely_hostile_stream(tmp_path: Path, outside: Path) -> None:
    """What a hostile appliance could send as tar_out's stream: nothing lands outside."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "pre").symlink_to(outside / "precious")
    (root / "predir").symlink_to(outside)
    buf = tmp_path / "evil.tar"
    crafted_tarball(buf, [
        member("../escape"),
        member("/abs"),
        member("ok/../../x"),
        member("a/b/../../../y"),
        member("link", tarfile.SYMTYPE, linkname=str(outside)),
        member("link/pwned"),
        member("predir/pwned"),
        member("pre"),
        member("hl", tarfile.LNKTYPE, linkname="../outside/precious"),
        member("hl2", tarfile.LNKTYPE, linkname=str(outside / "precious")),
        member("hl3", tarfile.LNKTYPE, linkname="link"),
        member("chr", tarfile.CHRTYPE),
        member("blk", tarfile.BLKTYPE),
        member("ok/file", mode=0o6755),
    ], {"../escape": b"x", "/abs": b"x", "ok/../../x": b"x", "a/b/../../../y": b"x",
        "link/pwned": b"x", "predir/pwned": b"x", "pre": b"replaced", "ok/file": b"good"})
    problems: list[str] = []
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with tarfile.open(buf, "r|") as tf:
            assert extract_tar_safely(tf, fd, problems) is True
    finally:
        os.close(fd)
    text = "\n".join(problems)
    for name in ("../escape", "/abs", "ok/../../x", "a/b/../../../y", "link/pwned",
                 "predir/pwned", "hl:", "hl2:", "chr:", "blk:"):
        assert name in text
    assert (root / "pre").read_bytes() == b"replaced" and not (root / "pre").is_symlink()
    assert (root / "ok" / "file").read_bytes() == b"good"
    assert stat.S_IMODE(os.stat(root / "ok" / "file").st_mode) == 0o755
    assert os.readlink(root / "hl3") == str(outside)  # the link itself, as a link
    assert not (tmp_path / "escape").exists() and not Path("/abs").exists()
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_upload_from_stdin_redirected_from_a_big_file(tmp_path: Path) -> None:
    """`upload -` with stdin a regular file of transfer-disk size reads stdin from where it
    stands (it used to try to attach a disk named "-")."""
    data = tmp_path / "big"
    data.write_bytes(os.urandom(33 * MiB))
    script = (
        "import sys, guestbox\n"
        "sys.stdin.buffer.read(1000)\n"  # the stream starts where stdin stands
        "g = guestbox.GuestFS(); g.add_drive_scratch(128 * 1024 * 1024); g.launch()\n"
        "g.mkfs('ext4', '/dev/sda'); g.mount('/dev/sda', '/')\n"
        "g.upload('-', '/f'); print(g.checksum('sha256', '/f')); g.close()\n")
    with open(data, "rb") as stdin:
        out = subprocess.run([sys.executable, "-c", script], stdin=stdin, capture_output=True,
                             text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == hashlib.sha256(data.read_bytes()[1000:]).hexdigest()
