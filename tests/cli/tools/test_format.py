"""`guestbox format` (virt-format) on disks that held partitions, LVM and files: what was
there is gone, and the layout the options ask for is there."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox

from .disktools import MiB, allocated, digest, opened, run

WARNING = "IMPORTANT NOTE: This program ERASES ALL DATA on disks."


@pytest.fixture(scope="module")
def used(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """used.img (raw, 64 MiB): MBR, p1 ext4 with files, p2 a PV of VG old (LV data)."""
    path = tmp_path_factory.mktemp("format") / "used.img"
    g = guestbox.GuestFS()
    try:
        g.disk_create(str(path), "raw", 64 * MiB)
        g.add_drive_opts(str(path), format="raw")
        g.launch()
        g.part_init("/dev/sda", "mbr")
        g.part_add("/dev/sda", "p", 2048, 63487)
        g.part_add("/dev/sda", "p", 63488, 129023)
        g.mkfs("ext4", "/dev/sda1")
        g.mount("/dev/sda1", "/")
        g.write("/old-file", b"old data\n")
        g.fill_pattern("old data", 4 * MiB, "/old-big")
        g.umount_all()
        g.pvcreate("/dev/sda2")
        g.vgcreate("old", ["/dev/sda2"])
        g.lvcreate("data", "old", 16)
        g.shutdown()
    finally:
        g.close()
    yield path


def copy(src: Path, dest: Path) -> Path:
    subprocess.run(["cp", "--sparse=always", str(src), str(dest)], check=True)
    return dest


def test_lvm_and_filesystem(used: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    disk = copy(used, tmp_path / "disk.img")
    assert run(capsys, "format", "-a", str(disk), "--filesystem=ext4", "--lvm=/dev/myvg/mylv",
               "--label=DATA") == (0, "", "")
    with opened(disk) as g:
        assert g.list_partitions() == ["/dev/sda1"]
        assert g.part_get_parttype("/dev/sda") == "msdos"
        assert g.part_get_mbr_id("/dev/sda", 1) == 0x8E
        assert (g.vgs(), g.lvs()) == (["myvg"], ["/dev/myvg/mylv"])
        assert g.list_filesystems() == {"/dev/myvg/mylv": "ext4"}
        assert g.vfs_label("/dev/myvg/mylv") == "DATA"
        g.mount_ro("/dev/myvg/mylv", "/")
        assert g.ls("/") == ["lost+found"]


def test_two_disks_gpt_vfat(used: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    disks = [copy(used, tmp_path / f"d{i}.img") for i in range(2)]
    status, _, _ = run(capsys, "format", "--format=raw", "-a", str(disks[0]), "-a",
                       str(disks[1]), "--partition=gpt", "--filesystem=vfat", "--label=USB")
    assert status == 0
    with opened(*disks) as g:
        assert g.vgs() == []
        for dev in ("/dev/sda", "/dev/sdb"):
            assert g.part_get_parttype(dev) == "gpt"
            assert [p["part_num"] for p in g.part_list(dev)] == [1]
            assert (g.vfs_type(f"{dev}1"), g.vfs_label(f"{dev}1")) == ("vfat", "USB")


def test_wipe_without_partition(used: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """--partition=none --wipe, no filesystem: every byte zero, the blocks given back."""
    disk = copy(used, tmp_path / "disk.img")
    assert allocated(disk) > 4 * MiB
    assert run(capsys, "format", "-a", str(disk), "--partition=none", "--wipe") == (0, "", "")
    with open(disk, "rb") as f:
        while chunk := f.read(4 * MiB):
            assert chunk.count(0) == len(chunk)
    assert allocated(disk) < MiB


@pytest.mark.parametrize(("argv", "message"), [
    ([], "virt-format: error: you must specify at least one -a option.\n"
     f"Try ‘guestbox format --help’ for more information.\n{WARNING}\n"),
    (["-a", "DISK", "extra"], "virt-format: error: extra argument ‘extra’ on command line.\n"
     "Make sure to specify the argument for --format, --lvm or --partition like "
     f"'--format=extra'.\nTry ‘guestbox format --help’ for more information.\n{WARNING}\n"),
    (["-a", "DISK", "--lvm=oops"], "virt-format: cannot parse --lvm option (oops)\n"),
    (["-a", "DISK", "--lvm=/dev/a/b/c"], "virt-format: cannot parse --lvm option (a/b/c)\n"),
    (["-a", "DISK", "--lvm", "--lvm=vg/lv"],
     "virt-format: --lvm option cannot be given multiple times\n"),
    (["-a", "DISK", "--filesystem=--lvm"], "virt-format: no filesystem was specified\n"),
    (["-a", "DISK", "--partition=zz"], 'libguestfs: error: part_disk: unknown partition '
     'type: common choices are "gpt" and "msdos"\n'),
    (["-a", "/nonexistent.img"],
     "virt-format: access: /nonexistent.img: No such file or directory\n"),
])
def test_usage_errors(argv: list[str], message: str, used: Path,
                      capsys: pytest.CaptureFixture[str]) -> None:
    """Refused before anything is opened: the disk is not touched."""
    before = digest(used)
    argv = [str(used) if a == "DISK" else a for a in argv]
    assert run(capsys, "format", *argv) == (1, "", message)
    assert digest(used) == before


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "format", "-V")
    assert status == 0 and out.startswith("virt-format ") and out.endswith(" (guestbox)\n")

