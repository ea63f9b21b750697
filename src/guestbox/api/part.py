"""Partition tables."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class PartOps:
    """Partition tables."""

    @op(writes=True)
    def part_disk(self, device: Device, parttype: str) -> None:
        """Make one partition covering the whole disk, on a new partition table.

        parttype is "mbr" (or "msdos") or "gpt".  Whatever was on the disk is lost.
        """
        ...
