"""BSD inspection on UFS: FreeBSD, NetBSD and OpenBSD trees made into UFS images by
makefs on the host, in the GPT partitions of one disk and on a whole second disk."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox
from guestbox.agent.inspection import bsd

MIB = 1 << 20
PART = 8 * MIB
FIRST = MIB  # sector 2048

FREEBSD_FSTAB = """\
# Device\t\tMountpoint\tFStype\tOptions\tDump\tPass#
/dev/ada0p1\t/\t\tufs\trw\t1\t1
/dev/ada0p5\tnone\t\tswap\tsw\t0\t0
/dev/gpt/bsdvar\t/var\t\tufs\trw\t2\t2
/dev/vtbd1s1e\t/usr/home\tufs\trw\t2\t2
/dev/cd0\t/cdrom\t\tcd9660\tro,noauto\t0\t0
proc\t\t/proc\t\tprocfs\trw\t0\t0
"""
MOTD = "FreeBSD 13.2-RELEASE releng/13.2-n254617-525ecfdad597 GENERIC\n\nWelcome to FreeBSD!\n"
NETBSD_RELEASE = "NetBSD 9.3 (GENERIC) #0: Thu Aug  4 15:30:37 UTC 2022\n"
OPENBSD_MOTD = "OpenBSD 7.3 (GENERIC) #1072: Sat Mar 25 10:34:02 MDT 2023\n"

GUESTS: dict[str, dict[str, str]] = {
    "freebsd": {
        "etc/freebsd-update.conf": "Components src world kernel\n",
        "etc/fstab": FREEBSD_FSTAB,
        "etc/motd": MOTD,
        "etc/rc.conf": 'clear_tmp_enable="YES"\nhostname="freebsd13.example.com"\n'
                       'hostname="second"\n',
    },
    "freebsd-nomotd": {
        "etc/freebsd-update.conf": "",
        "etc/fstab": "/dev/vtbd0p2 / ufs rw 1 1\n",
        "bin/freebsd-version": '#!/bin/sh\nUSERLAND_VERSION="13.2-RELEASE-p4"\n',
        "etc/rc.conf": "hostname='fb2'\n",
    },
    "netbsd": {
        "netbsd": "kernel",
        "etc/release": NETBSD_RELEASE,
        "etc/fstab": "/dev/wd0a / ffs rw 1 1\n/dev/sd0e /home ffs rw 1 2\n",
        "etc/rc.conf": "hostname=netbsd-host\n",
    },
    "openbsd": {
        "bsd": "kernel",
        "etc/motd": OPENBSD_MOTD,
        "etc/myname": "openbsd.example.org\n",
        "etc/rc.conf": 'hostname="not-this"\n',
        "etc/fstab": "0123456789abcdef.a / ffs rw 1 1\n"
                     "0123456789abcdef.d /tmp ffs rw,nodev,nosuid 1 2\n",
    },
}
"""The files of each tree (besides bin/sh, a host ELF)."""
LAYOUT = [("freebsd", 1), ("netbsd", 1), ("openbsd", 1), ("freebsd", 2), ("freebsd-nomotd", 1)]
"""(tree, UFS version) of partitions 1-5 of the first disk; the second is all "freebsd".
Debian's makefs puts a UFS2 superblock at 8 KiB (UFS1's place), where Linux's ufs driver
does not look for one (ufstype=ufs2: 64 KiB, as FreeBSD's newfs writes it): partition 4
cannot be read, the others are UFS1 (4.4BSD).  Partition 1, the first BSD root on a primary
partition, is taken for an MBR shadow of another FreeBSD and left out, as libguestfs does."""


def _tree(top: Path, name: str) -> Path:
    root = top / name
    for rel, text in GUESTS[name].items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "bin").mkdir(exist_ok=True)
    shutil.copyfile(shutil.which("dash") or "/bin/sh", root / "bin/sh")
    if name == "freebsd-nomotd":  # a hostile motd: outside the guest, the appliance's file
        (root / "etc/motd").symlink_to("../../../../../proc/version")
    return root


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GPT disk with the trees as UFS filesystems in partitions 1-5 (LAYOUT); beside it,
    disk2.img: the freebsd tree as a whole-disk UFS1."""
    if shutil.which("makefs") is None:
        pytest.skip("makefs (Debian package makefs) is not installed")
    top = tmp_path_factory.mktemp("bsd")
    image = top / "disk.img"
    with open(image, "wb") as f:
        f.truncate(FIRST + len(LAYOUT) * PART + MIB)
    argv = ["sgdisk"]
    for i, (name, _) in enumerate(LAYOUT, 1):
        start = (FIRST + (i - 1) * PART) // 512
        argv += ["-n", f"{i}:{start}:{start + PART // 512 - 1}", "-t", f"{i}:a503",
                 "-c", f"{i}:{'bsdvar' if i == 1 else name}"]
    subprocess.run([*argv, str(image)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    trees = {name: _tree(top, name) for name in GUESTS}
    for i, (name, version) in enumerate(LAYOUT):
        fs = top / f"{i}.ufs"
        subprocess.run(["makefs", "-t", "ffs", "-s", str(PART), "-o", f"version={version}",
                        str(fs), str(trees[name])], check=True, stdout=subprocess.DEVNULL)
        with open(fs, "rb") as src, open(image, "r+b") as dst:
            dst.seek(FIRST + i * PART)
            dst.write(src.read())
    subprocess.run(["makefs", "-t", "ffs", "-s", str(PART), "-o", "version=1",
                    str(top / "disk2.img"), str(trees["freebsd"])],
                   check=True, stdout=subprocess.DEVNULL)
    return image


@pytest.fixture(scope="module")
def g(disk: Path) -> Iterator[guestbox.GuestFS]:
    h = guestbox.GuestFS()
    h.add_drive_opts(str(disk), readonly=True, format="raw")
    h.add_drive_opts(str(disk.with_name("disk2.img")), readonly=True, format="raw")
    h.launch()
    yield h
    h.close()


def test_inspect_finds_the_bsd_roots(g: guestbox.GuestFS) -> None:
    assert g.list_filesystems() == {"/dev/sdb": "ufs",
                                    **{f"/dev/sda{i}": "ufs" for i in (1, 2, 3, 4, 5)}}
    # sda4 (makefs's UFS2) cannot be mounted; sda1 is a shadow
    assert g.inspect_os() == ["/dev/sdb", "/dev/sda2", "/dev/sda3", "/dev/sda5"]


@pytest.mark.parametrize("root, want", [
    ("/dev/sdb", {"type": "freebsd", "distro": "freebsd", "product_name": MOTD.split("\n")[0],
                   "major_version": 13, "minor_version": 2, "osinfo": "freebsd13.2",
                   "hostname": "freebsd13.example.com"}),
    ("/dev/sda5", {"type": "freebsd", "distro": "freebsd",
                   "product_name": "FreeBSD 13.2-RELEASE-p4", "major_version": 13,
                   "minor_version": 2, "osinfo": "freebsd13.2", "hostname": "fb2"}),
    ("/dev/sda2", {"type": "netbsd", "distro": "netbsd", "product_name": NETBSD_RELEASE.strip(),
                   "major_version": 9, "minor_version": 3, "osinfo": "netbsd9.3",
                   "hostname": "netbsd-host"}),
    ("/dev/sda3", {"type": "openbsd", "distro": "openbsd", "product_name": OPENBSD_MOTD.strip(),
                   "major_version": 7, "minor_version": 3, "osinfo": "openbsd7.3",
                   "hostname": "openbsd.example.org"}),
])
def test_inspect_fields(g: guestbox.GuestFS, root: str, want: dict[str, object]) -> None:
    g.inspect_os()
    got = {f: getattr(g, f"inspect_get_{f}")(root) for f in want}
    assert got == want
    assert g.inspect_get_arch(root) == "x86_64"
    assert g.inspect_get_package_format(root) == "unknown"
    assert g.inspect_get_package_management(root) == "unknown"
    assert g.inspect_get_format(root) == "installed"


def test_fstab_bsd_device_names(g: guestbox.GuestFS) -> None:
    g.inspect_os()
    # / is the root whatever its name; ada0p5 is a GPT partition; /dev/gpt/ a GPT name;
    # vtbd1s1e the 4th BSD partition of slice 1 (c is the slice) of the 2nd disk
    assert g.inspect_get_mountpoints("/dev/sdb") == {
        "/usr/home": "/dev/sdb8", "/var": "/dev/sda1", "/": "/dev/sdb"}
    assert g.inspect_get_filesystems("/dev/sdb") == [
        "/dev/sdb8", "/dev/sda1", "/dev/sda5", "/dev/sdb"]
    assert g.inspect_get_mountpoints("/dev/sda5") == {"/": "/dev/sda5"}
    assert g.inspect_get_mountpoints("/dev/sda2") == {"/home": "/dev/sda7", "/": "/dev/sda2"}
    assert g.inspect_get_mountpoints("/dev/sda3") == {"/tmp": "/dev/sda7", "/": "/dev/sda3"}
    with pytest.raises(guestbox.Error, match="/dev/sda1: root device not found"):
        g.inspect_get_type("/dev/sda1")


def test_files_read_after_mount(g: guestbox.GuestFS) -> None:
    g.inspect_os()
    try:
        g.mount_ro("/dev/sdb", "/")  # without ufstype=: found
        assert g.cat("/etc/rc.conf") == GUESTS["freebsd"]["etc/rc.conf"]
        assert g.is_file("/bin/sh")
        g.umount_all()
        g.mount_ro("/dev/sda2", "/")
        assert g.cat("/etc/release") == NETBSD_RELEASE
        g.umount_all()
        g.mount_vfs("ro,ufstype=44bsd", "ufs", "/dev/sda5", "/")
        assert g.read_file("/bin/freebsd-version").startswith(b"#!/bin/sh\n")
        g.umount_all()
        with pytest.raises(guestbox.Error, match=r"^mount_vfs: /dev/sda3 on / \(options: "
                                                 r"'ro,ufstype=ufs2'\): .*wrong fs type"):
            g.mount_vfs("ro,ufstype=ufs2", "ufs", "/dev/sda3", "/")  # UFS1 is not UFS2
        with pytest.raises(guestbox.Error, match=r"^mount_ro: /dev/sda4 on / \(options: "
                                                 r"'ro'\): "):
            g.mount_ro("/dev/sda4", "/")
        assert g.mounts() == []
    finally:
        g.umount_all()


@pytest.mark.parametrize("spec, os_type, want", [
    ("/dev/ada0p2", "freebsd", "/dev/sda2"), ("/dev/ad1p3", "freebsd", "/dev/sdb3"),
    ("/dev/vtbd0s1a", "freebsd", "/dev/sda5"), ("/dev/vtbd0s1d", "freebsd", "/dev/sda7"),
    ("/dev/vtbd0s2a", "freebsd", None), ("/dev/da0p1", "freebsd", None),
    ("/dev/ld0a", "netbsd", "/dev/sda5"), ("/dev/sd1e", "netbsd", "/dev/sdb7"),
    ("/dev/wd0a", "netbsd", None),
    ("/dev/wd0a", "freebsd", None), ("/dev/sd0d", "openbsd", "/dev/sda7"),
    ("/dev/wd0b", "openbsd", "/dev/sda6"),
])
def test_bsd_device_names(spec: str, os_type: str, want: str | None) -> None:
    assert bsd.bsd_device(spec, os_type) == want


def test_rc_conf_and_userland_version() -> None:
    assert bsd.rc_conf_hostname(["# hostname=\"x\"", " hostname=y", 'hostname="a.b"']) == "a.b"
    assert bsd.rc_conf_hostname(["hostname=plain", "hostname=later"]) == "plain"
    assert bsd.rc_conf_hostname(["sshd_enable=YES"]) is None
    assert bsd.userland_version('USERLAND_VERSION="14.0-CURRENT"') == (14, 0, "14.0-CURRENT")
    assert bsd.userland_version("KERNEL_VERSION=13") is None
