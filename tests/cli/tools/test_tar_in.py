"""`guestbox tar-in`: host tarballs (files, stdin, compressed) unpacked into a guest.

Tarballs are made here with Python's tarfile (owners, modes, times, links, names
that are not UTF-8), unpacked into a scratch image, and checked through the API.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from guestbox.cli.tools import TOOLS
from tests.cli.tools.hostile import BYTES_NAME, opened, run, work_image

MTIME = 1_600_000_000


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return work_image(tmp_path_factory)


def tarball(top: str) -> bytes:
    """A tar of top/: a file with an owner, mode and time, a subdirectory, a symlink, a
    hard link, a name that is not UTF-8."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        def add(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"",
                mode: int = 0o644, link: str = "") -> None:
            info = tarfile.TarInfo(f"{top}/{name}" if name else top)
            info.type, info.mode, info.mtime, info.linkname = kind, mode, MTIME, link
            info.uid, info.gid, info.size = 1234, 99, len(data)
            tf.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        add("", tarfile.DIRTYPE, mode=0o750)
        add("conf", data=b"key=value\n", mode=0o640)
        add("sub", tarfile.DIRTYPE, mode=0o755)
        add("sub/run", data=b"#!/bin/sh\n", mode=0o4755)
        add("link", tarfile.SYMTYPE, link="/etc/passwd")
        add("hard", tarfile.LNKTYPE, link=f"{top}/conf")
        add(os.fsdecode(BYTES_NAME), data=b"bytes\n")
    return buf.getvalue()


def tar_in(disk: Path, *args: str, input: bytes | None = None) -> tuple[int, bytes, str]:
    p = run("tar-in", "-a", str(disk), "-m", "/dev/sda1", *args, input=input)
    return p.returncode, p.stdout, p.stderr.decode()


def test_from_a_file_and_from_stdin(disk: Path, tmp_path: Path) -> None:
    (tmp_path / "t.tar").write_bytes(tarball("t"))
    assert tar_in(disk, str(tmp_path / "t.tar"), "/") == (0, b"", "")
    # compressed, on stdin: the flag, or guestfish's optional argument
    assert tar_in(disk, "-", "/etc", "--gzip", input=gzip.compress(tarball("s"))) == \
        (0, b"", "")
    g = opened(disk)
    try:
        for top in ("/t", "/etc/s"):
            assert g.read_file(f"{top}/conf") == b"key=value\n"
            st = g.lstatns(f"{top}/conf")
            assert (st["st_mode"] & 0o7777, st["st_uid"], st["st_gid"], st["st_mtime_sec"]) \
                == (0o640, 1234, 99, MTIME)
            assert g.lstatns(f"{top}/sub/run")["st_mode"] & 0o7777 == 0o4755
            assert g.lstatns(top)["st_mode"] & 0o7777 == 0o750
            assert g.readlink(f"{top}/link") == "/etc/passwd"
            assert g.lstatns(f"{top}/hard")["st_ino"] == st["st_ino"]
            assert g.read_file(f"{top}/{os.fsdecode(BYTES_NAME)}") == b"bytes\n"
        assert g.read_file("/etc/passwd") == b"root:x:0:0:guest:/root:/bin/sh\n"
    finally:
        g.close()


def test_errors_in_the_guest(disk: Path, tmp_path: Path) -> None:
    (tmp_path / "not.tar").write_bytes(b"this is not a tarball\n" * 100)
    status, out, err = tar_in(disk, str(tmp_path / "not.tar"), "/etc")
    assert (status, out) == (1, b"")
    assert err.startswith("libguestfs: error: tar_in: tar subcommand failed on directory: "
                          "/etc: tar: This does not look like a tar archive\n")
    status, out, err = tar_in(disk, "-", "/nonexistent", input=tarball("x"))
    assert (status, out) == (1, b"")
    assert err.startswith("libguestfs: error: tar_in: ") and "/nonexistent" in err


@pytest.mark.parametrize(("args", "message"), [
    (["/nonexistent.tar", "/"],
     "libguestfs: error: open: /nonexistent.tar: No such file or directory\n"),
    (["--ro", "-", "/"], "guestbox tar-in: --ro: tar-in writes into the guest: it cannot "
     "open the disks read-only\n"),
    (["-"], "guestbox tar-in: error: incorrect number of arguments\nusage: tar-in tarfile "
     "directory [compress:..] [xattrs:true|false] [selinux:true|false] [acls:true|false]\n"
     "Try ‘guestbox tar-in --help’ for more information.\n"),
    (["--xz", "--gzip", "-", "/"], "guestbox tar-in: argument --gzip: not allowed with "
     "argument --xz\nTry ‘guestbox tar-in --help’ for more information.\n"),
])
def test_errors_before_launching(args: list[str], message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    assert TOOLS["tar-in"].main(["-a", str(disk), *args]) == 1
    assert capsys.readouterr().err == message
