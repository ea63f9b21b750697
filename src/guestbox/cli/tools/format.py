"""`guestbox format`: erase disks and make a fresh layout on each, as virt-format (1.48)."""

from __future__ import annotations

import argparse
from typing import Any

from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from ..toolopts import FAILURES, ToolError, try_help
from . import bars, outputs
from .registry import Tool, register
from .version import add_version, print_version

PROG = "virt-format"
COMMAND = "guestbox format"
WARNING = "IMPORTANT NOTE: This program ERASES ALL DATA on disks."
TWO_TIB = 2 * 1024 ** 4
MBR_IDS = {"msdos": 0x01, "fat": 0x0B, "vfat": 0x0B, "ntfs": 0x07, "minix": 0x81}

DOC = f"""\
{WARNING}

Each disk given with -a is erased (its filesystem and RAID signatures wiped and
its first blocks zeroed, or with --wipe all of it zeroed), its blocks discarded
where the image allows, and then, as the options say:

  --partition[=mbr|gpt|none]  one partition over the whole disk (default: MBR,
                              GPT for disks of 2 TiB or more); none: no table
  --lvm[=/dev/VG/LV|none]     a physical volume, the volume group VG and the
                              logical volume LV filling it (default VG/LV)
  --filesystem=FS             a filesystem (ext4, xfs, vfat, ntfs, btrfs ...)
  --label=LABEL               its label

Without --filesystem nothing is formatted: the result is a blank, partitioned
disk.  Nothing is printed on success.  Texts and exit statuses are
virt-format's.  Differences: -a disks are erased whatever volume groups or
RAID arrays they held (those are stopped first, where virt-format relaunches);
--blocksize is not taken; `--lvm VG/LV` (with a space) is taken as the
option's value, where virt-format requires `--lvm=VG/LV`.
"""


class _Lvm(argparse.Action):
    """--lvm[=/dev/VG/LV|none], each in order (checked by _check: the texts are the tool's)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.lvm_given = [*ns.lvm_given, value]


def parse_lvm(given: list[str | None]) -> tuple[str, str] | None:
    """(VG, LV) from the --lvm options (None: no LVM): once only, `none` cancels."""
    lvm: tuple[str, str] | None = None
    for value in given:
        if lvm is not None:
            raise ToolError("--lvm option cannot be given multiple times")
        lvm = None if value == "none" else parse_vg_lv(value)
    return lvm


def parse_vg_lv(text: str | None) -> tuple[str, str]:
    """(VG, LV) of `/dev/VG/LV` or `VG/LV`; ("VG", "LV") for none given."""
    if text is None:
        return ("VG", "LV")
    name = text.removeprefix("/dev/")
    vg, sep, lv = name.partition("/")
    if not sep or "/" in lv:
        raise ToolError(f"cannot parse --lvm option ({name})")
    return (vg, lv)


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, keys=False,
                         libvirt=False)
    p.add_argument("--filesystem", metavar="FS",
                   help="make a filesystem of type FS (none: no filesystem)")
    p.add_argument("--label", metavar="LABEL", help="the filesystem's label")
    p.add_argument("--lvm", nargs="?", action=_Lvm, metavar="/dev/VG/LV",
                   help="make an LVM logical volume (default /dev/VG/LV; none: no LVM)")
    p.add_argument("--partition", nargs="?", const="DEFAULT", default="DEFAULT",
                   metavar="mbr|gpt|none",
                   help="the partition table (default: mbr, gpt from 2 TiB; none: no table)")
    p.add_argument("--wipe", action="store_true", help="write zeroes over the whole disks")
    add_version(p)
    p.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    p.set_defaults(lvm_given=[])


def run(ns: argparse.Namespace) -> int:
    if ns.version:
        return print_version(PROG)
    try:
        _check(ns)
        for _attempt in range(2):
            # As virt-format: a kernel that cannot reread a partition table after the
            # erasing gets a new appliance (once).
            with toolopts.opened(ns, PROG, readonly=False,
                                 drive_options=[{"discard": "besteffort"}] * len(ns.drives)
                                 ) as g:
                bars.follow(g)
                if _format(g, ns):
                    g.shutdown()
                    return 0
        raise ToolError("failed to rescan the disks after two attempts.  This\n"
                        "may mean there is some sort of partition table or disk\n"
                        "data which we are unable to remove.  If you think this\n"
                        "is a bug, please file a bug at http://libguestfs.org/\n")
    except FAILURES as e:
        return toolopts.report(PROG, e)


def _check(ns: argparse.Namespace) -> None:
    """virt-format's checks, in its order; ns.lvm and ns.partition made ready."""
    toolopts.check(ns)
    if ns.filesystem == "none":
        ns.filesystem = None
    elif ns.filesystem is not None and ns.filesystem.startswith("-"):
        raise ToolError("no filesystem was specified")
    ns.lvm = parse_lvm(ns.lvm_given)
    if ns.partition == "none":
        ns.partition = None
    elif ns.partition != "DEFAULT":
        outputs.check_parttype(ns.partition)
    if ns.extra:
        raise ToolError(f"error: extra argument ‘{ns.extra[0]}’ on command line.\n"
                        "Make sure to specify the argument for --format, --lvm or --partition "
                        f"like '--format={ns.extra[0]}'.\n{try_help(COMMAND)}\n{WARNING}")
    if not ns.drives:
        raise ToolError(f"error: you must specify at least one -a option.\n"
                        f"{try_help(COMMAND)}\n{WARNING}")


