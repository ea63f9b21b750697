"""inspect_get_icon on scratch guests: the distribution's icon file, the favicon, the
high-quality rule, size limits, symlinks kept inside the guest, and b"" when there
is no icon."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

import pytest

import guestbox
from guestbox.agent.inspection.icons import png_size
from tests import phony

DEBIAN_LOGO = "/usr/share/pixmaps/debian-logo.png"
FEDORA_LOGO = "/usr/share/icons/hicolor/96x96/apps/fedora-logo-icon.png"


def png(width: int, height: int, shade: int = 0) -> bytes:
    """A valid grey PNG of that size (tiny: the rows compress to almost nothing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\0" + bytes([shade]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                              8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


SMALL, OTHER, BIG = png(32, 32, 1), png(48, 48, 2), png(256, 256, 3)
GUESTS: dict[str, tuple[str, dict[str, bytes], dict[str, str]]] = {
    # name: (os-release ID, files, symlinks)
    "debian": ("debian", {DEBIAN_LOGO: SMALL}, {}),
    "favicon": ("debian", {DEBIAN_LOGO: SMALL, "/etc/favicon.png": OTHER}, {}),
    "fedora-hq": ("fedora", {FEDORA_LOGO: BIG, "/etc/favicon.png": OTHER}, {}),
    "too-big": ("debian", {DEBIAN_LOGO: png(64, 64) + b"\0" * 2048}, {}),
    "not-png": ("debian", {DEBIAN_LOGO: b"GIF89a" + b"\0" * 100}, {}),
    "tiny": ("debian", {DEBIAN_LOGO: png(8, 8)}, {}),
    "symlink": ("debian", {"/logo/real.png": OTHER}, {DEBIAN_LOGO: "/logo/real.png"}),
    "escape": ("debian", {}, {DEBIAN_LOGO: "../../../../../../../usr/share/pixmaps/x.png"}),
    "arch": ("arch", {"/etc/favicon-not.png": SMALL}, {}),
}


@pytest.fixture(scope="module")
def guests() -> Iterator[tuple[guestbox.GuestFS, dict[str, str]]]:
    """One small ext4 guest per entry of GUESTS, on one scratch disk (logical partitions)."""
    g = guestbox.GuestFS()
    try:
        g.add_drive_scratch(512 * 1024 * 1024)
        g.launch()
        g.part_init("/dev/sda", "mbr")
        g.part_add("/dev/sda", "e", 2048, 1000000)
        devs: dict[str, str] = {}
        start = 4096
        for i, name in enumerate(GUESTS):
            g.part_add("/dev/sda", "l", start, start + 60000)
            start += 64000
            devs[name] = f"/dev/sda{i + 5}"
        for name, (distro, files, links) in GUESTS.items():
            g.mkfs("ext4", devs[name])
            g.mount(devs[name], "/")
            g.mkdir_p("/etc")
            g.write("/etc/os-release", f"ID={distro}\nVERSION_ID=12\n".encode())
            g.mkdir_p("/bin")  # a Linux root: /etc, /bin and an fstab
            g.write("/etc/fstab", b"")
            for path, data in files.items():
                g.mkdir_p(path.rsplit("/", 1)[0])
                g.write(path, data)
            for path, target in links.items():
                g.mkdir_p(path.rsplit("/", 1)[0])
                g.ln_s(target, path)
            g.umount("/")
        assert sorted(g.inspect_os()) == sorted(devs.values())
        yield g, devs
    finally:
        g.close()


def _icon(g: guestbox.GuestFS, root: str, **opts: bool) -> bytes:
    g.mount_ro(root, "/")
    try:
        return g.inspect_get_icon(root, **opts)
    finally:
        g.umount_all()


def test_debian_logo(guests: tuple) -> None:
    g, devs = guests
    assert _icon(g, devs["debian"]) == SMALL
    assert _icon(g, devs["debian"], favicon=False) == SMALL
    assert _icon(g, devs["debian"], highquality=True) == b""  # 32x32


def test_favicon_first_unless_refused(guests: tuple) -> None:
    g, devs = guests
    assert _icon(g, devs["favicon"]) == OTHER
    assert _icon(g, devs["favicon"], favicon=True) == OTHER
    assert _icon(g, devs["favicon"], favicon=False) == SMALL


def test_high_quality_skips_the_favicon(guests: tuple) -> None:
    g, devs = guests
    assert _icon(g, devs["fedora-hq"]) == OTHER
    assert _icon(g, devs["fedora-hq"], highquality=True) == BIG
    assert _icon(g, devs["fedora-hq"], favicon=True, highquality=True) == BIG


@pytest.mark.parametrize("name", ["too-big", "not-png", "tiny", "escape", "arch"])
def test_no_acceptable_icon(guests: tuple, name: str) -> None:
    g, devs = guests
    assert _icon(g, devs[name]) == b""


def test_symlink_followed_inside_the_guest(guests: tuple) -> None:
    g, devs = guests
    assert _icon(g, devs["symlink"]) == OTHER


def test_phony_debian_has_no_icon(launch_handle) -> None:  # type: ignore[no-untyped-def]
    g = launch_handle(*phony.images("debian"), readonly=True, format="raw")
    root = phony.ROOTS["debian"]
    assert root in g.inspect_os()
    with pytest.raises(RuntimeError, match="you must call 'mount' first"):
        g.inspect_get_icon(root)
    mps = g.inspect_get_mountpoints(root)
    for mp in sorted(mps, key=len):
        g.mount_ro(mps[mp], mp)
    assert g.inspect_get_icon(root) == b""


def test_png_size() -> None:
    assert png_size(png(300, 17)) == (300, 17)
    assert png_size(b"\x89PNG\r\n\x1a\n") is None
    assert png_size(b"GIF89a" + bytes(30)) is None
