"""`guestbox resize`: copy a disk image to a bigger (or smaller) one, resizing partitions
and growing their content, as virt-resize (1.48).

The source is added read-only (/dev/sda) with the target (/dev/sdb, which the
user made beforehand at the size wanted, as virt-resize requires); the plan
(resize_plan.py) is made from the source's partitions, then the target gets a
new partition table of the same type and disk GUID, the boot loader's sectors,
the partitions at their new places with their types, names, GUIDs, flags, and
each one's content copied (sparsely).  If content is to grow, the target is then
opened alone and each resized partition's filesystem or PV grown (resize2fs,
xfs_growfs, ntfsresize, btrfs, pvresize, mkswap), and each --lv-expand LV made
to fill its volume group.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from . import bars, virt_messages
from .registry import Tool, register
from .resize_plan import (
    EXTENDED_IDS,
    MAX_BOOTLOADER,
    NEEDS_FEATURE,
    Content,
    LogVol,
    Partition,
    Plan,
)
from .version import add_version, print_version
from .virt_messages import Messages, VirtError

PROG = "virt-resize"
GPT_PRIMARY_END = 17408  # protective MBR, GPT header and 128 entries, with 512-byte sectors

DOC = """\
Usage:

    guestbox resize [--options] INDISK OUTDISK

