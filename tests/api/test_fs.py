"""The fs family against the real appliance: mkfs, mount, umount, df, statvfs, fsck, labels.

One handle for the module, on four raw 320 MiB images in a temporary directory
(/dev/sda .. /dev/sdd): the images are host files, so that labels and UUIDs can
also be read back on the host with blkid if the appliance can't tell.
"""

from __future__ import annotations

import errno
import shutil
import subprocess
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox
from guestbox.errors import Error

MiB = 1024 * 1024
DISK = 320 * MiB  # mkfs.xfs wants at least 300 MB
SDA, SDB, SDC, SDD = "/dev/sda", "/dev/sdb", "/dev/sdc", "/dev/sdd"

# fstype -> (a label it accepts, can its UUID be set)
FSTYPES = {
    "ext2": ("GB-EXT2", True),
    "ext3": ("GB-EXT3", True),
    "ext4": ("GB-EXT4", True),
    "xfs": ("GB-XFS", True),
    "btrfs": ("GB-BTRFS", True),
    "vfat": ("GBVFAT", False),
    "ntfs": ("GB-NTFS", False),
    "exfat": ("GB-EXFAT", False),
}


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("fs")
    paths = [d / f"disk{i}.img" for i in range(4)]
    for p in paths:
        with open(p, "wb") as f:
            f.truncate(DISK)
    return paths


@pytest.fixture(scope="module")
def h(images: list[Path]) -> Iterator[guestbox.GuestFS]:
    g = guestbox.GuestFS()
    for p in images:
        g.add_drive_opts(str(p), format="raw")
    g.launch()
    yield g
    g.close()


@pytest.fixture(autouse=True)
def _unmounted(request: pytest.FixtureRequest) -> None:
    """Every test that uses the module handle starts with nothing mounted."""
    if "h" in request.fixturenames:
        request.getfixturevalue("h").umount_all()


def _host_blkid(image: Path, tag: str) -> str:
    blkid = shutil.which("blkid") or "/sbin/blkid"
    p = subprocess.run([blkid, "-p", "-o", "value", "-s", tag, str(image)],
                       capture_output=True, text=True)
    return p.stdout.strip()


def probe(h: guestbox.GuestFS, images: list[Path], device: str, tag: str) -> str:
    """LABEL, UUID or TYPE of device: vfs_* if the appliance has them, else the host blkid."""
    op = {"LABEL": "vfs_label", "UUID": "vfs_uuid", "TYPE": "vfs_type"}[tag]
    if hasattr(h, op):
        try:
            return str(getattr(h, op)(device))
        except Error as e:
            if e.errno != errno.ENOSYS:
                raise
    h.sync()
    return _host_blkid(images["abcd".index(device[-1])], tag)


# -- every filesystem type -----------------------------------------------------
@pytest.mark.parametrize("fstype", list(FSTYPES))
def test_filesystem_roundtrip(h: guestbox.GuestFS, images: list[Path], fstype: str) -> None:
    label, uuid_settable = FSTYPES[fstype]
    h.mkfs(fstype, SDD, label=label)
    assert probe(h, images, SDD, "TYPE") == fstype
    assert probe(h, images, SDD, "LABEL") == label

    h.mount(SDD, "/")
    assert h.mounts() == [SDD]
    assert h.mountpoints() == {SDD: "/"}
    h.write("/hello.txt", b"hello " + fstype.encode())
    sv = h.statvfs("/")
    size = sv["blocks"] * sv["frsize"]
    assert 150 * MiB < size <= DISK, sv
    assert 0 < sv["bfree"] <= sv["blocks"]
    assert 0 <= sv["bavail"] <= sv["bfree"]
    assert sv["namemax"] >= 255 or fstype == "vfat"
    assert sv["bsize"] > 0
    h.umount("/")
    assert h.mounts() == []

    h.mount_ro(SDD, "/")
    assert h.cat("/hello.txt") == "hello " + fstype
    with pytest.raises(guestbox.Error) as ei:
        h.write("/other.txt", b"x")
    assert ei.value.errno == errno.EROFS
    h.umount(SDD)  # by device
    assert h.mounts() == []

    new_label = label[:-1] + "9"
    h.set_label(SDD, new_label)
    assert probe(h, images, SDD, "LABEL") == new_label

    if uuid_settable:
        u = str(uuidlib.uuid4())
        h.set_uuid(SDD, u)
        assert probe(h, images, SDD, "UUID") == u
        h.set_uuid_random(SDD)
        u2 = probe(h, images, SDD, "UUID")
        assert u2 and u2 != u
    else:
        with pytest.raises(guestbox.Error, match=f"don't know how to set the UUID for '{fstype}'"):
            h.set_uuid(SDD, str(uuidlib.uuid4()))

    # still mountable after the label and UUID changes, data intact
    h.mount(SDD, "/")
    assert h.cat("/hello.txt") == "hello " + fstype
    h.umount("/")


