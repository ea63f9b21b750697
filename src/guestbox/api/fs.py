"""Filesystems: making, mounting, checking, labels."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class FsOps:
    """Filesystems: making, mounting, checking, labels."""

    @op(writes=True)
    def mkfs(
        self,
        fstype: str,
        device: Device,
        blocksize: int | None = None,
        features: str | None = None,
        inode: int | None = None,
        sectorsize: int | None = None,
        label: str | None = None,
    ) -> None:
        """Make a filesystem of type fstype (ext2/3/4, xfs, btrfs, vfat, ntfs, exfat) on device."""
        ...

    @op()
    def mount(self, mountable: Mountable, mountpoint: str) -> None:
        """Mount a filesystem at mountpoint inside the guest's root ("/" first)."""
        ...
