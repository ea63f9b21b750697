"""Filesystem tools on a real appliance: ext2/3/4, XFS, NTFS, swap, sizes, availability."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import guestbox
from guestbox.api import REGISTRY

MiB = 1024 * 1024
SECTORS_PER_MIB = 2048
FIRST = 2048  # first sector of the first partition
UUID = "01234567-89ab-cdef-0123-456789abcdef"


@pytest.fixture(scope="module")
def h() -> Iterator[guestbox.GuestFS]:
    """One handle for the module: a 1 GiB scratch disk (repartitioned by each test), and
    a blank 64 MiB /dev/sdb that holds no filesystem at all."""
    g = guestbox.GuestFS()
    try:
        g.add_drive_scratch(1024 * MiB)
        g.add_drive_scratch(64 * MiB)
        g.launch()
        yield g
    finally:
        g.close()


@pytest.fixture
def fresh(h: guestbox.GuestFS) -> guestbox.GuestFS:
    """h with nothing mounted and a new, empty MBR partition table on /dev/sda."""
    h.umount_all()
    h.part_init("/dev/sda", "mbr")
    return h


def fails(pattern: str, cls: type[Exception] = guestbox.Error) -> Any:
    """pytest.raises(cls) whose message matches pattern, across lines (tools say a lot)."""
    return pytest.raises(cls, match=re.compile(pattern, re.DOTALL))


def partitions(g: guestbox.GuestFS, *sizes_mib: int) -> list[str]:
    """Primary partitions of the given sizes (MiB), one after the other, on /dev/sda."""
    start = FIRST
    for size in sizes_mib:
        g.part_add("/dev/sda", "p", start, start + size * SECTORS_PER_MIB - 1)
        start += size * SECTORS_PER_MIB
    return [f"/dev/sda{i + 1}" for i in range(len(sizes_mib))]


def resize_first_partition(g: guestbox.GuestFS, size_mib: int) -> None:
    """Make /dev/sda1 size_mib long, keeping its start (and so its content)."""
    g.part_del("/dev/sda", 1)
    g.part_add("/dev/sda", "p", FIRST, FIRST + size_mib * SECTORS_PER_MIB - 1)


def fs_bytes(g: guestbox.GuestFS, device: str) -> int:
    """The size of the ext2/3/4 filesystem on device, from its superblock."""
    sb = g.tune2fs_l(device)
    return int(sb["Block count"]) * int(sb["Block size"])


# -- ext2/3/4 ---------------------------------------------------------------------------

def test_mke2fs_options_land_in_the_superblock(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 96)
    g.mke2fs(p1, fstype="ext4", blocksize=1024, blockscount=65536, label="mylabel",
             uuid=UUID, reservedblockspercentage=2, inodesize=256, lastmounteddir="/lastdir",
             creatoros="hurd", journalsize=4, numberofinodes=4096, flexbg=True,
             hasjournal=True, lazyitableinit=False, discard=False, quotatype=True)
    sb = g.tune2fs_l(p1)
    assert sb["Filesystem volume name"] == "mylabel"
    assert sb["Filesystem UUID"] == UUID
    assert sb["Block size"] == "1024"
    assert sb["Block count"] == "65536"
    assert sb["Reserved block count"] == str(65536 * 2 // 100)
    assert sb["Inode size"] == "256"
    assert 4096 <= int(sb["Inode count"]) < 4096 * 2
    assert sb["Last mounted on"] == "/lastdir"
    assert sb["Filesystem OS type"] == "Hurd"
    features = sb["Filesystem features"].split()
    assert {"has_journal", "flex_bg", "extent"} <= set(features)
    assert g.vfs_type(p1) == "ext4" and g.vfs_label(p1) == "mylabel"

    g.mke2fs(p1, fstype="ext2", hasjournal=False, extent=False, label="")
    sb = g.tune2fs_l(p1)
    assert sb["Filesystem volume name"] == ""  # <none> becomes ""
    assert "has_journal" not in sb["Filesystem features"].split()
    assert fs_bytes(g, p1) == 96 * MiB  # blockscount left out: the whole device
    assert g.vfs_type(p1) == "ext2"
    g.mount(p1, "/")
    g.write("/hello", b"made by mke2fs")
    assert g.cat("/hello") == "made by mke2fs"


def test_mke2fs_refuses_bad_options(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 16)
    with fails("^mke2fs: xfs: not a valid extended filesystem"):
        g.mke2fs(p1, fstype="xfs")
    with fails("^mke2fs: blocksize must be >= 0$"):
        g.mke2fs(p1, blocksize=-1)
    with fails("^mke2fs: stridesize must be >= 0$"):
        g.mke2fs(p1, stridesize=-4)
    with fails("labels are limited to 16 bytes"):
        g.mke2fs(p1, label="x" * 17)
    with fails("^mke2fs: /dev/sda1: .*invalid block size - 1000"):
        g.mke2fs(p1, blocksize=1000)
    with fails("/dev/sdz9: device not found"):
        g.mke2fs(p1, journaldevice="/dev/sdz9")
    with fails("/dev/sdz", FileNotFoundError):
        g.mke2fs("/dev/sdz")
    assert g.vfs_type(p1) == ""  # nothing was made


def test_tune2fs_changes_show_in_tune2fs_l(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 32)
    g.mke2fs(p1, fstype="ext4")
    g.tune2fs(p1, force=True, maxmountcount=20, mountcount=3, errorbehavior="panic", group=5,
              intervalbetweenchecks=86400, lastmounteddirectory="/foo",
              reservedblockscount=100, user=6)
    sb = g.tune2fs_l(p1)
    assert sb["Maximum mount count"] == "20"
    assert sb["Mount count"] == "3"
    assert sb["Errors behavior"] == "Panic"
    assert sb["Reserved blocks gid"].split()[0] == "5"
    assert sb["Reserved blocks uid"].split()[0] == "6"
    assert sb["Check interval"].split()[0] == "86400"
    assert sb["Last mounted on"] == "/foo"
    assert sb["Reserved block count"] == "100"
    g.tune2fs(p1, intervalbetweenchecks=0, reservedblockspercentage=10,
              errorbehavior="remount-ro")
    sb = g.tune2fs_l(p1)
    assert sb["Check interval"].split()[0] == "0"
    assert int(sb["Reserved block count"]) == int(sb["Block count"]) // 10
    assert sb["Errors behavior"] == "Remount read-only"


def test_tune2fs_errors(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 16)
    g.mke2fs(p1, fstype="ext4")
    with fails("^tune2fs: invalid errorbehavior parameter: explode$"):
        g.tune2fs(p1, errorbehavior="explode")
    with fails("^tune2fs: maxmountcount cannot be negative$"):
        g.tune2fs(p1, maxmountcount=-1)
    with fails("^tune2fs: user cannot be negative$"):
        g.tune2fs(p1, user=-1)
    with fails("^tune2fs: /dev/sdb: .*Bad magic number"):
        g.tune2fs("/dev/sdb", maxmountcount=3)
    with fails("^tune2fs_l: tune2fs: Bad magic number"):
        g.tune2fs_l("/dev/sdb")
    assert g.tune2fs_l(p1)["Maximum mount count"] == "-1"  # the failed calls changed nothing


def test_resize2fs_follows_the_partition(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 64)
    g.mke2fs(p1, fstype="ext4", blocksize=4096)
    g.mount(p1, "/")
    data = os.urandom(3 * MiB)
    g.write("/data", data)
    g.umount_all()
    resize_first_partition(g, 160)
    assert fs_bytes(g, p1) == 64 * MiB
    g.resize2fs(p1)
    assert fs_bytes(g, p1) == 160 * MiB == g.blockdev_getsize64(p1)

    g.resize2fs_size(p1, 100 * MiB)
    assert fs_bytes(g, p1) == 100 * MiB

    minimum = g.vfs_minimum_size(p1)
    assert 3 * MiB < minimum < 100 * MiB
    g.resize2fs_M(p1)
    assert fs_bytes(g, p1) == minimum
    g.e2fsck(p1, forceall=True)
    g.mount(p1, "/")
    assert g.read_file("/data") == data
    assert g.vfs_minimum_size(p1) <= minimum  # works on a mounted filesystem too


def test_resize2fs_errors(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 32)
    g.mke2fs(p1, fstype="ext4")
    with fails("^resize2fs_size: 1000: size must be a round"):
        g.resize2fs_size(p1, 1000)
    with fails("^resize2fs_size: -1024: size must be larger"):
        g.resize2fs_size(p1, -1024)
    with fails("^resize2fs: .*Bad magic number"):
        g.resize2fs("/dev/sdb")
    g.mount(p1, "/")
    with fails("^resize2fs_M: .*On-line shrinking not supported"):
        g.resize2fs_M(p1)
    assert fs_bytes(g, p1) == 32 * MiB


def test_e2attrs_round_trip(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/f"
    g.write(f, b"attributes")
    before = g.get_e2attrs(f)
    assert before == "".join(sorted(before)) and "a" not in before
    g.set_e2attrs(f, "aA")
    assert g.get_e2attrs(f) == "".join(sorted(before + "aA"))
    g.set_e2attrs(f, "a", clear=True)
    assert g.get_e2attrs(f) == "".join(sorted(before + "A"))
    g.set_e2attrs(f, "")  # nothing to do
    g.set_e2attrs(f, "i")
    with pytest.raises(PermissionError):
        g.write(f, b"immutable")
    g.set_e2attrs(f, "iA", clear=True)
    assert g.get_e2attrs(f) == before
    g.write(f, b"writable again")


def test_e2generation_round_trip(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 16)
    g.mke2fs(p1, fstype="ext3")  # ext4's metadata_csum forbids changing generations
    g.mount(p1, "/")
    g.write("/f", b"generation")
    g.set_e2generation("/f", 123456)
    assert g.get_e2generation("/f") == 123456
    g.set_e2generation("/f", 4294967295)
    assert g.get_e2generation("/f") == 4294967295
    with fails("^set_e2generation: generation must be between"):
        g.set_e2generation("/f", -1)
    with fails("^set_e2generation: generation must be between"):
        g.set_e2generation("/f", 1 << 32)
    assert g.get_e2generation("/f") == 4294967295


def test_e2attrs_errors(g: guestbox.GuestFS, gdir: str) -> None:
    f = f"{gdir}/f"
    g.write(f, b"x")
    before = g.get_e2attrs(f)
    for attrs, message in (("R", "bad file attribute 'R'"), ("aa", "duplicate file attribute 'a'"),
                           ("a1", "unknown file attribute '1'")):
        with fails(f"^set_e2attrs: {message}$"):
            g.set_e2attrs(f, attrs)
    assert g.get_e2attrs(f) == before  # "a" of "a1" was not set
    with fails(f"^get_e2attrs: lsattr: {gdir}/missing: ", FileNotFoundError):
        g.get_e2attrs(f"{gdir}/missing")
    with fails(f"^set_e2attrs: chattr: {gdir}/missing: ", FileNotFoundError):
        g.set_e2attrs(f"{gdir}/missing", "a")
    with fails("^get_e2generation: lsattr: ", FileNotFoundError):
        g.get_e2generation(f"{gdir}/missing")
    with fails("^set_e2generation: chattr: .*Inappropriate ioctl"):
        g.set_e2generation(f, 1)  # this ext4 has metadata_csum


def test_deprecated_e2label_e2uuid(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 16)
    g.mke2fs(p1, fstype="ext4")
    g.set_e2label(p1, "e2lab")
    assert g.get_e2label(p1) == "e2lab" == g.vfs_label(p1)
    with fails("labels are limited to 16 bytes"):
        g.set_e2label(p1, "x" * 17)
    g.set_e2uuid(p1, UUID)
    assert g.get_e2uuid(p1) == UUID == g.vfs_uuid(p1)
    g.set_e2uuid(p1, "clear")
    assert g.get_e2uuid(p1) == ""
    g.set_e2uuid(p1, "random")
    assert len(g.get_e2uuid(p1)) == 36 and g.get_e2uuid(p1) != UUID
    with fails("^set_e2uuid: .*Invalid UUID format"):
        g.set_e2uuid(p1, "bogus")
    assert g.get_e2label("/dev/sdb") == "" and g.get_e2uuid("/dev/sdb") == ""
    with fails("^get_e2attrs: .*you must call 'mount' first"):
        g.get_e2attrs("/lost+found")


def test_zerofree_zeroes_freed_blocks(fresh: guestbox.GuestFS, tmp_path: Path) -> None:
    g = fresh
    (p1,) = partitions(g, 32)
    g.mke2fs(p1, fstype="ext4", blocksize=4096)
    block = (b"<guestbox zerofree marker>" * 200)[:4096]  # one filesystem block
    g.mount(p1, "/")
    g.write("/deleted", block * 256)
    g.write("/kept", b"kept")
    g.sync()  # on the disk before it is deleted (delayed allocation would skip it)
    with fails(f"^zerofree: {p1}: .*is mounted"):
        g.zerofree(p1)
    g.rm("/deleted")
    g.umount_all()
    image = tmp_path / "p1.img"
    g.download(p1, str(image))
    before = image.read_bytes()
    freed = [i for i in range(0, len(before), 4096) if before[i : i + 4096] == block]
    assert len(freed) == 256  # deleting a file leaves its data on the disk
    g.zerofree(p1)
    g.download(p1, str(image))
    after = image.read_bytes()
    assert all(after[i : i + 4096] == bytes(4096) for i in freed)
    assert block[:64] not in after
    g.e2fsck(p1, forceall=True)
    g.mount(p1, "/")
    assert g.cat("/kept") == "kept"
    with fails("^zerofree: /dev/sdb: .*failed to open filesystem"):
        g.zerofree("/dev/sdb")


# -- XFS -------------------------------------------------------------------------------------

def test_xfs_grow_admin_repair(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 320)  # mkfs.xfs wants 300 MB at least
    g.mkfs("xfs", p1)
    g.mount(p1, "/")
    g.write("/file", b"xfs data")
    info = g.xfs_info("/")
    assert info == g.xfs_info(p1)
    assert info["xfs_mntpoint"] == p1
    assert info["xfs_blocksize"] * info["xfs_datablocks"] == 320 * MiB
    assert info["xfs_logname"] == "internal" and info["xfs_rtname"] == "none"
    assert info["xfs_dirversion"] == 2 and info["xfs_agcount"] >= 1
    assert info["xfs_inodesize"] in (256, 512) and info["xfs_rtblocks"] == 0
    assert g.vfs_minimum_size(p1) == 320 * MiB  # XFS cannot shrink
    g.umount_all()

    resize_first_partition(g, 400)
    g.mount(p1, "/")
    g.xfs_growfs("/", datasec=True)
    grown = g.xfs_info("/")
    assert grown["xfs_datablocks"] > info["xfs_datablocks"]
    assert grown["xfs_blocksize"] * grown["xfs_datablocks"] == 400 * MiB
    assert g.cat("/file") == "xfs data"
    with fails(f"^xfs_admin: {p1}: .*mounted"):
        g.xfs_admin(p1, label="busy")
    with fails(f"^xfs_repair: {p1}: .*mounted"):
        g.xfs_repair(p1)
    g.umount_all()

    g.xfs_admin(p1, label="xlab", uuid=UUID)
    assert g.vfs_label(p1) == "xlab" and g.vfs_uuid(p1) == UUID
    assert g.xfs_repair(p1) == 0
    assert g.xfs_repair(p1, nomodify=True, noprefetch=True, maxmem=64) == 0
    g.mount(p1, "/")
    assert g.cat("/file") == "xfs data"


def test_xfs_repair_reports_corruption(fresh: guestbox.GuestFS, tmp_path: Path) -> None:
    g = fresh
    (p1,) = partitions(g, 320)
    g.mkfs("xfs", p1)
    info = g.xfs_info(p1)
    junk = tmp_path / "junk"
    junk.write_bytes(b"\xff" * 512)
    g.upload_offset(str(junk), p1, info["xfs_agsize"] * info["xfs_blocksize"])  # AG 1's sb
    assert g.xfs_repair(p1, nomodify=True) == 1
    assert g.xfs_repair(p1) == 0
    assert g.xfs_repair(p1, nomodify=True) == 0


def test_xfs_errors(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 320)
    g.mkfs("xfs", p1)
    with fails("^xfs_info: .*/dev/sdb is not a valid XFS"):
        g.xfs_info("/dev/sdb")
    with fails("^vfs_minimum_size: device not mounted: /dev/sda1$"):
        g.vfs_minimum_size(p1)
    with fails("^xfs_admin: .*quotes"):
        g.xfs_admin(p1, label="it's")
    with fails("^xfs_admin: .*limited to 12 bytes"):
        g.xfs_admin(p1, label="x" * 13)
    with fails("^xfs_admin: /dev/sda1: .*Cannot disable lazy"):
        g.xfs_admin(p1, lazycounter=False)  # not on XFS version 5
    with fails("^xfs_repair: maxmem must be >= 0$"):
        g.xfs_repair(p1, maxmem=-1)
    g.mount(p1, "/")
    with fails("^xfs_growfs: datasize must be >= 0$"):
        g.xfs_growfs("/", datasize=-1)
    with fails("^xfs_growfs: /: .*xfsctl failed: Invalid arg"):
        g.xfs_growfs("/", datasize=1000)
    g.umount_all()
    assert g.vfs_label(p1) == ""  # the refused calls changed nothing
    with fails("^xfs_growfs: .*you must call 'mount' first"):
        g.xfs_growfs("/")


# -- NTFS -------------------------------------------------------------------------------------

def test_ntfsresize_shrinks_after_its_content_shrank(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 96)
    g.mkfs("ntfs", p1)
    assert g.ntfs_3g_probe(True, p1) == 0 and g.ntfs_3g_probe(False, p1) == 0
    g.mount(p1, "/")
    g.write("/keep.txt", b"hello ntfs")
    g.write("/big", os.urandom(48 * MiB))
    g.umount_all()
    assert g.vfs_minimum_size(p1) > 48 * MiB
    g.mount(p1, "/")
    g.rm("/big")
    g.umount_all()
    minimum = g.vfs_minimum_size(p1)
    assert minimum < 8 * MiB

    g.ntfsresize(p1, size=40 * MiB)
    resize_first_partition(g, 40)
    g.mount(p1, "/")
    assert g.cat("/keep.txt") == "hello ntfs"
    st = g.statvfs("/")
    assert 36 * MiB < st["blocks"] * st["frsize"] <= 40 * MiB
    g.umount_all()

    # Now marked for a check by Windows: only force resizes it again (to fill the partition).
    with fails(f"^ntfsresize: {p1}: .*scheduled for check"):
        g.ntfsresize(p1)
    g.ntfsresize(p1, force=True)
    g.mount(p1, "/")
    st = g.statvfs("/")
    assert st["blocks"] * st["frsize"] > 36 * MiB
    assert g.cat("/keep.txt") == "hello ntfs"


def test_ntfs_tools_and_errors(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 64)
    g.mkfs("ntfs", p1)
    g.ntfsresize_size(p1, 32 * MiB)  # the deprecated form
    g.ntfsfix(p1)
    g.ntfsfix(p1, clearbadsectors=True)
    g.mount(p1, "/")
    st = g.statvfs("/")
    assert st["blocks"] * st["frsize"] <= 32 * MiB
    with fails("^vfs_minimum_size: .*mounted"):
        g.vfs_minimum_size(p1)
    g.umount_all()
    assert g.ntfs_3g_probe(True, "/dev/sdb") == 12  # no NTFS there
    with fails("^ntfsresize: size is zero or negative$"):
        g.ntfsresize(p1, size=0)
    with fails("^ntfsresize: /dev/sdb: .*valid NTFS"):
        g.ntfsresize("/dev/sdb")
    with fails("^ntfsfix: /dev/sdb: .*NTFS signature is missing"):
        g.ntfsfix("/dev/sdb")


def test_ntfsclone_out_and_in(fresh: guestbox.GuestFS, tmp_path: Path) -> None:
    g = fresh
    p1, p2, p3 = partitions(g, 64, 64, 16)
    g.mkfs("ntfs", p1)
    g.mount(p1, "/")
    data = os.urandom(2 * MiB)
    g.write("/data", data)
    g.umount_all()
    full, meta = tmp_path / "full.img", tmp_path / "meta.img"
    g.ntfsclone_out(p1, str(full))
    g.ntfsclone_out(p1, str(meta), metadataonly=True, preservetimestamps=True)
    assert meta.stat().st_size < 2 * MiB < full.stat().st_size
    g.ntfsclone_in(str(full), p2)
    assert g.vfs_type(p2) == "ntfs"
    g.mount(p2, "/")
    assert g.read_file("/data") == data
    g.umount_all()

    with fails("^ntfsclone_out: ntfsclone subcommand failed on "
               "device: /dev/sdb: .*NTFS signature is missing"):
        g.ntfsclone_out("/dev/sdb", str(tmp_path / "none.img"))
    with fails(f"^ntfsclone_in: .*on device: {p3}: .*too small"):
        g.ntfsclone_in(str(full), p3)
    garbage = tmp_path / "garbage"
    garbage.write_bytes(os.urandom(64 * 1024))
    with fails(f"^ntfsclone_in: ntfsclone subcommand failed on "
               f"device: {p3}: "):
        g.ntfsclone_in(str(garbage), p3)


# -- swap -------------------------------------------------------------------------------------

def test_swap_by_device_label_and_uuid(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 16)
    g.mkswap(p1, label="swlab", uuid=UUID)
    g.swapon_device(p1)
    with fails(f"^swapon_device: {p1}: .*Device or resource busy"):
        g.swapon_device(p1)  # already in use
    g.swapoff_device(p1)
    with fails(f"^swapoff_device: {p1}: .*Invalid argument"):
        g.swapoff_device(p1)  # no longer in use
    g.swapon_label("swlab")
    with fails("busy"):
        g.swapon_device(p1)
    g.swapoff_label("swlab")
    g.swapon_uuid(UUID)
    with fails("busy"):
        g.swapon_label("swlab")
    g.swapoff_uuid(UUID)
    g.swapon_device(p1)  # free again
    g.swapoff_device(p1)

    with fails("^swapon_label: nolab: .*cannot find the device"):
        g.swapon_label("nolab")
    with fails("^swapoff_uuid: 11111111-2222-3333-4444-5555555555"
               "55: .*cannot find the device"):
        g.swapoff_uuid("11111111-2222-3333-4444-555555555555")
    with fails("^swapon_device: /dev/sdb: .*read swap header"):
        g.swapon_device("/dev/sdb")
    with fails("^vfs_minimum_size: don't know how to get "
               "minimum size of 'swap' filesystems$", guestbox.GuestOSError) as e:
        g.vfs_minimum_size(p1)
    assert e.value.errno == errno.ENOTSUP


def test_swap_file(fresh: guestbox.GuestFS) -> None:
    g = fresh
    (p1,) = partitions(g, 64)
    g.mke2fs(p1, fstype="ext4")
    g.mount(p1, "/")
    g.write("/swapfile", bytes(16 * MiB))
    g.chmod(0o600, "/swapfile")
    with fails("^swapon_file: /swapfile: .*swap"):
        g.swapon_file("/swapfile")  # not made a swap file yet
    g.mkswap_file("/swapfile")
    g.swapon_file("/swapfile")
    with fails("busy"):
        g.swapon_file("/swapfile")
    g.swapoff_file("/swapfile")
    with fails("^swapoff_file: /swapfile: .*Invalid argument"):
        g.swapoff_file("/swapfile")
    with fails("^swapon_file: /missing: .*cannot open /missing"):
        g.swapon_file("/missing")
    with fails("^mkswap_file: /missing: .*No such file"):
        g.mkswap_file("/missing")
    g.umount_all()  # nothing keeps the filesystem busy


# -- sizes, caches -----------------------------------------------------------------------------

def test_vfs_minimum_size_btrfs_and_others(fresh: guestbox.GuestFS) -> None:
    g = fresh
    p1, p2 = partitions(g, 160, 32)
    g.mkfs("btrfs", p1)
    with fails("^vfs_minimum_size: device not mounted: /dev/sda1$"):
        g.vfs_minimum_size(p1)
    g.mount(p1, "/")
    assert 0 < g.vfs_minimum_size(p1) <= 160 * MiB
    g.umount_all()
    g.mkfs("vfat", p2)
    with fails("minimum size of 'vfat' filesystems", guestbox.GuestOSError):
        g.vfs_minimum_size(p2)
    with fails("minimum size of '' filesystems"):
        g.vfs_minimum_size("/dev/sdb")


def test_missing_devices_are_refused(g: guestbox.GuestFS) -> None:
    calls = [("get_e2label", ("/dev/sdz",)), ("get_e2uuid", ("/dev/sdz",)),
             ("tune2fs_l", ("/dev/sdz",)), ("zerofree", ("/dev/sdz",)),
             ("ntfs_3g_probe", (True, "/dev/sdz")), ("ntfsresize_size", ("/dev/sdz", MiB)),
             ("swapon_device", ("/dev/sdz",)), ("vfs_minimum_size", ("/dev/sdz",)),
             ("xfs_repair", ("/dev/sdz",))]
    for name, args in calls:
        with fails(f"^{name}: /dev/sdz: No such file", FileNotFoundError):
            getattr(g, name)(*args)


def test_drop_caches(g: guestbox.GuestFS) -> None:
    for what in (1, 2, 3):
        g.drop_caches(what)
    with fails("^drop_caches: /proc/sys/vm/drop_caches: Invalid"):
        g.drop_caches(0)


# -- availability -------------------------------------------------------------------------------

MY_GROUPS = ["fstrim", "linuxfsuuid", "ntfs3g", "ntfsprogs", "xfs", "zerofree"]


def test_available_groups(g: guestbox.GuestFS) -> None:
    groups = g.available_all_groups()
    assert groups == sorted({spec.group for spec in REGISTRY.values() if spec.group})
    assert set(MY_GROUPS + ["lvm2", "xz"]) <= set(groups)
    for group in MY_GROUPS + ["lvm2", "xz"]:
        assert g.feature_available([group]) is True, group
    g.available(MY_GROUPS)
    g.available([])
    assert g.feature_available([]) is True


def test_unknown_groups_are_errors(g: guestbox.GuestFS) -> None:
    with fails("^available: nonexistent: unknown group$"):
        g.available(["xfs", "nonexistent"])
    with fails("^feature_available: rsync: unknown group$"):
        g.feature_available(["rsync"])  # a libguestfs group that no operation here declares


def test_filesystem_available(g: guestbox.GuestFS) -> None:
    for fs in ("ext2", "ext4", "xfs", "btrfs", "vfat", "ntfs", "iso9660"):
        assert g.filesystem_available(fs) is True, fs
    for fs in ("nosuchfs", "zfs", ""):
        assert g.filesystem_available(fs) is False, fs
    with fails("^filesystem_available: filesystem name contains "
               "non-alphanumeric characters$"):
        g.filesystem_available("ext4/../x")
