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

    @op(writes=True)
    def part_resize(self, device: Device, partnum: int, endsect: int) -> None:
        """Move the end of partition partnum to sector endsect (included).

        A negative endsect counts back from the end of the disk, as in part_add.
        The filesystem inside is not changed: grow it after growing the partition
        (resize2fs ...), shrink it before shrinking the partition.  Unlike
        libguestfs (whose parted refuses without asking), a partition can be
        shrunk, and one that is in use can be resized.
        """
        ...

    @op()
    def part_list(self, device: Device) -> list[Partition]:
        """The partitions of device: number, start, end (inclusive) and size, in bytes.

        As parted reports them; on MBR the extended partition is listed too.
        """
        ...

    @op()
    def part_get_parttype(self, device: Device) -> str:
        """The type of device's partition table: "msdos", "gpt" (or another of parted's).

        A disk with no partition table is an error (EINVAL).
        """
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
        """The name of partition partnum (GPT only).

        Unlike libguestfs, names with spaces or colons are set and read whole.
        """
        ...

    @op()
    def part_get_mbr_id(self, device: Device, partnum: int) -> int:
        """The MBR type byte of partition partnum (0x83 Linux, 0x07 NTFS ...). MBR only.

        On a GPT disk this is an error (libguestfs returns the first bytes of the
        partition's type GUID read as a number).
        """
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

    # -- GPT ------------------------------------------------------------------------
    @op(group="gdisk")
    def part_get_gpt_type(self, device: Device, partnum: int) -> str:
        """The type GUID of GPT partition partnum, in capitals.

        Of an MBR partition: the GUID matching its MBR type (as sgdisk converts it).
        """
        ...

    @op(writes=True, group="gdisk")
    def part_set_gpt_type(self, device: Device, partnum: int, guid: str) -> None:
        """Set the type GUID of GPT partition partnum (an error if the table is not GPT).

        guid is 8-4-4-4-12 hexadecimal digits, braces allowed; see
        https://en.wikipedia.org/wiki/GUID_Partition_Table#Partition_type_GUIDs.
        Unlike libguestfs, a partition that does not exist is an error (ENOENT).
        """
        ...

    @op(group="gdisk")
    def part_get_gpt_guid(self, device: Device, partnum: int) -> str:
        """The unique GUID of GPT partition partnum, in capitals."""
        ...

    @op(writes=True, group="gdisk")
    def part_set_gpt_guid(self, device: Device, partnum: int, guid: str) -> None:
        """Set the unique GUID of GPT partition partnum (an error if the table is not GPT).

        Unlike libguestfs, a partition that does not exist is an error (ENOENT).
        """
        ...

    @op(group="gdisk")
    def part_get_gpt_attributes(self, device: Device, partnum: int) -> int:
        """The 64 attribute bits of GPT partition partnum, as a signed 64-bit number.

        Bit 0 is "required", 2 "legacy BIOS bootable", 48-63 belong to the partition
        type; bit 63 set makes the number negative.  An MBR partition has none (0).
        libguestfs 1.48 loses the high bits; these are all of them.
        """
        ...

    @op(writes=True, group="gdisk")
    def part_set_gpt_attributes(self, device: Device, partnum: int, attributes: int) -> None:
        """Set the 64 attribute bits of GPT partition partnum (an error if not GPT).

        attributes is a signed or unsigned 64-bit number.  Unlike libguestfs, a
        partition that does not exist is an error (ENOENT).
        """
        ...

    @op(group="gdisk")
    def part_get_disk_guid(self, device: Device) -> str:
        """The disk GUID of GPT-partitioned device, in capitals.

        Unlike libguestfs (which returns a new random GUID each time), a disk
        that is not GPT is an error (EINVAL).
        """
        ...

    @op(writes=True, group="gdisk")
    def part_set_disk_guid(self, device: Device, guid: str) -> None:
        """Set the disk GUID of GPT-partitioned device (an error if the table is not GPT)."""
        ...

    @op(writes=True, group="gdisk")
    def part_set_disk_guid_random(self, device: Device) -> None:
        """Set the disk GUID of GPT-partitioned device to a new random one."""
        ...

    @op(writes=True, group="gdisk")
    def part_expand_gpt(self, device: Device) -> None:
        """Move the backup GPT to the end of a disk that has grown (sgdisk -e).

        The space after the old backup table becomes usable by partitions.  Unlike
        libguestfs (which would write a new, empty GPT), a disk that is not GPT is
        an error (EINVAL).
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
