# mypy: disable-error-code="empty-body"
"""Linux software RAID (md): create, inspect, stop arrays.

Arrays on the guest's disks are assembled at launch, degraded ones included.
"""

from __future__ import annotations

from .table import op
from .types import Device, MDStat


class MdOps:
    """Linux software RAID (md): create, inspect, stop arrays."""

    @op(writes=True, group="mdadm")
    def md_create(self, name: str, devices: list[str], missingbitmap: int | None = None,
                  nrdevices: int | None = None, spare: int | None = None,
                  chunk: int | None = None, level: str | None = None) -> None:
        """Create the md (RAID) array name (/dev/md/NAME) on devices.

        missingbitmap: a bit set adds a missing device at that position (the least
        significant bit is the first device); default 0.  nrdevices: the number of
        active devices (default: the devices plus the missing ones).  spare: the
        number of spare devices (default 0).  devices + missing must equal
        nrdevices + spare.  chunk: the chunk size in bytes, a multiple of 1024
        (meaningless for raid1).  level: linear, raid0 (0, stripe), raid1 (1,
        mirror, the default), raid4 (4), raid5 (5), raid6 (6) or raid10 (10).
        """
        ...

    @op(group="mdadm")
    def list_md_devices(self) -> list[str]:
        """The active md devices (/dev/mdN), in numeric order."""
        ...

    @op(group="mdadm")
    def md_detail(self, md: Device) -> dict[str, str]:
        """What `mdadm -D --export` says of the array md, keys without MD_ and in lower case.

        Usually: level, devices, metadata, uuid, name, devname.
        """
        ...

    @op(group="mdadm")
    def md_stat(self, md: Device) -> list[MDStat]:
        """The devices of the array md, from /proc/mdstat: device, index in the array, flags.

        Flags are letters: W write-mostly, F faulty, S spare, R replacement.
        md may also be a /dev/md/NAME link (libguestfs accepts only /dev/mdN).
        """
        ...

    @op(group="mdadm")
    def md_stop(self, md: Device) -> None:
        """Stop the array md; it is neither destroyed nor zeroed."""
        ...