def test_swap_labels_and_uuids(h: guestbox.GuestFS, images: list[Path]) -> None:
    u = str(uuidlib.uuid4())
    h.mkswap(SDC, label="GBSWAP", uuid=u)
    assert probe(h, images, SDC, "TYPE") == "swap"
    assert probe(h, images, SDC, "LABEL") == "GBSWAP"
    assert probe(h, images, SDC, "UUID") == u
    h.mkswap_L("GBSWAP2", SDC)
    assert probe(h, images, SDC, "LABEL") == "GBSWAP2"
    u2 = str(uuidlib.uuid4())
    h.mkswap_U(u2, SDC)
    assert probe(h, images, SDC, "UUID") == u2
    h.mkswap_opts(SDC)
    h.set_label(SDC, "GBSWAP3")
    assert probe(h, images, SDC, "LABEL") == "GBSWAP3"
    h.set_uuid(SDC, u)
    assert probe(h, images, SDC, "UUID") == u
    h.set_uuid_random(SDC)
    assert probe(h, images, SDC, "UUID") not in ("", u)
    with pytest.raises(guestbox.Error, match="swap labels are limited to 16 bytes"):
        h.mkswap(SDC, label="x" * 17)


# -- mkfs options and errors -------------------------------------------------------
def test_mkfs_options(h: guestbox.GuestFS) -> None:
    h.mkfs_opts("ext4", SDD, blocksize=1024, inode=256, features="^has_journal")
    h.mount(SDD, "/")
    assert h.statvfs("/")["bsize"] == 1024
    h.umount_all()
    h.mkfs("vfat", SDD, blocksize=16384)  # 16 KiB clusters
    h.mount(SDD, "/")
    assert h.statvfs("/")["bsize"] == 16384
    h.umount_all()
    h.mkfs("xfs", SDD, blocksize=4096)
    h.mount(SDD, "/")
    assert h.statvfs("/")["bsize"] == 4096


@pytest.mark.parametrize(("fstype", "kwargs", "message"), [
    ("btrfs", {"blocksize": 4096}, "blocksize cannot be set on btrfs"),
    ("ext4", {"blocksize": 3000}, "block size must be > 0 and a power of 2"),
    ("xfs", {"inode": 256}, r"inode size \(-I\) can only be set on ext2/3/4"),
    ("ext4", {"sectorsize": 512}, r"sector size \(-S\) can only be set on ufs"),
    ("ext4", {"label": "x" * 17}, "ext2/3/4 labels are limited to 16 bytes"),
    ("xfs", {"label": "x" * 13}, "xfs labels are limited to 12 bytes"),
    ("nosuchfs", {}, "nosuchfs"),
])
def test_mkfs_errors(h: guestbox.GuestFS, fstype: str, kwargs: dict[str, object],
                     message: str) -> None:
    with pytest.raises(guestbox.Error, match=message) as ei:
        h.mkfs(fstype, SDD, **kwargs)
    assert str(ei.value).startswith("mkfs: ")


def test_mkfs_tool_error_names_type_and_device(h: guestbox.GuestFS) -> None:
    with pytest.raises(guestbox.Error, match=r"^mkfs: ext4: /dev/sdd: ") as ei:
        h.mkfs("ext4", SDD, features="no_such_feature")
    assert "no_such_feature" in str(ei.value)


# -- mount, umount, mounts, mountpoints ----------------------------------------------
def test_mount_nonexistent_device(h: guestbox.GuestFS) -> None:
    with pytest.raises(FileNotFoundError) as ei:
        h.mount("/dev/sdz", "/")
    assert "/dev/sdz" in str(ei.value)
    assert str(ei.value).startswith("mount: ")


def test_mount_failure_quotes_mount(h: guestbox.GuestFS) -> None:
    h.mkswap(SDC)
    with pytest.raises(guestbox.Error) as ei:
        h.mount(SDC, "/")
    msg = str(ei.value)
    assert msg.startswith("mount: /dev/sdc on / (options: ''): mount: "), msg
    assert "/sysroot" not in msg
    with pytest.raises(guestbox.Error, match=r"^mount_vfs: /dev/sdc on / \(options: 'ro'\): "):
        h.mount_vfs("ro", "ext4", SDC, "/")


def test_mount_on_missing_mountpoint(h: guestbox.GuestFS) -> None:
    h.mkfs("ext4", SDA)
    h.mkfs("ext4", SDB)
    h.mount(SDA, "/")
    with pytest.raises(FileNotFoundError) as ei:
        h.mount(SDB, "/nonexistent")
    assert "/nonexistent" in str(ei.value)
    assert "/sysroot" not in str(ei.value)
    h.write("/afile", b"")
    with pytest.raises(NotADirectoryError, match="not a directory"):
        h.mount(SDB, "/afile")
    assert h.mounts() == [SDA]


