"""The libosinfo short id of an inspected OS (libguestfs's inspect_get_osinfo rules)."""

from __future__ import annotations

from .root import UNKNOWN, Root


def _linux(distro: str, major: int, minor: int) -> str | None:
    if distro == "centos":
        if major >= 8:
            return f"centos{major}"
        return "centos7.0" if major == 7 else f"centos6.{minor}" if major == 6 else None
    if distro in ("circle", "rocky"):
        return f"{distro}{major}" if major >= 8 else None
    if distro == "debian":
        return f"debian{major}" if major >= 4 else None
    if distro in ("fedora", "mageia"):
        return f"{distro}{major}"
    if distro == "sles":
        return f"sles{major}" if minor == 0 else f"sles{major}sp{minor}"
    if distro == "ubuntu":
        return f"ubuntu{major}.{minor:02d}"
    if distro in ("archlinux", "gentoo", "voidlinux"):
        return distro
    if distro == "altlinux":
        return f"alt{major}.{minor}" if major >= 8 else f"altlinux{major}.{minor}"
    return None


def _windows(r: Root) -> str | None:
    server = "Server" in r.product_variant
    name = r.product_name
    if r.major_version == 5:
        if r.minor_version == 1 or (r.minor_version == 2 and "XP" in name):
            return "winxp"
        if r.minor_version == 2:
            return "win2k3r2" if "R2" in name else "win2k3"
    elif r.major_version == 6 and r.minor_version in (0, 1, 2, 3):
        pairs = (("win2k8", "winvista"), ("win2k8r2", "win7"), ("win2k12", "win8"),
                 ("win2k12r2", "win8.1"))
        return pairs[r.minor_version][0 if server else 1]
    elif r.major_version == 10 and r.minor_version == 0:
        if server:
            for year in ("2025", "2022", "2019"):
                if year in name:
                    return f"win2k{year[2:]}"
            return "win2k16"
        if not r.build_id.isdigit():
            return None
        return "win11" if int(r.build_id) >= 22000 else "win10"
    return None


def short_id(r: Root) -> str:
    """"debian5", "fedora14", "ubuntu10.10", "win2k22" ... or "unknown"."""
    major, minor = r.major_version, r.minor_version
    found: str | None = None
    if r.type == "linux":
        found = _linux(r.distro, major, minor)
        if found is None and r.distro != UNKNOWN and (major > 0 or minor > 0):
            found = f"{r.distro}{major}.{minor}"
    elif r.type in ("freebsd", "netbsd", "openbsd"):
        found = f"{r.distro}{major}.{minor}"
    elif r.type == "dos" and r.distro == "msdos":
        found = "msdos6.22"
    elif r.type == "windows":
        found = _windows(r)
    return found or UNKNOWN
