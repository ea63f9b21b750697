"""`guestbox copy-out`: guest trees onto the host, never writing outside LOCALDIR.

The hostile image (hostile.py) is copied out and the whole directory around the
target (the image itself, a canary file and directory the guest's symlinks aim at)
is compared before and after, as is the host's /etc/passwd.  Errors are told as
virt-copy-out tells them, with its exit status 1.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.tools import TOOLS
from guestbox.cli.tools.copy_out import unpack
from guestbox.cli.tools.transfer import Meter
from tests import phony
from tests.cli.tools.hostile import (
    BYTES_NAME,
    ESCAPE_NAME,
    NEWLINE_NAME,
    hostile_place,
    make_world,
    run,
    sha256,
    snapshot,
)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding the image, the canaries (world/) and each test's target."""
    return hostile_place(tmp_path_factory)


@pytest.fixture
def target(place: Path, request: pytest.FixtureRequest) -> Path:
    d = place / f"out-{request.node.name}"
    d.mkdir()
    return d


def copy_out(place: Path, *args: str) -> tuple[int, str]:
    """Run copy-out on the hostile image (-m /dev/sda1); (status, stderr).  Nothing
    around the target may change, the host's /etc/passwd neither."""
    target = Path(args[-1])
    before, passwd = snapshot(place, skip=target), sha256(Path("/etc/passwd"))
    p = run("copy-out", "-a", str(place / "hostile.img"), "-m", "/dev/sda1", *args)
    assert snapshot(place, skip=target) == before, "copy-out wrote outside LOCALDIR"
    assert sha256(Path("/etc/passwd")) == passwd
    assert p.stdout == b""
    return p.returncode, p.stderr.decode()


def test_hostile_tree(place: Path, target: Path) -> None:
    # /pair/a/x's symlinks evil and sub lead to the canaries; /pair/b/x's file evil and
    # directory sub come next into the same target/x: they replace the links.
    status, err = copy_out(place, "/pair/a/x", "/pair/b/x", "/data", str(target))
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == 3, err
    for name in ("null-dev", "sda-dev", "fifo\\n\\x1b[2J\\xff"):
        assert f"guestbox copy-out: {target}/data: not copied: ./{name}: device, fifo or " \
               "special file, refused" in lines
    x = target / "x"
    assert (x / "evil").read_bytes() == b"pwned\n" and not (x / "evil").is_symlink()
    assert (x / "sub" / "inside").read_bytes() == b"pwned\n"
    assert not (x / "sub").is_symlink()
    data = target / "data"
    names = set(os.listdir(os.fsencode(data)))
    assert names == {b"a.txt", b"sub", b"passwd-link", b"up-link", b"canary-link",
                     b"etc-dir-link", NEWLINE_NAME, BYTES_NAME, ESCAPE_NAME, b"..x"}
    for name in (NEWLINE_NAME, BYTES_NAME, ESCAPE_NAME):  # names byte for byte
        with open(os.path.join(os.fsencode(data), name), "rb") as f:
            assert f.read() == name + b"\n"
    links = {"passwd-link": "/etc/passwd", "up-link": "../../../../../../../etc/shadow",
             "canary-link": str(place / "world" / "canary"), "etc-dir-link": "/etc"}
    for name, to in links.items():  # copied as links, never followed
        assert os.readlink(data / name) == to
    assert (data / "a.txt").read_bytes() == b"hello\n"
    st = os.stat(data / "a.txt")
    assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid())  # owners are not kept
    b = data / "sub" / "b.txt"
    assert b.read_bytes() == b"bee\n"
    assert stat.S_IMODE(os.stat(b).st_mode) == 0o755  # no setuid on the host
    assert (data / "..x").read_bytes() == b"dots\n"


def test_a_file_and_names_with_dots(place: Path, target: Path) -> None:
    # A file; a directory named through '..' (libguestfs would unpack /clean/sub/..
    # into LOCALDIR/..): the name is the one the path resolves to.
    (target / "a.txt").symlink_to(place / "world" / "canary")  # replaced, not followed
    status, err = copy_out(place, "/data/a.txt", "/clean/sub/..", "/clean/sub/.", str(target))
    assert (status, err) == (0, "")
    assert (target / "a.txt").read_bytes() == b"hello\n"
    assert not (target / "a.txt").is_symlink()
    assert (target / "clean" / "sub" / "c.txt").read_bytes() == b"sea\n"
    assert (target / "sub" / "c.txt").read_bytes() == b"sea\n"
    assert sorted(os.listdir(target)) == ["a.txt", "clean", "sub"]


