"""Phony guests: small disk images laid out like installed operating systems.

Built with guestbox's own API from the layouts in ../shared/testdata/PHONY-GUESTS.md
(those of libguestfs's and guestfs-tools' phony guests), for the tests of the
storage layers, inspection and the tools.  An image is built once and kept in
the cache, under a key made of this file and the test data it uses; `image(name)`
returns the path of the first disk (and `images(name)` all of them).

The builders are also the source of the same layouts as `guestbox shell`
scripts: `script(name)` records a builder's calls as guestfish commands
(guestbox.cli.shell.script), with the disk sizes declared here answering the
builders' size queries; `recording(name).keys` are the keys such a script
prompts for, in order.  fedora-md's script writes /etc/mdadm.conf through a
host file, mdadm.conf in the current directory (it names the arrays' random
UUIDs, which only a pipe can carry from md-detail).
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pip

import guestbox
from guestbox.api import Operations
from guestbox.appliance.cache import cache_dir, locked
from guestbox.cli.shell.script import ScriptRecorder, disk_answers

MiB = 1024 * 1024
GiB = 1024 * MiB
TESTDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"
PE32 = Path(pip.__file__).parent / "_vendor/distlib/t32.exe"  # any i386 PE executable
ELF = Path("/bin/ls")
K = "5.19.0-0.rc1.14.fc37.x86_64"
ROOTS = {  # the inspection roots, for the tests that use the images
    "debian": "/dev/debian/root", "ubuntu": "/dev/sda2", "archlinux": "/dev/sda1",
    "fedora": "/dev/VG/Root", "windows": "/dev/sda2",
}


def uuid(n: int) -> str:
    """U1 ... U5 of the layouts."""
    return f"01234567-0123-0123-0123-01234567890{n}"


def _fstab(*lines: str) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


# -- disks and partitions --------------------------------------------------------
def _two_partitions(g: Operations, dev: str, split: int) -> None:
    """MBR with p1 = sectors 64..split-1, p2 = split..N-64 (all primary, type 0x83)."""
    sectors = g.blockdev_getsz(dev)
    g.part_init(dev, "mbr")
    g.part_add(dev, "p", 64, split - 1)
    g.part_add(dev, "p", split, sectors - 64)


def _ext2(g: Operations, dev: str, n: int | None, label: str | None = None,
          blocksize: int = 4096) -> None:
    g.mkfs("ext2", dev, blocksize=blocksize, label=label)
    if n is not None:
        g.set_uuid(dev, uuid(n))


def _dirs(g: Operations, *paths: str) -> None:
    for p in paths:
        g.mkdir_p(p)


def _elf(g: Operations, path: str, mode: int = 0o755) -> None:
    g.upload(str(ELF), path)
    g.chmod(mode, path)


# -- Linux guests ----------------------------------------------------------------
def build_debian(g: Operations) -> None:
    _two_partitions(g, "/dev/sda", 524288)
    _ext2(g, "/dev/sda1", 1, "BOOT")
    g.pvcreate("/dev/sda2")
    g.vgcreate("debian", ["/dev/sda2"])
    for lv, size, n in (("root", 64, 2), ("usr", 32, 3), ("var", 32, 4), ("home", 32, 5)):
        g.lvcreate(lv, "debian", size)
        _ext2(g, f"/dev/debian/{lv}", n)
    g.mount("/dev/debian/root", "/")
    _dirs(g, "/boot", "/usr", "/var", "/home", "/bin", "/etc")
    _elf(g, "/bin/ls")
    g.write("/etc/debian_version", b"5.0.1")
    g.write("/etc/hostname", b"debian.invalid")
    g.write("/etc/fstab", _fstab(
        "LABEL=BOOT /boot ext2 default 0 0", "/dev/debian/root / ext2 default 0 0",
        "/dev/debian/usr /usr ext2 default 1 2", "/dev/debian/var /var ext2 default 1 2",
        "/dev/debian/home /home ext2 default 1 2"))
    g.mount("/dev/debian/var", "/var")
    _dirs(g, "/var/lib/dpkg", "/var/lib/urandom", "/var/log")
    g.upload(str(TESTDATA / "packages/debian-packages"), "/var/lib/dpkg/status")
    g.upload(str(TESTDATA / "packages/debian-syslog"), "/var/log/syslog")
    g.mount("/dev/sda1", "/boot")
    _boot_grub_at(g, "/boot")


def _boot_grub_at(g: Operations, top: str) -> None:
    g.mkdir_p(f"{top}/grub")
    g.touch(f"{top}/grub/grub.conf")


def build_ubuntu(g: Operations) -> None:
    _two_partitions(g, "/dev/sda", 524288)
    _ext2(g, "/dev/sda1", 1, "BOOT")
    _ext2(g, "/dev/sda2", 2)
    g.mount("/dev/sda2", "/")
    _dirs(g, "/boot", "/bin", "/etc", "/home", "/usr", "/var/lib/dpkg", "/var/lib/urandom")
    _elf(g, "/bin/ls")
    g.upload(str(TESTDATA / "packages/debian-packages"), "/var/lib/dpkg/status")
    g.write("/etc/debian_version", b"5.0.1")
    g.write("/etc/hostname", b"ubuntu.invalid")
    g.write("/etc/lsb-release", _fstab(
        "DISTRIB_ID=Ubuntu", "DISTRIB_RELEASE=10.10", "DISTRIB_CODENAME=maverick",
        'DISTRIB_DESCRIPTION="Ubuntu 10.10 (Phony Pharaoh)"'))
    g.write("/etc/fstab", _fstab(
        "LABEL=BOOT /boot ext2 default 0 0", "/dev/sda2 / ext2 default 1 2", "",
        "# RHBZ#811872: dummy encrypted swap device",
        "/dev/mapper/cryptswap1 none swap sw 0 0"))
    g.mount("/dev/sda1", "/boot")
    _boot_grub_at(g, "/boot")


def build_archlinux(g: Operations) -> None:
    sectors = g.blockdev_getsz("/dev/sda")
    g.part_init("/dev/sda", "mbr")
    g.part_add("/dev/sda", "p", 64, sectors - 64)
    g.mkfs("ext4", "/dev/sda1")
    g.set_uuid("/dev/sda1", uuid(2))
    g.mount("/dev/sda1", "/")
    _dirs(g, "/boot/grub", "/bin", "/etc", "/home", "/usr", "/var/lib/pacman/local")
    _elf(g, "/bin/ls")
    g.touch("/boot/grub/grub.conf")
    g.touch("/etc/arch-release")
    g.write("/etc/hostname", b"archlinux.test")
    g.write("/etc/fstab", _fstab("/dev/sda1 / ext4 rw,relatime,data=ordered 0 1"))
    pkg = "/var/lib/pacman/local/test-package-1:0.1-1"
    g.mkdir(pkg)
    g.upload(str(TESTDATA / "packages/archlinux-package"), f"{pkg}/desc")


# -- Fedora and its variants -------------------------------------------------------
FEDORA_LVS = (("Root", 256, 4096, "ROOT"), ("LV1", 32, 4096, None), ("LV2", 32, 1024, None),
              ("LV3", 64, 2048, None))


def _upload_rpmdb(g: Operations) -> None:
    g.upload(str(_rpmdb()), "/var/lib/rpm/rpmdb.sqlite")


def _rpmdb() -> Path:
    """rpmdb.sqlite, made once on the host from the SQL dump in the test data and kept in
    the cache (a script that uploads it may run later than its builder)."""
    db = _directory() / "rpmdb.sqlite"
    with locked(_directory() / "rpmdb.lock"):
        if not db.exists():
            sql = lzma.decompress((TESTDATA / "packages/fedora-db.sql.xz").read_bytes())
            with tempfile.TemporaryDirectory(dir=_directory()) as tmp:
                work = Path(tmp) / db.name
                with sqlite3.connect(work) as conn:
                    conn.executescript(sql.decode())
                conn.close()
                os.rename(work, db)
    return db


def _fedora_files(g: Operations, fstab_boot: str, boot: str) -> None:
    """The file set of the Fedora guests on the filesystem mounted at /; boot (the BOOT
    filesystem's device) is mounted on /boot for its part."""
    _dirs(g, "/boot", "/sbin", "/etc/sysconfig", "/var/lib/rpm", "/usr/lib/rpm",
          "/var/log/journal", "/bin", "/usr/share/zoneinfo/Europe",
          f"/lib/modules/{K}/kernel/drivers/block")
    g.write("/etc/fstab", _fstab(f"{fstab_boot} /boot ext2 default 0 0",
                                 "LABEL=ROOT / ext2 default 0 0"))
    for f in ("/etc/redhat-release", "/etc/fedora-release"):
        g.write(f, b"Fedora release 14 (Phony)")
    g.write("/etc/motd", b"Welcome to Fedora release 14 (Phony)\n")
    g.write("/etc/sysconfig/network", b"HOSTNAME=fedora.invalid")
    g.write("/etc/shadow", b"root::15440:0:99999:7:::\n")
    g.chmod(0, "/etc/shadow")
    label = b"system_u:object_r:shadow_t:s0\0"
    g.setxattr("security.selinux", label, len(label), "/etc/shadow")
    for f in ("/etc/modprobe.conf", "/usr/share/zoneinfo/Europe/London", "/usr/lib/rpm/rpmrc",
              "/etc/test2", "/bin/test4"):
        g.touch(f)
    g.write("/usr/lib/rpm/macros", b"%_dbpath /var/lib/rpm\n%_db_backend sqlite\n")
    g.write("/etc/test1", b"abcdefg")
    g.write("/etc/test3", b"a\nb\nc\nd\ne\nf\n")
    g.chown(10, 11, "/etc/test3")
    g.chmod(0o600, "/etc/test3")
    for name, text in (("test1", b"abcdefg"), ("test2", b"zxcvbnm"), ("test3", b"1234567")):
        g.write(f"/bin/{name}", text)
    g.ln_s("/bin/test1", "/bin/test5")
    g.mkfifo(0o755, "/bin/test6")
    g.touch("/bin/test7")
    g.chmod(0o755, "/bin/test7")
    _elf(g, "/bin/ls")
    for helper in ("/bin/sh", "/bin/rpm", "/sbin/dracut"):
        _elf(g, helper, 0o777)
    _elf(g, f"/lib/modules/{K}/kernel/drivers/block/virtio_blk.ko", 0o644)
    _upload_rpmdb(g)
    g.tar_in(str(TESTDATA / "packages/fedora-journal.tar.xz"), "/var/log/journal", compress="xz")
    g.mount(boot, "/boot")
    g.touch(f"/boot/vmlinuz-{K}")
    g.touch(f"/boot/initramfs-{K}.img")
    g.mkdir("/boot/grub")
    g.write("/boot/grub/grub.conf", _fstab(
        "title Fedora", "    root (hd0,0)", f"    kernel /vmlinuz-{K}",
        f"    initrd /initramfs-{K}.img"))


def _fedora_lvm(g: Operations, pv: str, boot: str = "/dev/sda1",
                fstab_boot: str = "LABEL=BOOT") -> None:
    """VG `VG` on pv with the four LVs, the file set on Root."""
    g.pvcreate(pv)
    g.vgcreate("VG", [pv])
    for name, size, bs, label in FEDORA_LVS:
        g.lvcreate(name, "VG", size)
        _ext2(g, f"/dev/VG/{name}", 2 if name == "Root" else None, label, bs)
    g.mount("/dev/VG/Root", "/")
    _fedora_files(g, fstab_boot, boot)


def build_fedora(g: Operations) -> None:
    _two_partitions(g, "/dev/sda", 1048576)
    _ext2(g, "/dev/sda1", 1, "BOOT")
    _fedora_lvm(g, "/dev/sda2")


def build_fedora_md(g: Operations) -> None:
    for dev in ("/dev/sda", "/dev/sdb"):
        _two_partitions(g, dev, 1048576)
    g.md_create("bootdev", ["/dev/sda1", "/dev/sdb1"], level="raid1")
    g.md_create("rootdev", ["/dev/sda2", "/dev/sdb2"], level="raid1")
    _ext2(g, "/dev/md/bootdev", 1, "BOOT")
    _fedora_lvm(g, "/dev/md/rootdev", boot="/dev/md/bootdev", fstab_boot="/dev/md0")
    _mdadm_conf(g, ["MAILADDR root", "AUTO +imsm +1.x -all"],
                {"/dev/md0": "/dev/md/bootdev", "/dev/md1": "/dev/md/rootdev"})


def _mdadm_conf(g: Operations, heading: list[str], arrays: dict[str, str]) -> None:
    """/etc/mdadm.conf naming each array's UUID (random, read with md_detail).

    A script cannot hand md_detail's result back, so it pipes it through sed into
    mdadm.conf in the current directory, then uploads that."""
    def array(name: str, uuid: str) -> str:
        return f"ARRAY {name} level=raid1 num-devices=2 UUID={uuid}"

    if isinstance(g, ScriptRecorder):
        lines = "".join(h + "\\n" for h in heading)
        g.verbatim(f"!printf '{lines}' > mdadm.conf")
        for name, dev in arrays.items():
            g.verbatim(f"md-detail {dev} | sed -n 's|^uuid: |{array(name, '')}|p' >> mdadm.conf")
        g.verbatim("upload mdadm.conf /etc/mdadm.conf")
        return
    g.write("/etc/mdadm.conf", _fstab(
        *heading, *(array(name, g.md_detail(dev)["uuid"]) for name, dev in arrays.items())))


def build_fedora_btrfs(g: Operations) -> None:
    _two_partitions(g, "/dev/sda", 524288)
    _ext2(g, "/dev/sda1", 1, "BOOT")
    g.mkfs_btrfs(["/dev/sda2"], label="ROOT")
    g.mount("/dev/sda2", "/")
    g.btrfs_subvolume_create("/root")
    g.btrfs_subvolume_create("/home")
    g.umount("/")
    g.mount("btrfsvol:/dev/sda2/root", "/")
    _fedora_files(g, "LABEL=BOOT", "/dev/sda1")
    g.write("/etc/fstab", _fstab(
        "LABEL=BOOT /boot ext2 default 0 0", "LABEL=ROOT / btrfs subvol=root 0 0",
        "LABEL=ROOT /home btrfs subvol=home 0 0"))


def build_fedora_lvm_on_luks(g: Operations) -> None:
    _two_partitions(g, "/dev/sda", 1048576)
    _ext2(g, "/dev/sda1", 1, "BOOT")
    g.luks_format("/dev/sda2", "FEDORA", 0)
    g.cryptsetup_open("/dev/sda2", "FEDORA", "luks")
    _fedora_lvm(g, "/dev/mapper/luks")


def build_fedora_luks_on_lvm(g: Operations) -> None:
    _two_partitions(g, "/dev/sda", 1048576)
    _ext2(g, "/dev/sda1", 1, "BOOT")
    g.pvcreate("/dev/sda2")
    g.vgcreate("Volume-Group", ["/dev/sda2"])
    names = {"Root": "Root", "LV1": "Logical-Volume-1", "LV2": "Logical-Volume-2",
             "LV3": "Logical-Volume-3"}
    for short, size, bs, _ in FEDORA_LVS:
        lv = f"/dev/Volume-Group/{names[short]}"
        g.lvcreate(names[short], "Volume-Group", size)
        key = f"FEDORA-{short}"
        g.luks_format(lv, key, 0)
        mapname = f"luks-{short}"  # only while building: nothing on disk records it
        g.cryptsetup_open(lv, key, mapname)
        _ext2(g, f"/dev/mapper/{mapname}", 2 if short == "Root" else None,
              "ROOT" if short == "Root" else short, bs)
        if short == "Root":
            g.mount(f"/dev/mapper/{mapname}", "/")
    _fedora_files(g, "LABEL=BOOT", "/dev/sda1")


# -- Windows -----------------------------------------------------------------------
def build_windows(g: Operations) -> None:
    _two_partitions(g, "/dev/sda", 524288)
    g.pwrite_device("/dev/sda", b"1234", 0x1B8)  # the disk signature MountedDevices names
    for part in ("/dev/sda1", "/dev/sda2"):
        g.mkfs("ntfs", part)
    g.mount("/dev/sda2", "/")
    _dirs(g, "/Windows/System32/Config", "/Windows/System32/Drivers", "/Program Files")
    g.upload(str(TESTDATA / "hives/windows-software"), "/Windows/System32/Config/SOFTWARE")
    g.upload(str(TESTDATA / "hives/windows-system"), "/Windows/System32/Config/SYSTEM")
    g.upload(str(PE32), "/Windows/System32/cmd.exe")
    g.touch("/autoexec.bat")


# -- the cache -----------------------------------------------------------------------
LAYOUTS: dict[str, tuple[int, list[int], Callable[..., None]]] = {
    # name: (disk count, sizes, builder)
    "debian": (1, [512 * MiB], build_debian),
    "ubuntu": (1, [512 * MiB], build_ubuntu),
    "archlinux": (1, [512 * MiB], build_archlinux),
    "fedora": (1, [1 * GiB], build_fedora),
    "fedora-md": (2, [1 * GiB, 1 * GiB], build_fedora_md),
    "fedora-btrfs": (1, [1 * GiB], build_fedora_btrfs),
    "fedora-lvm-on-luks": (1, [1 * GiB], build_fedora_lvm_on_luks),
    "fedora-luks-on-lvm": (1, [1 * GiB], build_fedora_luks_on_lvm),
    "windows": (1, [512 * MiB], build_windows),
}

def _key() -> str:
    h = hashlib.sha256(Path(__file__).read_bytes())
    for rel in ("packages", "hives"):
        for f in sorted((TESTDATA / rel).iterdir()):
            h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:12]