OUTDISK must exist, at the size wanted (truncate -s 20G OUTDISK, or qemu-img
create -f qcow2 OUTDISK 20G): INDISK's partitions are copied to it, resized as
--expand PART (takes all the surplus), --shrink PART (gives up the deficit),
--resize PART=SIZE (10G, +500M, -10%, 150% ...; --resize-force even below
the content's size), --delete PART and --ignore PART say, and the content of
each resized partition grown (unless --no-expand-content).  --lv-expand LV
grows a logical volume and its content to fill its volume group.  A surplus of
10 MiB or more gets a partition of its own (unless --no-extra-partition).
--dry-run prints the summary only.  INDISK is never written.

Messages, the summary and exit statuses are virt-resize's; progress bars on a
terminal.  Differences: --machine-readable is not taken; disks are local files
or devices (no URIs); OUTDISK's format is detected (qemu-img info) unless
--output-format gives it.
"""


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, keys=False,
                         libvirt=False, drives=False)
    virt_messages.add_options(p)
    p.add_argument("--align-first", default="auto", metavar="never|always|auto",
                   help="align the first partition (default auto)")
    p.add_argument("--alignment", type=int, default=128, metavar="SECTORS",
                   help="partition alignment (default 128 sectors)")
    p.add_argument("--no-copy-boot-loader", dest="copy_boot_loader", action="store_false",
                   help="do not copy the boot loader")
    p.add_argument("-d", "--debug", dest="verbose", action="store_true",
                   help="debugging messages")
    p.add_argument("--delete", action="append", default=[], metavar="PART",
                   help="delete a partition")
    p.add_argument("--expand", metavar="PART", help="expand a partition into the surplus")
    p.add_argument("--no-expand-content", dest="expand_content", action="store_false",
                   help="do not grow the content of resized partitions")
    p.add_argument("--no-extra-partition", dest="extra_partition", action="store_false",
                   help="do not make a partition of the surplus")
    p.add_argument("--ignore", action="append", default=[], metavar="PART",
                   help="make a partition but do not copy its content")
    p.add_argument("--lv-expand", "--LV-expand", "--lvexpand", "--LVexpand", dest="lv_expands",
                   action="append", default=[], metavar="LV", help="expand a logical volume")
    p.add_argument("-n", "--dry-run", "--dryrun", dest="dryrun", action="store_true",
                   help="print the summary, change nothing")
    p.add_argument("--ntfsresize-force", action="store_true", help="force ntfsresize")
    p.add_argument("--output-format", metavar="FORMAT", help="format of the output disk")
    p.add_argument("--resize", dest="resizes", action="append", default=[],
                   metavar="PART=SIZE", help="resize a partition")
    p.add_argument("--resize-force", dest="resizes_force", action="append", default=[],
                   metavar="PART=SIZE", help="resize a partition even below its content")
    p.add_argument("--shrink", metavar="PART", help="shrink a partition by the deficit")
    p.add_argument("--no-sparse", dest="sparse", action="store_false",
                   help="write every block of the target")
    p.add_argument("--unknown-filesystems", default="warn", metavar="ignore|warn|error",
                   help="what to do when a filesystem cannot be grown (default warn)")
    add_version(p)
    p.add_argument("disks", nargs="*", help=argparse.SUPPRESS)


def run(ns: argparse.Namespace) -> int:
    if ns.version:
        return print_version(PROG)
    out = virt_messages.messages(PROG, ns)
    try:
        _check(ns)
        with toolopts.signals_end_tool():
            return Resize(ns, out).run()
    except virt_messages.FAILURES as e:
        return out.failure(e)


def _check(ns: argparse.Namespace) -> None:
    for option in ("expand", "shrink"):
        if getattr(ns, option) == "":
            raise VirtError(f"empty --{option} option")
    if ns.alignment < 1:
        raise VirtError("alignment cannot be < 1")
    if ns.align_first not in ("never", "always", "auto"):
        raise VirtError("unknown --align-first option: use never|always|auto")
    if ns.unknown_filesystems not in ("ignore", "warn", "error"):
        raise VirtError("unknown --unknown-filesystems: use ignore|warn|error")
    if len(ns.disks) != 2:
        raise VirtError(f"usage is: {PROG} [--options] indisk outdisk")
    if ns.disks[0] == ns.disks[1]:
        raise VirtError("you cannot use the same disk image for input and output")


class Resize:
    """One run of the tool: the handle, the plan, the target made."""

    def __init__(self, ns: argparse.Namespace, out: Messages) -> None:
        self.ns, self.out = ns, out
        self.infile, self.outfile = ns.disks

    def debug(self, text: str) -> None:
        if self.ns.verbose:
            print(text, file=sys.stderr, flush=True)

    def _namespace(self, drives: list[tuple[str, str | None]]) -> argparse.Namespace:
        ns = argparse.Namespace(**vars(self.ns))
        ns.drives, ns.keys, ns.keys_from_stdin, ns.echo_keys = drives, None, False, False
        ns.inspector, ns.mounts, ns.readonly = False, None, False
        return ns

    def run(self) -> int:
        ns, out = self.ns, self.out
        out.message(f"Examining {self.infile}")
        both = self._namespace([(self.infile, ns.format), (self.outfile, ns.output_format)])
        with toolopts.opened(both, PROG, readonly=False,
                             drive_options=[{"readonly": True}, {"cachemode": "unsafe"}]) as g:
            bars.follow(g, ns.quiet)
            if _target_used(g):
                g.lvm_set_filter(["/dev/sda"])  # rogue PVs on the target stay out of the way
            plan, sectsize, surplus, parttype = self._plan(g)
            if ns.dryrun:
                return 0
            targets = self._write(g, plan, sectsize, surplus, parttype)
            if not plan.to_expand():
                g.shutdown()
        if plan.to_expand():
            self._expand(plan, targets)
        with open(self.outfile, "rb") as f:  # written with cache=unsafe: to the disk now
            os.fsync(f.fileno())
        if not ns.quiet:
            print()
            out.info("Resize operation completed with no errors.  Before deleting the old "
                     "disk, carefully check that the resized disk boots and works correctly.")
        return 0

    # -- the plan ------------------------------------------------------------------------
    def _plan(self, g: GuestFS) -> tuple[Plan, int, int, str]:
        ns = self.ns
        sectsize = g.blockdev_getss("/dev/sdb")
        insize, outsize = g.blockdev_getsize64("/dev/sda"), g.blockdev_getsize64("/dev/sdb")
        self.debug(f"{self.infile} size {insize} bytes\n{self.outfile} size {outsize} bytes")
        for path, size in ((self.infile, insize), (self.outfile, outsize)):
            if size < MAX_BOOTLOADER:
                raise VirtError(f"{path}: file is too small to be a disk image ({size} bytes)")
        parttype = g.part_get_parttype("/dev/sda")
        self.debug(f"partition table type: {parttype}")
        if parttype not in ("msdos", "gpt"):
            raise VirtError(f"{self.infile}: unknown partition table type\nvirt-resize only "
                            "supports MBR (DOS) and GPT partition tables.")
        features = {tuple(groups): _available(g, groups)  # asked once: the plan outlives
                    for groups in NEEDS_FEATURE.values()}  # this handle
        plan = Plan(self.infile, _partitions(g, parttype), _lvs(g),
                    lambda name: str(g.canonical_device_name(name)),
                    lambda groups: features.get(tuple(groups), False), ns.expand_content)
        self._debug_partitions(plan.partitions, "partitions found")
        plan.check_source()
        for name in ns.ignore:
            plan.ignore(name)
        for name in ns.delete:
            plan.delete(name)
        for arg in ns.resizes:
            plan.resize("--resize", arg)
        for arg in ns.resizes_force:
            plan.resize("--resize-force", arg, force=True)
        if ns.expand is not None and ns.shrink is not None:
            raise VirtError("you cannot use options --expand and --shrink together")
        if ns.expand is not None or ns.shrink is not None:
            surplus = plan.surplus(outsize, sectsize, ns.alignment)
            self.debug(f"surplus before --expand or --shrink: {surplus}")
            plan.expand_or_shrink(ns.expand, ns.shrink, surplus)
        surplus = plan.surplus(outsize, sectsize, ns.alignment)
        plan.check_deficit(surplus)
        plan.expand_lvs(ns.lv_expands)
        if ns.unknown_filesystems == "error":
            plan.check_unknown()
        self._summary(plan, surplus)
        return plan, sectsize, surplus, parttype

    def _summary(self, plan: Plan, surplus: int) -> None:
        sys.stderr.flush()
        if self.ns.quiet:
            return
        print("**********\n\nSummary of changes:\n", flush=True)

        def warn(text: str) -> None:
            if self.ns.unknown_filesystems != "ignore":
                self.out.warning(text)

        for line in plan.summary(surplus, self.ns.extra_partition, warn):
            self.out.info(line + "\n")
        print("**********", flush=True)

    def _debug_partitions(self, parts: list[Partition], what: str, sectsize: int = 512
                          ) -> None:
        if not self.ns.verbose:
            return
        self.debug(f"{len(parts)} {what}")
        for p in parts:
            pid = ("(none)" if p.mbr_id is None and p.gpt_type is None else
                   f"0x{p.mbr_id:x}" if p.mbr_id is not None else str(p.gpt_type))
            self.debug(f"{p.name}:\n\tpartition data: {p.num} {p.start}-{p.end} ({p.size} "
                       f"bytes)\n\tpartition sector data: {p.start // sectsize}-"
                       f"{p.end // sectsize} ({(p.end + 1 - p.start) // sectsize} sectors)\n"
                       f"\ttarget partition sector data: {p.target_start}-{p.target_end} "
                       f"({p.target_end + 1 - p.target_start} sectors)\n\tbootable: "
                       f"{str(p.bootable).lower()}\n\tpartition ID: {pid}\n\tcontent: "
                       f"{p.content.debug()}\n\tlabel: {p.label or '(none)'}\n\tGUID: "
                       f"{p.guid or '(none)'}")

    # -- the target ----------------------------------------------------------------------
    def _write(self, g: GuestFS, plan: Plan, sectsize: int, surplus: int, parttype: str
               ) -> list[Partition]:
        ns, out = self.ns, self.out
        out.message(f"Setting up initial partition table on {self.outfile}")
        try:
            g.part_init("/dev/sdb", parttype)
            if parttype == "gpt":
                guid = _text(_maybe(g.part_get_disk_guid, "/dev/sda"))
                if guid:
                    g.part_set_disk_guid("/dev/sdb", guid)
        except Error as e:
            raise VirtError("Failed to initialize the partition table on the target disk.  "
                            "You need to wipe or recreate the target disk and then run "
                            f"virt-resize again.\n\nThe underlying error was: {e}") from None
        if ns.copy_boot_loader:
            _copy_boot_loader(g, parttype)
        align_first = plan.align_first(ns.align_first, ns.alignment)
        self.debug(f"align_first_partition_and_fix_bootloader = {str(align_first).lower()}")
        targets = plan.target(sectsize, ns.alignment, align_first, surplus, ns.extra_partition)
        self._debug_partitions(targets, "target partitions", sectsize)
        for p in targets:
            g.part_add("/dev/sdb", "primary", p.target_start, p.target_end)
        for p in targets:  # before the copy: sfdisk rewrites an extended partition's EBR
            _set_attributes(g, p, parttype)
        for p in targets:
            self._copy(g, p)
        if align_first:
            self._fix_ntfs_boot(g, targets)
        return targets

    def _copy(self, g: GuestFS, p: Partition) -> None:
        if p.operation not in ("copy", "resize"):
            return
        size = min(p.size, p.newsize) if p.operation == "resize" else p.size
        self.out.message(f"Copying {p.name}")
        if p.content.kind == "extended":
            # An extended partition's device covers 1 KiB only: copy from the disks.
            g.copy_device_to_device("/dev/sda", "/dev/sdb", srcoffset=p.start,
                                    destoffset=p.target_start * 512, size=size,
                                    sparse=self.ns.sparse)
        else:
            g.copy_device_to_device(p.name, f"/dev/sdb{p.target_num}", size=size,
                                    sparse=self.ns.sparse)

    def _fix_ntfs_boot(self, g: GuestFS, targets: list[Partition]) -> None:
        """The first partition moved: its NTFS boot record's hidden sectors follow it."""
        p = targets[0] if targets else None
        if p is None or not (p.content.kind == "fs" and p.content.fstype == "ntfs"
                             and p.bootable):
            return
        target = f"/dev/sdb{p.target_num}"
        if g.pread_device(target, 8, 3) != b"NTFS    ":
            self.out.warning("first partition is NTFS but does not contain NTFS boot loader "
                             "magic")
            return
        self.out.message("Fixing first NTFS partition boot record")
        g.pwrite_device(target, p.target_start.to_bytes(4, "little"), 0x1C)

    # -- growing the content -----------------------------------------------------------
    def _expand(self, plan: Plan, targets: list[Partition]) -> None:
        """The target alone (no duplicate volume groups), each resized content grown."""
        ns, out = self.ns, self.out
        alone = self._namespace([(self.outfile, ns.output_format)])
        with toolopts.opened(alone, PROG, readonly=False,
                             drive_options=[{"cachemode": "unsafe"}]) as g:
            bars.follow(g, ns.quiet)
            for p in targets:
                if p.operation == "resize" and plan.can_expand(p.content):
                    target = f"/dev/sda{p.target_num}"
                    method = plan.method(p.content)
                    moved = f" (now {target})" if p.name != target else ""
                    out.message(f"Expanding {p.name}{moved} using the ‘{method}’ method")
                    self._grow(g, target, method)
            for lv in plan.lvs:
                if lv.expand and plan.can_expand(lv.content):
                    method = plan.method(lv.content)
                    out.message(f"Expanding {lv.name} using the ‘{method}’ method")
                    g.lvresize_free(lv.name, 100)
                    self._grow(g, lv.name, method)
            g.shutdown()

    def _grow(self, g: GuestFS, target: str, method: str) -> None:
        if method == "pvresize":
            g.pvresize(target)
        elif method == "resize2fs":
            g.resize2fs(target)
        elif method == "ntfsresize":
            g.ntfsresize(target, force=self.ns.ntfsresize_force)
        elif method in ("btrfs-filesystem-resize", "xfs_growfs"):
            g.mount(target, "/")  # both grow mounted filesystems
            if method == "xfs_growfs":
                g.xfs_growfs("/", datasec=True)
            else:
                g.btrfs_filesystem_resize("/")
            g.umount("/")
        elif method == "mkswap":
            # The swap made again, with its UUID and label.
            uuid, label = g.vfs_uuid(target), g.vfs_label(target)
            g.mkswap(target, uuid=uuid or None, label=label or None)
            new_uuid = g.vfs_uuid(target)
            if new_uuid != uuid:
                self.out.warning(f"UUID in swap partition {target} changed from ‘{uuid}’ to "
                                 f"‘{new_uuid}’")
        else:
            raise VirtError(f"{target}: cannot expand content with {method}")


def _available(g: GuestFS, groups: list[str]) -> bool:
    """Whether the appliance has the feature groups (an unknown group: no, such as f2fs)."""
    try:
        return bool(g.feature_available(groups))
    except Error:
        return False


def _target_used(g: GuestFS) -> bool:
    """Whether the target holds partitions or a physical volume (a blank one, the usual
    case, needs no LVM filter: setting one costs a rescan of every volume group)."""
    return (any(p.startswith("/dev/sdb") for p in g.list_partitions())
            or any(not pv.startswith("/dev/sda") for pv in g.pvs()))


def _maybe(call: Callable[..., Any], *args: object) -> object:
    """call(*args), None if the library refuses."""
    try:
        return call(*args)
    except Error:
        return None


def _partitions(g: GuestFS, parttype: str) -> list[Partition]:
    """The source's partitions (MBR: primary and extended ones; logical ones are copied
    within their extended partition)."""
    mbr = parttype == "msdos"
    pvs = {str(g.canonical_device_name(pv["pv_name"])): int(pv["pv_size"])
           for pv in g.pvs_full()}
    out = []
    for part in g.part_list("/dev/sda"):
        num = int(part["part_num"])
        if mbr and num > 4:
            continue
        name = f"/dev/sda{num}"
        mbr_id = _maybe(g.part_get_mbr_id, "/dev/sda", num) if mbr else None
        gpt_type = None if mbr else _maybe(g.part_get_gpt_type, "/dev/sda", num)
        content = (Content("extended") if mbr_id in EXTENDED_IDS else
                   _content(g, name, pvs))
        attributes = None if mbr else _maybe(g.part_get_gpt_attributes, "/dev/sda", num)
        out.append(Partition(
            name, num, int(part["part_start"]), int(part["part_end"]), int(part["part_size"]),
            bootable=bool(g.part_get_bootable("/dev/sda", num)),
            mbr_id=mbr_id if isinstance(mbr_id, int) else None,
            gpt_type=gpt_type if isinstance(gpt_type, str) else None, content=content,
            label=None if mbr else _text(_maybe(g.part_get_name, "/dev/sda", num)),
            guid=None if mbr else _text(_maybe(g.part_get_gpt_guid, "/dev/sda", num)),
            attributes=attributes if isinstance(attributes, int) else None))
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _lvs(g: GuestFS) -> list[LogVol]:
    pvs: dict[str, int] = {}
    return [LogVol(str(name), _content(g, str(name), pvs)) for name in g.lvs()]


def _content(g: GuestFS, dev: str, pvs: dict[str, int]) -> Content:
    """What dev holds, as virt-resize's get_partition_content finds it."""
    try:
        fstype = g.vfs_type(dev)
        if fstype in ("", "unknown"):
            return Content("unknown")
        if fstype == "swap":
            return Content("swap")
        if fstype == "LVM2_member":
            if dev not in pvs:
                raise VirtError(f"{dev}: physical volume not returned by pvs_full")
            return Content("pv", size=pvs[dev])
        g.mount_ro(dev, "/")
        try:
            st = g.statvfs("/")
        finally:
            g.umount("/")
        return Content("fs", fstype, int(st["bsize"]) * int(st["blocks"]))
    except Error:
        return Content("unknown")


def _copy_boot_loader(g: GuestFS, parttype: str) -> None:
    """The boot code of the MBR (446 bytes) and what follows the partition table(s),
    written around the target's new table."""
    boot = bytes(g.pread_device("/dev/sda", 446, 0))
    if len(boot) < 446:
        raise VirtError("pread-device: short read")
    g.pwrite_device("/dev/sdb", boot, 0)
    start = 512 if parttype != "gpt" else GPT_PRIMARY_END
    loader = bytes(g.pread_device("/dev/sda", MAX_BOOTLOADER, start))
    if len(loader) < MAX_BOOTLOADER:
        raise VirtError("pread-device: short read")
    g.pwrite_device("/dev/sdb", loader, start)


def _set_attributes(g: GuestFS, p: Partition, parttype: str) -> None:
    """The source partition's flag, name, GUID, attributes and type, on the target's."""
    n = p.target_num
    if p.bootable:
        g.part_set_bootable("/dev/sdb", n, True)
    if p.label is not None:
        g.part_set_name("/dev/sdb", n, p.label)
    if p.guid is not None:
        g.part_set_gpt_guid("/dev/sdb", n, p.guid)
    if p.attributes is not None:
        g.part_set_gpt_attributes("/dev/sdb", n, p.attributes)
    if parttype == "gpt" and p.gpt_type is not None:
        g.part_set_gpt_type("/dev/sdb", n, p.gpt_type)
    elif parttype == "msdos" and p.mbr_id is not None:
        g.part_set_mbr_id("/dev/sdb", n, p.mbr_id)


TOOL = register(Tool("resize", "virt-resize",
                     "copy a disk image to a new size, resizing partitions and their content",
                     DOC, options, run))
