# mypy: disable-error-code="empty-body"
"""LVM: physical volumes, volume groups, logical volumes."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class LvmOps:
    """LVM: physical volumes, volume groups, logical volumes."""

    @op(writes=True, group="lvm2")
    def pvcreate(self, device: Device) -> None:
        """Make the device (a partition or whole disk) an LVM physical volume."""
        ...

    @op(writes=True, group="lvm2")
    def vgcreate(self, volgroup: str, physvols: list[str]) -> None:
        """Create the volume group volgroup from the physical volumes physvols (devices)."""
        ...

    @op(writes=True, group="lvm2")
    def lvcreate(self, logvol: str, volgroup: str, mbytes: int) -> None:
        """Create the logical volume logvol of mbytes megabytes in volgroup.

        The new volume is /dev/VOLGROUP/LOGVOL.
        """
        ...

    @op(writes=True, group="lvm2")
    def lvcreate_free(self, logvol: str, volgroup: str, percent: int) -> None:
        """Create the logical volume logvol in volgroup using percent % of its free space.

        percent is 0 to 100.
        """
        ...

    @op(group="lvm2")
    def pvs(self) -> list[str]:
        """The LVM physical volumes (devices such as /dev/sda1), sorted."""
        ...

    @op(group="lvm2")
    def vgs(self) -> list[str]:
        """The LVM volume group names, sorted."""
        ...

    @op(group="lvm2")
    def lvs(self) -> list[str]:
        """The LVM logical volumes as /dev/VG/LV paths, sorted (thin pools and hidden
        volumes left out)."""
        ...

    @op(writes=True, group="lvm2")
    def lvremove(self, device: Device) -> None:
        """Remove a logical volume (/dev/VG/LV), or every one of a volume group (/dev/VG)."""
        ...

    @op(writes=True, group="lvm2")
    def vgremove(self, vgname: str) -> None:
        """Remove the volume group vgname and the logical volumes in it."""
        ...

    @op(writes=True, group="lvm2")
    def pvremove(self, device: Device) -> None:
        """Wipe the LVM physical volume label of device (forced, even if in a volume group)."""
        ...

    @op(writes=True, group="lvm2")
    def lvm_remove_all(self) -> None:
        """Remove every logical volume, volume group and physical volume. Data is lost."""
        ...

    @op(group="lvm2")
    def vg_activate_all(self, activate: bool) -> None:
        """Activate (true) or deactivate (false) every logical volume of every volume group."""
        ...

    @op(group="lvm2")
    def vg_activate(self, activate: bool, volgroups: list[str]) -> None:
        """Activate or deactivate the logical volumes of the volume groups volgroups.

        An empty list means every volume group, as vg_activate_all.
        """
        ...
