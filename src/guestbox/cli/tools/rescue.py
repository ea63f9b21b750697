"""`guestbox rescue`: virt-rescue, an interactive shell in the appliance with the guest's
disks, on the user's terminal (rescue_terminal.py for the terminal, guestbox/rescue.py
and agent/rescue.py for the session)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from ..toolmount import MountSpec
from ..toolopts import ToolError
from .customizing.guest import libguestfs_mount_order
from .registry import Tool, register
from .rescue_terminal import (
    EscapeKeyError,
    Relay,
    RootInfo,
    escape_key_help,
    parse_escape_key,
    raw_terminal,
    window_size,
)

COMMAND = "guestbox rescue"
SCRATCH_SIZE = 10 * 1024**3  # sparse

DOC = """\
Gives a shell (bash, prompt `><rescue> `) inside the appliance, on your
terminal, with the guest's disks attached: what is in / is the appliance
(its tools: mount, lvm, fdisk, e2fsck, xfs_repair ...), the guest's
filesystems go under /sysroot, mounted by you, or by -i (as inspection finds
them, with /dev, /proc and /sys bound in so that `chroot /sysroot` works) or
-m.  Leave with `exit` or the escape key then q.  --ro keeps the disks
unchanged (changes go to a throwaway overlay).  --scratch[=N] adds N blank
10 GiB disks, deleted afterwards.

ESCAPE KEY (^] unless -e KEY, ^X or none): ^] h or ? help, ^] i the
inspection data (with -i), ^] q or x quit, ^] s sync the filesystems, ^] u
unmount them, ^] z suspend guestbox rescue, ^] ^] sends ^] to the shell.

--suggest prints the mount commands to type (the disks opened read-only).

