"""Agent side of the commands family: the guest's programs, chrooted into /sysroot.

As libguestfs's daemon/command.c: /dev, /dev/pts, /proc, /selinux and /sys are
bind-mounted into the guest's root while the program runs, and unmounted after.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess

from ..protocol.frames import MAX_BUFFER
from .context import TOOL_ENV, Ctx, run
from .dispatch import need_root
from .network import guest_resolv_conf
from .paths import SYSROOT, resolve
from .registry import AgentError, impl

BIND_MOUNTS = ("/dev", "/dev/pts", "/proc", "/selinux", "/sys")


def _bind_mounts() -> list[str]:
    """Bind-mount the appliance's /dev, /proc ... into the guest; the targets mounted."""
    done: list[str] = []
    for src in BIND_MOUNTS:
        if not os.path.isdir(src):
            continue
        # resolve() keeps the target inside the sysroot whatever the guest's symlinks say.
        target = resolve(src)
        if target == SYSROOT or not os.path.isdir(target) or os.path.islink(target):
            continue
        try:
            run(["mount", "--bind", src, target])
        except AgentError:
            continue  # as libguestfs: a bind mount that fails is skipped
        done.append(target)
    return done


def _unmount(targets: list[str]) -> None:
    for target in reversed(targets):
        try:
            run(["umount", target])
        except AgentError:
            try:  # something the program left running holds it: detach it at least
                run(["umount", "-l", target])
            except AgentError:
                pass


def _chroot() -> None:
    os.chroot(SYSROOT)
    os.chdir("/")


def _command(argv: list[str]) -> str:
    need_root("do_command")
    if not argv:
        raise AgentError("passed an empty list", errno.EINVAL)
    mounts = _bind_mounts()
    try:
        with guest_resolv_conf():
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                               env=TOOL_ENV, preexec_fn=_chroot)
    except OSError as e:  # the program could not be started in the guest
        raise AgentError(f"{argv[0]}: {e.strerror}", e.errno) from None
    finally:
        _unmount(mounts)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").rstrip("\n")
        if not err:
            err = (f"{argv[0]}: killed by signal {-p.returncode}" if p.returncode < 0 else
                   f"{argv[0]}: exited with status {p.returncode}")
        raise AgentError(err)
    out = p.stdout.decode("utf-8", "surrogateescape")
    if len(json.dumps(out)) > MAX_BUFFER:
        raise AgentError("output is too large for the message buffer; write it to a file "
                         "in the guest and use download", errno.EFBIG)
    return out


def _split_lines(out: str) -> list[str]:
    """libguestfs's split_lines: lines without their newline, no final empty line."""
    if out == "":
        return []
    lines = out.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


@impl
def command(ctx: Ctx, arguments: list[str]) -> str:
    return _command(arguments)


@impl
def command_lines(ctx: Ctx, arguments: list[str]) -> list[str]:
    return _split_lines(_command(arguments))


@impl
def sh(ctx: Ctx, command: str) -> str:
    return _command(["/bin/sh", "-c", command])


@impl
def sh_lines(ctx: Ctx, command: str) -> list[str]:
    return _split_lines(_command(["/bin/sh", "-c", command]))
