"""`guestbox alignment-scan`: how well a guest's partitions are aligned, as virt-alignment-scan.

The disks are opened read-only; for each partition of each disk with a
partition table, a line `DEVICE START ALIGNMENT ok|bad (...)` tells its start
in bytes and the largest power of two that divides it.  The exit status says
how bad the worst partition is: 0 all aligned on 64K or more, 2 one on less
than 64K, 3 one on less than 4K (1 is an error).  -q prints nothing, only the
status.  virt-alignment-scan's libvirt mode (no -a: every libvirt guest, -P,
--uuid) does not exist here: add the disk images with -a.

--json (guestbox's): the partitions as a JSON array of objects {"device",
"partition" (its number), "start" (bytes), "alignment" (bytes, the largest
power of two dividing start), "ok" (aligned on 64K or more), "verdict" (the
text's)}, with the same exit status.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
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
    p.add_argument("--json", action="store_true",
                   help="the partitions as JSON (guestbox's; see above)")
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
        found = scan(g)
    if ns.json and not ns.quiet:
        print(json.dumps([dataclasses.asdict(p) for p in found], indent=2))
    elif not ns.quiet:
        for p in found:
            shown = ("- " if not p.alignment else f"{p.alignment:12d}    "
                     if p.alignment < 1024 else f"{p.alignment >> 10:12d}K   ")
            print(f"{p.device} {p.start:12d} {shown}{p.verdict}")
    worst = min((p.power for p in found), default=64)
    return 3 if worst < 10 else 2 if worst < 16 else 0


@dataclasses.dataclass
class Partition:
    """One partition's alignment: alignment is 2 ** power bytes (0 for a start of 0)."""

    device: str
    partition: int
    start: int
    alignment: int
    ok: bool
    verdict: str

    @property
    def power(self) -> int:
        return self.alignment.bit_length() - 1 if self.alignment else 64


def scan(g: GuestFS) -> list[Partition]:
    """Every partition of the disks that have a partition table, as virt-alignment-scan
    judges it."""
    out = []
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
            power = 64 if start == 0 else (start & -start).bit_length() - 1
            verdict = ("bad (alignment < 4K)" if power < 12 else
                       "bad (alignment < 64K)" if power < 16 else "ok")
            out.append(Partition(f"{name}{part['part_num']}", part["part_num"], start,
                                 0 if power == 64 else 1 << power, power >= 16, verdict))
    return out


register(Tool(
    NAME, "virt-alignment-scan", "check the alignment of a guest's partitions",
    __doc__.split("\n\n", 1)[1], options, run))
