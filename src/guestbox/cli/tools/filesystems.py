"""`guestbox filesystems`: a guest's filesystems, partitions, devices and LVM, as
virt-filesystems (guestfs-tools 1.48)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from ...errors import Error
from .. import toolopts
from ..toolopts import ToolError, usage_error
from .output import csv_row, human_size, stdout_closed, write, write_json
from .registry import Tool, register
from .virtargs import add_json, need_drives

NAME = "filesystems"
COMMAND = f"guestbox {NAME}"

DOC = """\
    guestbox filesystems -a DISK [-a DISK ...] [--all | --filesystems --extra
        --lvs --vgs --pvs --parts --blkdevs] [-l [-h] [--uuid]] [--csv]

Lists what the disks hold, as virt-filesystems does: the mountable filesystems
(the default; --extra adds swap and unrecognised ones), then LVs, VGs, PVs,
partitions and devices, as selected.  --long adds the columns Type, VFS and
Label (with filesystems), MBR (with partitions), Size (bytes; -h: 1.5K, 240M),
Parent and, with --uuid, UUID, in that order, under a title line (not with
--no-title); columns are aligned, an empty field is `-`.  --csv prints the same
rows as comma-separated values.  A filesystem's size is its statvfs size when
it mounts, else its device's size (none for btrfs subvolumes).

