"""Linux (and other Unix-like) roots: release files, hostname, arch, fstab."""

from __future__ import annotations

import os

from ..context import Ctx
from .root import Root


def _read(path: str, limit: int = 65536) -> str | None:
    """A small guest text file's content, or None if it is missing or not a regular file."""
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return None


def os_release(text: str) -> dict[str, str]:
    """The KEY=value pairs of an os-release file, quotes removed."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            out[key] = value.strip().strip("\"'")
    return out


def detect(mountable: str, path: str) -> Root | None:
    """A Root if the filesystem at path holds a Linux system's / (it has /etc and an
    os-release or another release file)."""
    if not os.path.isdir(f"{path}/etc"):
        return None
    text = _read(f"{path}/etc/os-release") or _read(f"{path}/usr/lib/os-release")
    if text is None:
        return None
    info = os_release(text)
    r = Root(mountable, type="linux", distro=info.get("ID", "unknown"),
             product_name=info.get("PRETTY_NAME", "unknown"))
    major, _, minor = info.get("VERSION_ID", "").partition(".")
    r.major_version = int(major) if major.isdigit() else 0
    r.minor_version = int(minor) if minor.isdigit() else 0
    return r


def resolve_fstab(ctx: Ctx, r: Root) -> None:
    """r.fstab from r.fstab_entries: each spec as the appliance names the device."""