def test_symlink_guestpath_is_refused(place: Path, target: Path) -> None:
    # As virt-copy-out: a symlink named on the command line is neither file nor directory
    # (so is a missing path); it stops there, after the paths before it.
    status, err = copy_out(place, "/clean", "/dirlink", "/data/a.txt", str(target))
    assert (status, err) == (1, "libguestfs: error: ‘/dirlink’ is not a file or directory\n")
    assert os.listdir(target) == ["clean"]


def test_inspection_of_a_phony_guest(tmp_path: Path) -> None:
    # -i (the default without -m): / and /boot of the phony Ubuntu, mounted read-only
    disk = phony.image("ubuntu")
    st = disk.stat()  # any write would change its times (hashing 512 MiB costs seconds)
    p = run("copy-out", "-a", str(disk), "/etc/hostname", "/boot/grub", str(tmp_path))
    assert (p.returncode, p.stderr) == (0, b"")
    assert (tmp_path / "hostname").read_bytes() == b"ubuntu.invalid"
    assert (tmp_path / "grub" / "grub.conf").is_file()
    assert (disk.stat().st_mtime_ns, disk.stat().st_ctime_ns) == (st.st_mtime_ns,
                                                                  st.st_ctime_ns)


def test_a_hostile_stream_unpacks_inside(tmp_path: Path) -> None:
    """What a subverted appliance could send instead of tar_out's stream, through the
    tool's own pipeline (Pump, Unpacker): nothing lands outside the target."""
    world = make_world(tmp_path / "world")
    target = tmp_path / "target"
    target.mkdir()
    members: list[tuple[tarfile.TarInfo, bytes]] = []
    for name, kind, link in (("./ok", tarfile.REGTYPE, ""), ("../escape", tarfile.REGTYPE, ""),
                             (f"{world}/canary", tarfile.REGTYPE, ""),
                             ("./l", tarfile.SYMTYPE, str(world)),
                             ("./l/canary", tarfile.REGTYPE, ""),
                             ("./h", tarfile.LNKTYPE, f"{world}/canary")):
        info = tarfile.TarInfo(name)
        info.type, info.linkname, info.size = kind, link, 6 if kind == tarfile.REGTYPE else 0
        members.append((info, b"pwned\n"))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)
    before = snapshot(tmp_path, skip=target)

    def produce(path: str) -> None:
        with open(path, "wb") as f:
            f.write(buf.getvalue())

    problems = unpack(produce, str(target), "x", Meter("test"))
    assert snapshot(tmp_path, skip=target) == before
    assert (target / "x" / "ok").read_bytes() == b"pwned\n"
    assert os.readlink(target / "x" / "l") == str(world)
    text = "\n".join(problems)
    for name in ("../escape", f"{world}/canary", "./l/canary", "./h"):
        assert name in text


@pytest.mark.parametrize(("args", "message"), [
    (["/etc"], "guestbox copy-out: use 'copy-out <remote> [<remote>...] <localdir>' to copy "
               "files out of the image\n"),
    (["/etc", "/nonexistent-dir"],
     "libguestfs: error: target ‘/nonexistent-dir’ is not a directory\n"),
    (["/etc", "/etc/passwd"], "libguestfs: error: target ‘/etc/passwd’ is not a directory\n"),
    (["-w", "/etc", "/tmp"], "guestbox copy-out: cannot mix --ro and --rw options\n"),
])
def test_errors_before_launching(args: list[str], message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    assert TOOLS["copy-out"].main(["-a", str(disk), *args]) == 1
    assert capsys.readouterr().err == message


def test_no_disk(capsys: pytest.CaptureFixture[str]) -> None:
    assert TOOLS["copy-out"].main(["/etc", "/tmp"]) == 1
    assert capsys.readouterr().err == (
        "guestbox copy-out: error: you must specify at least one -a or -d option.\n"
        "Try ‘guestbox copy-out --help’ for more information.\n")


def test_a_stream_cut_short_leaves_no_partial_file(tmp_path: Path) -> None:
    """An interrupted or failed tar_out: the files that were complete stay, the one being
    written does not appear under its name, and the failure is the operation's."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, size in (("./small", 10), ("./big", 4 * 1024 * 1024)):
            info = tarfile.TarInfo(name)
            info.size = size
            tf.addfile(info, io.BytesIO(b"x" * size))

    def produce(path: str) -> None:
        with open(path, "wb") as f:
            f.write(buf.getvalue()[:1024 * 1024])
        raise guestbox.Error("tar_out: cut short")

    with pytest.raises(guestbox.Error, match="cut short"):
        unpack(produce, str(tmp_path), "x", Meter("test"))
    assert os.listdir(tmp_path / "x") == ["small"]
    assert (tmp_path / "x" / "small").read_bytes() == b"x" * 10
