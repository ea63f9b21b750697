"""Partition tables: part_* against the real appliance, on blank scratch disks.

One handle for the module (64 MiB /dev/sda, 32 MiB /dev/sdb): each test starts
by writing the table it needs on /dev/sda.
"""

from __future__ import annotations

from collections.abc import Iterator

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
def test_part_init_empty_table(h: guestbox.GuestFS) -> None:
    h.part_init("/dev/sda", "gpt")
    assert h.part_get_parttype("/dev/sda") == "gpt"
    assert h.part_list("/dev/sda") == []
    h.part_init("/dev/sda", "mbr")
    assert h.part_get_parttype("/dev/sda") == "msdos"
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
    with pytest.raises(guestbox.Error,
                       match=r"part_list: parted print: /dev/sdb: .*unrecognised disk label"):
        h.part_list("/dev/sdb")
    with pytest.raises(guestbox.Error,
                       match=r"part_get_parttype: parted print: /dev/sdb: .*unrecognised"):
        h.part_get_parttype("/dev/sdb")


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
