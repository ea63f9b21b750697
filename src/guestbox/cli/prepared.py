"""Prepared disks for the shell's `-N [FILENAME=]TYPE` option, as guestfish 1.48 makes them.

A prepared disk is made in two steps around launch: `Prepared.create()` writes the
image file (raw, sparse) so that the caller can add it with `format="raw"`, and after
launch `Prepared.setup(g, device)` partitions it and makes its volumes and
filesystems through guestbox's own API, with the same calls, sectors and defaults as
guestfish's prep_*.c.

Types, with their optional parameters in guestfish's order:

    disk:SIZE
    part:SIZE:PARTTYPE
    fs:FSTYPE:SIZE:PARTTYPE
    lv:NAME:SIZE:PARTTYPE
    lvfs:NAME:FSTYPE:SIZE:PARTTYPE
    bootroot:BOOTFS:ROOTFS:SIZE:BOOTSIZE:PARTTYPE
    bootrootlv:NAME:BOOTFS:ROOTFS:SIZE:BOOTSIZE:PARTTYPE

Defaults: SIZE 1G, PARTTYPE mbr, FSTYPE ext2, NAME /dev/VG/LV, BOOTSIZE 128M.  As in
guestfish, a type may be abbreviated to any prefix of its name (the first match in
the order above wins) and is matched without regard to case.

Where guestbox differs from guestfish 1.48 (each only turns a crash or a late,
unclear failure into a clear, early error or a working disk):

- more parameters than the type has are refused (guestfish writes past its array);
- an empty parameter (`fs::100M`) takes the default (guestfish passes "" on);
- an empty type (`x.img=`) is refused (guestfish takes it as a prefix of "disk");
- sizes, the boot size and the LV name are all checked before the file is made,
  and a bad size names the size (guestfish prints xstrtoull's error number);
- the LV is always addressed as /dev/VG/LV, also when NAME was given as VG/LV.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import Error
from ..handle import GuestFS

__all__ = ["PreparedError", "Prepared", "parse", "is_help", "help_text", "parse_size"]


class PreparedError(ValueError):
    """A bad -N argument, or a prepared disk that could not be made (the message says which)."""


@dataclass(frozen=True)
class _Param:
    """One optional parameter of a type: its name in the help, what it is, its default."""

    name: str
    desc: str
    default: str


_SIZE = _Param("size", "the size of the disk image", "1G")
_PART = _Param("partition", "partition table type", "mbr")
_FS = _Param("filesystem", "the type of filesystem to use", "ext2")
_NAME = _Param("name", "the name of the VG and LV to use", "/dev/VG/LV")
_BOOTFS = _Param("bootfs", "the type of filesystem to use for boot", "ext2")
_ROOTFS = _Param("rootfs", "the type of filesystem to use for root", "ext2")
_BOOTSIZE = _Param("bootsize", "the size of the boot filesystem", "128M")
_ROOTNAME = _Param("name", "the name of the VG and LV for root", "/dev/VG/LV")


@dataclass(frozen=True)
class _Type:
    """A prepared disk type: its name, help texts and parameters (guestfish's prepopts)."""

    name: str
    short: str
    long: str
    params: tuple[_Param, ...]


_TYPES: tuple[_Type, ...] = (
    _Type("disk", "create a blank disk",
          "  Create a blank disk, size 1G (by default).\n\n"
          "  The default size can be changed by supplying an optional parameter.",
          (_SIZE,)),
    _Type("part", "create a partitioned disk",
          "  Create a disk with a single partition. By default the size of the disk\n"
          "  is 1G (the available space in the partition will be a tiny bit smaller)\n"
          "  and the partition table will be MBR (old DOS-style).\n\n"
          "  These defaults can be changed by supplying optional parameters.",
          (_SIZE, _PART)),
    _Type("fs", "create a filesystem",
          "  Create a disk with a single partition, with the partition containing an\n"
          "  empty filesystem. This defaults to creating a 1G disk (the available\n"
          "  space in the filesystem will be a tiny bit smaller) with an MBR (old\n"
          "  DOS-style) partition table and an ext2 filesystem.\n\n"
          "  These defaults can be changed by supplying optional parameters.",
          (_FS, _SIZE, _PART)),
    _Type("lv", "create a disk with logical volume",
          "  Create a disk with a single partition, set up the partition as an LVM2\n"
          "  physical volume, and place a volume group and logical volume on there.\n"
          "  This defaults to creating a 1G disk with the VG and LV called\n"
          "  \"/dev/VG/LV\". You can change the name of the VG and LV by supplying an\n"
          "  alternate name as the first optional parameter.\n\n"
          "  Note this does not create a filesystem. Use 'lvfs' to do that.",
          (_NAME, _SIZE, _PART)),
    _Type("lvfs", "create a disk with logical volume and filesystem",
          "  Create a disk with a single partition, set up the partition as an LVM2\n"
          "  physical volume, and place a volume group and logical volume on there.\n"
          "  Then format the LV with a filesystem. This defaults to creating a 1G\n"
          "  disk with the VG and LV called \"/dev/VG/LV\", with an ext2 filesystem.",
          (_NAME, _FS, _SIZE, _PART)),
    _Type("bootroot", "create a boot and root filesystem",
          "  Create a disk with two partitions, for boot and root filesystem. Format\n"
          "  the two filesystems independently. There are several optional parameters\n"
          "  which control the exact layout and filesystem types.",
          (_BOOTFS, _ROOTFS, _SIZE, _BOOTSIZE, _PART)),
    _Type("bootrootlv", "create a boot and root filesystem using LVM",
          "  This is the same as \"bootroot\" but the root filesystem (only) is placed\n"
          "  on a logical volume, named by default \"/dev/VG/LV\". There are several\n"
          "  optional parameters which control the exact layout.",
          (_ROOTNAME, _BOOTFS, _ROOTFS, _SIZE, _BOOTSIZE, _PART)),
)

_HELP_WORDS = ("list", "help", "h", "?")


def is_help(arg: str) -> bool:
    """True if `-N arg` asks for the list of types (list, help, h or ?, any case), as guestfish."""
    return arg.lower() in _HELP_WORDS


def help_text() -> str:
    """The text of `-N help`, the same as guestfish 1.48 prints."""
    out = ["List of available prepared disk images:\n\n"]
    for t in _TYPES:
        out.append(f"guestfish -N {t.name:<8} - {t.short}\n\n{t.long}\n")
        out.append("\n  Optional parameters:\n")
        out.append(f"    -N {t.name}" + "".join(f":<{p.name}>" for p in t.params) + "\n")
        out.extend(f"      <{p.name}> {p.desc} (default: {p.default})\n" for p in t.params)
        out.append("\n")
    out.append(
        "Prepared disk images are written to file \"test1.img\" in the local\n"
        "directory.  (\"test2.img\" etc if -N option is given multiple times).\n"
        "You can override the name by providing a filename before the type, eg:\n\n"
        "  guestfish -N blank.img=fs\n\n"
        "For more information see the guestfish(1) manual.\n")
    return "".join(out)


# -- sizes --------------------------------------------------------------------

_SIZE_RE = re.compile(r"\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([kKMGTPEZY]?)(B|iB)?")
_POWERS = {"": 0, "k": 1, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6, "Z": 7, "Y": 8}


def parse_size(text: str) -> int:
    """A size as guestfish's parse_size reads it: 1G, 100M, 512K (powers of 1024), 1MB
    (powers of 1000), 1MiB, a plain number of bytes, 0x hex or 0 octal.

    Raises ValueError for anything else or for a size of 0 (an image must have bytes).
    """
    m = _SIZE_RE.fullmatch(text)
    if m is None or (m[3] and not m[2]):
        raise ValueError(f"invalid size ‘{text}’ (examples: 1G, 100M, 512K, 10MB, 1048576)")
    base = 1000 if m[3] == "B" else 1024
    digits: str = m[1]
    size = int(digits, 8) if re.fullmatch(r"0[0-7]+", digits) else int(digits, 0)
    size *= int(base ** _POWERS[m[2]])
    if size == 0:
        raise ValueError(f"invalid size ‘{text}’: the size must be more than 0")
    if size >= 1 << 63:
        raise ValueError(f"invalid size ‘{text}’: too large")
    return size


# -- parsing ------------------------------------------------------------------

def _find_type(name: str) -> _Type | None:
    """The first type whose name starts with name (any case), as guestfish matches -N types."""
    if not name:
        return None
    return next((t for t in _TYPES if t.name.startswith(name.lower())), None)


def _vg_lv(name: str) -> tuple[str, str] | None:
    """Split /dev/VG/LV (or VG/LV) into VG and LV, as guestfish's vg_lv_parse; None if not that."""
    rest = name.removeprefix("/dev/")
    vg, sep, lv = rest.partition("/")
    if not sep or not vg or not lv or "/" in lv:
        return None
    return vg, lv


def parse(arg: str, index: int) -> Prepared:
    """Parse one `-N [FILENAME=]TYPE[:PARAM...]` argument; index counts the -N options from 1.

    Without FILENAME= the image is test{index}.img in the current directory, as guestfish
    names it (the count goes on across -N options that name their file).  Raises
    PreparedError naming what was wrong; nothing is made on the host until create().
    """
    filename, sep, spec = arg.partition("=")
    if not sep:
        filename, spec = f"test{index}.img", arg
    name, _, rest = spec.partition(":")
    ptype = _find_type(name)
    if ptype is None:
        raise PreparedError(
            f"-N parameter ‘{spec}’: no such prepared disk image known.\n"
            "Use 'guestfish -N help' to list possible values for the -N parameter.")
    given = rest.split(":") if rest else []
    prep = Prepared(filename, spec, ptype.name, {})
    if len(given) > len(ptype.params):
        allowed = "".join(f":<{p.name}>" for p in ptype.params)
        raise prep.error(f"too many parameters ({len(given)}) for ‘{ptype.name}’, "
                         f"which takes at most {len(ptype.params)}: "
                         f"-N {ptype.name}{allowed}")
    for i, p in enumerate(ptype.params):
        value = given[i] if i < len(given) and given[i] else p.default
        prep.params[p.name] = value
    prep.check()
    return prep


# -- the disk -----------------------------------------------------------------

@dataclass
class Prepared:
    """One prepared disk: its image file, the -N type string and the parameters in force."""

    filename: str
    spec: str
    type: str
    params: dict[str, str] = field(default_factory=dict)
    format: str = "raw"

    @property
    def size(self) -> int:
        """The size of the image in bytes."""
        return parse_size(self.params["size"])

    def error(self, reason: str) -> PreparedError:
        """A PreparedError in guestfish's words: which -N type, which file, what went wrong."""
        return PreparedError(
            f"error creating prepared disk image ‘{self.spec}’ on ‘{self.filename}’: {reason}")

    def check(self) -> None:
        """Refuse a bad size, boot size or LV name before anything is made."""
        if "name" in self.params and _vg_lv(self.params["name"]) is None:
            raise self.error("incorrect format for LV name, use '/dev/VG/LV'")
        try:
            parse_size(self.params["size"])
        except ValueError as e:
            raise self.error(f"failed to allocate disk: {e}") from None
        if "bootsize" in self.params:
            try:
                parse_size(self.params["bootsize"])
            except ValueError as e:
                raise self.error(f"could not parse boot size: {e}") from None

    def create(self) -> None:
        """Make the image file: raw, sparse, of the size asked, replacing any file of that name.

        Call it before launch, then add the file with format="raw".
        """
        try:
            fd = os.open(self.filename, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOCTTY, 0o666)
            try:
                os.ftruncate(fd, self.size)
            finally:
                os.close(fd)
        except OSError as e:
            raise self.error(f"failed to allocate disk: {self.filename}: {e.strerror}") from None

    def setup(self, g: GuestFS, device: str) -> None:
        """Make the partitions, volumes and filesystems on device (this disk, after launch)."""
        _SETUP[self.type](self, g, device)

    # -- steps shared by the types ---------------------------------------------

    def _step(self, what: str, call: Callable[[], object]) -> None:
        """Run one API call; a failure becomes this disk's error, saying which step failed."""
        try:
            call()
        except Error as e:
            raise self.error(f"{what}: {e}") from None

    def _lvm(self, g: GuestFS, pv: str) -> str:
        """PV on pv, the VG on it, and one LV filling the VG (made small, then grown, as
        guestfish does); returns the LV's /dev/VG/LV name."""
        names = _vg_lv(self.params["name"])
        assert names is not None  # check() refused anything else
        vg, lv = names
        lvdev = f"/dev/{vg}/{lv}"
        self._step(f"failed to create PV: {pv}", lambda: g.pvcreate(pv))
        self._step(f"failed to create VG: {vg}", lambda: g.vgcreate(vg, [pv]))
        self._step(f"failed to create LV: {lvdev}", lambda: g.lvcreate(lv, vg, 1))
        self._step(f"failed to resize LV to full size: {lvdev}",
                   lambda: g.lvresize_free(lvdev, 100))
        return lvdev

    def _boot_and_root(self, g: GuestFS, device: str) -> None:
        """Two primary partitions: boot from sector 64, BOOTSIZE long; root to 64 sectors
        before the end; boot's filesystem made (guestfish's layout for bootroot*)."""
        bootsize = parse_size(self.params["bootsize"])
        sector = 512

        def getss() -> None:
            nonlocal sector
            sector = g.blockdev_getss(device)

        self._step("failed to get sector size of disk", getss)
        self._step("failed to partition disk",
                   lambda: g.part_init(device, self.params["partition"]))
        last = 64 + bootsize // sector - 1
        self._step("failed to add boot partition",
                   lambda: g.part_add(device, "primary", 64, last))
        self._step("failed to add root partition",
                   lambda: g.part_add(device, "primary", last + 1, -64))
        self._step("failed to create boot filesystem",
                   lambda: g.mkfs(self.params["bootfs"], device + "1"))


def _setup_disk(p: Prepared, g: GuestFS, device: str) -> None:
    """disk: nothing to do after launch."""


def _one_partition(p: Prepared, g: GuestFS, device: str) -> str:
    """One partition over the whole disk (part_disk); returns it."""
    p._step("failed to partition disk", lambda: g.part_disk(device, p.params["partition"]))
    return device + "1"


def _setup_part(p: Prepared, g: GuestFS, device: str) -> None:
    _one_partition(p, g, device)


def _setup_fs(p: Prepared, g: GuestFS, device: str) -> None:
    part = _one_partition(p, g, device)
    fstype = p.params["filesystem"]
    p._step(f"failed to create filesystem ({fstype})", lambda: g.mkfs(fstype, part))


def _setup_lv(p: Prepared, g: GuestFS, device: str) -> None:
    p._lvm(g, _one_partition(p, g, device))


def _setup_lvfs(p: Prepared, g: GuestFS, device: str) -> None:
    lvdev = p._lvm(g, _one_partition(p, g, device))
    fstype = p.params["filesystem"]
    p._step(f"failed to create filesystem ({fstype})", lambda: g.mkfs(fstype, lvdev))


def _setup_bootroot(p: Prepared, g: GuestFS, device: str) -> None:
    p._boot_and_root(g, device)
    p._step("failed to create root filesystem",
            lambda: g.mkfs(p.params["rootfs"], device + "2"))


def _setup_bootrootlv(p: Prepared, g: GuestFS, device: str) -> None:
    p._boot_and_root(g, device)
    lvdev = p._lvm(g, device + "2")
    p._step("failed to create root filesystem", lambda: g.mkfs(p.params["rootfs"], lvdev))


_SETUP: dict[str, Callable[[Prepared, GuestFS, str], None]] = {
    "disk": _setup_disk,
    "part": _setup_part,
    "fs": _setup_fs,
    "lv": _setup_lv,
    "lvfs": _setup_lvfs,
    "bootroot": _setup_bootroot,
    "bootrootlv": _setup_bootrootlv,
}