def _directory() -> Path:
    """The cache directory of this version of the layouts (older ones are removed)."""
    directory = cache_dir() / f"phony-{_key()}"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def images(name: str) -> list[Path]:
    """The disk images of phony guest name, built first if they are not in the cache."""
    count, sizes, build = LAYOUTS[name]
    directory = _directory()
    paths = [directory / (f"{name}.img" if count == 1 else f"{name}{i + 1}.img")
             for i in range(count)]
    with locked(directory / f"{name}.lock"):
        if all(p.exists() for p in paths):
            return paths
        with tempfile.TemporaryDirectory(dir=directory) as tmp:
            work = [Path(tmp) / p.name for p in paths]
            for path, size in zip(work, sizes, strict=True):
                with open(path, "wb") as f:
                    f.truncate(size)
            g = guestbox.GuestFS()
            try:
                for path in work:
                    g.add_drive(str(path), format="raw")
                g.launch()
                build(g)
                g.shutdown()
            finally:
                g.close()
            for done, path in zip(work, paths, strict=True):
                os.rename(done, path)
        for stale in cache_dir().glob("phony-*"):
            if stale != directory:
                shutil.rmtree(stale, ignore_errors=True)
    return paths


def image(name: str) -> Path:
    """The (first) disk image of phony guest name."""
    return images(name)[0]


def recording(name: str) -> ScriptRecorder:
    """Phony guest name's builder recorded as a guestfish script that starts with `launch`,
    for disks of the layout's sizes added in order."""
    _, sizes, build = LAYOUTS[name]
    r = ScriptRecorder(disk_answers(sizes))
    r.launch()
    build(r)
    return r


def script(name: str) -> str:
    """The guestfish script that builds phony guest name on blank disks of its sizes:
    `guestbox shell -a DISK... -f SCRIPT` (keys, if any, from recording(name).keys)."""
    return recording(name).script