Differences from virt-rescue: no -d/-c (libvirt guests); --append is ignored
(the appliance is restored from a saved state, its kernel already running);
standard input must be a terminal (checked before the appliance starts).  See
docs/compatibility.md.
"""


class _Scratch(argparse.Action):
    """--scratch[=N]: N blank disks (10 GiB, sparse) among the -a, in command-line order."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        n = 1
        if value:
            try:
                n = int(value)
            except ValueError:
                raise ToolError(f"could not parse --scratch parameter ‘{value}’") from None
            if n < 1:
                raise ToolError(f"--scratch parameter ‘{value}’ should be >= 1")
        ns.drives = [*(ns.drives or []), *[(SCRATCH_SIZE, None)] * n]


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, keys=False)
    p.add_argument("--append", metavar="KERNELOPTS",
                   help="accepted for compatibility and ignored")
    p.add_argument("-e", dest="escape", metavar="KEY", default="^]",
                   help="the escape key: ^X, or none (default ^])")
    p.add_argument("--memsize", type=int, metavar="MB", help="the appliance's memory")
    p.add_argument("--network", action="store_true", help="give the appliance a network")
    p.add_argument("--scratch", action=_Scratch, nargs="?", const="", metavar="N",
                   help="add N (default 1) blank 10 GiB scratch disks")
    p.add_argument("--selinux", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--smp", type=int, metavar="N", help="the appliance's virtual CPUs")
    p.add_argument("--suggest", action="store_true",
                   help="print the mount commands to use in the shell, and exit")
    toolopts.add_version(p)
    p.add_argument("images", nargs="*", metavar="DISK", help=argparse.SUPPRESS)


def _normalize(ns: argparse.Namespace) -> None:
    """Old-style disk arguments, -m NUMBER (virt-rescue <= 1.36's --memsize), the checks."""
    toolopts.check(ns)
    if ns.images:
        if ns.drives:
            raise ToolError(f"error: extra argument ‘{ns.images[0]}’ on command line.\n"
                            "Make sure to specify the argument for --format or --scratch like "
                            f"'--format={ns.images[0]}'.\n{toolopts.try_help(COMMAND)}")
        for image in ns.images:
            if "/" not in image and not os.path.exists(image):
                raise ToolError(f"{image}: libvirt guests are not supported by guestbox; "
                                "add the disk images with -a")
        ns.drives = [(image, ns.format) for image in ns.images]
        toolopts.check(ns)
    memsize = [m for m in ns.mounts or [] if m.device.isdigit() and m == MountSpec(m.device)]
    if memsize:
        ns.memsize = int(memsize[-1].device)
        ns.mounts = [m for m in ns.mounts if m not in memsize]
    if not ns.drives:
        raise toolopts.usage_error(COMMAND, "you must specify at least one -a or -d option.")
    if ns.smp is not None and ns.smp < 1:
        raise ToolError(f"--smp parameter ‘{ns.smp}’ should be >= 1")
    try:
        ns.escape_key = parse_escape_key(ns.escape)
    except EscapeKeyError as e:
        raise ToolError(str(e)) from None


def _setup(ns: argparse.Namespace) -> toolopts.Setup:
    def setup(g: GuestFS) -> None:
        if ns.memsize:
            g.set_memsize(ns.memsize)
        if ns.smp:
            g.set_smp(ns.smp)
        if ns.network:
            g.set_network(True)

    return setup


# -- --suggest ---------------------------------------------------------------------------
def suggest(ns: argparse.Namespace) -> int:
    """virt-rescue --suggest: the mount commands for each operating system found, or for
    the filesystems if there is none (the disks opened read-only)."""
    print("Inspecting the virtual machine or disk image ...\n", flush=True)
    ns.inspector, ns.mounts = False, []
    with toolopts.opened(ns, TOOL.prog, readonly=True, setup=_setup(ns)) as g:
        roots = g.inspect_os()
        sys.stdout.write(suggestions(g, roots) if roots else filesystem_suggestions(g))
    return 0


def suggestions(g: Any, roots: list[str]) -> str:
    out = ["This disk contains one or more operating systems.  You can use these mount\n"
           "commands in virt-rescue (at the ><rescue> prompt) to mount the filesystems.\n\n"]
    for root in roots:
        typ = g.inspect_get_type(root) or "unknown"
        out.append(f"# {root} is the root of a {typ} operating system\n"
                   f"# type: {typ}, distro: {g.inspect_get_distro(root) or 'unknown'}, "
                   f"version: {g.inspect_get_major_version(root)}."
                   f"{g.inspect_get_minor_version(root)}\n"
                   f"# {g.inspect_get_product_name(root)}\n\n")
        for mp, dev in libguestfs_mount_order(g.inspect_get_mountpoints(root)):
            out.append(f"mount {dev} /sysroot{mp}\n")
        if typ == "linux":
            out += [f"mount --rbind /{d} /sysroot/{d}\n" for d in ("dev", "proc", "sys")]
            out.append("\ncd /sysroot\nchroot /sysroot\n")
        out.append("\n")
    return "".join(out)


def filesystem_suggestions(g: Any) -> str:
    fses = dict(g.list_filesystems())
    mountable = {fs for fs, kind in fses.items() if kind not in ("swap", "unknown")}
    if not mountable:
        return ("This disk contains no mountable filesystems that we recognize.\n\n"
                "However you can still use virt-rescue on the disk image, to try to mount\n"
                "filesystems that are not recognized by libguestfs, or to create partitions,\n"
                "logical volumes and filesystems on a blank disk.\n")
    out = ["This disk contains one or more filesystems, but we don’t recognize any\n"
           "operating system.  You can use these mount commands in virt-rescue (at the\n"
           "><rescue> prompt) to mount these filesystems.\n\n"]
    for fs, kind in fses.items():
        out.append(f"# {fs} has type ‘{kind}’\n")
        if fs in mountable:
            out.append(f"mount {fs} /sysroot\n")
        out.append("\n")
    return "".join(out)


# -- the shell ---------------------------------------------------------------------------
def _roots(g: GuestFS, inspector: bool) -> list[RootInfo] | None:
    """What ^] i tells (with -i), fetched now: the session will hold the channel."""
    if not inspector:
        return None
    return [RootInfo(r, g.inspect_get_product_name(r), g.inspect_get_type(r),
                     g.inspect_get_distro(r)) for r in g.inspect_get_roots()]


def shell(ns: argparse.Namespace) -> int:
    if not os.isatty(0):
        raise ToolError("tcgetattr: stdin: Inappropriate ioctl for device")
    if ns.append:
        print(f"{TOOL.prog}: --append is ignored: the appliance's kernel is already running",
              file=sys.stderr)
    with toolopts.opened(ns, TOOL.prog, setup=_setup(ns)) as g:
        roots = _roots(g, ns.inspector)
        bind = bool(roots) and roots is not None and roots[0].type != "windows"
        rows, cols = window_size(0)
        with raw_terminal(0) as cooked, \
                g.rescue_session(os.environ.get("TERM", ""), rows, cols, bind) as session:
            relay = Relay(session, 0, 1, ns.escape_key, roots, cooked)
            if ns.escape_key:
                relay.write(escape_key_help(ns.escape_key))
            relay.run()
        try:
            g.shutdown()
        except Error as e:
            if e.errno != 32:  # EPIPE: the user powered the appliance off
                raise
    return 0


def run(ns: argparse.Namespace) -> int:
    _normalize(ns)
    if ns.suggest:
        return suggest(ns)
    return shell(ns)


TOOL = register(Tool("rescue", "virt-rescue",
                     "an interactive shell in the appliance, with the guest's disks", DOC,
                     options, run))
