"""`guestbox alignment-scan`: how well a guest's partitions are aligned, as virt-alignment-scan.

The disks are opened read-only; for each partition of each disk with a
partition table, a line `DEVICE START ALIGNMENT ok|bad (...)` tells its start
in bytes and the largest power of two that divides it.  The exit status says
how bad the worst partition is: 0 all aligned on 64K or more, 2 one on less
than 64K, 3 one on less than 4K (1 is an error).  -q prints nothing, only the
status.  virt-alignment-scan's libvirt mode (no -a: every libvirt guest, -P,
--uuid) does not exist here: add the disk images with -a.
"""

from __future__ import annotations

import argparse
import errno
import sys

from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from ..toolopts import ToolError
from .registry import Tool, register

NAME = "alignment-scan"
PROG = f"guestbox {NAME}"


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, keys=False)
    p.add_argument("-P", metavar="NR_THREADS",
                   help="accepted for compatibility (the threads of the libvirt mode)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print nothing: the exit status tells the result")
    p.add_argument("--uuid", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("extra", nargs="*", help=argparse.SUPPRESS)


def run(ns: argparse.Namespace) -> int:
    if ns.P is not None and not ns.P.strip().isdigit():
        raise ToolError("-P option is not numeric")
    if ns.extra:
        print(toolopts.try_help(PROG), file=sys.stderr)
        raise ToolError()
    toolopts.check(ns)
    if not ns.drives:
        raise ToolError("no disks given: add the disk images with -a "
                        "(guestbox has no libvirt mode scanning every guest)")
    if ns.uuid:
        raise ToolError("--uuid option cannot be used with -a or -d")
    with toolopts.opened(ns, PROG, readonly=True) as g:
        worst = scan(g, ns.quiet)
    return 3 if worst < 10 else 2 if worst < 16 else 0


def scan(g: GuestFS, quiet: bool) -> int:
    """Print each partition's line (unless quiet); the worst alignment, as a power of 2."""
    worst = 64
    for device in g.list_devices():
        try:
            parts = g.part_list(device)
        except Error as e:
            if e.errno == errno.EINVAL:  # no partition table that parted knows
                continue
            raise
        name = g.canonical_device_name(device)
        for part in parts:
            start = part["part_start"]
            alignment = 64 if start == 0 else (start & -start).bit_length() - 1
            worst = min(worst, alignment)
            if quiet:
                continue
            if alignment < 10:
                shown = f"{1 << alignment:12d}    "
            elif alignment < 64:
                shown = f"{1 << (alignment - 10):12d}K   "
            else:
                shown = "- "
            verdict = ("bad (alignment < 4K)" if alignment < 12 else
                       "bad (alignment < 64K)" if alignment < 16 else "ok")
            print(f"{name}{part['part_num']} {start:12d} {shown}{verdict}")
    return worst


register(Tool(
    NAME, "virt-alignment-scan", "check the alignment of a guest's partitions",
    __doc__.split("\n\n", 1)[1], options, run))
