"""A Linux guest's /etc/fstab, and its devices as the appliance names them.

The rules are libguestfs 1.48's (inspect_fs_unix_fstab.ml): UUID=, LABEL=,
PARTUUID=, PARTLABEL= and /dev/disk/by-uuid/ through the filesystems' tags;
/dev/mapper/ names of logical volumes as /dev/VG/LV; /dev/sdX, hdX, vdX, xvdX
by the order of the guest's drives; /dev/mdN through the guest's mdadm.conf
ARRAY UUIDs; by-id and by-path -partN on a single-disk guest; btrfs subvol=
options as btrfsvol: mountables; anything else under /dev/ kept as written.
"""

from __future__ import annotations

import re

from ..block import disk_names, list_filesystems, md_names, mountable_device, partitions_of
from ..context import Ctx
from ..lvm import lv_canonical
from ..md import md_detail
from ..registry import AgentError
from .guestfiles import Guest
from .release import shell_unquote

Entry = tuple[str, str, str, str]
IGNORED_SPECS = re.compile(r"/dev/(fd|cd)\d|/dev/floppy$|/dev/cdrom$|/dev/iso9660/")
IGNORED_MOUNTPOINTS = re.compile(r"/(dev|media|proc|selinux|sys)(/|$)")
XDEV = re.compile(r"/dev/(h|s|v|xv)d([a-z]+)(\d*)")


def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse(lines: list[str]) -> list[Entry]:
    """(spec, mountpoint, vfstype, options) of each fstab line ("" for missing fields)."""
    out = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2:
            fields = [_unescape(f) for f in fields] + ["", ""]
            out.append((fields[0], fields[1], fields[2], fields[3]))
    return out


def entries(guest: Guest) -> list[Entry]:
    """The guest's /etc/fstab entries as written ([] if it has none or it is not small)."""
    return parse(guest.read_lines("/etc/fstab") or [])


def mdadm_arrays(guest: Guest) -> dict[str, str]:
    """{guest md device: array UUID (32 hex digits)} from the ARRAY lines of mdadm.conf."""
    out: dict[str, str] = {}
    for path in ("/etc/mdadm.conf", "/etc/mdadm/mdadm.conf"):
        for line in guest.read_lines(path) or []:
            words = line.split("#", 1)[0].split()
            if not words or words[0] != "ARRAY":
                continue
            device = next((w for w in words[1:] if "=" not in w), None)
            uuid = next((md_uuid(w[5:]) for w in words[1:] if w.upper().startswith("UUID=")),
                        None)
            if device is not None and uuid is not None:
                out[device] = uuid
    return out


def md_uuid(text: str) -> str | None:
    """An md UUID's 32 hex digits, separators (: . - space) dropped; None if it is not one."""
    digits = re.sub(r"[:. -]", "", text)
    return digits.lower() if re.fullmatch(r"[0-9a-fA-F]{32}", digits) else None


def canonical_path(path: str) -> str:
    """"///usr//local//" -> "/usr/local"."""
    parts = [p for p in path.split("/") if p]
    return ("/" if path.startswith("/") else "") + "/".join(parts)


