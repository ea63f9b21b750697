"""A real Debian 12 guest: `debootstrap --variant=minbase bookworm`, on a disk image.

Built once (a few minutes: the packages come from deb.debian.org) and kept in the
cache under a key made of this file.  The image is a sparse raw disk with one MBR
partition holding an ext4 filesystem (UUID ROOT_UUID) made with guestbox's API
and filled by tar_in; the guest has hostname HOSTNAME and an /etc/fstab naming
its root by UUID=.  Next to it, `packages(...)` is what the host's dpkg-query
said about the tree before it was packed: the truth for the applications list.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import guestbox
from guestbox.appliance.cache import cache_dir, locked

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
HOSTNAME = "bookworm.guestbox.test"
ROOT_UUID = "6d9c1c52-6c1f-4a3a-9d1e-5f3b8a0c2e71"
DISK_SIZE = 1024 * 1024 * 1024
PACKAGE_FORMAT = "${Package} ${Version} ${Architecture}\\n"


def _key() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def _directory() -> Path:
    directory = cache_dir() / f"debootstrap-{_key()}"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _configure(tree: Path) -> None:
    """The hostname and the fstab the guest would have after an installer's work."""
    (tree / "etc/hostname").write_text(f"{HOSTNAME}\n")
    (tree / "etc/fstab").write_text(
        "# /etc/fstab: static file system information.\n"
        f"UUID={ROOT_UUID} / ext4 errors=remount-ro 0 1\n")


def _disk(tarball: Path, path: Path) -> None:
    """A sparse raw disk: MBR, p1 ext4 with ROOT_UUID, the tarball unpacked into it."""
    with open(path, "wb") as f:
        f.truncate(DISK_SIZE)
    g = guestbox.GuestFS()
    try:
        g.add_drive(str(path), format="raw")
        g.launch()
        g.part_disk("/dev/sda", "mbr")
        g.mkfs("ext4", "/dev/sda1")
        g.set_uuid("/dev/sda1", ROOT_UUID)
        g.mount("/dev/sda1", "/")
        g.tar_in(str(tarball), "/")
        g.shutdown()
    finally:
        g.close()


def _build(work: Path, image_path: Path, packages_path: Path) -> None:
    tree = work / "tree"
    subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(tree), MIRROR],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _configure(tree)
    listing = subprocess.run(
        ["dpkg-query", f"--admindir={tree}/var/lib/dpkg", "-W", "-f", PACKAGE_FORMAT],
        check=True, capture_output=True, text=True).stdout
    tarball = work / "tree.tar"
    subprocess.run(["tar", "--numeric-owner", "--xattrs", "-C", str(tree), "-cf",
                    str(tarball), "--exclude=./var/cache/apt/archives/*.deb", "."],
                   check=True)
    shutil.rmtree(tree)
    _disk(tarball, work / image_path.name)
    (work / packages_path.name).write_text(listing)
    os.rename(work / packages_path.name, packages_path)
    os.rename(work / image_path.name, image_path)


def image() -> Path:
    """The Debian guest's disk image (raw), built first if it is not in the cache."""
    directory = _directory()
    path = directory / f"{SUITE}.img"
    with locked(directory / f"{SUITE}.lock"):
        if not path.exists():
            with tempfile.TemporaryDirectory(dir=directory) as tmp:
                _build(Path(tmp), path, directory / f"{SUITE}.packages")
        for stale in cache_dir().glob("debootstrap-*"):
            if stale != directory:
                shutil.rmtree(stale, ignore_errors=True)
    return path


def packages() -> list[tuple[str, str, str]]:
    """(name, version, architecture) of each package dpkg-query listed in the tree."""
    image()
    text = (_directory() / f"{SUITE}.packages").read_text()
    return [tuple(line.split(" ")) for line in text.splitlines() if line]  # type: ignore[misc]
