"""`guestbox df`: free space on a guest's filesystems, as virt-df (guestfs-tools 1.48)."""

from __future__ import annotations

import argparse
import math
import os
import struct
from typing import Any

from ...errors import Error
from .. import toolopts
from ..toolopts import ToolError, usage_error
from .output import csv_row, human_size, stdout_closed, write, write_json
from .registry import Tool, register
from .virtargs import add_json, take_old_style_disks, usage_failure

NAME = "df"
COMMAND = f"guestbox {NAME}"

DOC = """\
    guestbox df -a DISK [-a DISK ...] [-h | --csv] [-i]
    guestbox df DISK [DISK ...]

The disks are one guest (opened read-only); each of its filesystems (not swap)
is mounted read-only in turn and its statvfs shown, as virt-df does: its
columns, its rounding (Use% rounded up; with -h sizes as 1.5K, 240M; with --csv
the percentage to one decimal).  The guest is named after the first disk's
file, with a `+` for each other disk.  A filesystem that does not mount is left
out.

--json (guestbox's own): a list of {"name", "filesystem", "bsize", "blocks",
"bfree", "bavail", "files", "ffree", "size", "used", "available", "use%",
"inodes", "iused", "ifree", "iuse%"} (sizes in bytes, percentages as in --csv).

Accepted and ignored as in virt-df 1.48: --one-per-guest, -P N; --uuid (only
libvirt guests have one).  Not supported: libvirt guests (-d, -c, or no -a at
all: virt-df then shows every libvirt guest), --blocksize.
"""


class _Threads(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        if not value.isdigit():
            raise ToolError("-P option is not numeric")


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, keys=False)
    toolopts.add_version(p)
    p.add_argument("--csv", action="store_true", help="comma-separated values")
    p.add_argument("-h", "--human-readable", dest="human", action="store_true",
                   help="sizes as 1.5K, 240M ...")
    p.add_argument("-i", "--inodes", action="store_true", help="inodes instead of blocks")
    p.add_argument("--one-per-guest", action="store_true", help="accepted, does nothing")
    p.add_argument("-P", action=_Threads, metavar="N", help="accepted, does nothing")
    p.add_argument("--uuid", action="store_true", help="accepted, does nothing")
    add_json(p, "the filesystems' figures")
    p.add_argument("args", nargs="*", metavar="DISK", help=argparse.SUPPRESS)


def run(ns: argparse.Namespace) -> int:
    if take_old_style_disks(ns, ns.args, keep=0):
        raise usage_failure(COMMAND)
    toolopts.check(ns)
    if ns.human and ns.csv:
        raise ToolError("you cannot use -h and --csv options together.")
    if ns.json and ns.csv:
        raise ToolError("you cannot use --csv and --json options together.")
    if not ns.drives:
        raise usage_error(COMMAND, "you must specify at least one -a option (guestbox does "
                          "not list libvirt guests).")
    name = os.path.basename(ns.drives[0][0]) + "+" * (len(ns.drives) - 1)
    with toolopts.opened(ns, COMMAND, readonly=True) as g, stdout_closed():
        figures = statvfs_all(g)
        if ns.json:
            write_json([as_dict(name, dev, st) for dev, st in figures])
            return 0
        write(title(ns) + "".join(row(ns, name, dev, st) for dev, st in figures))
    return 0


def statvfs_all(g: Any) -> list[tuple[str, dict[str, int]]]:
    """(canonical device, statvfs) of each filesystem that mounts, in list_filesystems'
    order (df_on_handle: swap, unknown and unrecognised ones are skipped, failures too)."""
    out = []
    for fs, kind in dict(g.list_filesystems()).items():
        if kind in ("", "swap", "unknown"):
            continue
        try:
            g.mount_ro(fs, "/")
        except Error:
            continue
        try:
            st = dict(g.statvfs("/"))
        except Error:
            continue
        finally:
            g.umount_all()
        out.append((str(g.canonical_device_name(fs)), st))
    return out


def title(ns: argparse.Namespace) -> str:
    size = "Size" if ns.human else "1K-blocks"
    cols = (["Inodes", "IUsed", "IFree", "IUse%"] if ns.inodes
            else [size, "Used", "Available", "Use%"])
    if ns.csv:
        return csv_row(["VirtualMachine", "Filesystem", *cols]) + "\n"
    return f"{'Filesystem':<36}{cols[0]:>10} {cols[1]:>10} {cols[2]:>10} {cols[3]:>5}\n"


def row(ns: argparse.Namespace, name: str, dev: str, st: dict[str, int]) -> str:
    """One filesystem's line (print_stat)."""
    if ns.inodes:
        cols = [str(st["files"]), str(st["files"] - st["ffree"]), str(st["ffree"])]
        percent = _percent(st["ffree"], st["files"])
    elif ns.human:
        cols = [human_size(n, st["bsize"])
                for n in (st["blocks"], st["blocks"] - st["bfree"], st["bavail"])]
        percent = _percent(st["bfree"], st["blocks"])
    else:
        cols = [str(_scale(n, st["bsize"]))
                for n in (st["blocks"], st["blocks"] - st["bfree"], st["bavail"])]
        percent = _percent(st["bfree"], st["blocks"])
    if ns.csv:
        return csv_row([name, dev, *cols, f"{percent:.1f}"]) + "\n"
    label = f"{name}:{dev}"
    label = f"{label:<36}" if len(label) <= 36 else f"{label}\n{'':36}"
    return f"{label}{cols[0]:>10} {cols[1]:>10} {cols[2]:>10} {math.ceil(percent):>4.0f}%\n"


def _scale(n: int, bsize: int) -> int:
    """n blocks of bsize bytes in 1K blocks, as virt-df's scale()."""
    return n * (bsize // 1024) if bsize >= 1024 else n // (1024 // bsize)


def _percent(free: int, total: int) -> float:
    """100 - 100 * free / total in a C float, as virt-df computes it (0 if total is 0)."""
    if total == 0:
        return 0.0
    value: float = struct.unpack("f", struct.pack("f", 100.0 - 100.0 * free / total))[0]
    return value


def as_dict(name: str, dev: str, st: dict[str, int]) -> dict[str, Any]:
    """A filesystem's figures for --json."""
    bsize = st["bsize"]
    return {"name": name, "filesystem": dev,
            **{k: st[k] for k in ("bsize", "blocks", "bfree", "bavail", "files", "ffree")},
            "size": st["blocks"] * bsize, "used": (st["blocks"] - st["bfree"]) * bsize,
            "available": st["bavail"] * bsize,
            "use%": float(f"{_percent(st['bfree'], st['blocks']):.1f}"),
            "inodes": st["files"], "iused": st["files"] - st["ffree"], "ifree": st["ffree"],
            "iuse%": float(f"{_percent(st['ffree'], st['files']):.1f}")}


register(Tool(NAME, "virt-df", "show free space on a guest's filesystems", DOC, options, run))
