"""Linux roots and /usr filesystems: libguestfs 1.48's rules for what they are.

detect() looks at one filesystem mounted read-only: a Linux / (/etc, /bin or a
/bin -> usr/bin link, and /etc/fstab or /etc/hosts) gives a Root with role "root";
a separate /usr (bin, share, local, etc; no etc/fstab) gives one with role "usr",
which inspect_os merges into the root whose fstab mounts it; a Grub /boot, an
empty filesystem or a /var gives None.  Release files are read by release.py,
the fstab by fstab.py.
"""

from __future__ import annotations

import struct

from ..context import Ctx
from . import fstab
from .guestfiles import Guest
from .release import (
    LINUX_TESTS,
    Release,
    check_release,
    key_values,
    parse_os_release,
    simple_unquote,
)
from .root import UNKNOWN, Root

ARCH_BINARIES = ("/bin/bash", "/bin/ls", "/bin/echo", "/bin/rm", "/bin/sh")
ELF_MACHINES = {  # e_machine -> (32-bit name, 64-bit name)
    2: ("sparc", "sparc64"), 3: ("i386", "i386"), 8: ("mips", "mips64"),
    20: ("ppc", "ppc64"), 21: ("ppc64", "ppc64"), 22: ("s390", "s390x"), 40: ("arm", "arm"),
    43: ("sparc64", "sparc64"), 50: ("ia64", "ia64"), 62: ("x86_64", "x86_64"),
    183: ("aarch64", "aarch64"), 243: ("riscv32", "riscv64"), 258: ("loongarch64", "loongarch64"),
}

RPM_DISTROS = {"altlinux", "centos", "fedora", "mageia", "mandriva", "meego", "neokylin",
               "opensuse", "oraclelinux", "redhat-based", "rhel", "scientificlinux", "sles",
               "suse-based"}
PACKAGE_FORMATS = {
    **dict.fromkeys(RPM_DISTROS, "rpm"),
    **dict.fromkeys(("debian", "kalilinux", "linuxmint", "ubuntu"), "deb"),
    "archlinux": "pacman", "gentoo": "ebuild", "pardus": "pisi", "alpinelinux": "apk",
    "voidlinux": "xbps",
}
PACKAGE_MANAGERS = {
    "meego": "yum", "neokylin": "dnf",
    **dict.fromkeys(("altlinux", "debian", "kalilinux", "linuxmint", "ubuntu"), "apt"),
    "archlinux": "pacman", "gentoo": "portage", "pardus": "pisi",
    "mageia": "urpmi", "mandriva": "urpmi",
    **dict.fromkeys(("opensuse", "sles", "suse-based"), "zypper"),
    "alpinelinux": "apk", "voidlinux": "xbps",
}
RED_HATS = {"centos", "oraclelinux", "redhat-based", "rhel", "scientificlinux"}


def elf_arch(header: bytes) -> str | None:
    """The architecture (libguestfs's names) of an ELF file from its first 20 bytes."""
    if len(header) < 20 or header[:4] != b"\x7fELF" or header[4] not in (1, 2):
        return None
    is64 = header[4] == 2
    little = header[5] != 2
    (machine,) = struct.unpack_from("<H" if little else ">H", header, 18)
    names = ELF_MACHINES.get(machine)
    if names is None:
        return None
    name = names[1 if is64 else 0]
    return name + "le" if name == "ppc64" and little else name


def architecture(guest: Guest) -> str | None:
    """The arch of the first of ARCH_BINARIES that exists (symlinks followed inside)."""
    for path in ARCH_BINARIES:
        if guest.is_file(path):
            arch = elf_arch(guest.head(path, 20))
            if arch is not None:
                return arch
    return None


def hostname(guest: Guest) -> str | None:
    """The first line of /etc/HOSTNAME or /etc/hostname, else sysconfig/network's HOSTNAME."""
    for path in ("/etc/HOSTNAME", "/etc/hostname"):
        lines = guest.read_lines(path)
        if lines and lines[0]:
            return lines[0]
    lines = guest.read_lines("/etc/sysconfig/network") if guest.is_file(
        "/etc/sysconfig/network", follow=False) else None
    for key, value in key_values(lines or [], simple_unquote):
        if key.strip() == "HOSTNAME":
            return value
    return None