def test_nested_mount(h: guestbox.GuestFS) -> None:
    h.mkfs("ext4", SDA, label="ROOT")
    h.mkfs("vfat", SDB, label="INNER")
    h.mount(SDA, "/")
    h.mkdir_p("/mnt")
    h.mount(SDB, "/mnt")
    h.write("/mnt/inner.txt", b"inner")
    h.write("/outer.txt", b"outer")
    assert h.mounts() == [SDA, SDB]
    assert h.mountpoints() == {SDA: "/", SDB: "/mnt"}
    assert h.statvfs("/mnt")["fsid"] != h.statvfs("/")["fsid"]

    for out in (h.df(), h.df_h()):
        assert "/sysroot" not in out
        lines = out.splitlines()
        assert lines[0].startswith("Filesystem")
        assert any(line.startswith(SDA) and line.endswith(" /") for line in lines), out
        assert any(line.startswith(SDB) and line.endswith(" /mnt") for line in lines), out

    h.umount_all()
    assert h.mounts() == []
    assert h.mountpoints() == {}
    h.mount(SDA, "/")
    assert h.cat("/outer.txt") == "outer"
    with pytest.raises(FileNotFoundError):
        h.cat("/mnt/inner.txt")  # on the inner filesystem, not mounted now
    h.mount_options("noatime", SDB, "/mnt")
    assert h.cat("/mnt/inner.txt") == "inner"
    # unmount the inner one by its path
    h.umount("/mnt")
    assert h.mounts() == [SDA]


def test_umount_errors_and_options(h: guestbox.GuestFS) -> None:
    h.mkfs("ext4", SDA)
    h.mount(SDA, "/")
    h.mkdir_p("/empty")
    with pytest.raises(guestbox.Error) as ei:
        h.umount("/empty")
    msg = str(ei.value)
    assert msg.startswith("umount: /empty: "), msg
    assert "/sysroot" not in msg
    h.mkfs("ext4", SDB)
    h.mount(SDB, "/empty")
    h.umount_opts("/empty", lazyunmount=True)
    h.mount(SDB, "/empty")
    h.umount("/empty", force=True)
    assert h.mounts() == [SDA]


def test_df_needs_a_mount(h: guestbox.GuestFS) -> None:
    with pytest.raises(guestbox.Error, match="mount"):
        h.df()


def test_mkmountpoint_side_by_side(h: guestbox.GuestFS) -> None:
    h.mkfs("ext4", SDA)
    h.mkfs("ext4", SDB)
    h.mkmountpoint("/a")
    h.mkmountpoint("/b")
    try:
        h.mount(SDA, "/a")
        h.mount(SDB, "/b")
        assert h.mountpoints() == {SDA: "/a", SDB: "/b"}
        assert h.mounts() == [SDA, SDB]
        h.umount_all()
    finally:
        h.umount_all()
        h.rmmountpoint("/a")
        h.rmmountpoint("/b")
    with pytest.raises(FileNotFoundError):
        h.rmmountpoint("/a")


# -- checking ----------------------------------------------------------------------
def test_e2fsck_and_fsck(h: guestbox.GuestFS) -> None:
    h.mkfs("ext4", SDA)
    # as libguestfs: neither correct nor forceall is e2fsck -f alone, which wants a terminal
    with pytest.raises(guestbox.Error, match="need terminal for interactive repairs"):
        h.e2fsck(SDA)
    h.e2fsck(SDA, correct=True)
    h.e2fsck(SDA, forceall=True)
    h.e2fsck_f(SDA)
    with pytest.raises(guestbox.Error, match="only one of the options"):
        h.e2fsck(SDA, correct=True, forceall=True)
    assert h.fsck("ext4", SDA) == 0
    h.mkfs("vfat", SDB)
    assert h.fsck("vfat", SDB) == 0
    h.sync()


def test_set_label_unsupported(h: guestbox.GuestFS) -> None:
    h.mkfs("ext4", SDA)
    with pytest.raises(guestbox.Error, match="ext2/3/4 labels are limited to 16 bytes"):
        h.set_label(SDA, "x" * 17)
    with pytest.raises(guestbox.Error, match="e2: invalid new UUID"):
        h.set_uuid(SDA, "random")


# -- persistence ----------------------------------------------------------------------
def test_data_survives_shutdown(tmp_path: Path) -> None:
    image = str(tmp_path / "persist.qcow2")
    g = guestbox.GuestFS()
    try:
        g.disk_create(image, "qcow2", 256 * MiB)
        g.add_drive_opts(image, format="qcow2")
        g.launch()
        g.mkfs("ext4", SDA, label="PERSIST")
        g.mount(SDA, "/")
        g.mkdir_p("/data")
        g.write("/data/file.txt", b"kept across launches\n")
        g.shutdown()
    finally:
        g.close()

    r = guestbox.GuestFS()
    try:
        r.add_drive_opts(image, format="qcow2", readonly=True)
        r.launch()
        # a read-only handle mounts read-write through its throwaway overlay
        r.mount(SDA, "/")
        assert r.cat("/data/file.txt") == "kept across launches\n"
        assert r.mountpoints() == {SDA: "/"}
        with pytest.raises(guestbox.Error, match="read-only"):
            r.mkfs("ext4", SDA)
        r.umount_all()
        r.mount_ro(SDA, "/")
        assert r.cat("/data/file.txt") == "kept across launches\n"
    finally:
        r.close()
