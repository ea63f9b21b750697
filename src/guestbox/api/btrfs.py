# mypy: disable-error-code="empty-body"
"""btrfs: subvolumes, snapshots, devices, balance, scrub."""

from __future__ import annotations

from .table import alias, op
from .types import (  # noqa: F401
    BTRFSBalance,
    BTRFSQgroup,
    BTRFSScrub,
    BTRFSSubvolume,
    Device,
    DevOrPath,
    FileIn,
    FileOut,
    Mountable,
    MountableOrPath,
    Pathname,
)


class BtrfsOps:
    """btrfs: subvolumes, snapshots, devices, balance, scrub."""

    # -- making ------------------------------------------------------------
    @op(writes=True, group="btrfs")
    def mkfs_btrfs(
        self,
        devices: list[str],
        allocstart: int | None = None,
        bytecount: int | None = None,
        datatype: str | None = None,
        leafsize: int | None = None,
        label: str | None = None,
        metadata: str | None = None,
        nodesize: int | None = None,
        sectorsize: int | None = None,
    ) -> None:
        """Make one btrfs filesystem spanning the devices (a non-empty list).

        Whatever signatures were on the devices are wiped first.  bytecount is the
        size of the filesystem on each device; datatype and metadata are the
        profiles of data and metadata ("raid0", "raid1", "raid10" or "single");
        label is the filesystem label; nodesize and sectorsize are powers of two
        (see mkfs.btrfs(8)).  allocstart is accepted and ignored, as in libguestfs
        (btrfs-progs dropped --alloc-start).  leafsize is the old name of nodesize:
        libguestfs passes it as --leafsize, which btrfs-progs 6 refuses; here it
        is given as --nodesize (and must then agree with nodesize if both are set).
        """
        ...

    # -- subvolumes ----------------------------------------------------------
    @op(writes=True, group="btrfs")
    def btrfs_subvolume_create(self, dest: Pathname, qgroupid: str | None = None) -> None:
        """Create the btrfs subvolume dest (/path/to/dest/name; its parent must exist).

        qgroupid is a quota group ("1/0" ...) the new subvolume is added to.
        """
        ...

    btrfs_subvolume_create_opts = alias(
        "btrfs_subvolume_create_opts", btrfs_subvolume_create,
        "Another name of btrfs_subvolume_create (libguestfs's alias).")

    @op(writes=True, group="btrfs")
    def btrfs_subvolume_delete(self, subvolume: Pathname) -> None:
        """Delete the btrfs subvolume or snapshot at subvolume, with everything in it."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_subvolume_snapshot(self, source: Pathname, dest: Pathname, ro: bool | None = None,
                                 qgroupid: str | None = None) -> None:
        """Make dest (/path/to/dest/name) a snapshot of the btrfs subvolume source.

        The snapshot is writable unless ro is true; qgroupid is a quota group the
        snapshot is added to.
        """
        ...

    btrfs_subvolume_snapshot_opts = alias(
        "btrfs_subvolume_snapshot_opts", btrfs_subvolume_snapshot,
        "Another name of btrfs_subvolume_snapshot (libguestfs's alias).")

    @op(group="btrfs")
    def btrfs_subvolume_list(self, fs: MountableOrPath) -> list[BTRFSSubvolume]:
        """The subvolumes and snapshots of a btrfs filesystem: ID, parent ID, path, by ID.

        fs is a path in the mounted guest filesystems, or a device or a
        btrfsvol:DEVICE/SUBVOL (mounted read-only on a private directory for the
        call).  As with `btrfs subvolume list`, the paths of subvolumes below the
        one fs names are relative to it, the others are relative to the top of the
        filesystem.  A device is taken as the whole filesystem (its top level),
        where libguestfs takes its default subvolume: so every path listed for a
        device is one that btrfsvol:DEVICE/PATH mounts.
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfs_subvolume_set_default(self, id: int, fs: Pathname) -> None:  # noqa: A002
        """Make subvolume id the one that mounting the btrfs filesystem at fs mounts by default.

        5 is the top level of the filesystem; btrfs_subvolume_list gives the others.
        """
        ...

    @op(group="btrfs")
    def btrfs_subvolume_get_default(self, fs: MountableOrPath) -> int:
        """The ID of the default subvolume of a btrfs filesystem (5: the top level).

        fs is a path, a device or a btrfsvol: mountable, as for btrfs_subvolume_list.
        """
        ...

    @op(group="btrfs")
    def btrfs_subvolume_show(self, subvolume: Pathname) -> dict[str, str]:
        """Details of the btrfs subvolume at subvolume, from `btrfs subvolume show`.

        Keys as the tool prints them ("Name", "UUID", "Parent UUID", "Subvolume ID",
        "Flags", "Creation time" ...), plus "path" (its path from the top of the
        filesystem) and "Snapshot(s)" (its snapshots, comma-separated).  A "-"
        is returned as "".  A directory that is not a subvolume is an error.
        """
        ...

    # -- filesystem ------------------------------------------------------------
    @op(writes=True, group="btrfs")
    def btrfs_filesystem_resize(self, mountpoint: Pathname, size: int | None = None) -> None:
        """Resize the mounted btrfs filesystem at mountpoint to size bytes (default: all).

        btrfs resizes mounted filesystems only, hence a mountpoint, not a device.
        """
        ...

    @op(group="btrfs")
    def btrfs_filesystem_sync(self, fs: Pathname) -> None:
        """Force a sync of the btrfs filesystem mounted at fs."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_filesystem_balance(self, fs: Pathname) -> None:
        """Balance the chunks of the btrfs filesystem mounted at fs across its devices."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_filesystem_defragment(self, path: Pathname, flush: bool | None = None,
                                    compress: str | None = None) -> None:
        """Defragment a file, or a directory and everything below it, on btrfs.

        flush writes the data out after each file; compress ("zlib" or "lzo")
        recompresses the data on the way.
        """
        ...

    @op(group="btrfs")
    def btrfs_filesystem_show(self, device: Device) -> list[str]:
        """The devices that the btrfs filesystem on device spans.

        An error (ENODEV) if some of them are missing.
        """
        ...

    # -- devices ---------------------------------------------------------------
    @op(writes=True, group="btrfs")
    def btrfs_device_add(self, devices: list[str], fs: Pathname) -> None:
        """Add the devices to the btrfs filesystem mounted at fs (an empty list does nothing).

        Whatever the devices held is overwritten.
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfs_device_delete(self, devices: list[str], fs: Pathname) -> None:
        """Remove the devices from the btrfs filesystem mounted at fs, moving their data away.

        An empty list does nothing.
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfs_replace(self, srcdev: Device, targetdev: Device, mntpoint: Pathname) -> None:
        """Replace srcdev by targetdev in the btrfs filesystem mounted at mntpoint.

        The data on srcdev is copied to targetdev (the same size or larger; its
        content is lost), then srcdev is wiped and leaves the filesystem.
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfs_set_seeding(self, device: Device, seeding: bool) -> None:
        """Turn the seeding flag of the (unmounted) btrfs filesystem on device on or off.

        A seeding filesystem mounts read-only; with a device added to it, it
        becomes the read-only base of a new writable filesystem.  Clearing the flag
        is forced (btrfstune -f): libguestfs runs btrfstune without it, which then
        refuses, and reports success.
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfstune_seeding(self, device: Device, seeding: bool) -> None:
        """Turn the seeding flag of the btrfs filesystem on device on or off (as btrfs_set_seeding).

        Clearing it is forced (btrfstune -f), as libguestfs does.
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfstune_enable_extended_inode_refs(self, device: Device) -> None:
        """Enable extended inode refs (more hard links per file) in the btrfs on device."""
        ...

    @op(writes=True, group="btrfs")
    def btrfstune_enable_skinny_metadata_extent_refs(self, device: Device) -> None:
        """Enable skinny metadata extent refs (smaller metadata) in the btrfs on device."""
        ...

    # -- checking ----------------------------------------------------------------
    @op(writes=True, group="btrfs")
    def btrfs_fsck(self, device: Device, superblock: int | None = None,
                   repair: bool | None = None) -> None:
        """Check the (unmounted) btrfs filesystem on device; errors found are an error.

        superblock is the superblock copy to use (0, 1 or 2); repair repairs what
        it finds (btrfs check --repair: use with care).
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfs_rescue_chunk_recover(self, device: Device) -> None:
        """Rebuild the chunk tree of the btrfs filesystem on device by scanning the device."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_rescue_super_recover(self, device: Device) -> None:
        """Repair bad superblocks of the btrfs filesystem on device from its good copies."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_image(self, source: list[str], image: Pathname,
                    compresslevel: int | None = None) -> None:
        """Write an image of the btrfs filesystem on the source devices to the guest file image.

        The image holds the metadata only (file data is left out), for debugging;
        compresslevel is 0 (none) to 9.
        """
        ...

    # -- scrub -----------------------------------------------------------------
    @op(writes=True, group="btrfs")
    def btrfs_scrub_start(self, path: Pathname) -> None:
        """Start a scrub of the btrfs filesystem mounted at path, in the background.

        A scrub reads all data and metadata, checks their checksums and repairs
        what it can from good copies.  btrfs_scrub_status shows its progress.
        """
        ...

    @op(group="btrfs")
    def btrfs_scrub_cancel(self, path: Pathname) -> None:
        """Cancel the running scrub of the btrfs filesystem mounted at path."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_scrub_resume(self, path: Pathname) -> None:
        """Resume a cancelled or interrupted scrub of the btrfs filesystem mounted at path."""
        ...

    @op(group="btrfs")
    def btrfs_scrub_status(self, path: Pathname) -> BTRFSScrub:
        """The counters of the running or last scrub of the btrfs filesystem mounted at path.

        All zero if no scrub has run.
        """
        ...

    # -- balance ---------------------------------------------------------------
    @op(writes=True, group="btrfs")
    def btrfs_balance_pause(self, path: Pathname) -> None:
        """Pause the running balance of the btrfs filesystem mounted at path."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_balance_cancel(self, path: Pathname) -> None:
        """Cancel the running or paused balance of the btrfs filesystem mounted at path."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_balance_resume(self, path: Pathname) -> None:
        """Resume the paused balance of the btrfs filesystem mounted at path."""
        ...

    @op(group="btrfs")
    def btrfs_balance_status(self, path: Pathname) -> BTRFSBalance:
        """The state of the balance of the btrfs filesystem mounted at path.

        btrfsbalance_status is "none" (then the counts are 0), "running" or
        "paused"; the counts are those `btrfs balance status` prints: chunks
        balanced, considered, the estimated total and the percentage left.
        """
        ...

    # -- quotas ----------------------------------------------------------------
    @op(writes=True, group="btrfs")
    def btrfs_quota_enable(self, fs: MountableOrPath, enable: bool) -> None:
        """Turn quota support of a btrfs filesystem on or off.

        fs is a path, a device or a btrfsvol: mountable, as for btrfs_subvolume_list.
        """
        ...

    @op(writes=True, group="btrfs")
    def btrfs_quota_rescan(self, fs: MountableOrPath) -> None:
        """Drop all quota group numbers of a btrfs filesystem and count them again."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_qgroup_create(self, qgroupid: str, subvolume: Pathname) -> None:
        """Create the quota group qgroupid ("LEVEL/ID") in the btrfs filesystem of subvolume."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_qgroup_destroy(self, qgroupid: str, subvolume: Pathname) -> None:
        """Destroy the quota group qgroupid of the btrfs filesystem of subvolume."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_qgroup_limit(self, subvolume: Pathname, size: int) -> None:
        """Limit the space the subvolume at subvolume may reference to size bytes."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_qgroup_assign(self, src: str, dst: str, path: Pathname) -> None:
        """Make quota group src a member of quota group dst (in the filesystem of path)."""
        ...

    @op(writes=True, group="btrfs")
    def btrfs_qgroup_remove(self, src: str, dst: str, path: Pathname) -> None:
        """Remove quota group src from its parent quota group dst."""
        ...

    @op(group="btrfs")
    def btrfs_qgroup_show(self, path: Pathname) -> list[BTRFSQgroup]:
        """The quota groups of the btrfs filesystem mounted at path, with their usage in bytes."""
        ...
