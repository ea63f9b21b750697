"""Block devices: sizes, flushing, zeroing, probing."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class BlockOps:
    """Block devices: sizes, flushing, zeroing, probing."""

    @op()
    def list_devices(self) -> list[str]:
        """The block devices of the guest's disks (/dev/sda, /dev/sdb, ...), in order."""
        ...
