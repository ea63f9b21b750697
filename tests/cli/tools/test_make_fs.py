"""`guestbox make-fs` (virt-make-fs): images made from a host directory and from tarballs
hold the same files (checksums), at the size virt-make-fs computes."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from guestbox.cli.tools.make_fs import output_size
from guestbox.cli.tools.sizes import SizeError, parse_xstrtoull

from .disktools import MiB, checksums, killed, opened, run

KiB = 1024


def roundup512(n: int) -> int:
    return -(-n // 512) * 512


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory with files (one of random bytes), a subdirectory, an empty one, a
    symlink, a name with a space and one in UTF-8, a file of mode 0600."""
    top = tmp_path_factory.mktemp("makefs") / "tree"
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / "empty").mkdir()
    (top / "hello").write_text("hello\n")
    (top / "sub" / "random").write_bytes(os.urandom(MiB + 123))
    (top / "sub" / "deeper" / "with space").write_bytes(b"x" * 70_000)
    (top / "café").write_text("crème\n")
    (top / "private").write_text("secret\n")
    (top / "private").chmod(0o600)
    (top / "link").symlink_to("hello")
    yield top


def host_sums(top: Path) -> dict[str, str]:
    return {"./" + str(p.relative_to(top)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in top.rglob("*") if p.is_file() and not p.is_symlink()}


def du(path: Path) -> int:
    return int(subprocess.run(["du", "--apparent-size", "-b", "-s", str(path)],
                              capture_output=True, text=True, check=True).stdout.split()[0])


def test_directory(tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The defaults: raw, ext2 on the whole disk, the estimate's size."""
    out = tmp_path / "out.img"
    assert run(capsys, "make-fs", str(tree), str(out)) == (0, "", "")
    assert out.stat().st_size == roundup512(int((du(tree) + 256 * KiB) * 1.1))
    with opened(out, fmt="raw") as g:
        assert g.vfs_type("/dev/sda") == "ext2"
        assert checksums(g, "/dev/sda") == host_sums(tree)
        g.mount_ro("/dev/sda", "/")
        assert g.readlink("/link") == "hello"
        assert g.is_dir("/empty")
        assert g.stat("/private")["mode"] & 0o777 == 0o600


def test_tarball_gpt_ext4_qcow2(tree: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """A .tar.gz into ext4 with a label, in a GPT partition, qcow2, 8 MiB more."""
    tarball = tmp_path / "tree.tar.gz"
    with tarfile.open(tarball, "w:gz") as t:
        t.add(tree, arcname=".")
    with gzip.open(tarball) as f:
        uncompressed = len(f.read())
    out = tmp_path / "out.qcow2"
    status, _, _ = run(capsys, "make-fs", "--partition=gpt", "-t", "ext4", "--size=+8M",
                       "-F", "qcow2", "--label=TREE", str(tarball), str(out))
    assert status == 0
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(out)],
                                     capture_output=True, check=True).stdout)
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == roundup512(
        int((uncompressed + 256 * KiB + 4 * MiB) * 1.1) + 8 * MiB)
    with opened(out, fmt="qcow2") as g:
        assert g.part_get_parttype("/dev/sda") == "gpt"
        assert (g.vfs_type("/dev/sda1"), g.vfs_label("/dev/sda1")) == ("ext4", "TREE")
        assert checksums(g, "/dev/sda1") == host_sums(tree)


def test_floppy_from_xz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--floppy: 1440K, MBR, a vfat partition (type 0x0b); a .tar.xz (which virt-make-fs
    1.48 does not recognise)."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "README.TXT").write_text("floppy\n")
    (files / "Long file name.txt").write_bytes(b"z" * 5000)
    tarball = tmp_path / "files.tar.xz"
    with tarfile.open(tarball, "w:xz") as t:
        for p in files.iterdir():
            t.add(p, arcname=p.name)
    out = tmp_path / "floppy.img"
    assert run(capsys, "make-fs", "--floppy", str(tarball), str(out))[0] == 0
    assert out.stat().st_size == 1440 * KiB
    with opened(out, fmt="raw") as g:
        assert g.part_get_mbr_id("/dev/sda", 1) == 0x0B
        assert g.vfs_type("/dev/sda1") == "vfat"
        assert checksums(g, "/dev/sda1") == host_sums(files)


