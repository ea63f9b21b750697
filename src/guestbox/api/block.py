"""Block devices: sizes, flushing, zeroing, probing."""

# mypy: disable-error-code="empty-body"
# (the bodies of these stubs are replaced by @op)

from __future__ import annotations

import re
from typing import Any

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


def drive_name(index: int) -> str:
    """The appliance name of the drive at index: 0 -> sda, 25 -> sdz, 26 -> sdaa ..."""
    letters = ""
    index += 1
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return "sd" + letters


class BlockOps:
    """Block devices: sizes, flushing, zeroing, probing."""

    # -- listing -----------------------------------------------------------
    @op()
    def list_devices(self) -> list[str]:
        """The block devices of the guest's disks (/dev/sda, /dev/sdb, ...), in order."""
        ...

    @op()
    def list_partitions(self) -> list[str]:
        """All the partitions of all the disks (/dev/sda1, /dev/sda2, ...), in order.

        MBR extended partitions are listed too (list_filesystems leaves them out).
        """
        ...

    @op()
    def list_filesystems(self) -> dict[str, str]:
        """The filesystems of the disks, partitions, MD devices and LVs: device -> type.

        The type is what vfs_type returns ("ext4", "swap", "xfs" ...) or "unknown"
        for something that holds no recognised filesystem.  Whole disks that are
        partitioned, MBR extended partitions, PVs, RAID members and LUKS containers
        are left out.  Logical volumes are named /dev/VG/LV.  A btrfs device is
        followed by btrfsvol:DEVICE/PATH ("btrfs") for each subvolume but the
        default one (which mounting the device gives), by subvolume ID; PATH is
        from the top of the filesystem, so each entry mounts (libguestfs gives
        paths relative to the default subvolume when that is not the top).
        """
        ...

    @op(local=True)
    def list_disk_labels(self) -> dict[str, str]:
        """The labels given with add_drive_opts(label=...): label -> device (/dev/sdX)."""
        devices = self.list_devices()
        drives: list[Any] = getattr(self, "_drives", [])
        out: dict[str, str] = {}
        for i, d in enumerate(drives):
            label = getattr(d, "label", None)
            if label:
                out[label] = devices[i] if i < len(devices) else f"/dev/{drive_name(i)}"
        if not getattr(self, "python_return_dict", True):
            return list(out.items())  # type: ignore[return-value]
        return out

    @op()
    def device_index(self, device: Device) -> int:
        """The index of device among list_devices (0 for /dev/sda, 1 for /dev/sdb ...)."""
        ...

    @op(local=True)
    def canonical_device_name(self, device: str) -> str:
        """The canonical name of device: /dev/hdX and /dev/vdX become /dev/sdX.

        /dev/mapper/VG-LV and /dev/dm-N are turned into /dev/VG/LV when they are LVs.
        Other names are returned as they are.
        """
        if device.startswith("/dev/") and "/" not in device[5:] and device[5:6] != "m":
            m = re.match(r"[^d]*", device[5:])
            n = len(m.group(0)) if m else 0
            if 0 < n <= 2 and len(device) > 5 + n:
                return "/dev/sd" + device[5 + n + 1 :]
        if device.startswith(("/dev/mapper/", "/dev/dm-")):
            canon = getattr(self, "lvm_canonical_lv_name", None)
            if canon is not None:
                try:
                    return str(canon(device))
                except Exception:  # noqa: BLE001 - libguestfs hides this error too
                    return device
        return device

    @op()
    def is_whole_device(self, device: Device) -> bool:
        """True if device is a whole block device (/dev/sda), false for a partition or an LV."""
        ...

    # -- sizes and flags ---------------------------------------------------
    @op()
    def blockdev_getsize64(self, device: Device) -> int:
        """The size of device in bytes."""
        ...

    @op()
    def blockdev_getss(self, device: Device) -> int:
        """The logical sector size of device in bytes (usually 512)."""
        ...

    @op()
    def blockdev_getbsz(self, device: Device) -> int:
        """The kernel's block size for device (blockdev --getbsz), not the filesystem's."""
        ...

    @op()
    def blockdev_setbsz(self, device: Device, blocksize: int) -> None:
        """Deprecated: does nothing, as in libguestfs (blockdev --setbsz never had an effect)."""
        ...

    @op()
    def blockdev_getsz(self, device: Device) -> int:
        """The size of device in 512-byte sectors, whatever its sector size."""
        ...

    @op()
    def blockdev_getro(self, device: Device) -> bool:
        """True if the kernel's read-only flag is set on device."""
        ...

    @op()
    def blockdev_setro(self, device: Device) -> None:
        """Set the kernel's read-only flag on device."""
        ...

    @op(writes=True)
    def blockdev_setrw(self, device: Device) -> None:
        """Clear the kernel's read-only flag on device."""
        ...

    @op()
    def blockdev_setra(self, device: Device, sectors: int) -> None:
        """Set the kernel's readahead of device, in 512-byte sectors (0 or more)."""
        ...

    @op()
    def findfs_label(self, label: str) -> str:
        """The device holding the filesystem labelled label (an LV by its /dev/VG/LV name)."""
        ...

    @op()
    def findfs_uuid(self, uuid: str) -> str:
        """The device holding the filesystem whose UUID is uuid (an LV by its /dev/VG/LV
        name)."""
        ...

    @op()
    def blockdev_flushbufs(self, device: Device) -> None:
        """Flush the kernel's buffers of device."""
        ...

    @op()
    def blockdev_rereadpt(self, device: Device) -> None:
        """Make the kernel read device's partition table again."""
        ...

    # -- zeroing and trimming ----------------------------------------------
    @op(writes=True)
    def zero(self, device: Device) -> None:
        """Write zeroes over the first few blocks of device (its partition table, superblocks).

        How much is zeroed is not specified; it is not a secure wipe.  Blocks already
        zero are not written.
        """
        ...

    @op(writes=True)
    def zero_device(self, device: Device) -> None:
        """Write zeroes over the whole of device; blocks already zero are not written."""
        ...

    @op(writes=True, group="wipefs")
    def wipefs(self, device: Device) -> None:
        """Erase the filesystem, RAID and partition table signatures on device (wipefs -a).

        What is found there becomes invisible to blkid; the data itself is not
        erased (compare zero, which zeroes the first blocks).
        """
        ...

    @op(writes=True, group="blkdiscard")
    def blkdiscard(self, device: Device) -> None:
        """Discard all the blocks of device, giving the space back to the host.

        The drive must have been added with discard="enable" (or "besteffort")
        and the host must support it; otherwise this fails, or does nothing.
        """
        ...

    @op(group="blkdiscardzeroes")
    def blkdiscardzeroes(self, device: Device) -> bool:
        """True if blocks discarded with blkdiscard read back as zeroes afterwards."""
        ...

    @op(writes=True)
    def zero_free_space(self, directory: Pathname) -> None:
        """Fill the free space of the filesystem mounted (read-write) at directory with zeroes.

        A file is written in directory until the filesystem is full, synced, then
        removed: the files are untouched, and free space then compresses well and
        sparsifies (virt-sparsify).  Nothing is trimmed.
        """
        ...

    @op()
    def is_zero_device(self, device: Device) -> bool:
        """True if every byte of device is zero."""
        ...

    @op()
    def pread_device(self, device: Device, count: int, offset: int) -> bytes:
        """Read count bytes of device from offset; fewer at its end (none past it)."""
        ...

    @op(writes=True)
    def pwrite_device(self, device: Device, content: bytes, offset: int) -> int:
        """Write content to device at offset; the number of bytes written, fewer at its end.

        Writing wholly past the end is an error (ENOSPC), as for libguestfs.
        """
        ...

    @op(writes=True, group="fstrim")
    def fstrim(
        self,
        mountpoint: Pathname,
        offset: int | None = None,
        length: int | None = None,
        minimumfreeextent: int | None = None,
    ) -> None:
        """Discard the unused blocks of the filesystem mounted at mountpoint.

        offset and length (bytes) restrict the range searched; free extents smaller
        than minimumfreeextent bytes are left.  The filesystem and the disk must
        support discard.
        """
        ...

    # -- probing -----------------------------------------------------------
    @op()
    def vfs_type(self, mountable: Mountable) -> str:
        """The type of filesystem on mountable ("ext4", "swap", "vfat" ...), or "" if none."""
        ...

    @op()
    def vfs_label(self, mountable: Mountable) -> str:
        """The label of the filesystem on mountable, or "" if it has none."""
        ...

    @op()
    def vfs_uuid(self, mountable: Mountable) -> str:
        """The UUID of the filesystem on mountable, or "" if it has none."""
        ...

    @op()
    def blkid(self, device: Device) -> dict[str, str]:
        """What blkid's low-level probe finds on device: TYPE, UUID, LABEL, PART_ENTRY_* ..."""
        ...
