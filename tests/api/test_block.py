"""Block devices: listing, sizes, flags, zeroing, probing, against the real appliance.

One handle for the module: /dev/sda (64 MiB) and /dev/sdb (32 MiB, labelled
"second"), both blank at launch.  Tests write what they need on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def h() -> Iterator[guestbox.GuestFS]:
    g = guestbox.GuestFS()
    g.add_drive_scratch(64 * MiB)
    g.add_drive_scratch(32 * MiB, label="second")
    g.launch()
    yield g
    g.close()


def unmount(h: guestbox.GuestFS) -> None:
    h.umount_all()


# -- listing -------------------------------------------------------------------
def test_list_devices_and_index(h: guestbox.GuestFS) -> None:
    assert h.list_devices() == ["/dev/sda", "/dev/sdb"]
    assert h.device_index("/dev/sda") == 0
    assert h.device_index("/dev/sdb") == 1


def test_device_index_of_a_partition(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    with pytest.raises(guestbox.Error, match="^device_index: /dev/sda1: device not found$"):
        h.device_index("/dev/sda1")


def test_is_whole_device(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    assert h.is_whole_device("/dev/sda") is True
    assert h.is_whole_device("/dev/sdb") is True
    assert h.is_whole_device("/dev/sda1") is False


def test_list_disk_labels(h: guestbox.GuestFS) -> None:
    assert h.list_disk_labels() == {"second": "/dev/sdb"}


def test_list_partitions(h: guestbox.GuestFS) -> None:
    h.zero("/dev/sdb")
    h.blockdev_rereadpt("/dev/sdb")
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "e", 4096, -1)
    h.part_add("/dev/sda", "l", 6144, 10239)
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda2", "/dev/sda5"]
    h.part_disk("/dev/sdb", "gpt")
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda2", "/dev/sda5", "/dev/sdb1"]
    h.zero("/dev/sdb")
    h.blockdev_rereadpt("/dev/sdb")
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda2", "/dev/sda5"]


def test_list_filesystems(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 8191)
    h.part_add("/dev/sda", "e", 8192, -1)
    h.part_add("/dev/sda", "l", 10240, 20479)
    h.part_add("/dev/sda", "l", 22528, 40959)
    h.mkfs("ext4", "/dev/sda1")
    h.mkfs("ext4", "/dev/sda6")
    h.zero_device("/dev/sda5")
    h.zero("/dev/sdb")
    h.blockdev_rereadpt("/dev/sdb")
    h.mkfs("ext4", "/dev/sdb")
    fs = h.list_filesystems()
    # Whole partitioned disk and the extended partition are not listed; a partition
    # with nothing recognisable on it is "unknown"; a whole unpartitioned disk is listed.
    assert fs == {"/dev/sda1": "ext4", "/dev/sda5": "unknown", "/dev/sda6": "ext4",
                  "/dev/sdb": "ext4"}


def test_list_filesystems_swap(h: guestbox.GuestFS) -> None:
    if not hasattr(h, "mkswap"):
        pytest.skip("mkswap not in the operation table")
    h.part_disk("/dev/sda", "gpt")
    h.mkswap("/dev/sda1")
    assert h.list_filesystems()["/dev/sda1"] == "swap"
    assert h.vfs_type("/dev/sda1") == "swap"


def test_list_filesystems_lvm(h: guestbox.GuestFS) -> None:
    if not all(hasattr(h, n) for n in ("pvcreate", "vgcreate", "lvcreate", "vgremove")):
        pytest.skip("LVM operations not in the operation table")
    h.part_disk("/dev/sda", "mbr")
    h.zero("/dev/sda1")  # no old signature for pvcreate to ask about
    h.pvcreate("/dev/sda1")
    h.vgcreate("VGB", ["/dev/sda1"])
    try:
        h.lvcreate("LV1", "VGB", 8)
        h.lvcreate("LV2", "VGB", 8)
        h.mkfs("ext4", "/dev/VGB/LV1")
        fs = h.list_filesystems()
        assert fs["/dev/VGB/LV1"] == "ext4"
        assert fs["/dev/VGB/LV2"] == "unknown"
        assert "/dev/sda1" not in fs  # a PV (LVM2_member) holds no filesystem
    finally:
        h.vgremove("VGB")


# -- sizes and flags -----------------------------------------------------------
def test_sizes(h: guestbox.GuestFS) -> None:
    assert h.blockdev_getsize64("/dev/sda") == 64 * MiB
    assert h.blockdev_getsize64("/dev/sdb") == 32 * MiB
    assert h.blockdev_getsz("/dev/sda") == 64 * MiB // 512
    assert h.blockdev_getss("/dev/sda") == 512
    assert h.blockdev_getbsz("/dev/sda") in (512, 1024, 2048, 4096)
    h.part_disk("/dev/sda", "mbr")
    assert h.blockdev_getsize64("/dev/sda1") == (64 * MiB // 512 - 255) * 512


def test_setbsz_is_a_no_op(h: guestbox.GuestFS) -> None:
    before = h.blockdev_getbsz("/dev/sdb")
    h.blockdev_setbsz("/dev/sdb", 1024)
    assert h.blockdev_getbsz("/dev/sdb") == before


def test_ro_round_trip(h: guestbox.GuestFS) -> None:
    h.mkfs("ext4", "/dev/sdb")  # something for zero and zero_device to write over
    assert h.blockdev_getro("/dev/sdb") is False
    h.blockdev_setro("/dev/sdb")
    try:
        assert h.blockdev_getro("/dev/sdb") is True
        with pytest.raises(guestbox.Error, match="^zero: /dev/sdb: "):
            h.zero("/dev/sdb")
        with pytest.raises(guestbox.Error, match="^zero_device: /dev/sdb: "):
            h.zero_device("/dev/sdb")
    finally:
        h.blockdev_setrw("/dev/sdb")
    assert h.blockdev_getro("/dev/sdb") is False


def test_flushbufs_and_rereadpt(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    h.blockdev_flushbufs("/dev/sda")
    h.blockdev_rereadpt("/dev/sda")
    assert h.list_partitions() == ["/dev/sda1"]


def test_nonexistent_device(h: guestbox.GuestFS) -> None:
    with pytest.raises(FileNotFoundError,
                       match="^blockdev_getsize64: /dev/sdz: No such file or directory$"):
        h.blockdev_getsize64("/dev/sdz")
    with pytest.raises(FileNotFoundError, match="vfs_type: /dev/sdq1"):
        h.vfs_type("/dev/sdq1")
    with pytest.raises(guestbox.Error, match="blkid: /tmp"):
        h.blkid("/tmp")


# -- zeroing -------------------------------------------------------------------
def test_zero_device_and_is_zero_device(h: guestbox.GuestFS) -> None:
    h.zero_device("/dev/sdb")
    assert h.is_zero_device("/dev/sdb") is True
    h.mkfs("ext4", "/dev/sdb")
    assert h.is_zero_device("/dev/sdb") is False
    h.zero_device("/dev/sdb")
    assert h.is_zero_device("/dev/sdb") is True
    assert h.vfs_type("/dev/sdb") == ""


def test_zero_removes_filesystem_and_table(h: guestbox.GuestFS) -> None:
    h.zero_device("/dev/sdb")
    h.mkfs("ext4", "/dev/sdb", label="gone")
    assert h.vfs_type("/dev/sdb") == "ext4"
    h.zero("/dev/sdb")
    assert h.vfs_type("/dev/sdb") == ""
    assert h.vfs_label("/dev/sdb") == ""
    h.part_disk("/dev/sdb", "mbr")
    h.zero("/dev/sdb")
    with pytest.raises(guestbox.Error, match="unrecognised disk label"):
        h.part_list("/dev/sdb")
    h.blockdev_rereadpt("/dev/sdb")


def test_wipefs_hides_the_filesystem(h: guestbox.GuestFS) -> None:
    h.zero_device("/dev/sdb")
    h.mkfs("ext4", "/dev/sdb", label="wiped")
    h.wipefs("/dev/sdb")
    assert h.vfs_type("/dev/sdb") == ""
    assert h.is_zero_device("/dev/sdb") is False  # only the signatures are gone
    h.part_disk("/dev/sdb", "gpt")
    h.wipefs("/dev/sdb")
    with pytest.raises(guestbox.Error, match="unrecognised disk label"):
        h.part_list("/dev/sdb")
    with pytest.raises(FileNotFoundError, match="^wipefs: /dev/sdz: No such file"):
        h.wipefs("/dev/sdz")


def test_blkdiscard(tmp_path: Path) -> None:
    """On a drive added with discard="enable" the blocks go back to the host: the image
    file loses them and they read back as zeroes."""
    img = tmp_path / "discard.img"
    with open(img, "wb") as f:
        f.truncate(16 * MiB)
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(img), format="raw", discard="enable")
        g.launch()
        g.pwrite_device("/dev/sda", b"data" * 262144, 4 * MiB)
        g.sync()
        assert img.stat().st_blocks * 512 >= MiB
        g.blkdiscard("/dev/sda")
        g.sync()
        assert g.is_zero_device("/dev/sda") is True
        assert isinstance(g.blkdiscardzeroes("/dev/sda"), bool)
        with pytest.raises(FileNotFoundError, match="^blkdiscard: /dev/sdz: No such file"):
            g.blkdiscard("/dev/sdz")
    assert img.stat().st_blocks * 512 < MiB


def test_zero_free_space(h: guestbox.GuestFS) -> None:
    """The blocks of a deleted file are zeroed; files stay, nothing is left behind."""
    h.zero_device("/dev/sdb")
    h.mkfs("ext4", "/dev/sdb")
    h.mount("/dev/sdb", "/")
    try:
        h.write("/keep", b"kept\n")
        h.fill_pattern("DELETED!", 8 * MiB, "/gone")
        h.sync()
        h.rm("/gone")
        h.zero_free_space("/")
        assert sorted(h.ls("/")) == ["keep", "lost+found"]
        assert h.cat("/keep") == "kept\n"
        with pytest.raises(FileNotFoundError, match="^zero_free_space: .*/nowhere"):
            h.zero_free_space("/nowhere")
    finally:
        unmount(h)
    assert b"DELETED!" not in h.pread_device("/dev/sdb", 32 * MiB, 0)


# -- probing -------------------------------------------------------------------
def test_vfs_type_label_uuid(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    h.mkfs("ext4", "/dev/sda1", label="BOOTFS")
    assert h.vfs_type("/dev/sda1") == "ext4"
    assert h.vfs_label("/dev/sda1") == "BOOTFS"
    uuid = h.vfs_uuid("/dev/sda1")
    assert UUID.match(uuid), uuid
    # A new filesystem gets a new UUID.
    h.mkfs("ext4", "/dev/sda1")
    assert h.vfs_uuid("/dev/sda1") != uuid
    assert h.vfs_label("/dev/sda1") == ""


def test_vfs_of_nothing_is_empty(h: guestbox.GuestFS) -> None:
    h.zero_device("/dev/sdb")
    assert h.vfs_type("/dev/sdb") == ""
    assert h.vfs_label("/dev/sdb") == ""
    assert h.vfs_uuid("/dev/sdb") == ""


def test_blkid(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    h.mkfs("ext4", "/dev/sda1", label="BK")
    info = h.blkid("/dev/sda1")
    assert info["TYPE"] == "ext4"
    assert info["LABEL"] == "BK"
    assert info["UUID"] == h.vfs_uuid("/dev/sda1")
    assert info["USAGE"] == "filesystem"
    assert info["PART_ENTRY_SCHEME"] == "dos"
    assert info["PART_ENTRY_NUMBER"] == "1"
    assert info["PART_ENTRY_OFFSET"] == "128"


def test_blkid_label_with_space(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    h.mkfs("ext4", "/dev/sda1", label="my disk")
    assert h.blkid("/dev/sda1")["LABEL"] == "my disk"
    assert h.vfs_label("/dev/sda1") == "my disk"


# -- canonical names (done by the library) ------------------------------------------
@pytest.mark.parametrize("name, canon", [
    ("/dev/sda", "/dev/sda"), ("/dev/sdb1", "/dev/sdb1"), ("/dev/vda", "/dev/sda"),
    ("/dev/hdb2", "/dev/sdb2"), ("/dev/xvdc3", "/dev/sdc3"), ("/dev/md0", "/dev/md0"),
    ("/dev/VG/LV", "/dev/VG/LV"), ("/dev/sr0", "/dev/sr0"),
])
def test_canonical_device_name(h: guestbox.GuestFS, name: str, canon: str) -> None:
    assert h.canonical_device_name(name) == canon


# -- fstrim (last: it mounts) ------------------------------------------------------
def test_fstrim(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    h.mkfs("ext4", "/dev/sda1")
    with pytest.raises(guestbox.Error, match="fstrim: .*mount"):
        h.fstrim("/")
    h.mount("/dev/sda1", "/")
    try:
        h.fstrim("/")
        h.fstrim("/", offset=0, length=8 * MiB, minimumfreeextent=4096)
        with pytest.raises(guestbox.Error, match="^fstrim: offset < 0$"):
            h.fstrim("/", offset=-1)
        with pytest.raises(guestbox.Error, match="^fstrim: length <= 0$"):
            h.fstrim("/", length=0)
        with pytest.raises(guestbox.Error, match="^fstrim: minimumfreeextent <= 0$"):
            h.fstrim("/", minimumfreeextent=0)
    finally:
        unmount(h)


def test_pread_and_pwrite_device(h: guestbox.GuestFS) -> None:
    h.zero_device("/dev/sdb")
    assert h.pwrite_device("/dev/sdb", b"1234", 0x1B8) == 4
    assert h.pread_device("/dev/sdb", 8, 0x1B6) == b"\0\x001234\0\0"
    size = h.blockdev_getsize64("/dev/sdb")
    assert h.pwrite_device("/dev/sdb", b"tail", size - 2) == 2  # cut at the end
    assert h.pread_device("/dev/sdb", 10, size - 2) == b"ta"
    assert h.pread_device("/dev/sdb", 10, size + 10) == b""
    big = bytes(range(256)) * 4096  # 1 MiB: through the mailbox both ways
    assert h.pwrite_device("/dev/sdb", big, MiB) == len(big)
    assert h.pread_device("/dev/sdb", len(big), MiB) == big


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h: h.pread_device("/dev/sdb", -1, 0), "pread_device: count is negative"),
        (lambda h: h.pread_device("/dev/sdb", 1, -1), "pread_device: offset is negative"),
        (lambda h: h.pwrite_device("/dev/sdb", b"x", -1), "pwrite_device: offset is negative"),
        (lambda h: h.pwrite_device("/dev/sdb", b"x", 1 << 40),
         "pwrite_device: pwrite: /dev/sdb: No space left on device"),
        (lambda h: h.pread_device("/dev/sdz", 1, 0), "pread_device: /dev/sdz: No such file"),
    ],
)
def test_pread_pwrite_device_errors(
    h: guestbox.GuestFS, call: Callable[[guestbox.GuestFS], object], message: str
) -> None:
    with pytest.raises(guestbox.Error, match=message):
        call(h)


def test_hd_and_vd_names_mean_the_sd_disk(h: guestbox.GuestFS) -> None:
    """As in libguestfs; the appliance's own /dev/vda (the mailbox) is never reachable."""
    h.pwrite_device("/dev/sdb", b"marker", 4096)
    for name in ("/dev/vdb", "/dev/hdb"):
        assert h.pread_device(name, 6, 4096) == b"marker"
        assert h.blockdev_getsize64(name) == h.blockdev_getsize64("/dev/sdb")
    assert h.blockdev_getsize64("/dev/vda") == h.blockdev_getsize64("/dev/sda")
    with pytest.raises(FileNotFoundError, match="/dev/vdz"):
        h.blockdev_getsize64("/dev/vdz")


