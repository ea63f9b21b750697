"""Registering btrfs devices with the kernel, which udev does elsewhere (there is none here).

A btrfs spanning several devices mounts only once the kernel knows all of them.
"""

from __future__ import annotations

import fcntl
import os

BTRFS_IOC_SCAN_DEV = 0x50009404  # _IOW(0x94, 4, struct btrfs_ioctl_vol_args) (4096 bytes)
SUPER_MAGIC_OFFSET = 0x10000 + 0x40  # the primary superblock is at 64 KiB
SUPER_MAGIC = b"_BHRfS_M"


def has_btrfs_magic(device: str) -> bool:
    """True if device starts like a btrfs member (its primary superblock's magic)."""
    try:
        with open(device, "rb") as f:
            f.seek(SUPER_MAGIC_OFFSET)
            return f.read(len(SUPER_MAGIC)) == SUPER_MAGIC
    except OSError:
        return False


def scan_devices() -> None:
    """Make every btrfs device among the block devices known to the kernel.

    Cheap (one small read per device, an ioctl per btrfs device, no process), so the
    host's launch calls it; a multi-device filesystem mounts only once all its
    devices are known.  Transfer and mailbox disks (vdX) hold no guest data.
    """
    names = [n for n in os.listdir("/sys/class/block")
             if not n.startswith(("vd", "loop", "ram", "sr"))]
    found = [f"/dev/{n}" for n in sorted(names) if has_btrfs_magic(f"/dev/{n}")]
    if not found:
        return
    try:
        ctl = os.open("/dev/btrfs-control", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return
    try:
        for dev in found:
            args = bytearray(4096)  # struct btrfs_ioctl_vol_args: __s64 fd; char name[4088]
            name = dev.encode()[:4087]
            args[8 : 8 + len(name)] = name
            try:
                fcntl.ioctl(ctl, BTRFS_IOC_SCAN_DEV, args)
            except OSError:
                pass  # not a valid btrfs device after all
    finally:
        os.close(ctl)
