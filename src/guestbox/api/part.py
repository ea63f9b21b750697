"""Partition tables."""

# mypy: disable-error-code="empty-body"
# (the bodies of these stubs are replaced by @op)

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Partition, Pathname  # noqa: F401


class PartOps:
    """Partition tables."""

    @op(writes=True)
    def part_init(self, device: Device, parttype: str) -> None:
        """Create a new, empty partition table of type parttype on device.

        parttype is "msdos" (or "mbr") or "gpt" (or "efi"); parted's other types
        ("aix", "amiga"/"rdb", "bsd", "dasd", "dvh", "mac", "pc98", "sun") are
        accepted too.  Whatever was on the disk is lost.
        """
        ...

    @op(writes=True)
    def part_add(self, device: Device, prlogex: str, startsect: int, endsect: int) -> None:
        """Add a partition from sector startsect to sector endsect (both included).

        prlogex is "primary", "logical" or "extended" (or "p", "l", "e"); on GPT
        only primary partitions exist (and parted names the partition prlogex).
        A negative endsect counts back from the end of the disk: -1 is the last
        sector.
        """
        ...

    @op(writes=True)
    def part_del(self, device: Device, partnum: int) -> None:
        """Delete partition number partnum of device."""
        ...

    @op(writes=True)
    def part_disk(self, device: Device, parttype: str) -> None:
        """Make one partition covering the whole disk, on a new partition table.

        parttype is "mbr" (or "msdos") or "gpt".  As in libguestfs, the partition
        starts at sector 128 and the last 128 sectors are left free.  Whatever was
        on the disk is lost.
        """
        ...

    @op()
    def part_list(self, device: Device) -> list[Partition]:
        """The partitions of device: number, start, end (inclusive) and size, in bytes."""
        ...

    @op()
    def part_get_parttype(self, device: Device) -> str:
        """The type of device's partition table: "msdos", "gpt" (or another of parted's)."""
        ...

    @op(writes=True)
    def part_set_bootable(self, device: Device, partnum: int, bootable: bool) -> None:
        """Set or clear the bootable flag of partition partnum (the MBR active flag)."""
        ...

    @op()
    def part_get_bootable(self, device: Device, partnum: int) -> bool:
        """True if partition partnum has its bootable flag set."""
        ...

    @op(writes=True)
    def part_set_name(self, device: Device, partnum: int, name: str) -> None:
        """Set the name of partition partnum (GPT only: MBR partitions have no name)."""
        ...

    @op()
    def part_get_name(self, device: Device, partnum: int) -> str:
        """The name of partition partnum (GPT only)."""
        ...

    @op()
    def part_get_mbr_id(self, device: Device, partnum: int) -> int:
        """The MBR type byte of partition partnum (0x83 Linux, 0x07 NTFS ...). MBR only."""
        ...

    @op(writes=True)
    def part_set_mbr_id(self, device: Device, partnum: int, idbyte: int) -> None:
        """Set the MBR type byte of partition partnum. MBR only."""
        ...

    @op()
    def part_get_mbr_part_type(self, device: Device, partnum: int) -> str:
        """What partition partnum is in its MBR table: "primary", "logical" or "extended".

        Partitions of other table types (GPT) are "primary".
        """
        ...

    @op()
    def part_to_dev(self, partition: Device) -> str:
        """The whole device a partition belongs to: /dev/sda for /dev/sda1."""
        ...

    @op()
    def part_to_partnum(self, partition: Device) -> int:
        """The partition number of a partition: 1 for /dev/sda1."""
        ...
