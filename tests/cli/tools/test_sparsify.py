"""`guestbox sparsify` (virt-sparsify) on a raw image whose free space still holds the data
of a deleted file and of a removed LV: the copy, and the image sparsified in place, take
measurably fewer host blocks, with every file the same (checksums through the API)."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import guestbox

from .disktools import (
    MiB,
    allocated,
    checksums,
    digest,
    fill,
    killed,
    opened,
    run,
    unstamped,
)

DELETED = 88 * MiB  # a 64 MiB file deleted in /dev/sda1, a 24 MiB LV removed from vg


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """disk.img (raw, 192 MiB, MBR): p1 ext4 (files), p2 a PV of vg with LV keep (ext4,
    files) and free space, p3 swap; what it holds, to compare with."""
    path = tmp_path_factory.mktemp("sparsify") / "disk.img"
    g = guestbox.GuestFS()
    try:
        g.disk_create(str(path), "raw", 192 * MiB)
        g.add_drive_opts(str(path), format="raw")
        g.launch()
        g.part_init("/dev/sda", "mbr")
        for start, end in ((2048, 249855), (249856, 354303), (354304, 387071)):
            g.part_add("/dev/sda", "p", start, end)
        g.mkfs("ext4", "/dev/sda1")
        g.mkswap("/dev/sda3", label="sw")
        g.pvcreate("/dev/sda2")
        g.vgcreate("vg", ["/dev/sda2"])
        g.lvcreate("keep", "vg", 16)
        g.lvcreate("gone", "vg", 24)
        g.mkfs("ext4", "/dev/vg/keep")
        g.pwrite_device("/dev/vg/gone", b"removed!" * (3 * MiB), 0)
        g.lvremove("/dev/vg/gone")
        for dev, seed in (("/dev/sda1", 5), ("/dev/vg/keep", 6)):
            g.mount(dev, "/")
            fill(g, "/", seed)
            g.umount_all()
        g.mount("/dev/sda1", "/")
        g.fill_pattern("deleted!", 64 * MiB, "/big")
        g.sync()
        g.rm("/big")
        g.umount_all()
        info = {"path": path,
                "sums": {dev: checksums(g, dev) for dev in ("/dev/sda1", "/dev/vg/keep")},
                "swap": (g.vfs_label("/dev/sda3"), g.vfs_uuid("/dev/sda3"))}
        g.shutdown()
    finally:
        g.close()
    yield info


def same_content(image: Path, source: dict[str, Any], fmt: str = "raw") -> None:
    with opened(image, fmt=fmt) as g:
        assert {dev: checksums(g, dev) for dev in source["sums"]} == source["sums"]
        assert (g.vfs_label("/dev/sda3"), g.vfs_uuid("/dev/sda3")) == source["swap"]


def test_copying_mode(source: dict[str, Any], tmp_path: Path,
                      capsys: pytest.CaptureFixture[str]) -> None:
    src, out = source["path"], tmp_path / "sparse.img"
    before = digest(src)
    status, stdout, stderr = run(capsys, "sparsify", "--tmp", str(tmp_path), str(src),
                                 str(out))
    assert (status, stderr) == (0, "")
    assert unstamped(stdout) == (
        f"[] Create overlay file in {tmp_path} to protect source disk\n"
        "[] Examine source disk\n"
        "[] Fill free space in /dev/sda1 with zero\n"
        "[] Clearing Linux swap on /dev/sda3\n"
        "[] Fill free space in /dev/vg/keep with zero\n"
        "[] Fill free space in volgroup vg with zero\n"
        "[] Copy to destination and make sparse\n"
        "[] Sparsify operation completed with no errors.\n"
        "virt-sparsify: Before deleting the old disk, carefully check that the target disk "
        "boots and works correctly.\n")
    assert digest(src) == before  # the input is never written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sparse.img"]  # no overlay left
    assert out.stat().st_size == src.stat().st_size
    assert allocated(out) < allocated(src) - DELETED + 4 * MiB
    same_content(out, source)


def test_in_place(source: dict[str, Any], tmp_path: Path,
                  capsys: pytest.CaptureFixture[str]) -> None:
    disk = tmp_path / "disk.img"
    subprocess.run(["cp", "--sparse=always", str(source["path"]), str(disk)], check=True)
    before = allocated(disk)
    status, stdout, stderr = run(capsys, "sparsify", "--in-place", str(disk))
    assert (status, stderr) == (0, "")
    assert unstamped(stdout) == (
        "[] Trimming /dev/sda1\n"
        "[] Clearing Linux swap on /dev/sda3\n"
        "[] Trimming /dev/vg/keep\n"
        "[] Discard space in volgroup vg\n"
        "[] Sparsify in-place operation completed with no errors\n")
    assert allocated(disk) < before - DELETED + 4 * MiB
    same_content(disk, source)


def test_convert_compress_ignore(source: dict[str, Any], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """--convert qcow2 --compress, --ignore a filesystem and the volume group, -q."""
    out = tmp_path / "out.qcow2"
    status, stdout, _ = run(capsys, "sparsify", "-q", "--convert", "qcow2", "--compress",
                            "--ignore", "/dev/sda1", "--ignore", "vg", "--tmp", str(tmp_path),
                            str(source["path"]), str(out))
    assert (status, stdout) == (0, "")
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(out)],
                                     capture_output=True, check=True).stdout)
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == source["path"].stat().st_size
    same_content(out, source, fmt="qcow2")


def test_killed_leaves_nothing(source: dict[str, Any], tmp_path: Path) -> None:
    """SIGTERM once the overlay is made: no overlay and no output left."""
    out = tmp_path / "out.img"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    status = killed(["sparsify", "--tmp", str(tmp), str(source["path"]), str(out)],
                    lambda: any(tmp.glob("sparsify*.qcow2")))
    assert status == 128 + signal.SIGTERM
    assert list(tmp.iterdir()) == [] and not out.exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["a.img"], "usage: virt-sparsify [--options] indisk outdisk"),
    (["a.img", "a.img"], "you cannot use the same disk image for input and output"),
    (["a.img", "/dev/null"], "output ‘/dev/null’ cannot be a character device, it must be a "
     "regular file"),
    (["--in-place", "a", "b"], "usage: virt-sparsify --in-place [--options] indisk"),
    (["--in-place", "--compress", "a"],
     "you cannot use --in-place and --compress options together"),
    (["--in-place", "--convert", "qcow2", "a"],
     "you cannot use --in-place and --convert options together"),
    (["--check-tmpdir", "maybe", "a", "b"], "--check-tmpdir: unknown argument ‘maybe’"),
    (["--format", "raw", "--compress", "a", "b"],
     "--compress cannot be used for raw output.  Remove this option or use --convert qcow2."),
    (["--format", "raw", "--tmp", "/nonexistent", "a", "b"],
     "--tmp parameter must point to a directory, block device or prebuilt file"),
])
def test_usage_errors(argv: list[str], message: str,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "sparsify", *argv) == (
        1, "", f"virt-sparsify: error: {message}\n\nIf reporting bugs, run virt-sparsify with "
        "debugging enabled and include the complete output:\n\n  virt-sparsify -v -x [...]\n")


def test_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, stderr = run(capsys, "sparsify", str(tmp_path / "no.img"),
                            str(tmp_path / "out.img"))
    assert status == 1
    assert stderr.startswith(f"virt-sparsify: error: libguestfs error: disk_format: "
                             f"{tmp_path / 'no.img'}: No such file or directory\n")
    assert list(tmp_path.iterdir()) == []
