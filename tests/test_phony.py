"""The phony guests (tests/phony.py) are built as their layouts say, read back with the API.

libguestfs's virt-inspector, run on these images while they were written, printed
exactly the expected XML of ../shared/testdata/expected-inspector (the Windows
NTFS serial aside, random by construction).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import guestbox
from tests import phony


def test_debian_layout(launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    g = launch_handle(phony.image("debian"), readonly=True)
    assert g.lvs() == ["/dev/debian/home", "/dev/debian/root", "/dev/debian/usr",
                       "/dev/debian/var"]
    # the same entries, in the same order, as libguestfs 1.48 lists for this image
    assert list(dict(g.list_filesystems()).items()) == [
        ("/dev/sda1", "ext2"), ("/dev/debian/home", "ext2"), ("/dev/debian/root", "ext2"),
        ("/dev/debian/usr", "ext2"), ("/dev/debian/var", "ext2")]
    assert g.vfs_label("/dev/sda1") == "BOOT"
    assert g.vfs_uuid("/dev/debian/var") == phony.uuid(4)
    g.mount_ro("/dev/debian/root", "/")
    g.mount_ro("/dev/debian/var", "/var")
    assert g.cat("/etc/debian_version") == "5.0.1"
    assert "LABEL=BOOT /boot ext2 default 0 0" in g.read_lines("/etc/fstab")
    assert g.read_file("/var/lib/dpkg/status") == (
        phony.TESTDATA / "packages/debian-packages").read_bytes()
    assert g.is_dir("/var/lib/urandom")


def test_fedora_file_set(launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    g = launch_handle(phony.image("fedora"), readonly=True)
    assert [(p["part_num"], p["part_start"] // 512) for p in g.part_list("/dev/sda")] == [
        (1, 64), (2, 1048576)]
    assert g.lvs() == ["/dev/VG/LV1", "/dev/VG/LV2", "/dev/VG/LV3", "/dev/VG/Root"]
    assert list(dict(g.list_filesystems()).items()) == [
        ("/dev/sda1", "ext2"), ("/dev/VG/LV1", "ext2"), ("/dev/VG/LV2", "ext2"),
        ("/dev/VG/LV3", "ext2"), ("/dev/VG/Root", "ext2")]
    g.mount_ro("/dev/VG/Root", "/")
    g.mount_ro("/dev/sda1", "/boot")
    st = g.statns("/etc/test3")
    assert (st["st_uid"], st["st_gid"], st["st_mode"] & 0o7777) == (10, 11, 0o600)
    assert g.readlink("/bin/test5") == "/bin/test1"
    assert g.is_fifo("/bin/test6") and g.is_file("/bin/test7")
    assert g.getxattr("/etc/shadow", "security.selinux") == b"system_u:object_r:shadow_t:s0\0"
    assert g.filesize("/var/lib/rpm/rpmdb.sqlite") > 5_000_000
    journal = g.find("/var/log/journal")
    assert any(p.endswith("/system.journal") for p in journal)
    assert "    root (hd0,0)" in g.read_lines("/boot/grub/grub.conf")


@pytest.mark.parametrize("name", ["ubuntu", "archlinux"])
def test_single_root_guests(name: str, launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    g = launch_handle(phony.image(name), readonly=True)
    root = phony.ROOTS[name]
    assert g.vfs_uuid(root) == phony.uuid(2)
    g.mount_ro(root, "/")
    assert g.cat("/etc/hostname") == f"{name}.{'test' if name == 'archlinux' else 'invalid'}"
    assert g.is_file("/bin/ls")


def test_windows_layout(launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    g = launch_handle(phony.image("windows"), readonly=True)
    assert g.pread_device("/dev/sda", 4, 0x1B8) == b"1234"
    assert g.vfs_type("/dev/sda1") == "ntfs" and g.vfs_type("/dev/sda2") == "ntfs"
    g.mount_ro("/dev/sda2", "/")
    assert g.is_file("/Windows/System32/Config/SOFTWARE")
    assert g.read_file("/Windows/System32/Config/SYSTEM") == (
        phony.TESTDATA / "hives/windows-system").read_bytes()
    assert g.is_dir("/Program Files")
