"""FreeBSD, NetBSD and OpenBSD roots: libguestfs 1.48's rules for what they are.

A root has /etc, /bin and /etc/fstab, plus /etc/freebsd-update.conf (FreeBSD),
/netbsd and /etc/release (NetBSD) or /bsd and /etc/motd (OpenBSD).  The version
is in the first line of /etc/motd (FreeBSD, OpenBSD) or /etc/release (NetBSD),
the hostname in /etc/rc.conf (OpenBSD: /etc/myname).  The fstab's BSD device
names are mapped to the appliance's as libguestfs maps them (BsdResolver).

Differences from libguestfs, on purpose: an OpenBSD root is "openbsd" with the
hostname of /etc/myname (libguestfs 1.48 calls it FreeBSD and reads rc.conf); a
FreeBSD whose motd gives no version takes it from /bin/freebsd-version's
USERLAND_VERSION; /dev/gpt/LABEL in an fstab is the partition of that GPT name.
"""

from __future__ import annotations

import re

from ..context import Ctx
from . import fstab
from .guestfiles import Guest
from .linux import architecture, is_grub_boot
from .release import Release, generic
from .root import UNKNOWN, Root

TYPES = ("freebsd", "netbsd", "openbsd")
MARKS = {  # OS type -> (files that make such a root besides /etc/fstab, release file)
    "freebsd": (("/etc/freebsd-update.conf",), "/etc/motd"),
    "netbsd": (("/netbsd", "/etc/release"), "/etc/release"),
    "openbsd": (("/bsd", "/etc/motd"), "/etc/motd"),
}
RELEASE_REX = {"netbsd": r"^NetBSD (\d+)\.(\d+)"}
USERLAND_VERSION = re.compile(r'USERLAND_VERSION="?(\d+)\.(\d+)([^"\s]*)')

FREEBSD_GPT = re.compile(r"/dev/(?:ada?|vtbd)(\d+)p(\d+)")
FREEBSD_MBR = re.compile(r"/dev/(?:ada?|vtbd)(\d+)s(\d+)([a-z])")
NETBSD_DEV = re.compile(r"/dev/[ls]d(\d)([a-z])")
OPENBSD_DEV = re.compile(r"/dev/[sw]d(\d)([a-z])")
OPENBSD_DUID = re.compile(r"[0-9a-f]{16}\.[a-z]")
PRIMARY_PARTITION = re.compile(r"/dev/[hsv]d.[1234]")


def _os_type(guest: Guest) -> str | None:
    if not (guest.is_dir("/etc", follow=False) and guest.is_dir("/bin", follow=False)
            and guest.is_file("/etc/fstab", follow=False)):
        return None
    for os_type, (files, _) in MARKS.items():
        if all(guest.is_file(f, follow=False) for f in files):
            return os_type
    return None


def rc_conf_hostname(lines: list[str]) -> str | None:
    """The hostname="..." of rc.conf lines, as libguestfs reads it: the first line starting
    hostname=, less one closing character if the value starts with a quote."""
    for line in lines:
        if line.startswith(('hostname="', "hostname='")):
            return line[10:-1]
        if line.startswith("hostname="):
            return line[9:]
    return None


def userland_version(text: str) -> tuple[int, int, str] | None:
    """(major, minor, "13.2-RELEASE-p4") from freebsd-version's USERLAND_VERSION line."""
    m = USERLAND_VERSION.search(text)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2)), f"{m.group(1)}.{m.group(2)}{m.group(3)}"


def _hostname(guest: Guest, os_type: str) -> str | None:
    if os_type == "openbsd":
        lines = guest.read_lines("/etc/myname")
        return lines[0] if lines and lines[0] else None
    return rc_conf_hostname(guest.read_lines("/etc/rc.conf") or [])


def _freebsd_version(guest: Guest, rel: Release) -> None:
    """rel's version (and product name if it has none) from /bin/freebsd-version."""
    data = guest.read_bytes("/bin/freebsd-version")
    found = userland_version(data.decode("utf-8", "replace")) if data is not None else None
    if found is not None:
        rel.version = found[:2]
        rel.product_name = rel.product_name or f"FreeBSD {found[2]}"


