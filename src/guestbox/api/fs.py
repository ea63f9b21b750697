"""Filesystems: making, mounting, checking, labels."""

from __future__ import annotations

from .table import alias, op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname, StatVFS  # noqa: F401


class FsOps:
    """Filesystems: making, mounting, checking, labels."""

    # -- making ------------------------------------------------------------
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
        """Make a filesystem of type fstype (ext2/3/4, xfs, btrfs, vfat, ntfs, exfat ...) on device.

        Whatever signatures were on the device are wiped first.  blocksize is the block
        size (the cluster size for vfat and ntfs; not settable for btrfs); features is
        passed as -O (ext2/3/4: mke2fs features); inode is the inode size (ext2/3/4
        only); sectorsize applies to ufs only; label sets the filesystem label (ext
        labels are limited to 16 bytes, xfs labels to 12).
        """
        ...

    mkfs_opts = alias("mkfs_opts", mkfs, "Another name of mkfs (libguestfs's mkfs_opts alias).")

    @op(writes=True)
    def mkswap(self, device: Device, label: str | None = None, uuid: str | None = None) -> None:
        """Create a Linux swap partition on device, with an optional label and UUID."""
        ...

    mkswap_opts = alias("mkswap_opts", mkswap,
                        "Another name of mkswap (libguestfs's mkswap_opts alias).")

    @op(local=True, writes=True, deprecated_by="mkswap")
    def mkswap_L(self, label: str, device: Device) -> None:  # noqa: N802 - libguestfs's name
        """Create a swap partition with a label (use mkswap with label=)."""
        self.mkswap(device, label=label)

    @op(local=True, writes=True, deprecated_by="mkswap", group="linuxfsuuid")
    def mkswap_U(self, uuid: str, device: Device) -> None:  # noqa: N802 - libguestfs's name
        """Create a swap partition with a UUID (use mkswap with uuid=)."""
        self.mkswap(device, uuid=uuid)

    # -- mounting ----------------------------------------------------------
    @op()
    def mount(self, mountable: Mountable, mountpoint: str) -> None:
        """Mount a filesystem at mountpoint inside the guest's root ("/" first).

        The mountpoint must exist and be a directory (in the filesystem already mounted
        on /, or made by mkmountpoint).  Mount options are the tool's defaults; a
        read-only handle's disks are writable throwaway overlays, so this works there too.
        """
        ...

    @op()
    def mount_ro(self, mountable: Mountable, mountpoint: str) -> None:
        """Mount a filesystem read-only at mountpoint (as mount, with -o ro)."""
        ...

    @op()
    def mount_options(self, options: str, mountable: Mountable, mountpoint: str) -> None:
        """Mount a filesystem with the mount options given (-o options; "" for none)."""
        ...

    @op()
    def mount_vfs(self, options: str, vfstype: str, mountable: Mountable,
                  mountpoint: str) -> None:
        """Mount a filesystem with mount options (-o) and an explicit filesystem type (-t)."""
        ...

    @op()
    def umount(self, pathordevice: DevOrPath, force: bool | None = None,
               lazyunmount: bool | None = None) -> None:
        """Unmount the filesystem mounted at a guest path, or the one a device holds.

        force unmounts even if busy (umount -f); lazyunmount detaches it now and
        cleans up when it is no longer busy (umount -l).
        """
        ...

    umount_opts = alias("umount_opts", umount,
                        "Another name of umount (libguestfs's umount_opts alias).")

    @op()
    def umount_all(self) -> None:
        """Unmount every mounted guest filesystem, deepest first."""
        ...

    @op()
    def mounts(self) -> list[str]:
        """The devices of the mounted guest filesystems, in the order they were mounted."""
        ...

    @op()
    def mountpoints(self) -> dict[str, str]:
        """The mounted guest filesystems: device -> guest mountpoint ("/" for the root)."""
        ...

    @op()
    def mkmountpoint(self, exemptpath: str) -> None:
        """Make a directory to mount on without a root filesystem (several side by side).

        With nothing mounted on /, the directory is made in the appliance's own (empty)
        root, so that several filesystems can be mounted side by side:
        mkmountpoint /cd; mkmountpoint /disk; mount /dev/sda /cd; ...
        """
        ...

    @op()
    def rmmountpoint(self, exemptpath: str) -> None:
        """Remove a directory made by mkmountpoint."""
        ...

    @op()
    def sync(self) -> None:
        """Flush every filesystem and disk write cache to the disks."""
        ...

    # -- space -------------------------------------------------------------
    @op()
    def df(self) -> str:
        """The df output (1K blocks) of the mounted guest filesystems, for people to read."""
        ...

    @op()
    def df_h(self) -> str:
        """The df -h output (human-readable sizes) of the mounted guest filesystems."""
        ...

    @op()
    def statvfs(self, path: Pathname) -> StatVFS:
        """statvfs(2) of the mounted filesystem holding path: sizes, free blocks and inodes."""
        ...

    # -- checking ----------------------------------------------------------
    @op(writes=True)
    def e2fsck(self, device: Device, correct: bool | None = None,
               forceall: bool | None = None) -> None:
        """Check an ext2/3/4 filesystem (always forced, even if clean).

        correct repairs what can be repaired without questions (e2fsck -p); forceall
        answers yes to every question (e2fsck -y).  At most one of them may be given.
        Errors left uncorrected are an error.
        """
        ...

    @op(writes=True, deprecated_by="e2fsck")
    def e2fsck_f(self, device: Device) -> None:
        """Check an ext2/3/4 filesystem, forced, repairing what is safe (e2fsck -p -f)."""
        ...

    @op(writes=True)
    def fsck(self, fstype: str, device: Device) -> int:
        """Run fsck -a -t fstype on device; its exit status (0 clean, 1 errors corrected, ...).

        The status is a bitmask documented in fsck(8): 4 errors left uncorrected,
        8 operational error, and so on.
        """
        ...

    # -- labels and UUIDs ----------------------------------------------------
    @op(writes=True)
    def set_label(self, mountable: Mountable, label: str) -> None:
        """Set the filesystem label (ext2/3/4, xfs, btrfs, vfat, ntfs, exfat, swap)."""
        ...

    @op(writes=True)
    def set_uuid(self, device: Device, uuid: str) -> None:
        """Set the filesystem UUID (ext2/3/4, xfs, btrfs, swap)."""
        ...

    @op(writes=True)
    def set_uuid_random(self, device: Device) -> None:
        """Give the filesystem a new random UUID (ext2/3/4, xfs, btrfs, swap)."""
        ...
