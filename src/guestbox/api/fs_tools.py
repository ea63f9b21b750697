# mypy: disable-error-code="empty-body"
"""Filesystem tools: ext2/3/4, XFS, NTFS, swap, fsck, feature availability."""

from __future__ import annotations

from .table import alias, op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname, XFSInfo


class FsToolOps:
    """Filesystem tools: ext2/3/4, XFS, NTFS, swap, fsck, feature availability."""

    # -- ext2/3/4 ------------------------------------------------------------------
    @op(writes=True)
    def mke2fs(
        self,
        device: Device,
        blockscount: int | None = None,
        blocksize: int | None = None,
        fragsize: int | None = None,
        blockspergroup: int | None = None,
        numberofgroups: int | None = None,
        bytesperinode: int | None = None,
        inodesize: int | None = None,
        journalsize: int | None = None,
        numberofinodes: int | None = None,
        stridesize: int | None = None,
        stripewidth: int | None = None,
        maxonlineresize: int | None = None,
        reservedblockspercentage: int | None = None,
        mmpupdateinterval: int | None = None,
        journaldevice: str | None = None,
        label: str | None = None,
        lastmounteddir: str | None = None,
        creatoros: str | None = None,
        fstype: str | None = None,
        usagetype: str | None = None,
        uuid: str | None = None,
        forcecreate: bool | None = None,
        writesbandgrouponly: bool | None = None,
        lazyitableinit: bool | None = None,
        lazyjournalinit: bool | None = None,
        testfs: bool | None = None,
        discard: bool | None = None,
        quotatype: bool | None = None,
        extent: bool | None = None,
        filetype: bool | None = None,
        flexbg: bool | None = None,
        hasjournal: bool | None = None,
        journaldev: bool | None = None,
        largefile: bool | None = None,
        quota: bool | None = None,
        resizeinode: bool | None = None,
        sparsesuper: bool | None = None,
        uninitbg: bool | None = None,
    ) -> None:
        """Create an ext2/ext3/ext4 filesystem on device, with mke2fs(8)'s options.

        blockscount is the size in blocks (default: the whole device); blocksize (-b),
        fragsize (-f), blockspergroup (-g), numberofgroups (-G), bytesperinode (-i),
        inodesize (-I), journalsize (-J size=, in MiB), numberofinodes (-N),
        reservedblockspercentage (-m); stridesize, stripewidth, maxonlineresize and
        mmpupdateinterval are -E stride=, stripe_width=, resize=, mmp_update_interval=;
        journaldevice (-J device=: a device, LABEL=... or UUID=...), label (-L, at most
        16 bytes), lastmounteddir (-M), creatoros (-o), fstype (-t: ext2, ext3 or ext4;
        mke2fs's default is ext2), usagetype (-T), uuid (-U).  The booleans: forcecreate
        (-F), writesbandgrouponly (-S), lazyitableinit, lazyjournalinit, testfs and
        discard (-E), and the features extent, filetype, flexbg, hasjournal, journaldev,
        largefile, quota, resizeinode, sparsesuper, uninitbg (-O feature, or ^feature when
        false).  Numbers must not be negative.  Old signatures are wiped first.
        Differences from libguestfs: flexbg sets mke2fs's flex_bg feature (libguestfs
        passes "flexbg", which mke2fs rejects); quotatype is accepted and ignored, as in
        libguestfs; a label longer than 16 bytes is refused instead of truncated.
        """
        ...

    @op(writes=True)
    def tune2fs(
        self,
        device: Device,
        force: bool | None = None,
        maxmountcount: int | None = None,
        mountcount: int | None = None,
        errorbehavior: str | None = None,
        group: int | None = None,
        intervalbetweenchecks: int | None = None,
        reservedblockspercentage: int | None = None,
        lastmounteddirectory: str | None = None,
        reservedblockscount: int | None = None,
        user: int | None = None,
    ) -> None:
        """Adjust parameters of the ext2/3/4 filesystem on device (tune2fs(8)).

        force (-f) completes even in the face of errors; maxmountcount (-c, 0: mounts
        are disregarded), mountcount (-C), errorbehavior (-e: "continue", "remount-ro" or
        "panic"), group (-g, numeric), intervalbetweenchecks (-i, seconds; 0 disables
        time-dependent checks), reservedblockspercentage (-m), lastmounteddirectory (-M),
        reservedblockscount (-r), user (-u, numeric).  Numbers must not be negative.
        tune2fs_l shows the result.
        """
        ...

    @op()
    def tune2fs_l(self, device: Device) -> dict[str, str]:
        """The superblock of the ext2/3/4 filesystem on device, as tune2fs -l shows it.

        Keys are tune2fs's own labels ("Block count", "Filesystem volume name" ...);
        "<none>", "<not available>" and "(none)" become "".  The set of keys depends on
        the tune2fs version and on the filesystem.
        """
        ...

    @op(writes=True)
    def resize2fs(self, device: Device) -> None:
        """Resize the ext2/3/4 filesystem on device to fill the device (to grow it).

        An unmounted filesystem is checked first (e2fsck -fy), as resize2fs requires;
        a mounted one can only be grown.
        """
        ...

    @op(writes=True)
    def resize2fs_size(self, device: Device, size: int) -> None:
        """Resize the ext2/3/4 filesystem on device to size bytes (a whole number of KiB)."""
        ...

    @op(writes=True)
    def resize2fs_M(self, device: Device) -> None:  # noqa: N802 - libguestfs's name
        """Shrink the ext2/3/4 filesystem on device to its minimum size (resize2fs -M).

        The filesystem must not be mounted.  Its new size is tune2fs_l's "Block count"
        times "Block size".
        """
        ...

    @op()
    def get_e2attrs(self, file: Pathname) -> str:
        """The ext2-style file attributes of file (lsattr), as sorted letters ("" if none).

        For example "e" (uses extents), "i" (immutable), "a" (append only), "A" (no atime
        updates), "S" (synchronous updates); see chattr(1).  Filesystems without such
        attributes give an error.
        """
        ...

    @op(writes=True)
    def set_e2attrs(self, file: Pathname, attrs: str, clear: bool | None = None) -> None:
        """Set (or, with clear=True, clear) the ext2-style attributes attrs of file (chattr).

        attrs is a string of attribute letters (see get_e2attrs); others are left as
        they are.  Letters must be ASCII letters, each once; R, V, f and v are refused
        (chattr's options).  "" changes nothing.
        """
        ...

    @op()
    def get_e2generation(self, file: Pathname) -> int:
        """The ext2 file generation (version) number of file (lsattr -v)."""
        ...

    @op(writes=True)
    def set_e2generation(self, file: Pathname, generation: int) -> None:
        """Set the ext2 file generation number of file (chattr -v).

        generation is 0 to 4294967295 (libguestfs silently truncates other values).
        """
        ...

    @op(deprecated_by="vfs_label")
    def get_e2label(self, device: Device) -> str:
        """The label of the filesystem on device ("" if none); use vfs_label."""
        ...

    @op(writes=True, deprecated_by="set_label")
    def set_e2label(self, device: Device, label: str) -> None:
        """Set the label of the filesystem on device (at most 16 bytes); use set_label."""
        ...

    @op(deprecated_by="vfs_uuid")
    def get_e2uuid(self, device: Device) -> str:
        """The UUID of the filesystem on device ("" if none); use vfs_uuid."""
        ...

    @op(writes=True, deprecated_by="set_uuid")
    def set_e2uuid(self, device: Device, uuid: str) -> None:
        """Set the UUID of the ext2/3/4 filesystem on device (tune2fs -U); use set_uuid.

        Besides a UUID, tune2fs's "clear", "random" and "time" are accepted.
        """
        ...

    @op(writes=True, group="zerofree")
    def zerofree(self, device: Device) -> None:
        """Zero the unused blocks of the unmounted ext2/3/4 filesystem on device (zerofree).

        Free space then compresses well, and sparsifies.  The filesystem must not be
        mounted.
        """
        ...

    # -- XFS -----------------------------------------------------------------------
    @op(group="xfs")
    def xfs_info(self, pathordevice: DevOrPath) -> XFSInfo:
        """The geometry of an XFS filesystem: a device, or a path in a mounted one.

        Fields xfs_info(8) does not show are -1 (numbers) or "" (strings).  xfs_logname
        is "internal" for an internal log, xfs_rtname "none" without a realtime section.
        """
        ...

    @op(writes=True, group="xfs")
    def xfs_growfs(
        self,
        path: Pathname,
        datasec: bool | None = None,
        logsec: bool | None = None,
        rtsec: bool | None = None,
        datasize: int | None = None,
        logsize: int | None = None,
        rtsize: int | None = None,
        rtextsize: int | None = None,
        maxpct: int | None = None,
    ) -> None:
        """Grow the XFS filesystem mounted at path (xfs_growfs(8)).

        datasec (-d) grows the data section to fill the device, or to datasize (-D)
        blocks; logsec (-l) and logsize (-L), rtsec (-r), rtsize (-R) and rtextsize (-e)
        do the same for the log and realtime sections; maxpct (-m) is the inode space
        percentage.  Numbers must not be negative.
        """
        ...

    @op(writes=True, group="xfs")
    def xfs_admin(
        self,
        device: Device,
        extunwritten: bool | None = None,
        imgfile: bool | None = None,
        v2log: bool | None = None,
        projid32bit: bool | None = None,
        lazycounter: bool | None = None,
        label: str | None = None,
        uuid: str | None = None,
    ) -> None:
        """Change parameters of the unmounted XFS filesystem on device (xfs_admin(8)).

        extunwritten (-e), imgfile (-f: device is a file image), v2log (-j),
        projid32bit (-p) enable those features; lazycounter (-c 1 or 0) turns lazy
        counters on or off (not possible on XFS version 5); label (-L, at most 12 bytes)
        and uuid (-U: a UUID, "generate" or "nil").  Labels and UUIDs with quotes,
        backslashes, "$" or "`" are refused (xfs_admin is a shell script that would
        misread them).
        """
        ...

    @op(writes=True, group="xfs")
    def xfs_repair(
        self,
        device: DevOrPath,
        forcelogzero: bool | None = None,
        nomodify: bool | None = None,
        noprefetch: bool | None = None,
        forcegeometry: bool | None = None,
        maxmem: int | None = None,
        ihashsize: int | None = None,
        bhashsize: int | None = None,
        agstride: int | None = None,
        logdev: str | None = None,
        rtdev: str | None = None,
    ) -> int:
        """Check and repair the unmounted XFS filesystem on device (or a guest image file).

        The result is xfs_repair's status: 0 no corruption found, 1 corruption found
        (with nomodify) or left, 2 a dirty log (mount it to replay, or forcelogzero).
        forcelogzero (-L) zeroes the log, nomodify (-n) only checks, noprefetch (-P),
        forcegeometry (-o force_geometry), maxmem (-m, MiB), ihashsize, bhashsize and
        agstride (-o ihash=, bhash=, ag_stride=), logdev (-l) and rtdev (-r): external
        log and realtime devices.  A mounted filesystem is refused with an error
        (libguestfs returns xfs_repair's status 1 for it).
        """
        ...

    # -- NTFS ----------------------------------------------------------------------
    @op(writes=True, group="ntfsprogs")
    def ntfsresize(self, device: Device, size: int | None = None,
                   force: bool | None = None) -> None:
        """Resize the NTFS filesystem on device to fill the device, or to size bytes.

        The filesystem is marked for a consistency check afterwards; without force,
        a filesystem so marked (also by ntfsfix) is not resized again until Windows
        has checked it.  Shrink the filesystem before its partition, grow it after.
        """
        ...

    ntfsresize_opts = alias("ntfsresize_opts", ntfsresize,
                            "Another name of ntfsresize (libguestfs's ntfsresize_opts alias).")

    @op(writes=True, group="ntfsprogs", deprecated_by="ntfsresize")
    def ntfsresize_size(self, device: Device, size: int) -> None:
        """Resize the NTFS filesystem on device to size bytes; use ntfsresize with size=."""
        ...

    @op(writes=True, group="ntfs3g")
    def ntfsfix(self, device: Device, clearbadsectors: bool | None = None) -> None:
        """Fix common NTFS problems on device, reset its journal, and schedule a Windows check.

        This is not chkdsk: the filesystem is not scanned.  clearbadsectors (-b) empties
        the bad sector list (after cloning a failing disk).
        """
        ...

    @op(group="ntfs3g")
    def ntfs_3g_probe(self, rw: bool, device: Device) -> int:
        """Whether the NTFS on device could be mounted read-write (rw) or read-only.

        0 if it could; otherwise ntfs-3g.probe(8)'s non-zero status (12: no NTFS,
        14: hibernated Windows, 15: unclean, 16: busy ...).
        """
        ...

    @op(group="ntfs3g")
    def ntfsclone_out(
        self,
        device: Device,
        backupfile: FileOut,
        metadataonly: bool | None = None,
        rescue: bool | None = None,
        ignorefscheck: bool | None = None,
        preservetimestamps: bool | None = None,
        force: bool | None = None,
    ) -> None:
        """Save the NTFS filesystem on device to the host file backupfile (ntfsclone image).

        metadataonly (--metadata) saves no file data; rescue, ignorefscheck
        (--ignore-fs-check), preservetimestamps and force are ntfsclone(8)'s options.
        ntfsclone_in restores it.  A failure is reported with ntfsclone's message
        (libguestfs only says the transfer was cancelled).
        """
        ...

    @op(writes=True, group="ntfs3g")
    def ntfsclone_in(self, backupfile: FileIn, device: Device) -> None:
        """Restore an ntfsclone image (from ntfsclone_out) to device, overwriting it.

        The device must be at least as big as the saved filesystem.
        """
        ...

    # -- swap ----------------------------------------------------------------------
    @op(writes=True)
    def mkswap_file(self, path: Pathname) -> None:
        """Make the existing guest file path a swap file (mkswap -f).

        The file must be written in full (swap files cannot be sparse); swapon_file
        wants it readable by root only (chmod 0600).
        """
        ...

    @op()
    def swapon_device(self, device: Device) -> None:
        """Let the appliance swap to device (a swap partition made by mkswap).

        Never swap to a guest's own swap partition: it may hold a hibernated system.
        The extra memory serves every later call.
        """
        ...

    @op()
    def swapoff_device(self, device: Device) -> None:
        """Stop the appliance swapping to device."""
        ...

    @op()
    def swapon_file(self, file: Pathname) -> None:
        """Let the appliance swap to the guest file file (made by mkswap_file)."""
        ...

    @op()
    def swapoff_file(self, file: Pathname) -> None:
        """Stop the appliance swapping to the guest file file."""
        ...

    @op()
    def swapon_label(self, label: str) -> None:
        """Let the appliance swap to the swap partition labelled label."""
        ...

    @op()
    def swapoff_label(self, label: str) -> None:
        """Stop the appliance swapping to the swap partition labelled label."""
        ...

    @op(group="linuxfsuuid")
    def swapon_uuid(self, uuid: str) -> None:
        """Let the appliance swap to the swap partition with UUID uuid."""
        ...

    @op(group="linuxfsuuid")
    def swapoff_uuid(self, uuid: str) -> None:
        """Stop the appliance swapping to the swap partition with UUID uuid."""
        ...

    # -- sizes, caches -------------------------------------------------------------
    @op()
    def vfs_minimum_size(self, mountable: Mountable) -> int:
        """The smallest size in bytes the filesystem could be shrunk to.

        ext2/3/4 (resize2fs -P) and NTFS (ntfsresize) need not be mounted; btrfs
        (btrfs inspect-internal min-dev-size) and XFS (which cannot shrink: its current
        size) must be.  Other types fail with ENOTSUP.
        """
        ...

    @op()
    def drop_caches(self, whattodrop: int) -> None:
        """Sync, then drop the appliance kernel's caches (/proc/sys/vm/drop_caches).

        1: the page cache, 2: dentries and inodes, 3: both.
        """
        ...

    # -- availability --------------------------------------------------------------
    @op()
    def filesystem_available(self, filesystem: str) -> bool:
        """Whether the appliance can mount filesystems of type filesystem ("ext4", "xfs" ...).

        True when the kernel knows the type (/proc/filesystems), and for "ntfs" when
        ntfs-3g is there (libguestfs answers false for it on kernels without ntfs or
        ntfs3).  A true answer does not promise that every such filesystem mounts.
        """
        ...

    @op()
    def available(self, groups: list[str]) -> None:
        """Fail unless every group in groups is available in this appliance.

        Groups are the optional features of the API (available_all_groups lists them);
        a group is available when the tools its operations run are in the appliance.
        An unknown group name is an error.  See feature_available.
        """
        ...

    @op()
    def feature_available(self, groups: list[str]) -> bool:
        """True if every group in groups is available in this appliance (see available).

        An unknown group name is still an error.
        """
        ...

    @op()
    def available_all_groups(self) -> list[str]:
        """Every optional group of the API, sorted, available in this appliance or not."""
        ...
