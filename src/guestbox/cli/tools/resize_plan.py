"""virt-resize's plan: the source's partitions and LVs, what the options make of them, the
surplus or deficit on the target, where each partition goes there, and the summary.

Pure logic (no appliance): resize.py reads the source disk into these structures
and carries the plan out.  The arithmetic is virt-resize's (1.48): sizes in
bytes, target positions in sectors, each partition's start rounded up to
--alignment sectors, the first one kept where it was unless --align-first
moves it; room kept for the boot loader (2 MiB), GPT's tables and alignment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from .sizes import SizeError, human_size, parse_resize
from .virt_messages import VirtError

MAX_BOOTLOADER = 4096 * 512
"""Bytes copied after the partition table: more than any boot loader keeps there."""
MIN_EXTRA_PARTITION = 10 * 1024 * 1024
"""Least surplus that gets a partition of its own."""
GPT_SECTORS = 64
EXTENDED_IDS = (0x05, 0x0F)
METHODS = {"pv": "pvresize", "ext2": "resize2fs", "ext3": "resize2fs", "ext4": "resize2fs",
           "ntfs": "ntfsresize", "btrfs": "btrfs-filesystem-resize", "xfs": "xfs_growfs",
           "f2fs": "resize.f2fs", "swap": "mkswap"}
"""How content is grown, by content kind or filesystem type."""
NEEDS_FEATURE = {"ntfs": ["ntfsprogs", "ntfs3g"], "btrfs": ["btrfs"], "xfs": ["xfs"],
                 "f2fs": ["f2fs"]}
"""The appliance feature groups each of those methods needs."""


@dataclasses.dataclass(frozen=True)
class Content:
    """What a partition or LV holds: kind "unknown", "pv" (size: the PV's), "fs" (fstype,
    size: the filesystem's), "extended" (MBR extended partition) or "swap"."""

    kind: str
    fstype: str = ""
    size: int = 0

    def describe(self) -> str:
        """The summary's name for it: `filesystem ext4`, `LVM PV`, `swap` ..."""
        return {"unknown": "unknown data", "pv": "LVM PV", "extended": "extended partition",
                "swap": "swap"}.get(self.kind, f"filesystem {self.fstype}")

    def debug(self) -> str:
        if self.kind == "pv":
            return f"LVM PV ({self.size} bytes)"
        if self.kind == "fs":
            return f"filesystem {self.fstype} ({self.size} bytes)"
        return self.describe()

    @property
    def method_key(self) -> str:
        return self.fstype if self.kind == "fs" else self.kind


@dataclasses.dataclass
class Partition:
    """A primary (or extended) partition of the source, and what becomes of it."""

    name: str  # /dev/sdaN
    num: int
    start: int  # bytes
    end: int  # bytes, included
    size: int  # bytes
    bootable: bool = False
    mbr_id: int | None = None
    gpt_type: str | None = None
    content: Content = Content("unknown")
    label: str | None = None
    guid: str | None = None
    attributes: int | None = None
    operation: str = "copy"  # copy, ignore, delete, resize
    newsize: int = 0  # for resize
    target_num: int = 0
    target_start: int = 0  # sectors
    target_end: int = 0  # sectors, included; negative: from the end of the disk

    @property
    def final_size(self) -> int:
        return {"delete": 0, "resize": self.newsize}.get(self.operation, self.size)


@dataclasses.dataclass
class LogVol:
    """A logical volume of the source, expanded or not (--lv-expand)."""

    name: str
    content: Content
    expand: bool = False


class Plan:
    """The source layout and the options' requests, checked as virt-resize checks them."""

    def __init__(self, infile: str, partitions: list[Partition], lvs: list[LogVol],
                 canonical: Callable[[str], str], available: Callable[[list[str]], bool],
                 expand_content: bool = True) -> None:
        self.infile = infile
        self.partitions = partitions
        self.lvs = lvs
        self.canonical = canonical
        self.available = available
        self.expand_content = expand_content
        self.warnings: list[str] = []

    # -- checks of the source --------------------------------------------------------
    def check_source(self) -> None:
        """Content no bigger than its partition, partitions in order and not overlapping."""
        if not self.partitions:
            raise VirtError("the source disk has no partitions")
        for p in self.partitions:
            if p.content.kind == "pv" and p.size < p.content.size:
                raise VirtError(f"{p.name}: partition size {p.size} < physical volume size "
                                f"{p.content.size}")
            if p.content.kind == "fs" and p.size < p.content.size:
                raise VirtError(f"{p.name}: partition size {p.size} < filesystem size "
                                f"{p.content.size}")
        end_of_prev = 0
        for p in self.partitions:
            if end_of_prev > p.start:
                raise VirtError(f"{p.name}: this partition overlaps the previous one")
            end_of_prev = p.end

    # -- expanding content -------------------------------------------------------------
    def can_expand(self, c: Content) -> bool:
        if not self.expand_content or c.kind in ("unknown", "extended"):
            return False
        key = c.method_key
        if key not in METHODS:
            return False
        return key not in NEEDS_FEATURE or self.available(NEEDS_FEATURE[key])

    @staticmethod
    def method(c: Content) -> str:
        return METHODS[c.method_key]

    # -- the options -------------------------------------------------------------------
    def find(self, option: str, name: str) -> Partition:
        """The partition the user means by name (sda1, /dev/sda1, /dev/vda1 ...)."""
        if not name.startswith("/dev/"):
            name = "/dev/" + name
        name = self.canonical(name)
        for p in self.partitions:
            if p.name == name:
                break
        else:
            raise VirtError(f"{name}: partition not found in the source disk image (this "
                            f"error came from ‘{option}’ option on the command line).  Try "
                            "running this command: virt-filesystems --partitions --long -a "
                            f"{self.infile}")
        if p.operation == "ignore":
            raise VirtError(f"{name}: partition already ignored, you cannot use it in "
                            f"‘{option}’ option")
        if p.operation == "delete":
            raise VirtError(f"{name}: partition already deleted, you cannot use it in "
                            f"‘{option}’ option")
        return p

    def ignore(self, name: str) -> None:
        self.find("--ignore", name).operation = "ignore"

    def delete(self, name: str) -> None:
        self.find("--delete", name).operation = "delete"

    def mark_resize(self, option: str, p: Partition, newsize: int, force: bool = False
                    ) -> None:
        """Resize p to newsize bytes; shrinking below its content needs force."""
        if p.operation == "resize":
            raise VirtError(f"{p.name}: this partition has already been marked for resizing")
        if p.operation in ("ignore", "delete"):
            raise VirtError(f"{p.name}: this partition has already been ignored or deleted")
        if newsize == p.size:
            return
        if newsize < p.size and not force:
            self._check_shrink(option, p, newsize)
        p.operation, p.newsize = "resize", newsize

    def _check_shrink(self, option: str, p: Partition, newsize: int) -> None:
        c, force = p.content, "you need to use the ‘--resize-force’ option, but that could"
        if c.kind == "unknown":
            raise VirtError(f"{p.name}: This partition has unknown content which might be "
                            "damaged by shrinking it.  If you want to shrink this partition, "
                            f"{force} destroy any data on this partition.  (This error came "
                            f"from ‘{option}’ option on the command line.)")
        if c.kind == "pv" and c.size > newsize:
            raise VirtError(f"{p.name}: This partition contains an LVM physical volume which "
                            f"will be damaged by shrinking it below {c.size} bytes (user asked "
                            f"to shrink it to {newsize} bytes).  If you want to shrink this "
                            f"partition, {force} destroy any data on this partition.  (This "
                            f"error came from ‘{option}‘ option on the command line.)")
        if c.kind == "fs" and c.size > newsize:
            raise VirtError(f"{p.name}: This partition contains a {c.fstype} filesystem which "
                            f"will be damaged by shrinking it below {c.size} bytes (user asked "
                            f"to shrink it to {newsize} bytes).  If you want to shrink this "
                            f"partition, {force} destroy any data on this partition.  (This "
                            f"error came from ‘{option}’ option on the command line.)")
        if c.kind == "extended":
            raise VirtError(f"{p.name}: This extended partition contains logical partitions "
                            "which might be damaged by shrinking it.  If you want to shrink "
                            f"this partition, {force} destroy logical partitions within this "
                            f"partition.  (This error came from ‘{option}’ option on the "
                            "command line.)")

    def resize(self, option: str, arg: str, force: bool = False) -> None:
        """--resize PART=SIZE or --resize-force PART=SIZE."""
        dev, sep, field = arg.partition("=")
        if not sep or not field:
            raise VirtError(f"{arg}: missing size field in ‘{option}’ option")
        p = self.find(option, dev)
        try:
            newsize = parse_resize(p.size, field)
        except SizeError as e:
            raise VirtError(str(e)) from None
        if newsize <= 0:
            raise VirtError(f"{dev}: new partition size is zero or negative")
        self.mark_resize(option, p, newsize, force)

    def expand_or_shrink(self, expand: str | None, shrink: str | None, surplus: int) -> None:
        """--expand PART takes the surplus, --shrink PART gives up the deficit."""
        if expand is not None:
            if surplus < 0:
                raise VirtError("You cannot use --expand when there is no surplus space to "
                                "expand into.  You need to make the target disk larger by at "
                                f"least {human_size(-surplus)}.")
            p = self.find("--expand", expand)
            self.mark_resize("--expand", p, p.size + surplus)
        if shrink is not None:
            if surplus > 0:
                raise VirtError("You cannot use --shrink when there is no deficit (see "
                                "‘deficit’ in the virt-resize(1) man page).")
            p = self.find("--shrink", shrink)
            self.mark_resize("--shrink", p, p.size + surplus)

    def expand_lvs(self, names: list[str]) -> None:
        by_name = {lv.name: lv for lv in self.lvs}
        for name in names:
            if name not in by_name:
                raise VirtError(f"{name}: logical volume not found in the source disk image "
                                "(this error came from ‘--lv-expand’ option on the command "
                                "line).  Try running this command: virt-filesystems "
                                f"--logical-volumes --long -a {self.infile}")
            by_name[name].expand = True

    def check_unknown(self) -> None:
        """--unknown-filesystems=error: a filesystem to grow that nothing can grow."""
        for name, c in self._to_grow():
            if c.kind == "fs" and not self.can_expand(c):
                raise VirtError(f"unknown/unavailable method for expanding the {c.fstype} "
                                f"filesystem on {name}")

    def _to_grow(self) -> list[tuple[str, Content]]:
        return ([(p.name, p.content) for p in self.partitions if p.operation == "resize"]
                + [(lv.name, lv.content) for lv in self.lvs if lv.expand])

    # -- sizes ---------------------------------------------------------------------------
    def surplus(self, outsize: int, sectsize: int, alignment: int) -> int:
        """What the target has more (>= 0) or less (< 0) than the layout needs."""
        first_start = self.partitions[0].start // sectsize if self.partitions else 0
        start_overhead = max(GPT_SECTORS, MAX_BOOTLOADER // 512, first_start)
        overhead = sectsize * (start_overhead + alignment * (len(self.partitions) + 1)
                               + GPT_SECTORS)
        required = sum(p.final_size for p in self.partitions)
        return outsize - (required + overhead)

    @staticmethod
    def check_deficit(surplus: int) -> None:
        """Once every request is counted, the target must be big enough."""
        if surplus < 0:
            raise VirtError(f"There is a deficit of {-surplus} bytes ({human_size(-surplus)}).  "
                            "You need to make the target disk larger by at least this amount "
                            "or adjust your resizing requests.")

    # -- the target ----------------------------------------------------------------------
    def align_first(self, mode: str, alignment: int) -> bool:
        """Whether the first partition moves to `alignment` (and an NTFS boot sector is
        fixed): always, never, or (auto) for a lone, bootable, badly aligned NTFS one."""
        if mode != "auto":
            return mode == "always"
        if len(self.partitions) != 1:
            return False
        p = self.partitions[0]
        return (p.content.kind == "fs" and p.content.fstype == "ntfs" and p.bootable
                and p.operation in ("copy", "ignore", "resize") and _alignment_of(p.start) < 12)

    def target(self, sectsize: int, alignment: int, align_first: bool, surplus: int,
               extra_partition: bool) -> list[Partition]:
        """The partitions to make on the target (deleted ones left out, an extra one for a
        surplus of 10 MiB or more), each with its number, first and last sector."""
        start = alignment if align_first else self.partitions[0].start // sectsize
        out: list[Partition] = []
        for p in self.partitions:
            if p.operation == "delete":
                continue
            sectors = -(-(p.newsize if p.operation == "resize" else p.size) // sectsize)
            end = start + sectors
            following = _roundup(end, alignment)
            p.target_num, p.target_start = len(out) + 1, start
            p.target_end = following - 1 if p.operation == "resize" else end - 1
            out.append(p)
            start = following
        if extra_partition and surplus >= MIN_EXTRA_PARTITION:
            out.append(Partition("", 0, 0, 0, 0, operation="ignore", target_num=len(out) + 1,
                                 target_start=start, target_end=~64))
        return out

    # -- the summary ---------------------------------------------------------------------
    def summary(self, surplus: int, extra_partition: bool, warn: Callable[[str], None]
                ) -> list[str]:
        """The summary's paragraphs (each told with `PROG: `); warn tells the filesystems
        no method can grow, as they come."""
        lines = [self._partition_line(p, warn) for p in self.partitions]
        for lv in self.lvs:
            if lv.expand:
                lines.append(f"{lv.name}: This logical volume will be expanded to maximum "
                             f"size." + self._method_text(lv.name, lv.content, warn))
        if surplus > 0:
            text = f"There is a surplus of {human_size(surplus)}."
            if not extra_partition:
                text += ("  The surplus space will be ignored.  Run a partitioning program in "
                         "the guest to partition this extra space if you want.")
            elif surplus >= MIN_EXTRA_PARTITION:
                text += "  An extra partition will be created for the surplus."
            else:
                text += ("  The surplus space is not large enough for an extra partition to "
                         "be created and so it will just be ignored.")
            lines.append(text)
        return lines

    def _partition_line(self, p: Partition, warn: Callable[[str], None]) -> str:
        if p.operation == "copy":
            return f"{p.name}: This partition will be left alone."
        if p.operation == "ignore":
            return (f"{p.name}: This partition will be created, but the contents will be "
                    "ignored (ie. not copied to the target).")
        if p.operation == "delete":
            return f"{p.name}: This partition will be deleted."
        return (f"{p.name}: This partition will be resized from {human_size(p.size)} to "
                f"{human_size(p.newsize)}." + self._method_text(p.name, p.content, warn))

    def _method_text(self, name: str, c: Content, warn: Callable[[str], None]) -> str:
        if self.can_expand(c):
            return (f"  The {c.describe()} on {name} will be expanded using the "
                    f"‘{self.method(c)}’ method.")
        if c.kind == "fs":
            warn(f"unknown/unavailable method for expanding the {c.fstype} filesystem on "
                 f"{name}")
        return ""

    def to_expand(self) -> bool:
        """Whether any content is to be grown (then the target is opened again, alone)."""
        return any(self.can_expand(c) for _, c in self._to_grow())


def _roundup(n: int, alignment: int) -> int:
    """n rounded up to a multiple of alignment (a power of two, as virt-resize's)."""
    return (n + alignment - 1) & ~(alignment - 1)


def _alignment_of(n: int) -> int:
    """The number of trailing zero bits of n (64 for 0)."""
    if n == 0:
        return 64
    return (n & -n).bit_length() - 1
