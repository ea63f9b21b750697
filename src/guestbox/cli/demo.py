"""`guestbox demo`: make a small demo guest once, then open it read-only and show what is inside.

The demo guest is what real images look like: an MBR disk with an ext4 /boot
and an LVM volume group holding the ext4 root, with /etc/os-release, a dpkg
status file and a few files.  It is kept in the cache and made only once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..appliance.cache import cache_dir
from ..handle import GuestFS

MiB = 1024 * 1024
DEMO_VERSION = "1"

OS_RELEASE = """\
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
"""

DPKG_STATUS = """\
Package: base-files
Status: install ok installed
Priority: required
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell

Package: coreutils
Status: install ok installed
Priority: required
Architecture: amd64
Version: 9.1-1
Description: GNU core utilities
"""

FSTAB = """\
/dev/mapper/guestvg-root /     ext4 errors=remount-ro 0 1
LABEL=boot               /boot ext4 defaults          0 2
"""


def demo_image() -> Path:
    """The demo guest image in the cache, made if it is not there yet."""
    d = cache_dir() / "demo"
    d.mkdir(exist_ok=True)
    image = d / f"demo-guest-v{DEMO_VERSION}.qcow2"
    if not image.exists():
        tmp = d / f".{image.name}.{os.getpid()}"
        try:
            _make(tmp)
            os.replace(tmp, image)
        finally:
            if tmp.exists():
                tmp.unlink()
    return image


def _make(path: Path) -> None:
    print("making the demo guest (once) ...", flush=True)
    with GuestFS() as g:
        g.disk_create(str(path), "qcow2", 256 * MiB)
        g.add_drive_opts(str(path), format="qcow2")
        g.launch()
        g.part_init("/dev/sda", "mbr")
        g.part_add("/dev/sda", "p", 2048, 2048 + 64 * 2048 - 1)
        g.part_add("/dev/sda", "p", 2048 + 64 * 2048, -1)
        g.mkfs("ext4", "/dev/sda1", label="boot")
        g.pvcreate("/dev/sda2")
        g.vgcreate("guestvg", ["/dev/sda2"])
        g.lvcreate_free("root", "guestvg", 100)
        g.mkfs("ext4", "/dev/guestvg/root", label="root")
        g.mount("/dev/guestvg/root", "/")
        g.mkdir_p("/boot")
        g.mount("/dev/sda1", "/boot")
        for d in ("/etc/apt", "/var/lib/dpkg", "/home/user", "/root", "/tmp", "/usr/bin"):
            g.mkdir_p(d)
        g.chmod(0o1777, "/tmp")
        g.write("/etc/os-release", OS_RELEASE.encode())
        g.write("/etc/hostname", b"demo-guest\n")
        g.write("/etc/fstab", FSTAB.encode())
        g.write("/etc/motd", b"Welcome to the guestbox demo guest.\n")
        g.write("/etc/apt/sources.list", b"deb http://deb.debian.org/debian bookworm main\n")
        g.write("/var/lib/dpkg/status", DPKG_STATUS.encode())
        g.write("/home/user/notes.txt", b"Files inside a disk image, read without mounting "
                                         b"it on the host.\n")
        g.chown(1000, 1000, "/home/user")
        g.chown(1000, 1000, "/home/user/notes.txt")
        g.write("/boot/vmlinuz-6.1.0-demo", b"not really a kernel\n")
        g.ln_s("/proc/self/mounts", "/etc/mtab")
        g.shutdown()


def run() -> int:
    """Make (once) and show the demo guest."""
    image = demo_image()
    t0 = time.monotonic()
    with GuestFS() as g:
        g.add_drive_opts(str(image), format="qcow2", readonly=True)
        g.launch()
        launched = time.monotonic() - t0
        print(f"Demo guest: {image} (opened read-only, appliance up in {launched:.1f} s)\n")
        print("Devices:")
        for dev in g.list_devices():
            print(f"  {dev}  {g.blockdev_getsize64(dev) // MiB} MiB")
        print("Partitions:")
        for part in g.list_partitions():
            print(f"  {part}")
        print("Logical volumes:")
        for lv in g.lvs():
            print(f"  {lv}")
        print("Filesystems:")
        for dev, fstype in g.list_filesystems().items():
            print(f"  {dev:<22} {fstype:<6} label={g.vfs_label(dev)!r}")
        g.mount("/dev/guestvg/root", "/")
        g.mount("/dev/sda1", "/boot")
        name = next((line.split("=", 1)[1].strip('"') for line in g.read_lines("/etc/os-release")
                     if line.startswith("PRETTY_NAME=")), "unknown")
        print(f"\nOperating system: {name}, hostname {g.cat('/etc/hostname').strip()}")
        print("\nListing of /etc:")
        print(g.ll("/etc").rstrip())
    return 0