class Resolver:
    """Maps guest device names to the appliance's, with what it learns once per root."""

    def __init__(self, ctx: Ctx, arrays: dict[str, str]) -> None:
        self.ctx = ctx
        self.arrays = arrays
        self._tags: list[dict[str, str]] | None = None

    def tags(self) -> list[dict[str, str]]:
        """blkid's tags of each filesystem (DEVNAME, UUID, LABEL, PARTUUID ...), in
        list_filesystems order; read once."""
        if self._tags is None:
            devices = list(dict.fromkeys(mountable_device(m) for m in list_filesystems(self.ctx)))
            parts = [f"/dev/{p}" for d in disk_names() for p in partitions_of(d)]
            devices += [p for p in parts if p not in devices]
            self._tags = []
            if devices:
                out = self.ctx.run(["blkid", "-c", "/dev/null", "-o", "export", *devices],
                                   ok_codes=(0, 2))
                for block in out.split("\n\n"):
                    tags = dict(line.partition("=")[::2] for line in block.splitlines())
                    if tags.get("DEVNAME"):
                        self._tags.append({k: re.sub(r"\\(.)", r"\1", v) for k, v in tags.items()})
        return self._tags

    def find(self, tag: str, value: str) -> str | None:
        """The first device whose tag has value, as /dev/VG/LV for a logical volume."""
        for tags in self.tags():
            if tags.get(tag) == value:
                dev = tags["DEVNAME"]
                try:
                    return lv_canonical(dev) or dev
                except AgentError:
                    return dev
        return None

    def md_map(self) -> dict[str, str]:
        """{guest md name: appliance md device} through the arrays' UUIDs."""
        by_uuid = {}
        for name in md_names():
            try:
                uuid = md_uuid(md_detail(self.ctx, f"/dev/{name}").get("uuid", ""))
            except AgentError:
                continue
            if uuid is not None:
                by_uuid[uuid] = f"/dev/{name}"
        return {dev: by_uuid[u] for dev, u in self.arrays.items() if u in by_uuid}

    def device(self, spec: str) -> str:
        """The appliance's name for guest device spec (under /dev/), or spec itself."""
        if spec.startswith("/dev/mapper"):
            try:
                return lv_canonical(spec) or spec
            except AgentError:  # no such device (ubuntu's cryptswap1: RHBZ#811872)
                return spec
        m = XDEV.fullmatch(spec)
        if m:
            disks = disk_names()
            index = drive_index(m.group(2))
            if index < len(disks) and m.group(3):
                dev = f"{disks[index]}{m.group(3)}"
                if dev in partitions_of(disks[index]):
                    return f"/dev/{dev}"
            return spec
        if re.fullmatch(r"/dev/md\d+", spec):
            return self.md_map().get(spec, spec)
        m = re.fullmatch(r"/dev/disk/by-(?:id|path)/.*-part(\d+)", spec)
        if m:
            disks = disk_names()
            if len(disks) == 1 and f"sda{m.group(1)}" in partitions_of("sda"):
                return f"/dev/sda{m.group(1)}"
            return spec
        if spec.startswith("/dev/disk/by-uuid/"):
            return self.find("UUID", spec[18:]) or spec
        return spec

    def mountable(self, spec: str, root: str) -> str | None:
        """The appliance mountable of an fstab spec; None if it is to be left out."""
        for prefix, tag in (("UUID=", "UUID"), ("LABEL=", "LABEL"), ("PARTUUID=", "PARTUUID"),
                            ("PARTLABEL=", "PARTLABEL")):
            if spec.startswith(prefix):
                return self.find(tag, shell_unquote(spec[len(prefix):]))
        if spec == "/dev/root":
            return root
        if spec.startswith("/dev/"):
            return self.device(spec)
        return None  # tmpfs, proc ...


def drive_index(letters: str) -> int:
    """0 for a, 25 for z, 26 for aa ..."""
    index = 0
    for c in letters:
        index = index * 26 + ord(c) - ord("a") + 1
    return index - 1


def _subvol(options: str) -> str | None:
    for opt in options.split(","):
        name, sep, value = opt.partition("=")
        if name == "subvol" and sep:
            return value
    return None


def resolve(ctx: Ctx, root: str, fstab: list[Entry], arrays: dict[str, str],
            resolver: Resolver | None = None) -> list[tuple[str, str]]:
    """(mountable, mountpoint) of the entries libguestfs keeps, in the order libguestfs
    1.48 returns them: the reverse of the file's.  resolver: another OS's device names."""
    resolver = resolver or Resolver(ctx, arrays)
    out = []
    for spec, mountpoint, vfstype, options in fstab:
        if IGNORED_SPECS.match(spec) or not vfstype:
            continue
        mp = canonical_path(mountpoint)
        if IGNORED_MOUNTPOINTS.match(mp):
            continue
        mountable = resolver.mountable(spec, root)
        if mountable is None:
            continue
        subvol = _subvol(options) if vfstype == "btrfs" else None
        if subvol is not None and not mountable.startswith("btrfsvol:"):
            mountable = f"btrfsvol:{mountable}/{subvol}"
        out.append((mountable, mp))
    out.reverse()
    return out
