"""Agent side of copy_attributes and selinux_relabel: a file's mode, owner and extended
attributes copied to another, and SELinux labels set by setfiles(8) on the guest's root."""

from __future__ import annotations

import os

from .context import Ctx
from .files import _syscall
from .paths import SYSROOT, resolve
from .registry import AgentError, impl

RELABEL_SKIPPED = ("/dev", "/proc", "/selinux", "/sys")
"""The guest's pseudo filesystems' mountpoints, which setfiles leaves alone (-e)."""


@impl
def copy_attributes(ctx: Ctx, src: str, dest: str, all: bool | None = None,
                    mode: bool | None = None, xattributes: bool | None = None,
                    ownership: bool | None = None) -> None:
    with _syscall("stat", src):
        st = os.stat(src)
    if all or ownership:
        with _syscall("chown", dest):
            os.chown(dest, st.st_uid, st.st_gid)
    if all or mode:
        with _syscall("chmod", dest):
            os.chmod(dest, st.st_mode & 0o7777)
    if all or xattributes:
        with _syscall("listxattr", src):
            names = os.listxattr(src)
        for name in names:
            with _syscall("getxattr", src):
                value = os.getxattr(src, name)
            with _syscall("setxattr", dest):
                os.setxattr(dest, name, value)


@impl
def selinux_relabel(ctx: Ctx, specfile: str, path: str, force: bool | None = None) -> None:
    argv = ["setfiles", *(["-F"] if force else [])]
    for skipped in RELABEL_SKIPPED:
        target = resolve(skipped)
        if os.path.isdir(target) and target != SYSROOT:
            argv += ["-e", target]
    argv += ["-m", "-C", "-r", SYSROOT, specfile, path]
    try:
        ctx.run(argv)
    except AgentError as e:
        raise AgentError(e.message.replace(SYSROOT, ""), e.errno) from None
