# mypy: disable-error-code="empty-body"
"""LVM: physical volumes, volume groups, logical volumes."""

from __future__ import annotations

from .table import op
from .types import LV, PV, VG, Device, Mountable


class LvmOps:
    """LVM: physical volumes, volume groups, logical volumes."""

    # -- physical volumes -------------------------------------------------------
    @op(writes=True, group="lvm2")
    def pvcreate(self, device: Device) -> None:
        """Make the device (a partition or whole disk) an LVM physical volume.

        As libguestfs, with pvcreate --force: an old filesystem or RAID signature on
        device is wiped without asking.  A device that is already a physical volume of
        a volume group is refused.
        """
        ...

    @op(writes=True, group="lvm2")
    def pvremove(self, device: Device) -> None:
        """Wipe the LVM physical volume label of device (forced, even if in a volume group)."""
        ...

    @op(writes=True, group="lvm2")
    def pvresize(self, device: Device) -> None:
        """Grow or shrink the physical volume device to the size of the device under it."""
        ...

    @op(writes=True, group="lvm2")
    def pvresize_size(self, device: Device, size: int) -> None:
        """Resize the physical volume device to size bytes (a multiple of 512).

        Unlike libguestfs, a size below 0 or above the device's size is refused
        before LVM runs (libguestfs lets LVM make a physical volume bigger than its
        device).
        """
        ...

    @op(writes=True, group="lvm2")
    def pvchange_uuid(self, device: Device) -> None:
        """Give the physical volume device a new random UUID.

        LVM refuses while a volume group on it has active logical volumes.
        """
        ...

    @op(writes=True, group="lvm2")
    def pvchange_uuid_all(self) -> None:
        """Give every physical volume a new random UUID (their volume groups inactive)."""
        ...

    @op(group="lvm2")
    def pvs(self) -> list[str]:
        """The LVM physical volumes (devices such as /dev/sda1), sorted."""
        ...

    @op(group="lvm2")
    def pvs_full(self) -> list[PV]:
        """Every LVM physical volume with all its fields (libguestfs's lvm_pv struct).

        Sizes are in bytes; pv_uuid is the UUID without its dashes, as libguestfs
        gives it.
        """
        ...

    @op()
    def pvuuid(self, device: Device) -> str:
        """The UUID of the physical volume device (with its dashes, as LVM writes it)."""
        ...

    # -- volume groups ------------------------------------------------------
    @op(writes=True, group="lvm2")
    def vgcreate(self, volgroup: str, physvols: list[str]) -> None:
        """Create the volume group volgroup from the physical volumes physvols (devices).

        physvols must not be empty: unlike libguestfs, an empty list is refused with
        that reason instead of LVM's usage text.
        """
        ...

    @op(writes=True, group="lvm2")
    def vgextend(self, volgroup: str, physvols: list[str]) -> None:
        """Add the devices physvols to the volume group volgroup.

        A guestbox addition (libguestfs 1.48 has no vgextend).  Devices that are not
        physical volumes yet are made into ones; one that carries another signature
        (a filesystem) is refused: wipe it with pvcreate first.
        """
        ...

    @op(writes=True, group="lvm2")
    def vgreduce(self, volgroup: str, physvols: list[str]) -> None:
        """Take the physical volumes physvols out of the volume group volgroup.

        A guestbox addition (libguestfs 1.48 has no vgreduce).  A physical volume that
        still holds extents of a logical volume is refused; the volumes taken out stay
        physical volumes (see pvremove).
        """
        ...

    @op(writes=True, group="lvm2")
    def vgremove(self, vgname: str) -> None:
        """Remove the volume group vgname and the logical volumes in it."""
        ...

    @op(writes=True)
    def vgrename(self, volgroup: str, newvolgroup: str) -> None:
        """Rename the volume group volgroup to newvolgroup (/dev/NEW/LV follow)."""
        ...

    @op(writes=True, group="lvm2")
    def vgchange_uuid(self, vg: str) -> None:
        """Give the volume group vg a new random UUID (its logical volumes inactive)."""
        ...

    @op(writes=True, group="lvm2")
    def vgchange_uuid_all(self) -> None:
        """Give every volume group a new random UUID (their logical volumes inactive)."""
        ...

    @op(group="lvm2")
    def vgs(self) -> list[str]:
        """The LVM volume group names, sorted."""
        ...

    @op(group="lvm2")
    def vgs_full(self) -> list[VG]:
        """Every LVM volume group with all its fields (libguestfs's lvm_vg struct).

        Sizes are in bytes; vg_uuid is the UUID without its dashes.
        """
        ...

    @op()
    def vguuid(self, vgname: str) -> str:
        """The UUID of the volume group vgname."""
        ...

    @op()
    def vgpvuuids(self, vgname: str) -> list[str]:
        """The UUIDs of the physical volumes of the volume group vgname (see pvuuid)."""
        ...

    @op()
    def vglvuuids(self, vgname: str) -> list[str]:
        """The UUIDs of the logical volumes of the volume group vgname (see lvuuid)."""
        ...

    @op(group="lvm2")
    def vgmeta(self, vgname: str) -> bytes:
        """The metadata of the volume group vgname, in LVM's text format (vgcfgbackup).

        LVM's internal structure, subject to change: for information only.
        """
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

    # -- logical volumes ----------------------------------------------------
    @op(writes=True, group="lvm2")
    def lvcreate(self, logvol: str, volgroup: str, mbytes: int) -> None:
        """Create the logical volume logvol of mbytes megabytes in volgroup.

        The new volume is /dev/VOLGROUP/LOGVOL.  Unlike libguestfs, mbytes below 1
        is refused before LVM runs.
        """
        ...

    @op(writes=True, group="lvm2")
    def lvcreate_free(self, logvol: str, volgroup: str, percent: int) -> None:
        """Create the logical volume logvol in volgroup using percent % of its free space.

        percent is 0 to 100.
        """
        ...

    @op(writes=True, group="lvm2")
    def lvremove(self, device: Device) -> None:
        """Remove a logical volume (/dev/VG/LV), or every one of a volume group (/dev/VG)."""
        ...

    @op(writes=True)
    def lvrename(self, logvol: str, newlogvol: str) -> None:
        """Rename the logical volume logvol (/dev/VG/LV) to newlogvol (/dev/VG/NEW or NEW).

        Both names are in the same volume group.
        """
        ...

    @op(writes=True, group="lvm2")
    def lvresize(self, device: Device, mbytes: int) -> None:
        """Resize the logical volume device to mbytes megabytes; shrinking loses the data
        past the new end.

        The filesystem in it is not resized (resize2fs does that after growing).
        Resizing to the current size is not an error.  Unlike libguestfs (where a
        negative mbytes shrinks the volume by that much), mbytes below 1 is refused.
        """
        ...

    @op(writes=True, group="lvm2")
    def lvresize_free(self, lv: Device, percent: int) -> None:
        """Grow the logical volume lv by percent % (0 to 100) of its volume group's free space.

        With 100 it takes all the free space; none left is not an error.
        """
        ...

    @op(group="lvm2")
    def lvs(self) -> list[str]:
        """The LVM logical volumes as /dev/VG/LV paths, sorted (thin pools and hidden
        volumes left out)."""
        ...

    @op(group="lvm2")
    def lvs_full(self) -> list[LV]:
        """Every LVM logical volume with all its fields (libguestfs's lvm_lv struct).

        Sizes are in bytes; lv_uuid is the UUID without its dashes; snap_percent and
        copy_percent are None where LVM has no figure.
        """
        ...

    @op()
    def lvuuid(self, device: Device) -> str:
        """The UUID of the logical volume device."""
        ...

    @op()
    def is_lv(self, mountable: Mountable) -> bool:
        """True if mountable is a logical volume (by any name: /dev/VG/LV,
        /dev/mapper/VG-LV, /dev/dm-N).

        A btrfsvol: mountable is not.
        """
        ...

    @op()
    def lvm_canonical_lv_name(self, lvname: str) -> str:
        """The canonical /dev/VG/LV name of the logical volume lvname (/dev/mapper/VG-LV,
        /dev/dm-N ...).

        An error (EINVAL) if lvname is not a logical volume.
        """
        ...

    # -- everything -----------------------------------------------------------
    @op(writes=True, group="lvm2")
    def lvm_remove_all(self) -> None:
        """Remove every logical volume, volume group and physical volume. Data is lost."""
        ...

    @op()
    def lvm_scan(self, activate: bool) -> None:
        """Scan the block devices for physical volumes, volume groups and logical volumes,
        after a device appeared or went away (such as after luks_open).

        With activate, the volume groups found are activated (/dev/VG/LV appear).
        """
        ...

    @op(deprecated_by="lvm_scan")
    def vgscan(self) -> None:
        """Rescan for physical volumes, volume groups and logical volumes (lvm_scan false)."""
        ...

    @op(group="lvm2")
    def lvm_set_filter(self, devices: list[str]) -> None:
        """Let LVM see only the block devices devices (whole disks with their partitions,
        or single partitions), to hide duplicate physical volumes or volume groups.

        Every volume group is deactivated, the filter set, the devices rescanned and the
        volume groups LVM still sees activated again: it fails if one of them is in use
        (a filesystem on it mounted), and, with the filter set, if a volume group is
        left without some of its physical volumes (as libguestfs).  The appliance's own
        disks stay hidden whatever the list says; naming one is an error.
        """
        ...

    @op()
    def lvm_clear_filter(self) -> None:
        """Undo lvm_set_filter: LVM sees every guest block device again.

        As lvm_set_filter, volume groups are deactivated, rescanned and activated again.
        Unlike libguestfs (which accepts every device), the appliance's default filter
        comes back: guest disks, their partitions, md and device-mapper devices.
        """
        ...

    @op()
    def list_dm_devices(self) -> list[str]:
        """The device-mapper devices (/dev/mapper/NAME, such as opened LUKS devices),
        sorted, logical volumes left out (see lvs)."""
        ...
