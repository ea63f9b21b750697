"""The OS's icon (PNG), found in the guest mounted under the sysroot.

The files and size limits are libguestfs 1.48's (lib/inspect-icon.c): a favicon
(/etc/favicon.png) first when allowed, then a file per distribution.  A file is
returned only if it is a regular file (guest symlinks followed inside the guest)
holding a PNG of 16x16 to 1024x1024 pixels, no larger than the distribution's
limit (4 bytes a pixel when there is none).  The size is read from the PNG's
header here (libguestfs runs `file`).

Differences from libguestfs: highquality=True returns only icons of at least
256x256 pixels (libguestfs only leaves out the favicon, Ubuntu and Windows);
CirrOS (a text logo rendered with netpbm) and Windows (icons cut out of
explorer.exe with wrestool and netpbm) have no icon: the appliance has none of
those tools.  Distributions libguestfs has no icon for (Arch, Alpine ...) have
none here either.
"""

from __future__ import annotations

import os
import stat
import struct

from ..dispatch import need_root
from ..paths import resolve
from .root import Root

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_SIZE, MAX_SIZE, HIGH_QUALITY = 16, 1024, 256
FAVICON = "/etc/favicon.png"

RHEL_LIKE = ("rhel", "redhat-based", "centos", "rocky", "scientificlinux", "oraclelinux")
ICONS: dict[str, tuple[tuple[str, ...], int]] = {
    # distro: (files tried in order, largest file size in bytes; 0: 4 bytes a pixel)
    "fedora": (("/usr/share/icons/hicolor/96x96/apps/fedora-logo-icon.png",), 0),
    "debian": (("/usr/share/pixmaps/debian-logo.png",), 2048),
    "ubuntu": (("/usr/share/icons/gnome/24x24/places/ubuntu-logo.png",
                "/usr/share/help/C/ubuntu-help/figures/ubuntu-logo.png"), 2048),
    "mageia": (("/usr/share/icons/mageia.png",), 10240),
    "opensuse": (("/usr/share/icons/hicolor/48x48/apps/distributor.png",
                  "/usr/share/icons/hicolor/24x24/apps/distributor.png"), 10240),
    "voidlinux": (("/usr/share/void-artwork/void-logo.png",), 20480),
    "altlinux": (("/usr/share/icons/hicolor/48x48/apps/altlinux.png",), 20480),
    "gentoo": (("/usr/share/icons/gentoo/48x48/gentoo.png",), 10240),
    "openmandriva": (("/usr/share/icons/large/mandriva.png",
                      "/usr/share/icons/mandriva.png"), 10240),
}
ICONS["suse-based"] = ICONS["sles"] = ICONS["opensuse"]
NO_HIGH_QUALITY = ("ubuntu",)
"""Distributions whose icons libguestfs never returns as high quality."""


def png_size(header: bytes) -> tuple[int, int] | None:
    """(width, height) from the start of a PNG file (signature and IHDR), or None."""
    if len(header) < 24 or not header.startswith(PNG_SIGNATURE) or header[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def read_png(path: str, limit: int, highquality: bool) -> bytes | None:
    """The content of guest file path if it is an acceptable PNG icon, else None."""
    try:
        fd = os.open(resolve(path), os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        size = png_size(f.read(24))
        if size is None:
            return None
        width, height = size
        if not (MIN_SIZE <= width <= MAX_SIZE and MIN_SIZE <= height <= MAX_SIZE):
            return None
        if highquality and (width < HIGH_QUALITY or height < HIGH_QUALITY):
            return None
        limit = limit or 4 * width * height
        f.seek(0)
        data = f.read(limit + 1)
    return data if len(data) <= limit else None


def _candidates(r: Root, favicon: bool, highquality: bool) -> list[tuple[str, int]]:
    """(guest path, size limit) of each file to try, in order."""
    out = [(FAVICON, 0)] if favicon and not highquality else []
    if r.type not in ("linux", "hurd") or (highquality and r.distro in NO_HIGH_QUALITY):
        return out
    if r.distro in RHEL_LIKE:
        shadowman = ("/usr/share/pixmaps/redhat/shadowman-transparent.png"
                     if r.major_version < 7 else
                     "/usr/share/icons/hicolor/96x96/apps/system-logo-icon.png")
        return out + [(shadowman, 102400)]
    files, limit = ICONS.get(r.distro, ((), 0))
    return out + [(path, limit) for path in files]


def icon(r: Root, favicon: bool | None, highquality: bool) -> bytes:
    """PNG data of r's icon, or b"" if none is found.  favicon None means True, as in
    libguestfs (the favicon is tried unless the caller says no)."""
    need_root()
    for path, limit in _candidates(r, favicon is not False, highquality):
        data = read_png(path, limit, highquality)
        if data is not None:
            return data
    return b""
