"""Agent side of filesystem operations."""

from __future__ import annotations

import os

from .context import Ctx
from .paths import SYSROOT, resolve
from .registry import AgentError, impl


@impl
def mkfs(ctx: Ctx, fstype: str, device: str, blocksize: int | None = None,
         features: str | None = None, inode: int | None = None,
         sectorsize: int | None = None, label: str | None = None) -> None:
    argv = ["mkfs", "-t", fstype]
    if fstype in ("ext2", "ext3", "ext4"):
        argv = ["mke2fs", "-t", fstype, "-F", "-q"]
        if blocksize:
            argv += ["-b", str(blocksize)]
        if features:
            argv += ["-O", features]
        if inode:
            argv += ["-I", str(inode)]
        if label is not None:
            argv += ["-L", label]
    else:
        raise AgentError(f"{fstype}: unsupported filesystem type", 22)
    ctx.run([*argv, device])


@impl
def mount(ctx: Ctx, mountable: str, mountpoint: str) -> None:
    if mountpoint == "/":
        target = SYSROOT
    else:
        if not os.path.ismount(SYSROOT):
            raise AgentError("you must call 'mount' first to mount the root filesystem")
        target = resolve(mountpoint)
    ctx.run(["mount", mountable, target])