def _format(g: GuestFS, ns: argparse.Namespace) -> bool:
    """Erase and lay out every disk; False if the kernel could not be made to forget
    what was there (the caller relaunches)."""
    devices = g.list_devices()
    _release(g)
    have_wipefs = g.feature_available(["wipefs"])
    for dev in devices:
        if ns.wipe:
            g.zero_device(dev)
        else:
            if have_wipefs:
                g.wipefs(dev)
            g.zero(dev)
    for dev in devices:  # give the space back to the host where it can be
        try:
            g.blkdiscard(dev)
        except Error:
            pass
    if not _rescan(g, devices):
        return False
    for dev in devices:
        _lay_out(g, dev, ns)
    g.sync()
    return True


def _release(g: GuestFS) -> None:
    """Stop what holds the disks' partitions open (volume groups, RAID arrays), so that
    the kernel can forget them once they are erased."""
    try:
        g.vg_activate_all(False)
    except Error:
        pass
    for md in g.list_md_devices():
        try:
            g.md_stop(md)
        except Error:
            pass


def _rescan(g: GuestFS, devices: list[str]) -> bool:
    ok = True
    for dev in devices:
        try:
            g.blockdev_rereadpt(dev)
        except Error:
            ok = False
    try:
        g.lvm_scan(True)
    except Error:
        ok = False
    return ok


def _lay_out(g: GuestFS, disk: str, ns: argparse.Namespace) -> None:
    dev = disk
    if ns.partition is not None:
        ptype = ns.partition
        if ptype == "DEFAULT":
            ptype = "mbr" if g.blockdev_getsize64(disk) < TWO_TIB else "gpt"
        g.part_disk(disk, ptype)
        dev = f"{disk}1"
        if ptype in ("mbr", "msdos"):
            mbr_id = _mbr_id(ns.filesystem, ns.lvm is not None)
            if mbr_id:
                try:  # as virt-format: a type byte that cannot be set is not an error
                    g.part_set_mbr_id(disk, 1, mbr_id)
                except Error:
                    pass
    if ns.lvm is not None:
        vg, lv = ns.lvm
        g.pvcreate(dev)
        g.vgcreate(vg, [dev])
        g.lvcreate_free(lv, vg, 100)
        dev = f"/dev/{vg}/{lv}"
    if ns.filesystem is not None:
        g.mkfs(ns.filesystem, dev, label=ns.label)


def _mbr_id(filesystem: str | None, lvm: bool) -> int:
    """The MBR type byte for the partition (RHBZ#1000428: Windows looks at it); 0: leave."""
    if lvm:
        return 0x8E
    if filesystem is None:
        return 0
    if filesystem.startswith("ext"):
        return 0x83
    return MBR_IDS.get(filesystem, 0)


TOOL = register(Tool("format", "virt-format", "erase disks and make a blank layout on them",
                     DOC, options, run))
