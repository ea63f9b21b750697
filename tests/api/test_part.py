"""Partition tables: part_* against the real appliance, on blank scratch disks.

One handle for the module (64 MiB /dev/sda, 32 MiB /dev/sdb): each test starts
by writing the table it needs on /dev/sda.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024
SIZE = 64 * MiB
SECTORS = SIZE // 512


@pytest.fixture(scope="module")
def h() -> Iterator[guestbox.GuestFS]:
    g = guestbox.GuestFS()
    g.add_drive_scratch(SIZE)
    g.add_drive_scratch(32 * MiB)
    g.launch()
    yield g
    g.close()


def span(start: int, end: int) -> tuple[int, int, int]:
    """(part_start, part_end, part_size) in bytes of sectors start..end inclusive."""
    return start * 512, end * 512 + 511, (end - start + 1) * 512


def rows(h: guestbox.GuestFS, device: str = "/dev/sda") -> list[tuple[int, int, int, int]]:
    return [(p["part_num"], p["part_start"], p["part_end"], p["part_size"])
            for p in h.part_list(device)]


# -- part_disk -------------------------------------------------------------
@pytest.mark.parametrize("parttype, expect", [("mbr", "msdos"), ("msdos", "msdos"),
                                              ("gpt", "gpt")])
def test_part_disk(h: guestbox.GuestFS, parttype: str, expect: str) -> None:
    h.part_disk("/dev/sda", parttype)
    # As libguestfs: from sector 128 to the 128th sector from the end.
    assert rows(h) == [(1, *span(128, SECTORS - 128))]
    assert rows(h)[0][1:] == (65536, 67043839, 66978304)
    assert h.part_get_parttype("/dev/sda") == expect
    assert h.list_partitions() == ["/dev/sda1"]
    assert h.part_get_mbr_part_type("/dev/sda", 1) == "primary"


def test_part_disk_gpt_names_partition_p1(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "gpt")
    assert h.part_get_name("/dev/sda", 1) == "p1"


def test_part_disk_partition_is_usable_at_once(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    h.mkfs("ext4", "/dev/sda1", label="atonce")
    assert h.vfs_type("/dev/sda1") == "ext4"
    assert h.vfs_label("/dev/sda1") == "atonce"


# -- part_init / part_add / part_del -----------------------------------------
@pytest.mark.parametrize("parttype, expect", [("gpt", "gpt"), ("efi", "gpt"), ("mbr", "msdos"),
                                              ("msdos", "msdos")])
def test_part_init_empty_table(h: guestbox.GuestFS, parttype: str, expect: str) -> None:
    h.part_init("/dev/sda", parttype)
    assert h.part_get_parttype("/dev/sda") == expect
    assert h.part_list("/dev/sda") == []
    assert h.list_partitions() == []


def test_part_add_mbr_primary_extended_logical(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    assert h.list_partitions() == ["/dev/sda1"]
    h.part_add("/dev/sda", "extended", 4096, -1)
    h.part_add("/dev/sda", "l", 6144, 10239)
    h.part_add("/dev/sda", "logical", 12288, 20479)
    assert rows(h) == [
        (1, *span(2048, 4095)),
        (2, *span(4096, SECTORS - 1)),
        (5, *span(6144, 10239)),
        (6, *span(12288, 20479)),
    ]
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda2", "/dev/sda5", "/dev/sda6"]
    assert [h.part_get_mbr_part_type("/dev/sda", n) for n in (1, 2, 5, 6)] == \
        ["primary", "extended", "logical", "logical"]
    assert h.part_get_mbr_id("/dev/sda", 2) in (0x05, 0x0F)
    assert h.part_get_mbr_id("/dev/sda", 5) == 0x83
    # The new logical partition can be used by the very next call.
    h.mkfs("ext4", "/dev/sda6")
    assert h.vfs_type("/dev/sda6") == "ext4"


def test_part_add_gpt(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "gpt")
    h.part_add("/dev/sda", "primary", 2048, 8191)
    h.part_add("/dev/sda", "p", 8192, -34)  # the last usable sector before the backup table
    assert rows(h) == [(1, *span(2048, 8191)), (2, *span(8192, SECTORS - 34))]
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda2"]
    # parted names GPT partitions after the first word of mkpart, as in libguestfs.
    assert h.part_get_name("/dev/sda", 1) == "primary"
    assert h.part_get_mbr_part_type("/dev/sda", 2) == "primary"


def test_part_del(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "p", 4096, 8191)
    h.part_add("/dev/sda", "p", 8192, 16383)
    h.part_del("/dev/sda", 2)
    assert [r[0] for r in rows(h)] == [1, 3]
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda3"]


def test_part_add_errors(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    with pytest.raises(guestbox.Error, match=r'part_add: unknown partition type: x: this should '
                       r'be "primary", "logical" or "extended"'):
        h.part_add("/dev/sda", "x", 2048, 4095)
    with pytest.raises(guestbox.Error, match="part_add: startsect cannot be negative"):
        h.part_add("/dev/sda", "p", -5, 4095)
    # Overlapping partitions: parted's refusal, naming the device.
    h.part_add("/dev/sda", "p", 2048, 4095)
    with pytest.raises(guestbox.Error, match=r"^part_add: parted: /dev/sda: "):
        h.part_add("/dev/sda", "p", 3000, 5000)


def test_part_del_errors(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    with pytest.raises(guestbox.Error, match="part_del: partition number must be >= 1"):
        h.part_del("/dev/sda", 0)
    with pytest.raises(guestbox.Error, match=r"^part_del: parted: /dev/sda: "):
        h.part_del("/dev/sda", 3)


def test_part_init_unknown_type(h: guestbox.GuestFS) -> None:
    with pytest.raises(guestbox.Error, match='part_init: unknown partition type: common '
                       'choices are "gpt" and "msdos"'):
        h.part_init("/dev/sda", "zfs")
    with pytest.raises(guestbox.Error, match="part_init: unknown partition type"):
        h.part_init("/dev/sda", "GPT")  # as in libguestfs, names are lower case only
    with pytest.raises(guestbox.Error, match="part_disk: unknown partition type"):
        h.part_disk("/dev/sda", "nope")


# -- flags, names, ids -------------------------------------------------------
def test_bootable_round_trip(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "p", 4096, 8191)
    assert h.part_get_bootable("/dev/sda", 1) is False
    h.part_set_bootable("/dev/sda", 1, True)
    assert h.part_get_bootable("/dev/sda", 1) is True
    assert h.part_get_bootable("/dev/sda", 2) is False
    h.part_set_bootable("/dev/sda", 1, False)
    assert h.part_get_bootable("/dev/sda", 1) is False
    with pytest.raises(guestbox.Error, match="part_get_bootable: partition number 7 not found"):
        h.part_get_bootable("/dev/sda", 7)
    with pytest.raises(guestbox.Error, match="partition number must be >= 1"):
        h.part_set_bootable("/dev/sda", 0, True)


def test_name_round_trip_gpt(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "gpt")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_set_name("/dev/sda", 1, "my data: one")
    assert h.part_get_name("/dev/sda", 1) == "my data: one"
    h.part_set_name("/dev/sda", 1, "root")
    assert h.part_get_name("/dev/sda", 1) == "root"
    with pytest.raises(guestbox.Error, match="part_get_name: partition number 4 not found"):
        h.part_get_name("/dev/sda", 4)


def test_name_on_mbr_is_an_error(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    with pytest.raises(guestbox.Error, match="part_get_name: part-get-name can only be used "
                       "on GUID Partition Tables"):
        h.part_get_name("/dev/sda", 1)
    with pytest.raises(guestbox.Error, match=r"^part_set_name: parted: /dev/sda: .*name"):
        h.part_set_name("/dev/sda", 1, "x")


def test_mbr_id_round_trip(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "mbr")
    assert h.part_get_mbr_id("/dev/sda", 1) == 0x83
    h.part_set_mbr_id("/dev/sda", 1, 0x07)
    assert h.part_get_mbr_id("/dev/sda", 1) == 0x07
    h.part_set_mbr_id("/dev/sda", 1, 0xEF)
    assert h.part_get_mbr_id("/dev/sda", 1) == 0xEF
    # The partition stays usable after sfdisk rewrote the table.
    assert h.list_partitions() == ["/dev/sda1"]
    assert rows(h) == [(1, *span(128, SECTORS - 128))]
    with pytest.raises(guestbox.Error, match="part_get_mbr_id: partition number must be >= 1"):
        h.part_get_mbr_id("/dev/sda", 0)


def test_flags_change_while_a_partition_is_mounted(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 16383)
    h.part_add("/dev/sda", "p", 16384, 32767)
    h.mkfs("ext4", "/dev/sda1")
    h.mount("/dev/sda1", "/")
    try:
        h.part_set_bootable("/dev/sda", 1, True)
        assert h.part_get_bootable("/dev/sda", 1) is True
        h.part_set_mbr_id("/dev/sda", 2, 0x8E)
        assert h.part_get_mbr_id("/dev/sda", 2) == 0x8E
        assert h.list_partitions() == ["/dev/sda1", "/dev/sda2"]
        h.part_add("/dev/sda", "p", 32768, 49151)
        assert h.list_partitions() == ["/dev/sda1", "/dev/sda2", "/dev/sda3"]
        h.mkfs("ext4", "/dev/sda3")
        assert h.vfs_type("/dev/sda3") == "ext4"
    finally:
        h.umount_all()


# -- reading the table: errors -----------------------------------------------
def test_blank_disk_has_no_table(h: guestbox.GuestFS) -> None:
    # libguestfs 1.48's words, which differ between its OCaml and its C functions.
    unknown = ("parted: /dev/sdb: parted exited with status 1: Error: /dev/sdb: "
               "unrecognised disk label: Invalid argument")
    for op in (h.part_list, h.part_get_parttype):
        with pytest.raises(OSError) as info:
            op("/dev/sdb")
        assert info.value.errno == errno.EINVAL
        assert str(info.value) == f"{op.__name__}: {unknown}"
    with pytest.raises(guestbox.Error, match="^part_get_mbr_part_type: parted: /dev/sdb: parted "
                       "exited with status 1: Error: /dev/sdb: unrecognised disk label"):
        h.part_get_mbr_part_type("/dev/sdb", 1)
    with pytest.raises(guestbox.Error, match="^part_get_bootable: parted print: /dev/sdb: "
                       "Error: /dev/sdb: unrecognised disk label$"):
        h.part_get_bootable("/dev/sdb", 1)
    with pytest.raises(guestbox.Error, match="^part_get_mbr_id: sfdisk exited with status 1: "
                       "sfdisk: /dev/sdb: no partition table found$"):
        h.part_get_mbr_id("/dev/sdb", 1)


def test_device_that_does_not_exist(h: guestbox.GuestFS) -> None:
    with pytest.raises(FileNotFoundError, match="part_list: /dev/sdz: No such file or directory"):
        h.part_list("/dev/sdz")
    with pytest.raises(FileNotFoundError, match="part_disk: /dev/sdq"):
        h.part_disk("/dev/sdq", "mbr")
    with pytest.raises(guestbox.Error, match="part_to_dev: /dev/sda9"):
        h.part_to_dev("/dev/sda9")


# -- names -------------------------------------------------------------------
def test_part_to_dev_and_partnum(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "e", 4096, -1)
    h.part_add("/dev/sda", "l", 6144, 10239)
    assert h.part_to_dev("/dev/sda1") == "/dev/sda"
    assert h.part_to_dev("/dev/sda5") == "/dev/sda"
    assert h.part_to_partnum("/dev/sda1") == 1
    assert h.part_to_partnum("/dev/sda5") == 5


def test_part_to_partnum_on_a_whole_disk(h: guestbox.GuestFS) -> None:
    with pytest.raises(guestbox.Error,
                       match="^part_to_partnum: /dev/sda: device name is not a partition$"):
        h.part_to_partnum("/dev/sda")
    with pytest.raises(guestbox.Error,
                       match="^part_to_dev: /dev/sdb: device name is not a partition$"):
        h.part_to_dev("/dev/sdb")


# -- MBR partition kinds -------------------------------------------------------
def test_mbr_part_type_of_a_missing_partition(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "e", 4096, -1)
    h.part_add("/dev/sda", "l", 6144, 10239)
    assert h.part_get_mbr_part_type("/dev/sda", 5) == "logical"
    # As libguestfs: sfdisk's own words.
    with pytest.raises(guestbox.Error, match="^part_get_mbr_part_type: sfdisk exited with "
                       "status 1: sfdisk: /dev/sda: partition 3: partition is unused$"):
        h.part_get_mbr_part_type("/dev/sda", 3)
    with pytest.raises(guestbox.Error, match="part_get_mbr_part_type: .*partition 7: "
                       "partition table contains only 5 partitions"):
        h.part_get_mbr_part_type("/dev/sda", 7)
    with pytest.raises(guestbox.Error, match="^part_get_mbr_part_type: partition number must "
                       "be >= 1$"):
        h.part_get_mbr_part_type("/dev/sda", 0)


# -- GPT ---------------------------------------------------------------------------
ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
LINUX = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
LVM = "E6D6D379-F507-44C2-A23C-238F2A3DF928"
GUID1 = "01234567-89AB-CDEF-0123-456789ABCDEF"
DISK_GUID = "FEDCBA98-7654-3210-FEDC-BA9876543210"


def test_gpt_types_names_guids_and_attributes(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "gpt")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "p", 4096, 8191)
    h.part_add("/dev/sda", "p", 8192, -34)
    assert [h.part_get_gpt_type("/dev/sda", n) for n in (1, 2, 3)] == [LINUX] * 3
    assert [h.part_get_gpt_attributes("/dev/sda", n) for n in (1, 2, 3)] == [0, 0, 0]
    guids = {h.part_get_gpt_guid("/dev/sda", n) for n in (1, 2, 3)}
    assert len(guids) == 3 and all(re.fullmatch(r"[0-9A-F-]{36}", g) for g in guids)

    h.part_set_gpt_type("/dev/sda", 1, ESP.lower())  # any case in, capitals out
    h.part_set_gpt_type("/dev/sda", 3, "{" + LVM + "}")  # braces allowed, as in libguestfs
    h.part_set_name("/dev/sda", 1, "EFI system")
    h.part_set_name("/dev/sda", 3, "pv")
    h.part_set_gpt_guid("/dev/sda", 2, GUID1.lower())
    h.part_set_gpt_attributes("/dev/sda", 1, 1 | 4)  # required, legacy BIOS bootable
    h.part_set_gpt_attributes("/dev/sda", 2, (1 << 60) | (1 << 20))  # type-specific, reserved
    h.part_set_gpt_attributes("/dev/sda", 3, 1 << 63)  # bit 63: negative as an int64

    assert [h.part_get_gpt_type("/dev/sda", n) for n in (1, 2, 3)] == [ESP, LINUX, LVM]
    assert [h.part_get_name("/dev/sda", n) for n in (1, 2, 3)] == ["EFI system", "primary", "pv"]
    assert h.part_get_gpt_guid("/dev/sda", 2) == GUID1
    assert [h.part_get_gpt_attributes("/dev/sda", n) for n in (1, 2, 3)] == \
        [5, (1 << 60) | (1 << 20), -(1 << 63)]
    h.part_set_gpt_attributes("/dev/sda", 3, -(1 << 63) | 1)  # signed in, signed out
    assert h.part_get_gpt_attributes("/dev/sda", 3) == -(1 << 63) | 1
    h.part_set_gpt_attributes("/dev/sda", 3, 0)
    assert h.part_get_gpt_attributes("/dev/sda", 3) == 0
    # Nothing else moved, and the partitions are usable at once.
    assert rows(h) == [(1, *span(2048, 4095)), (2, *span(4096, 8191)),
                       (3, *span(8192, SECTORS - 34))]
    assert [h.part_get_mbr_part_type("/dev/sda", n) for n in (1, 2, 3)] == ["primary"] * 3
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda2", "/dev/sda3"]
    assert h.blkid("/dev/sda2")["PART_ENTRY_UUID"] == GUID1.lower()
    assert h.blkid("/dev/sda1")["PART_ENTRY_TYPE"] == ESP.lower()


def test_gpt_disk_guid(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "gpt")
    first = h.part_get_disk_guid("/dev/sda")
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", first)
    assert h.part_get_disk_guid("/dev/sda") == first  # read, not made up
    h.part_set_disk_guid("/dev/sda", DISK_GUID.lower())
    assert h.part_get_disk_guid("/dev/sda") == DISK_GUID
    h.part_set_disk_guid_random("/dev/sda")
    randoms = {h.part_get_disk_guid("/dev/sda")}
    h.part_set_disk_guid_random("/dev/sda")
    randoms.add(h.part_get_disk_guid("/dev/sda"))
    assert len(randoms) == 2 and DISK_GUID not in randoms
    assert h.blkid("/dev/sda")["PTUUID"].upper() in randoms
    assert rows(h) == [(1, *span(128, SECTORS - 128))]  # the partition is untouched


def test_gpt_reading_an_mbr_disk(h: guestbox.GuestFS) -> None:
    """As libguestfs: an MBR partition reads as sgdisk converts it (0x83 -> Linux data)."""
    h.part_disk("/dev/sda", "mbr")
    assert h.part_get_gpt_type("/dev/sda", 1) == LINUX
    assert h.part_get_gpt_attributes("/dev/sda", 1) == 0
    h.part_set_mbr_id("/dev/sda", 1, 0x8E)
    assert h.part_get_gpt_type("/dev/sda", 1) == LVM


def test_gpt_errors(h: guestbox.GuestFS) -> None:
    h.part_disk("/dev/sda", "gpt")
    for op, args in [(h.part_get_gpt_type, ()), (h.part_get_gpt_guid, ()),
                     (h.part_get_gpt_attributes, ()), (h.part_set_gpt_type, (LINUX,)),
                     (h.part_set_gpt_guid, (GUID1,)), (h.part_set_gpt_attributes, (1,))]:
        with pytest.raises(FileNotFoundError, match=f"^{op.__name__}: partition number 2 "
                           "not found$"):
            op("/dev/sda", 2, *args)
        with pytest.raises(guestbox.Error, match=f"^{op.__name__}: partition number must "
                           "be >= 1$"):
            op("/dev/sda", 0, *args)
    for bad in ("", "xyz", LINUX[:-1], LINUX + "0", LINUX.replace("-", "_"), "{" + LINUX,
                "8300", LINUX.replace("F", "G")):
        with pytest.raises(guestbox.Error,
                           match="^part_set_gpt_type: guid: parameter is not a valid GUID$"):
            h.part_set_gpt_type("/dev/sda", 1, bad)
        with pytest.raises(guestbox.Error, match="part_set_disk_guid: guid: parameter is not"):
            h.part_set_disk_guid("/dev/sda", bad)
    with pytest.raises(guestbox.Error, match="part_set_gpt_guid: guid: parameter is not"):
        h.part_set_gpt_guid("/dev/sda", 1, "x")
    for too_big in (1 << 64, -(1 << 63) - 1):
        with pytest.raises(guestbox.Error, match="part_set_gpt_attributes: attributes: out "
                           "of range for 64 bits"):
            h.part_set_gpt_attributes("/dev/sda", 1, too_big)
    assert h.part_get_gpt_type("/dev/sda", 1) == LINUX
    assert h.part_get_gpt_attributes("/dev/sda", 1) == 0
    with pytest.raises(guestbox.Error, match="part_get_mbr_id: /dev/sda: partition 1 has no "
                       "MBR type byte"):
        h.part_get_mbr_id("/dev/sda", 1)
    with pytest.raises(guestbox.Error, match="^part_set_mbr_id: sfdisk --part-type: sfdisk: "
                       "/dev/sda: partition 1: failed to set partition type$"):
        h.part_set_mbr_id("/dev/sda", 1, 0x83)
    with pytest.raises(FileNotFoundError, match="^part_set_name: partition number 2 not found$"):
        h.part_set_name("/dev/sda", 2, "x")


def test_gpt_changes_refused_on_other_disks(h: guestbox.GuestFS) -> None:
    """sgdisk would quietly write a new GPT on a blank disk: refused, the disk untouched."""
    h.part_disk("/dev/sda", "mbr")
    for device in ("/dev/sda", "/dev/sdb"):
        for op, args in [(h.part_set_gpt_type, (1, LINUX)), (h.part_set_gpt_guid, (1, GUID1)),
                         (h.part_set_gpt_attributes, (1, 1)), (h.part_get_disk_guid, ()),
                         (h.part_set_disk_guid, (DISK_GUID,)),
                         (h.part_set_disk_guid_random, ()), (h.part_expand_gpt, ())]:
            with pytest.raises(OSError, match=f"^{op.__name__}: {device}: not a GPT partition "
                               "table$") as info:
                op(device, *args)
            assert info.value.errno == errno.EINVAL
    assert h.part_get_parttype("/dev/sda") == "msdos"
    assert h.part_get_mbr_id("/dev/sda", 1) == 0x83
    assert h.is_zero_device("/dev/sdb")


# -- part_resize ---------------------------------------------------------------
def test_part_resize_grow_and_shrink(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "gpt")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "p", 8192, 10239)
    h.part_set_name("/dev/sda", 1, "keep me")
    h.part_set_gpt_attributes("/dev/sda", 1, 4)
    guid = h.part_get_gpt_guid("/dev/sda", 1)
    h.part_resize("/dev/sda", 1, 8191)  # grow up to the next partition
    assert rows(h)[0] == (1, *span(2048, 8191))
    h.part_resize("/dev/sda", 1, 3000)  # shrink: libguestfs's parted refuses this
    assert rows(h)[0] == (1, *span(2048, 3000))
    assert h.blockdev_getsize64("/dev/sda1") == (3000 - 2048 + 1) * 512  # the kernel knows
    h.part_resize("/dev/sda", 2, -34)  # from the end, as part_add: the last usable sector
    assert rows(h)[1] == (2, *span(8192, SECTORS - 34))
    # The entry is otherwise unchanged.
    assert h.part_get_name("/dev/sda", 1) == "keep me"
    assert h.part_get_gpt_attributes("/dev/sda", 1) == 4
    assert h.part_get_gpt_guid("/dev/sda", 1) == guid
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "e", 8192, 40959)
    h.part_add("/dev/sda", "l", 10240, 12287)
    h.part_resize("/dev/sda", 5, 20479)
    h.part_resize("/dev/sda", 1, -1 - (SECTORS - 6000))  # negative: counted from the end
    assert rows(h) == [(1, *span(2048, 5999)), (2, *span(8192, 40959)),
                       (5, *span(10240, 20479))]
    h.part_resize("/dev/sda", 5, 14000)
    assert rows(h)[2] == (5, *span(10240, 14000))
    assert h.list_partitions() == ["/dev/sda1", "/dev/sda2", "/dev/sda5"]


def test_part_resize_errors(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 4095)
    h.part_add("/dev/sda", "p", 8192, 10239)
    before = rows(h)
    with pytest.raises(guestbox.Error, match="^part_resize: partition number must be >= 1$"):
        h.part_resize("/dev/sda", 0, 5000)
    with pytest.raises(guestbox.Error, match="^part_resize: parted: /dev/sda: Error: Partition "
                       "doesn't exist.$"):
        h.part_resize("/dev/sda", 3, 5000)
    with pytest.raises(guestbox.Error, match="^part_resize: parted: /dev/sda: Error: Can't have "
                       "overlapping partitions.$"):
        h.part_resize("/dev/sda", 1, 9000)
    with pytest.raises(guestbox.Error, match="^part_resize: parted: /dev/sda: Error: The location "
                       "999999999s is outside of the device /dev/sda.$"):
        h.part_resize("/dev/sda", 2, 999999999)
    with pytest.raises(guestbox.Error, match="part_resize: parted: /dev/sda: .*end before"):
        h.part_resize("/dev/sda", 2, 100)
    with pytest.raises(guestbox.Error, match="^part_resize: parted: /dev/sdb: Error: /dev/sdb: "
                       "unrecognised disk label$"):
        h.part_resize("/dev/sdb", 1, 100)
    assert rows(h) == before


def test_part_resize_a_mounted_partition(h: guestbox.GuestFS) -> None:
    """parted -s refuses a partition in use (it would ask); resizing it works here."""
    h.part_init("/dev/sda", "mbr")
    h.part_add("/dev/sda", "p", 2048, 20479)
    h.mkfs("ext4", "/dev/sda1")
    h.mount("/dev/sda1", "/")
    try:
        h.write("/hello", b"still here")
        h.part_resize("/dev/sda", 1, 40959)
        assert rows(h) == [(1, *span(2048, 40959))]
        assert h.blockdev_getsize64("/dev/sda1") == (40959 - 2048 + 1) * 512
        assert h.read_file("/hello") == b"still here"
    finally:
        h.umount_all()
    assert h.fsck("ext4", "/dev/sda1") == 0


# -- a GPT disk across handles, grown on the host ------------------------------------
def test_gpt_kept_across_handles_then_grown(
    tmp_path: Path, launch_handle: Callable[..., guestbox.GuestFS]
) -> None:
    image = tmp_path / "disk.img"
    image.write_bytes(b"")
    os.truncate(image, SIZE)
    g1 = launch_handle(image, format="raw")
    g1.part_init("/dev/sda", "gpt")
    g1.part_add("/dev/sda", "p", 2048, 4095)
    g1.part_add("/dev/sda", "p", 4096, 65535)
    g1.part_set_gpt_type("/dev/sda", 1, ESP)
    g1.part_set_name("/dev/sda", 2, "data")
    g1.part_set_gpt_attributes("/dev/sda", 1, 1)
    g1.part_set_gpt_guid("/dev/sda", 2, GUID1)
    g1.part_set_disk_guid("/dev/sda", DISK_GUID)
    g1.mkfs("ext4", "/dev/sda2")
    g1.mount("/dev/sda2", "/")
    g1.write("/file", b"kept")
    g1.shutdown()
    g1.close()

    os.truncate(image, 2 * SIZE)  # the disk grows: the backup GPT is no longer at its end
    g2 = launch_handle(image, format="raw")

    def same_as_before(g: guestbox.GuestFS) -> None:
        assert g.part_get_disk_guid("/dev/sda") == DISK_GUID
        assert [g.part_get_gpt_type("/dev/sda", n) for n in (1, 2)] == [ESP, LINUX]
        assert g.part_get_name("/dev/sda", 2) == "data"
        assert g.part_get_gpt_attributes("/dev/sda", 1) == 1
        assert g.part_get_gpt_guid("/dev/sda", 2) == GUID1

    same_as_before(g2)
    assert g2.blockdev_getsize64("/dev/sda") == 2 * SIZE

    def last_sector() -> bytes:
        g2.download_offset("/dev/sda", str(tmp_path / "last"), 2 * SIZE - 512, 512)
        return (tmp_path / "last").read_bytes()

    assert last_sector() == bytes(512)
    g2.part_expand_gpt("/dev/sda")
    assert last_sector()[:8] == b"EFI PART"  # the backup GPT header, now at the very end
    g2.part_resize("/dev/sda", 2, -34)  # the new last usable sector
    new_end = 2 * SECTORS - 34
    assert rows(g2) == [(1, *span(2048, 4095)), (2, *span(4096, new_end))]
    same_as_before(g2)
    assert g2.fsck("ext4", "/dev/sda2") == 0
    g2.shutdown()
    g2.close()

    g3 = launch_handle(image, format="raw")
    same_as_before(g3)
    assert rows(g3) == [(1, *span(2048, 4095)), (2, *span(4096, new_end))]
    g3.mount("/dev/sda2", "/")
    assert g3.read_file("/file") == b"kept"