def detect(mountable: str, path: str) -> Root | None:
    """A Root (role "root") if the filesystem at path holds a BSD /."""
    guest = Guest(path)
    if is_grub_boot(guest):
        return None
    os_type = _os_type(guest)
    if os_type is None:
        return None
    rel = Release()
    release_file = MARKS[os_type][1]
    if guest.is_file(release_file):
        generic(os_type, RELEASE_REX.get(os_type))(guest, release_file, rel)
    if os_type == "freebsd" and rel.version is None:
        _freebsd_version(guest, rel)
    r = Root(mountable, type=os_type, distro=os_type)
    r.product_name = rel.product_name or UNKNOWN
    r.major_version, r.minor_version = rel.version or (0, 0)
    r.arch = architecture(guest) or UNKNOWN
    r.hostname = _hostname(guest, os_type) or UNKNOWN
    r.fstab_entries = fstab.entries(guest)
    return r


def drop_shadow_root(roots: dict[str, Root]) -> None:
    """libguestfs's check_for_duplicated_bsd_root: the first BSD root on a primary partition
    (sdX1-4) is taken for the MBR shadow of the real one, and dropped, if another root of
    the same type exists."""
    primary = next((r for r in roots.values()
                    if r.type in TYPES and PRIMARY_PARTITION.fullmatch(r.root)), None)
    if primary is not None and any(r.type == primary.type and r is not primary
                                   for r in roots.values()):
        del roots[primary.root]


def bsd_device(spec: str, os_type: str) -> str | None:
    """The appliance's /dev/sdXN for a BSD device name (libguestfs's guesses), or None."""
    def sd(disk: int, part: int) -> str:
        return f"/dev/sd{chr(ord('a') + disk)}{part}"

    m = FREEBSD_GPT.fullmatch(spec)
    if m:
        disk, part = int(m.group(1)), int(m.group(2))
        return sd(disk, part) if disk < 26 and part <= 128 else None
    m = FREEBSD_MBR.fullmatch(spec)
    if m:  # the slice's BSD partitions are Linux's 5, 6 ...; 'c' (the slice) is not one
        disk, slice_, part = int(m.group(1)), int(m.group(2)), ord(m.group(3)) - ord("a")
        part = part - 1 if part > 2 else part
        return sd(disk, part + 5) if disk < 26 and slice_ == 1 and part < 25 else None
    m = NETBSD_DEV.fullmatch(spec) if os_type == "netbsd" else None
    if m:  # 'c' is the disklabel, 'd' the whole disk
        part = ord(m.group(2)) - ord("a")
        part = part - 2 if part > 3 else part
        return sd(int(m.group(1)), part + 5) if part < 24 else None
    m = OPENBSD_DEV.fullmatch(spec) if os_type == "openbsd" else None
    if m:  # 'c' is the whole disk
        part = ord(m.group(2)) - ord("a")
        part = part - 1 if part > 2 else part
        return sd(int(m.group(1)), part + 5) if part < 15 else None
    return None


class BsdResolver(fstab.Resolver):
    """fstab.Resolver with the BSD device names, OpenBSD's DUIDs and /dev/gpt/ labels."""

    def __init__(self, ctx: Ctx, os_type: str) -> None:
        super().__init__(ctx, {})
        self.os_type = os_type

    def device(self, spec: str) -> str:
        if spec.startswith("/dev/gpt/"):
            return self.find("PARTLABEL", spec[9:]) or spec
        return bsd_device(spec, self.os_type) or super().device(spec)

    def mountable(self, spec: str, root: str) -> str | None:
        if OPENBSD_DUID.match(spec):  # a disklabel UID: assumed to be the first disk's
            return self.device(f"/dev/sd0{spec[17]}")
        return super().mountable(spec, root)


def root_entries(entries: list[fstab.Entry]) -> list[fstab.Entry]:
    """entries with the / of a BSD fstab as /dev/root: libguestfs takes the root filesystem
    for it (unless it names a tag: UUID= ...), BSD names being no sure guide."""
    tags = ("UUID=", "LABEL=", "PARTUUID=", "PARTLABEL=")
    return [("/dev/root", mp, vfs, opts)
            if fstab.canonical_path(mp) == "/" and not spec.startswith(tags)
            else (spec, mp, vfs, opts)
            for spec, mp, vfs, opts in entries]


def resolve_fstab(ctx: Ctx, r: Root) -> None:
    """r.fstab from r.fstab_entries of a BSD root."""
    if r.type in TYPES:
        r.fstab = fstab.resolve(ctx, r.root, root_entries(r.fstab_entries), {},
                                BsdResolver(ctx, r.type))