def test_findfs_label_and_uuid(h: guestbox.GuestFS) -> None:
    """libguestfs 1.48's answers and error texts (run side by side)."""
    h.part_disk("/dev/sdb", "mbr")
    h.mkfs("ext4", "/dev/sdb1", label="FINDME")
    h.set_uuid("/dev/sdb1", "01234567-0123-0123-0123-012345678901")
    h.part_disk("/dev/sda", "mbr")
    h.zero("/dev/sda1")
    h.pvcreate("/dev/sda1")
    h.vgcreate("VGF", ["/dev/sda1"])
    try:
        h.lvcreate("LVF", "VGF", 8)
        h.mkfs("ext2", "/dev/VGF/LVF", label="INLV")
        assert h.findfs_label("FINDME") == "/dev/sdb1"
        assert h.findfs_uuid("01234567-0123-0123-0123-012345678901") == "/dev/sdb1"
        assert h.findfs_label("INLV") == "/dev/VGF/LVF"  # not /dev/mapper/VGF-LVF
        for call, arg, tag in [(h.findfs_label, "NOPE", "LABEL"), (h.findfs_uuid, "nope", "UUID"),
                               (h.findfs_label, "", "LABEL")]:
            with pytest.raises(guestbox.Error) as e:
                call(arg)
            assert str(e.value).endswith(f": findfs exited with status 1: findfs: unable to "
                                         f"resolve '{tag}={arg}'")
    finally:
        h.vgremove("VGF")


def test_blockdev_setra(h: guestbox.GuestFS) -> None:
    """There is no blockdev_getra (nor in libguestfs): setting works or fails clearly."""
    for sectors in (512, 0):
        h.blockdev_setra("/dev/sda", sectors)
    with pytest.raises(guestbox.Error, match="^blockdev_setra: readahead sectors must be >= 0$"):
        h.blockdev_setra("/dev/sda", -1)
    with pytest.raises(guestbox.Error, match="^blockdev_setra: /dev/sdz: No such"):
        h.blockdev_setra("/dev/sdz", 8)
