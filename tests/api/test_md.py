"""md RAID: md_create, list_md_devices, md_detail, md_stat, md_stop; arrays assembled at
launch, degraded ones too; md devices in the device, partition and filesystem lists."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def mg() -> Iterator[guestbox.GuestFS]:
    """One handle for the module: three blank 32 MiB disks."""
    h = guestbox.GuestFS()
    try:
        for _ in range(3):
            h.add_drive_scratch(32 * MiB)
        h.launch()
        yield h
    finally:
        h.close()


@pytest.fixture
def clean(mg: guestbox.GuestFS) -> Iterator[guestbox.GuestFS]:
    """mg with no array running, before and after the test."""
    yield mg
    mg.umount_all()
    for md in mg.list_md_devices():
        mg.md_stop(md)


def _images(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "a.img", tmp_path / "b.img"]
    for p in paths:
        with open(p, "wb") as f:
            f.truncate(64 * MiB)
    return paths


def _stat(g: guestbox.GuestFS, md: str) -> list[tuple[str, int, str]]:
    """md_stat as (device, index, flags), in index order."""
    return sorted(((s["mdstat_device"], s["mdstat_index"], s["mdstat_flags"])
                   for s in g.md_stat(md)), key=lambda t: t[1])


def test_raid1_assembled_at_launch(tmp_path: Path,
                                   launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    a, b = _images(tmp_path)
    g = launch_handle(a, b, format="raw")
    assert g.list_md_devices() == []
    g.md_create("r1", ["/dev/sda", "/dev/sdb"])
    assert g.list_md_devices() == ["/dev/md127"]  # a named array, numbered as libguestfs's
    detail = g.md_detail("/dev/md127")
    assert (detail["level"], detail["devices"], detail["metadata"]) == ("raid1", "2", "1.2")
    assert detail["name"].endswith(":r1") and detail["devname"] == "r1"
    assert re.fullmatch(r"[0-9a-f]{8}(:[0-9a-f]{8}){3}", detail["uuid"])
    assert g.md_detail("/dev/md/r1") == detail
    assert _stat(g, "/dev/md127") == [("/dev/sda", 0, ""), ("/dev/sdb", 1, "")]
    g.part_disk("/dev/md127", "mbr")
    g.mkfs("ext4", "/dev/md127p1")
    assert g.list_devices() == ["/dev/sda", "/dev/sdb"]  # the array is not a disk
    assert g.list_partitions() == ["/dev/md127p1"]
    assert g.list_filesystems() == {"/dev/md127p1": "ext4"}  # members are left out
    g.mount("/dev/md127p1", "/")
    g.mkdir("/etc")
    g.write("/etc/motd", b"mirrored\n")
    g.shutdown()
    g.close()

    g = launch_handle(a, b, format="raw")  # assembled at launch
    assert g.list_md_devices() == ["/dev/md127"]
    assert g.md_detail("/dev/md127")["uuid"] == detail["uuid"]
    assert g.list_filesystems() == {"/dev/md127p1": "ext4"}
    g.mount_ro("/dev/md127p1", "/")
    assert g.cat("/etc/motd") == "mirrored\n"
    g.close()

    g = launch_handle(b, readonly=True, format="raw")  # one disk missing: run degraded
    assert g.list_md_devices() == ["/dev/md127"]
    assert _stat(g, "/dev/md127") == [("/dev/sda", 1, "")]  # b, second of the array
    assert g.md_detail("/dev/md127")["devices"] == "2"
    assert g.list_partitions() == ["/dev/md127p1"]
    g.mount_ro("/dev/md127p1", "/")
    assert g.cat("/etc/motd") == "mirrored\n"


def test_spare_and_stop(clean: guestbox.GuestFS) -> None:
    g = clean
    g.md_create("sp", ["/dev/sda", "/dev/sdb", "/dev/sdc"], nrdevices=2, spare=1)
    assert _stat(g, "/dev/md/sp") == [("/dev/sda", 0, ""), ("/dev/sdb", 1, ""),
                                      ("/dev/sdc", 2, "S")]
    g.mkfs("ext4", "/dev/md/sp")  # an unpartitioned array holds the filesystem itself
    md = g.list_md_devices()
    assert md == ["/dev/md127"]
    assert g.list_filesystems() == {"/dev/md127": "ext4"}
    g.md_stop("/dev/md/sp")
    assert g.list_md_devices() == []
    assert g.list_filesystems() == {}  # the members are linux_raid_member: left out
    with pytest.raises(FileNotFoundError, match="^md_stop: /dev/md/sp: No such file"):
        g.md_stop("/dev/md/sp")
    with pytest.raises(FileNotFoundError, match="^md_stat: /dev/md127: No such file"):
        g.md_stat("/dev/md127")
    g.md_create("lin", ["/dev/sda", "/dev/sdb"], level="linear")  # the disks are free again
    assert g.md_detail("/dev/md/lin")["level"] == "linear"


def test_missing_and_levels(clean: guestbox.GuestFS) -> None:
    g = clean
    g.md_create("half", ["/dev/sda"], missingbitmap=1)  # [missing, /dev/sda]
    assert _stat(g, "/dev/md/half") == [("/dev/sda", 1, "")]
    assert g.md_detail("/dev/md/half")["devices"] == "2"
    g.md_create("/dev/md5", ["/dev/sdb", "/dev/sdc"], level="raid0", chunk=64 * 1024)
    assert g.md_detail("/dev/md5")["level"] == "raid0"
    assert g.list_md_devices() == ["/dev/md5", "/dev/md127"]  # numeric order


def test_errors(clean: guestbox.GuestFS) -> None:
    g = clean
    two = ["/dev/sda", "/dev/sdb"]
    with pytest.raises(guestbox.Error, match="^md_create: unknown level parameter: raid7$"):
        g.md_create("r", two, level="raid7")
    with pytest.raises(guestbox.Error, match="^md_create: chunk size must be a multiple of "
                                             "1024 bytes$"):
        g.md_create("r", two, level="raid0", chunk=1000)
    with pytest.raises(guestbox.Error, match="^md_create: nrdevices is less than 2$"):
        g.md_create("r", two, nrdevices=1)
    with pytest.raises(guestbox.Error, match="^md_create: spare must not be negative$"):
        g.md_create("r", two, spare=-1)
    with pytest.raises(guestbox.Error, match=r"^md_create: devices \(2\) \+ bits set in "
                                             r"missingbitmap \(1\) is not equal to nrdevices "
                                             r"\(2\) \+ spare \(0\)$"):
        g.md_create("r", two, missingbitmap=4, nrdevices=2)
    with pytest.raises(FileNotFoundError, match="^md_create: /dev/sdz: No such file"):
        g.md_create("r", ["/dev/sda", "/dev/sdz"])
    with pytest.raises(guestbox.Error, match="^md_create: mdadm: r: mdadm: invalid number of "
                                             "raid devices: 0$"):
        g.md_create("r", [])
    assert g.list_md_devices() == []  # nothing was half done
    with pytest.raises(guestbox.Error, match="^md_detail: mdadm exited with status 1: mdadm: "
                                             "/dev/sda does not appear to be an md device$"):
        g.md_detail("/dev/sda")
    with pytest.raises(FileNotFoundError, match="^md_stat: sda: MD device not found$"):
        g.md_stat("/dev/sda")
    with pytest.raises(guestbox.Error, match="^md_stop: mdadm: /dev/sda does not appear to be "
                                             "an md device$"):
        g.md_stop("/dev/sda")