--json (guestbox's own): a list of the rows, each with the columns shown, keyed
"name", "type", "vfs", "label", "mbr" (the type byte, a number), "size" (bytes),
"parents" (a list) and "uuid"; absent values are null.

The disks are opened read-only.  --key (guestbox's addition: virt-filesystems
1.48 cannot open LUKS devices) opens LUKS devices so that what they hold is
listed too.  Not supported: libvirt guests (-d, -c), --blocksize.
"""

FILESYSTEMS, EXTRA, PARTITIONS, BLOCKDEVS, LVS, VGS, PVS = (1 << n for n in range(7))
ALL = (1 << 7) - 1
COLUMNS = ("name", "type", "vfs", "label", "mbr", "size", "parents", "uuid")
TITLES = ("Name", "Type", "VFS", "Label", "MBR", "Size", "Parent", "UUID")


class _Select(argparse.Action):
    """--filesystems, --lvs ...: add bits to what is listed."""

    def __init__(self, option_strings: list[str], dest: str, bits: int, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)
        self.bits = bits

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.output = ALL if self.bits == ALL else ns.output | self.bits


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False)
    toolopts.add_version(p)
    for flags, bits, text in (
            (("--all",), ALL, "everything"),
            (("--filesystems",), FILESYSTEMS, "mountable filesystems (the default)"),
            (("--extra",), FILESYSTEMS | EXTRA, "swap and unrecognised filesystems too"),
            (("--lvs", "--logvols", "--logical-volumes"), LVS, "LVM logical volumes"),
            (("--vgs", "--volgroups", "--volume-groups"), VGS, "LVM volume groups"),
            (("--pvs", "--physvols", "--physical-volumes"), PVS, "LVM physical volumes"),
            (("--parts", "--partitions"), PARTITIONS, "partitions"),
            (("--blkdevs", "--block-devices"), BLOCKDEVS, "block devices")):
        p.add_argument(*flags, action=_Select, bits=bits, help=f"list {text}")
    p.add_argument("-l", "--long", action="store_true", help="more columns")
    p.add_argument("-h", "--human-readable", dest="human", action="store_true",
                   help="sizes as 1.5K, 240M ... (--long)")
    p.add_argument("--uuid", "--uuids", action="store_true", help="a UUID column (--long)")
    p.add_argument("--no-title", action="store_true", help="no title line (--long)")
    p.add_argument("--csv", action="store_true", help="comma-separated values")
    add_json(p, "the rows")
    p.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    p.set_defaults(output=0)


def run(ns: argparse.Namespace) -> int:
    if ns.args:
        raise usage_error(COMMAND, f"extra argument ‘{ns.args[0]}’ on command line.\n"
                          "Make sure to specify the argument for --format like "
                          f"'--format={ns.args[0]}'.")
    toolopts.check(ns)
    if ns.human and ns.csv:
        raise ToolError("you cannot use -h and --csv options together.")
    if ns.json and ns.csv:
        raise ToolError("you cannot use --csv and --json options together.")
    output = ns.output or FILESYSTEMS
    columns = {"name"}
    if ns.long:
        columns |= {"type", "size", "parents"}
        columns |= {"vfs", "label"} if output & FILESYSTEMS else set()
        columns |= {"mbr"} if output & PARTITIONS else set()
        columns |= {"uuid"} if ns.uuid else set()
    shown = [c for c in COLUMNS if c in columns]
    need_drives(ns, COMMAND)
    with toolopts.opened(ns, COMMAND, readonly=True) as g, stdout_closed():
        rows = Rows(g, columns).collect(output)
        if ns.json:
            write_json([{c: r[c] for c in shown} for r in rows])
            return 0
        texts = [[_text(r[c], c, ns.human) for c in shown] for r in rows]
        if ns.long and not ns.no_title:
            texts.insert(0, [TITLES[COLUMNS.index(c)] for c in shown])
        write("".join(csv_row(t) + "\n" for t in texts) if ns.csv else aligned(texts))
    return 0


def _text(value: Any, column: str, human: bool) -> str | None:
    """A field as the tools print it: sizes (-h), MBR ids in hex, parents joined by commas."""
    if value is None:
        return None
    if column == "size":
        return human_size(value) if human else str(value)
    if column == "mbr":
        return f"{value:02x}"
    if column == "parents":
        return ",".join(value)
    return str(value)


def aligned(rows: list[list[str | None]]) -> str:
    """Text mode (do_output_end): each column as wide as its widest field, 2 spaces between
    (1 if that makes lines wider than 72), empty fields as `-`, empty columns left out."""
    widths = [max((max(len(f or ""), 1) for r in rows if (f := r[i]) is not None), default=0)
              for i in range(len(rows[0]))] if rows else []
    gap = 2 if sum(w + 2 for w in widths) + 2 * (len(COLUMNS) - len(widths)) <= 72 else 1
    out = []
    for r in rows:
        line, pad = "", 0
        for field, width in zip(r, widths, strict=True):
            if width == 0:
                continue
            text = field or "-"
            line += " " * pad + text
            pad = width - len(text) + gap
        out.append(line + "\n")
    return "".join(out)


class Rows:
    """The rows of virt-filesystems' do_output, as dicts of COLUMNS (None: no value)."""

    def __init__(self, g: Any, columns: set[str]) -> None:
        self.g = g
        self.columns = columns
        self._pvs: list[dict[str, Any]] | None = None

    def collect(self, output: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        if output & FILESYSTEMS:
            rows += self.filesystems(bool(output & EXTRA))
        if output & LVS:
            rows += self.lvs()
        if output & VGS:
            rows += self.vgs()
        if output & PVS:
            rows += self.pvs()
        if output & PARTITIONS:
            rows += self.partitions()
        if output & BLOCKDEVS:
            rows += self.blockdevs()
        return rows

    def _row(self, name: str, type_: str, **values: Any) -> dict[str, Any]:
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(name=name, type=type_, **values)
        return row

    def _canonical(self, dev: str) -> str:
        return str(self.g.canonical_device_name(dev))

    def filesystems(self, extra: bool) -> list[dict[str, Any]]:
        g, rows = self.g, []
        for fs, vfs in dict(g.list_filesystems()).items():
            if not extra and vfs in ("swap", "unknown"):
                continue
            row = self._row(self._canonical(fs), "filesystem", vfs=vfs)
            if "label" in self.columns:
                row["label"] = _quietly(g.vfs_label, fs) or ""
            if "uuid" in self.columns:
                row["uuid"] = _quietly(g.vfs_uuid, fs) or ""
            if "size" in self.columns and not fs.startswith("btrfsvol:"):
                row["size"] = self._fs_size(fs)
            row["parents"] = self._md_parents(fs) if _is_md(fs) else []
            rows.append(row)
        return rows

    def _fs_size(self, fs: str) -> int:
        """The filesystem's size if it mounts, else its device's."""
        g = self.g
        try:
            g.mount_ro(fs, "/")
        except Error:
            return int(g.blockdev_getsize64(fs))
        try:
            st = g.statvfs("/")
            return int(st["blocks"]) * int(st["bsize"])
        finally:
            g.umount_all()

    def _md_parents(self, dev: str) -> list[str]:
        return [self._canonical(m["mdstat_device"]) for m in self.g.md_stat(dev)]

    def lvs(self) -> list[dict[str, Any]]:
        g, rows = self.g, []
        for lv in g.lvs():
            row = self._row(lv, "lv", parents=[lv.rsplit("/", 1)[0]])
            if "size" in self.columns:
                row["size"] = int(g.blockdev_getsize64(lv))
            if "uuid" in self.columns:
                row["uuid"] = str(g.lvuuid(lv))
            rows.append(row)
        return rows

    def _pv_list(self) -> list[dict[str, Any]]:
        if self._pvs is None:
            self._pvs = [dict(pv) for pv in self.g.pvs_full()]
        return self._pvs

    def vgs(self) -> list[dict[str, Any]]:
        return [self._row(f"/dev/{vg['vg_name']}", "vg", size=int(vg["vg_size"]),
                          parents=self._vg_parents(vg["vg_name"]), uuid=vg["vg_uuid"][:32])
                for vg in self.g.vgs_full()]

    def _vg_parents(self, vg: str) -> list[str]:
        """Each PV of vg, by its device (vgpvuuids matched with pvs_full's UUIDs)."""
        parents = []
        for uuid in self.g.vgpvuuids(vg):
            plain = re.sub(r"[^0-9A-Za-z]", "", uuid)[:32]
            pv = next((p for p in self._pv_list() if p["pv_uuid"][:32] == plain), None)
            parents.append(self._canonical(pv["pv_name"]) if pv else plain)
        return parents

    def pvs(self) -> list[dict[str, Any]]:
        return [self._row(self._canonical(pv["pv_name"]), "pv", size=int(pv["pv_size"]),
                          parents=[], uuid=pv["pv_uuid"][:32]) for pv in self._pv_list()]

    def partitions(self) -> list[dict[str, Any]]:
        g, rows = self.g, []
        for part in g.list_partitions():
            row = self._row(self._canonical(part), "partition")
            if "size" in self.columns:
                row["size"] = int(g.blockdev_getsize64(part))
            if "parents" in self.columns:
                parent = str(g.part_to_dev(part))
                if "mbr" in self.columns:
                    row["mbr"] = self._mbr_id(part, parent)
                row["parents"] = [self._canonical(parent)]
            rows.append(row)
        return rows

    def _mbr_id(self, part: str, parent: str) -> int | None:
        g = self.g
        if _quietly(g.part_get_parttype, parent) != "msdos":
            return None
        num = _quietly(g.part_to_partnum, part)
        return None if num is None else _quietly(g.part_get_mbr_id, parent, num)

    def blockdevs(self) -> list[dict[str, Any]]:
        g, rows = self.g, []
        for dev in g.list_devices():
            row = self._row(self._canonical(dev), "device",
                            parents=self._md_parents(dev) if _is_md(dev) else [])
            if "size" in self.columns:
                row["size"] = int(g.blockdev_getsize64(dev))
            rows.append(row)
        return rows


def _is_md(dev: str) -> bool:
    """/dev/md followed by digits only (virt-filesystems' is_md)."""
    return re.fullmatch(r"/dev/md[0-9]*", dev) is not None


def _quietly(call: Any, *args: Any) -> Any:
    """call(*args), or None if it fails (the tool's pushed-away error handler)."""
    try:
        return call(*args)
    except Error:
        return None


register(Tool(NAME, "virt-filesystems", "list a guest's filesystems, partitions, devices, LVM",
              DOC, options, run))
