"""`guestbox copy-in`: host files and trees into a guest, kept as virt-copy-in keeps them.

A host tree (modes, an owner, times, symlinks, a hard link, an empty directory, a
name that is not UTF-8) and a single file are copied into a scratch image and
checked through the API.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guestbox.cli.tools import TOOLS
from tests.cli.tools.hostile import BYTES_NAME, opened, run, work_image

MTIME = 1_500_000_000


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return work_image(tmp_path_factory)


def copy_in(disk: Path, *args: str) -> tuple[int, bytes, str]:
    p = run("copy-in", "-a", str(disk), "-m", "/dev/sda1", *args)
    return p.returncode, p.stdout, p.stderr.decode()


def test_a_tree_and_a_file(disk: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub" / "empty").mkdir(parents=True)
    (tree / "conf").write_bytes(b"key=value\n")
    (tree / "conf").chmod(0o640)
    os.chown(tree / "conf", 1234, 5678)
    os.utime(tree / "conf", (MTIME, MTIME))
    (tree / "sub" / "run").write_bytes(b"#!/bin/sh\n")
    (tree / "sub" / "run").chmod(0o755)
    (tree / "link").symlink_to("/etc/passwd")
    os.link(tree / "conf", tree / "hard")
    with open(os.path.join(os.fsencode(tree), BYTES_NAME), "wb") as f:
        f.write(b"bytes\n")
    (tmp_path / "single.txt").write_bytes(b"single\n")
    assert copy_in(disk, str(tree), str(tmp_path / "single.txt"), "/etc") == (0, b"", "")
    g = opened(disk)
    try:
        assert g.read_file("/etc/single.txt") == b"single\n"
        st = g.lstatns("/etc/tree/conf")
        assert (st["st_mode"] & 0o7777, st["st_uid"], st["st_gid"], st["st_mtime_sec"]) == \
            (0o640, 1234, 5678, MTIME)
        assert g.read_file("/etc/tree/conf") == b"key=value\n"
        assert g.lstatns("/etc/tree/hard")["st_ino"] == st["st_ino"]
        assert g.lstatns("/etc/tree/sub/run")["st_mode"] & 0o777 == 0o755
        assert g.readlink("/etc/tree/link") == "/etc/passwd"
        assert g.is_dir("/etc/tree/sub/empty")
        assert g.read_file(f"/etc/tree/{os.fsdecode(BYTES_NAME)}") == b"bytes\n"
        assert g.read_file("/etc/passwd") == b"root:x:0:0:guest:/root:/bin/sh\n"
    finally:
        g.close()


def test_target_not_a_directory(disk: Path, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"f\n")
    assert copy_in(disk, str(tmp_path / "f"), "/etc/passwd") == \
        (1, b"", "libguestfs: error: target ‘/etc/passwd’ is not a directory\n")


@pytest.mark.parametrize(("args", "message"), [
    (["/nonexistent", "/"], "libguestfs: error: source ‘/nonexistent’ does not exist (or "
     "cannot be read)\n"),
    (["--ro", "/etc/hostname", "/"], "guestbox copy-in: --ro: copy-in writes into the "
     "guest: it cannot open the disks read-only\n"),
    (["/etc/hostname"], "guestbox copy-in: use 'copy-in <local> [<local>...] <remotedir>' "
     "to copy files into the image\n"),
])
def test_errors_before_launching(args: list[str], message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    assert TOOLS["copy-in"].main(["-a", str(disk), *args]) == 1
    assert capsys.readouterr().err == message
