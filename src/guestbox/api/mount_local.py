# mypy: disable-error-code="empty-body"
"""The FUSE mount: the guest's mounted filesystems as a directory of the host.

mount_local makes the mount, mount_local_run serves it until it is unmounted,
umount_local unmounts it (from another thread or process), as in libguestfs.
The internal operations are the mount's own calls to the agent.
"""

from __future__ import annotations

from .table import op
from .types import Pathname


class MountLocalOps:
    """The FUSE mount (guestbox.fuse) and the agent calls it makes."""

    @op(local=True)
    def mount_local(self, localmountpoint: str, readonly: bool | None = None,
                    options: str | None = None, cachetimeout: int | None = None,
                    debugcalls: bool | None = None) -> None:
        """Mount the guest's filesystems (as mounted now) on the host directory localmountpoint.

        The mount is made with FUSE; nothing is served until mount_local_run is
        called, which is usually done in another thread.  readonly refuses every
        change with EROFS; options are FUSE mount options (comma-separated, for
        example "allow_other"); cachetimeout is how long, in seconds, the kernel and
        guestbox may keep attributes and directory listings (default 60);
        debugcalls logs every request and its outcome (the library's debug messages).
        One mount per process at a time.
        """
        from ..fuse.session import mount_local

        mount_local(self, localmountpoint, readonly=bool(readonly), options=options,
                    cachetimeout=60 if cachetimeout is None else cachetimeout,
                    debugcalls=bool(debugcalls))

    @op(local=True)
    def mount_local_run(self) -> None:
        """Serve the mount made by mount_local until it is unmounted.

        Blocks until umount_local is called, the directory is unmounted with
        `guestbox unmount` or `fusermount3 -u`, or the process gets SIGINT or
        SIGTERM.  Buffered writes are flushed and the guest's filesystems synced
        before it returns.
        """
        from ..fuse.session import mount_local_run

        mount_local_run(self)

    @op(local=True)
    def umount_local(self, retry: bool | None = None) -> None:
        """Unmount the mount made by mount_local; with retry, try for a few seconds while busy."""
        from ..fuse.session import umount_local

        umount_local(self, retry=bool(retry))

    @op(nofollow=("dir",))
    def internal_readdirplus(self, dir: Pathname) -> bytes:  # noqa: A002 - libguestfs's word
        """Internal: the entries of dir with their lstat and symlink targets, packed.

        The FUSE mount's directory listing in one call (protocol/dirents.py).
        """
        ...

    @op()
    def internal_readdirplus_ahead(self, dirs: list[str], budget: int) -> bytes:
        """Internal: the listings of several directories, as many as fit in budget bytes.

        The FUSE mount reads ahead the subdirectories of a directory being listed
        (protocol/dirents.py: unpack_ahead); the guest's atimes are left alone.
        """
        ...

    @op(writes=True, nofollow=("oldpath", "newpath"))
    def internal_rename(self, oldpath: Pathname, newpath: Pathname, flags: int) -> None:
        """Internal: rename oldpath to newpath with renameat2's flags (NOREPLACE, EXCHANGE)."""
        ...