def test_too_small_leaves_nothing(tree: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "small.img"
    status, stdout, stderr = run(capsys, "make-fs", "-s", "1M", str(tree), str(out))
    assert (status, stdout) == (1, "")
    assert stderr.startswith("libguestfs: error: tar_in: ")
    assert not out.exists()


def test_killed_leaves_nothing(tree: Path, tmp_path: Path) -> None:
    """SIGTERM once the output exists: no output left, no QEMU."""
    out = tmp_path / "out.img"
    assert killed(["make-fs", str(tree), str(out)], out.exists) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "message"), [
    ([], "virt-make-fs: missing input and output arguments on the command line\n"
     "Try ‘guestbox make-fs --help’ for more information.\n"),
    (["TREE"], "virt-make-fs: missing input and output arguments on the command line\n"
     "Try ‘guestbox make-fs --help’ for more information.\n"),
    (["NOT-TAR", "OUT"], "virt-make-fs: NOT-TAR: input is not a directory, tar archive or "
     "compressed tar archive\n"),
    (["/nonexistent", "OUT"], "/nonexistent: No such file or directory\n"),
    (["-s", "10Q", "TREE", "OUT"],
     "virt-make-fs: parse_size: invalid size parameter ‘10Q’ (xstrtoull returned 2)\n"),
    (["--partition=zz", "TREE", "OUT"], 'libguestfs: error: part_disk: unknown partition '
     'type: common choices are "gpt" and "msdos"\n'),
    (["-s", "+-5", "TREE", "OUT"],
     "virt-make-fs: parse_size: invalid size parameter ‘-5’ (xstrtoull returned 4)\n"),
])
def test_refused(argv: list[str], message: str, tree: Path, tmp_path: Path,
                 capsys: pytest.CaptureFixture[str]) -> None:
    """Refused before the output is made; an output already there is left as it was."""
    not_tar = tmp_path / "notes.txt"
    not_tar.write_text("not a tarball\n" * 100)
    out = tmp_path / "out.img"
    out.write_bytes(b"precious")
    names = {"TREE": str(tree), "NOT-TAR": str(not_tar), "OUT": str(out)}
    argv = [names.get(a, a) for a in argv]
    message = message.replace("NOT-TAR", str(not_tar))
    assert run(capsys, "make-fs", *argv) == (1, "", message)
    assert out.read_bytes() == b"precious"


def test_output_size() -> None:
    """virt-make-fs's estimate: +256K, +4M journal for ext3/4, +16M xfs, +256M btrfs, +10%."""
    assert output_size(3012299, "ext2", None, False, 0) == 3601887  # as virt-make-fs made it
    assert output_size(1000, "ext4", None, True, 0) == int((1000 + 262144 + 4 * MiB) * 1.1)
    assert output_size(1000, "ext3", None, True, 512) == int(
        (1000 + 2 * 128 * 512 + 262144 + MiB) * 1.1)
    assert output_size(0, "xfs", None, False, 0) == int((262144 + 16 * MiB) * 1.1)
    assert output_size(0, "btrfs", None, False, 0) == int((262144 + 256 * MiB) * 1.1)
    assert output_size(0, "ext2", "+1M", False, 0) == int(262144 * 1.1) + MiB
    assert output_size(0, "ext2", "2G", False, 0) == 2 << 30


@pytest.mark.parametrize(("text", "value"), [
    ("100M", 100 * MiB), ("10MB", 10_000_000), ("2KiB", 2048), ("1440K", 1440 * KiB),
    ("0x10", 16), ("010", 8), ("G", 1 << 30), ("7", 7),
])
def test_sizes(text: str, value: int) -> None:
    assert parse_xstrtoull(text) == value


@pytest.mark.parametrize(("text", "code"), [("10Q", 2), ("-1", 4), ("", 4), ("1Y", 1),
                                            ("10Mx", 2)])
def test_bad_sizes(text: str, code: int) -> None:
    with pytest.raises(SizeError) as e:
        parse_xstrtoull(text)
    assert e.value.args[0] == code
