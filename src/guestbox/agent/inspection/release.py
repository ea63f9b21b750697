"""Release files: which distribution and version a Linux root holds (libguestfs's rules).

The files are tried in libguestfs 1.48's order (inspect_fs_unix.ml): os-release,
lsb-release, then the distribution-specific ones; each parser says whether it
settled the question, and the first that does wins.  Names are libguestfs's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from .guestfiles import Guest


@dataclasses.dataclass
class Release:
    """What the release files say; None where they say nothing."""

    distro: str | None = None
    product_name: str | None = None
    version: tuple[int, int] | None = None
    build_id: str | None = None


OS_RELEASE_IDS = {
    "alpine": "alpinelinux", "altlinux": "altlinux", "arch": "archlinux", "centos": "centos",
    "coreos": "coreos", "debian": "debian", "fedora": "fedora", "frugalware": "frugalware",
    "kali": "kalilinux", "mageia": "mageia", "neokylin": "neokylin", "opensuse": "opensuse",
    "pld": "pldlinux", "rhel": "rhel", "sles": "sles", "sled": "sles", "ubuntu": "ubuntu",
    "void": "voidlinux",
}
LSB_IDS = {"CoreOS": "coreos", "LinuxMint": "linuxmint", "Mageia": "mageia", "Ubuntu": "ubuntu"}


def shell_unquote(value: str) -> str:
    """A shell word's value: quotes removed, backslash escapes applied."""
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c == "'":
            end = value.find("'", i + 1)
            end = n if end < 0 else end
            out.append(value[i + 1:end])
            i = end + 1
        elif c == '"':
            i += 1
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n and value[i + 1] in '"\\$`\n':
                    i += 1
                out.append(value[i])
                i += 1
            i += 1
        elif c == "\\" and i + 1 < n:
            out.append(value[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def simple_unquote(value: str) -> str:
    """value without one pair of surrounding double or single quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def key_values(lines: list[str], unquote: Callable[[str], str]) -> list[tuple[str, str]]:
    """KEY=value pairs of lines, in order; empty lines and # comments skipped."""
    out = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        out.append((key, unquote(value)))
    return out


def parse_version(text: str, rel: Release) -> None:
    """Set rel.version from the first "N.M", else the first "N" in text."""
    m = re.search(r"(\d+)\.(\d+)", text)
    if m:
        rel.version = (int(m.group(1)), int(m.group(2)))
        return
    m = re.search(r"(\d+)", text)
    if m:
        rel.version = (int(m.group(1)), 0)


def parse_os_release(guest: Guest, path: str, rel: Release) -> bool:
    lines = guest.read_lines(path)
    if lines is None:
        return False
    for key, value in key_values(lines, shell_unquote):
        if key == "ID":
            if value in OS_RELEASE_IDS:
                rel.distro = OS_RELEASE_IDS[value]
            elif value.startswith("opensuse-"):
                rel.distro = "opensuse"
        elif key == "PRETTY_NAME":
            rel.product_name = value
        elif key == "VERSION_ID":
            m = re.fullmatch(r"V(\d+)Update(\d+)", value)  # NeoKylin
            if m:
                rel.version = (int(m.group(1)), int(m.group(2)))
            else:
                parse_version(value, rel)
        elif key == "BUILD_ID":
            rel.build_id = value
    if rel.distro is None or rel.product_name is None:
        return False
    if rel.distro in ("debian", "centos") and rel.version is not None and rel.version[1] == 0:
        return False  # only the major version: the older release file says more
    if rel.distro == "voidlinux" and rel.version is None:
        rel.version = (0, 0)  # rolling release
        return True
    return rel.version is not None


def parse_lsb_release(guest: Guest, path: str, rel: Release) -> bool:
    lines = guest.read_lines(path)
    if lines is None:
        return False
    ok = False
    for key, value in key_values(lines, simple_unquote):
        if key == "DISTRIB_ID" and value in LSB_IDS:
            rel.distro = LSB_IDS[value]
            ok = True
        elif key == "DISTRIB_RELEASE":
            parse_version(value, rel)
        elif key == "DISTRIB_DESCRIPTION":
            rel.product_name = value
            ok = True
    return ok


def parse_suse_release(guest: Guest, path: str, rel: Release) -> bool:
    lines = guest.read_lines(path)
    if not lines:
        return False
    rel.product_name = lines[0]
    if re.match(r"SUSE (Linux|LINUX) Enterprise |Novell Linux Desktop ", lines[0]):
        major = re.match(r"VERSION = (\d+)", lines[1]) if len(lines) >= 2 else None
        minor = re.match(r"PATCHLEVEL = (\d+)", lines[2]) if len(lines) >= 3 else None
        rel.distro = "sles"
        rel.version = ((int(major.group(1)), int(minor.group(1)) if minor else 0)
                       if major else None)
    elif re.match(r"(openSUSE|SuSE Linux|SUSE LINUX) ", lines[0]):
        if len(lines) >= 2:
            parse_version(lines[1], rel)
        rel.distro = "opensuse"
    return True


Parser = Callable[[Guest, str, Release], bool]


def generic(distro: str, rex: str | None = None) -> Parser:
    """A parser taking the first line as product name and the distro as given; with rex,
    the line must match it and its groups are the major and minor versions."""
    def parse(guest: Guest, path: str, rel: Release) -> bool:
        data = guest.read_bytes(path)
        first = "" if data is None else data.decode("utf-8", "replace").split("\n", 1)[0]
        if first == "":
            return False
        rel.product_name = first
        rel.distro = distro
        if rex is None:
            parse_version(first, rel)
            return True
        m = re.search(rex, first)
        if m is None:
            return False
        groups = [int(g) if g is not None and g.isdigit() else None for g in m.groups()[:2]]
        major, minor = (groups + [None, None])[:2]
        if major is not None:
            rel.version = (major, minor or 0)
        return True
    return parse


def fixed(distro: str) -> Parser:
    """A parser that only sets the distro (the file's presence is the whole answer)."""
    def parse(guest: Guest, path: str, rel: Release) -> bool:
        rel.distro = distro
        return True
    return parse


def buildroot(guest: Guest, path: str, rel: Release) -> bool:
    distro = "cirros" if guest.is_file("/usr/share/cirros/logo") else "buildroot"
    return generic(distro)(guest, path, rel)


def _rh_tests(path: str, name: str, distro: str) -> list[tuple[str, Parser]]:
    """path parsed with the old (Update), major.minor and major-only regexes of a
    Red Hat-like release line, in that order."""
    return [(path, generic(distro, rex)) for rex in (
        rf"{name}.*release (\d+).*Update (\d+)", rf"{name}.*release (\d+)\.(\d+)",
        rf"{name}.*release (\d+)")]


LINUX_TESTS: list[tuple[str, Parser]] = [
    ("/etc/os-release", parse_os_release),
    ("/etc/lsb-release", parse_lsb_release),
    *_rh_tests("/etc/oracle-release", "Oracle Linux", "oraclelinux"),
    *_rh_tests("/etc/centos-release", "CentOS", "centos"),
    ("/etc/altlinux-release", generic("altlinux")),
    ("/etc/redhat-release", generic("fedora", r"Fedora release (\d+)")),
    *_rh_tests("/etc/redhat-release", "Red Hat", "rhel"),
    *_rh_tests("/etc/redhat-release", "CentOS", "centos"),
    *_rh_tests("/etc/redhat-release", "Scientific Linux", "scientificlinux"),
    ("/etc/redhat-release", generic("redhat-based")),
    ("/etc/redhat-release", fixed("redhat-based")),
    ("/etc/debian_version", generic("debian")),
    ("/etc/pardus-release", generic("pardus")),
    ("/etc/arch-release", fixed("archlinux")),
    ("/etc/gentoo-release", generic("gentoo")),
    ("/etc/meego-release", generic("meego")),
    ("/etc/slackware-version", generic("slackware")),
    ("/etc/ttylinux-target", generic("ttylinux")),
    ("/etc/SuSE-release", parse_suse_release),
    ("/etc/SuSE-release", fixed("suse-based")),
    ("/etc/cirros/version", generic("cirros")),
    ("/etc/br-version", buildroot),
    ("/etc/alpine-release", generic("alpinelinux")),
    ("/etc/frugalware-release", generic("frugalware", r"Frugalware (\d+)\.(\d+)")),
    ("/etc/pld-release", generic("pldlinux", r"(\d+)\.(\d+) PLD Linux")),
]
"""(release file, parser) in libguestfs's order of precedence."""


def check_release(guest: Guest, rel: Release, tests: list[tuple[str, Parser]]) -> None:
    """Run the parsers of the release files that exist until one settles it."""
    for path, parse in tests:
        if guest.is_file(path) and parse(guest, path, rel):
            return