def package_format(distro: str | None) -> str:
    return PACKAGE_FORMATS.get(distro or "", UNKNOWN)


def package_management(guest: Guest, distro: str | None, major: int) -> str:
    if distro == "fedora":
        if major >= 22 and guest.is_file("/usr/bin/dnf"):
            return "dnf"
        return "yum" if major >= 1 else UNKNOWN
    if distro in RED_HATS:
        return "dnf" if major >= 8 else "yum" if major >= 5 else "up2date" if major >= 2 \
            else UNKNOWN
    return PACKAGE_MANAGERS.get(distro or "", UNKNOWN)


def _fill(r: Root, guest: Guest, rel: Release) -> Root:
    """r with the release data and what follows from it."""
    r.distro = rel.distro or UNKNOWN
    r.product_name = rel.product_name or UNKNOWN
    r.major_version, r.minor_version = rel.version or (0, 0)
    r.build_id = rel.build_id or UNKNOWN
    r.package_format = package_format(rel.distro)
    r.package_management = package_management(guest, rel.distro, r.major_version)
    return r


def _is_linux_root(guest: Guest) -> bool:
    return (guest.is_dir("/etc")
            and (guest.is_dir("/bin") or guest.readlink("/bin") == "usr/bin")
            and (guest.is_file("/etc/fstab") or guest.is_file("/etc/hosts")))


def is_grub_boot(guest: Guest) -> bool:
    """Whether the filesystem is a Grub /boot (libguestfs looks no further at it)."""
    return any(guest.is_file(f) for f in ("/grub/menu.lst", "/grub/grub.conf", "/grub2/grub.cfg"))


def detect(mountable: str, path: str) -> Root | None:
    """A Root if the filesystem at path holds a Linux / (role "root") or /usr ("usr")."""
    guest = Guest(path)
    if is_grub_boot(guest):
        return None
    rel = Release()
    if _is_linux_root(guest):
        check_release(guest, rel, LINUX_TESTS)
        r = _fill(Root(mountable, type="linux"), guest, rel)
        r.arch = architecture(guest) or UNKNOWN
        r.hostname = hostname(guest) or UNKNOWN
        r.fstab_entries = fstab.entries(guest)
        r.mdadm_arrays = fstab.mdadm_arrays(guest)
        return r
    if (guest.is_dir("/etc") and guest.is_dir("/bin") and guest.is_dir("/share")
            and guest.is_dir("/local") and not guest.is_file("/etc/fstab")):
        if guest.is_file("/lib/os-release"):
            parse_os_release(guest, "/lib/os-release", rel)
        r = _fill(Root(mountable, type="linux", role="usr"), guest, rel)
        r.arch = architecture(guest) or UNKNOWN
        return r
    return None


def merge_usr(r: Root, usrs: list[Root]) -> None:
    """Fill r's unknown fields from the first /usr of the same (or no) distro that its
    fstab mounts, as libguestfs's collect_linux_inspection_info."""
    for usr in usrs:
        if usr.distro not in (r.distro, UNKNOWN):
            continue
        if usr.root not in (dev for dev, _ in r.fstab):
            return
        for field in ("distro", "package_format", "package_management", "product_name",
                      "product_variant", "arch", "hostname"):
            if getattr(r, field) == UNKNOWN:
                setattr(r, field, getattr(usr, field))
        if (r.major_version, r.minor_version) == (0, 0):
            r.major_version, r.minor_version = usr.major_version, usr.minor_version
        r.fstab = usr.fstab + r.fstab
        return


def resolve_fstab(ctx: Ctx, r: Root) -> None:
    """r.fstab from r.fstab_entries: each spec as the appliance names the device."""
    if r.type == "linux":
        r.fstab = fstab.resolve(ctx, r.root, r.fstab_entries, r.mdadm_arrays)

