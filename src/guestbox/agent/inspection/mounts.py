"""Filesystems mounted read-only for a look, away from the sysroot the user sees."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator

from ..fs import split_mountable, tool, ufs_options

BASE = "/run/guestbox-inspect"
NO_REPLAY = {"ext3": "noload", "ext4": "noload", "xfs": "norecovery"}
"""The option that mounts a filesystem of this type without replaying its journal."""
_serial = itertools.count()


@contextlib.contextmanager
def looking_at(mountable: str, vfstype: str | None = None) -> Iterator[str | None]:
    """mountable mounted read-only at a private directory (None if it cannot be mounted),
    unmounted after.  Journals are not replayed: the guest's disks stay as they were.
    A UFS (vfstype "ufs") is tried as UFS2, then as 4.4BSD UFS1, as libguestfs does."""
    target = f"{BASE}/{next(_serial)}"
    os.makedirs(target, exist_ok=True)
    device, volume = split_mountable(mountable)
    options = "ro" + (f",subvol={volume}" if volume is not None else "")
    mounted = False
    try:
        if vfstype == "ufs":
            attempts = [["-t", "ufs", "-o", opts] for opts in ufs_options(options)]
        elif vfstype in NO_REPLAY:  # the journal is not replayed, if the kernel allows
            attempts = [["-o", f"{options},{NO_REPLAY[vfstype]}"], ["-o", options]]
        else:
            attempts = [["-o", options]]
        for args in attempts:
            rc, _, _ = tool(["mount", *args, device, target])
            if rc == 0:
                mounted = True
                break
        yield target if mounted else None
    finally:
        if mounted:
            tool(["umount", target])
        with contextlib.suppress(OSError):
            os.rmdir(target)
