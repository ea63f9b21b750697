"""btrfs: mkfs, subvolumes and snapshots, btrfsvol: mountables, devices, scrub, balance, quotas."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024
DISK = 512 * MiB
SMALL = 160 * MiB


@pytest.fixture(scope="module")
def bg() -> Iterator[guestbox.GuestFS]:
    """One handle for the module: blank disks /dev/sda and /dev/sdb (512 MiB: the kernel
    resizes btrfs to 256 MiB at least) and /dev/sdc (160 MiB: quicker to scan whole)."""
    h = guestbox.GuestFS()
    try:
        for size in (DISK, DISK, SMALL):
            h.add_drive_scratch(size)
        h.launch()
        yield h
    finally:
        h.close()


@pytest.fixture
def fresh(bg: guestbox.GuestFS) -> guestbox.GuestFS:
    """bg with nothing mounted and a new btrfs (label "lab") on /dev/sda, mounted on /."""
    bg.umount_all()
    bg.mkfs_btrfs(["/dev/sda"], label="lab")
    bg.mount("/dev/sda", "/")
    return bg


def images(tmp_path: Path, n: int) -> list[Path]:
    """n new sparse raw disk images."""
    out = []
    for i in range(n):
        p = tmp_path / f"disk{i}.img"
        with open(p, "wb") as f:
            f.truncate(DISK)
        out.append(p)
    return out


def paths(g: guestbox.GuestFS, fs: str) -> list[str]:
    return [v["btrfssubvolume_path"] for v in g.btrfs_subvolume_list(fs)]


# -- making ---------------------------------------------------------------------
def test_mkfs_btrfs_with_options(bg: guestbox.GuestFS) -> None:
    bg.umount_all()
    bg.mkfs_btrfs(["/dev/sdb", "/dev/sdc"], allocstart=0, bytecount=150 * MiB,
                  datatype="raid1", metadata="raid1", label="two", nodesize=16384,
                  sectorsize=4096)
    assert bg.vfs_type("/dev/sdb") == "btrfs" and bg.vfs_type("/dev/sdc") == "btrfs"
    assert bg.vfs_label("/dev/sdc") == "two"
    assert bg.vfs_uuid("/dev/sdb") == bg.vfs_uuid("/dev/sdc") != ""
    assert bg.btrfs_filesystem_show("/dev/sdc") == ["/dev/sdb", "/dev/sdc"]
    # leafsize is the old name of nodesize (btrfs-progs 6 has no --leafsize).
    bg.mkfs_btrfs(["/dev/sdb"], leafsize=16384)
    assert bg.btrfs_filesystem_show("/dev/sdb") == ["/dev/sdb"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"devices": []}, "mkfs_btrfs: list of devices must be non-empty"),
    ({"datatype": "raid5"}, "mkfs_btrfs: datatype not one of the allowed values"),
    ({"metadata": "dup3"}, "mkfs_btrfs: metadata not one of the allowed values"),
    ({"nodesize": 3000}, "mkfs_btrfs: nodesize must be > 0 and a power of two"),
    ({"sectorsize": 0}, "mkfs_btrfs: sectorsize must be > 0 and a power of two"),
    ({"leafsize": -4096}, "mkfs_btrfs: leafsize must be > 0 and a power of two"),
    ({"leafsize": 16384, "nodesize": 32768}, "mkfs_btrfs: leafsize and nodesize differ"),
    ({"bytecount": 0}, "mkfs_btrfs: bytecount must be > 0"),
])
def test_mkfs_btrfs_refuses_bad_options(bg: guestbox.GuestFS, kwargs: dict[str, object],
                                        message: str) -> None:
    bg.umount_all()
    bg.mkfs("ext4", "/dev/sdc")
    args: dict[str, object] = {"devices": ["/dev/sdc"], **kwargs}
    with pytest.raises(guestbox.Error, match=message) as e:
        bg.mkfs_btrfs(**args)  # type: ignore[arg-type]
    assert isinstance(e.value, OSError) and e.value.errno == 22
    assert bg.vfs_type("/dev/sdc") == "ext4"  # refused before anything was done


def test_mkfs_btrfs_tool_and_device_errors(bg: guestbox.GuestFS) -> None:
    bg.umount_all()
    with pytest.raises(FileNotFoundError, match="^mkfs_btrfs: /dev/sdz: No such file"):
        bg.mkfs_btrfs(["/dev/sdc", "/dev/sdz"])
    with pytest.raises(guestbox.Error, match=r"^mkfs_btrfs: /dev/sdc: ERROR: .*too small"):
        bg.mkfs_btrfs(["/dev/sdc"], bytecount=MiB)


# -- subvolumes, snapshots, default, mountables, reopening --------------------------
def test_subvolumes_snapshots_default_survive_reopening(
    tmp_path: Path, launch_handle: Callable[..., guestbox.GuestFS]
) -> None:
    disks = images(tmp_path, 2)
    g = launch_handle(*disks, format="raw")
    g.mkfs_btrfs(["/dev/sda", "/dev/sdb"], metadata="raid1", label="root")
    g.mount("/dev/sda", "/")
    g.write("/top.txt", b"top level")
    g.btrfs_subvolume_create("/root")
    g.write("/root/r.txt", b"in root")
    g.mkdir("/vols")
    g.btrfs_subvolume_create("/vols/home")
    g.write("/vols/home/h.txt", b"in home")
    g.btrfs_subvolume_create_opts("/root/nested")
    g.write("/root/nested/n.txt", b"nested")
    g.btrfs_subvolume_snapshot("/root", "/snap-ro", ro=True)
    g.btrfs_subvolume_snapshot_opts("/vols/home", "/snap-rw")
    g.write("/snap-rw/h.txt", b"changed in the snapshot")
    assert g.read_file("/vols/home/h.txt") == b"in home"
    with pytest.raises(guestbox.ReadOnlyError, match="Read-only file system"):
        g.write("/snap-ro/x", b"x")
    assert g.read_file("/snap-ro/r.txt") == b"in root"
    assert not g.exists("/snap-ro/nested/n.txt")  # a snapshot stops at nested subvolumes

    vols = g.btrfs_subvolume_list("/")
    assert [v["btrfssubvolume_path"] for v in vols] == [
        "root", "vols/home", "root/nested", "snap-ro", "snap-rw"]
    ids = {v["btrfssubvolume_path"]: v["btrfssubvolume_id"] for v in vols}
    assert ids["root"] == 256 and sorted(ids.values()) == list(ids.values())
    tops = {v["btrfssubvolume_path"]: v["btrfssubvolume_top_level_id"] for v in vols}
    assert tops["root/nested"] == ids["root"] and tops["vols/home"] == 5
    assert g.btrfs_subvolume_get_default("/") == 5
    g.btrfs_subvolume_set_default(ids["root"], "/")
    assert g.btrfs_subvolume_get_default("/") == ids["root"]
    assert g.btrfs_subvolume_get_default("/dev/sdb") == ids["root"]
    # A path below a subvolume lists the ones under it relative to it, as btrfs does.
    assert "nested" in paths(g, "/root") and "root/nested" not in paths(g, "/root")

    expected = {
        "/dev/sda": "btrfs",
        "btrfsvol:/dev/sda/vols/home": "btrfs",
        "btrfsvol:/dev/sda/root/nested": "btrfs",
        "btrfsvol:/dev/sda/snap-ro": "btrfs",
        "btrfsvol:/dev/sda/snap-rw": "btrfs",
        "/dev/sdb": "btrfs",
        "btrfsvol:/dev/sdb/vols/home": "btrfs",
        "btrfsvol:/dev/sdb/root/nested": "btrfs",
        "btrfsvol:/dev/sdb/snap-ro": "btrfs",
        "btrfsvol:/dev/sdb/snap-rw": "btrfs",
    }
    lf = g.list_filesystems()
    assert lf == expected and list(lf) == list(expected)

    # Remount: the device gives the default subvolume; btrfsvol: gives any.
    g.umount_all()
    g.mount("/dev/sda", "/")
    assert sorted(g.ls("/")) == ["nested", "r.txt"]
    g.umount_all()
    g.mount("btrfsvol:/dev/sdb/vols/home", "/")
    assert g.ls("/") == ["h.txt"]
    assert g.mounts() in (["/dev/sda"], ["/dev/sdb"])  # the kernel names one of the two
    g.umount_all()
    g.mount_options("ro", "btrfsvol:/dev/sda/root/nested", "/")
    assert g.read_file("/n.txt") == b"nested"
    with pytest.raises(guestbox.ReadOnlyError):
        g.touch("/new")
    g.umount_all()
    g.mount_vfs("", "btrfs", "btrfsvol:/dev/sda/vols/home", "/")
    g.mkdir("/mnt")
    g.mount_ro("btrfsvol:/dev/sda/snap-rw", "/mnt")
    assert g.read_file("/mnt/h.txt") == b"changed in the snapshot"
    assert g.read_file("/h.txt") == b"in home"
    assert g.vfs_type("btrfsvol:/dev/sda/snap-rw") == "btrfs"
    assert g.vfs_label("btrfsvol:/dev/sda/snap-rw") == "root"
    assert g.vfs_uuid("btrfsvol:/dev/sda/snap-rw") == g.vfs_uuid("/dev/sdb")
    g.shutdown()
    g.close()

    # A new appliance (read-only this time) sees the same, both devices included: their
    # filesystem spans the two, which the kernel must have been told about at launch.
    h = launch_handle(*disks, format="raw", readonly=True)
    lf = h.list_filesystems()
    assert lf == expected and list(lf) == list(expected)
    contents = {"btrfsvol:/dev/sda/vols/home": ("/h.txt", b"in home"),
                "btrfsvol:/dev/sdb/root/nested": ("/n.txt", b"nested"),
                "btrfsvol:/dev/sda/snap-ro": ("/r.txt", b"in root"),
                "btrfsvol:/dev/sdb/snap-rw": ("/h.txt", b"changed in the snapshot"),
                "/dev/sdb": ("/r.txt", b"in root")}
    for mountable, (path, data) in contents.items():
        h.mount_ro(mountable, "/")
        assert h.read_file(path) == data, mountable
        h.umount_all()
    h.mount_ro("btrfsvol:/dev/sda/root", "/")
    assert h.read_file("/r.txt") == b"in root"
    h.umount_all()
    assert h.btrfs_subvolume_get_default("/dev/sda") == ids["root"]
    assert paths(h, "/dev/sda") == ["root", "vols/home", "root/nested", "snap-ro", "snap-rw"]
    assert paths(h, "btrfsvol:/dev/sda/root") == [
        "root", "vols/home", "nested", "snap-ro", "snap-rw"]


def test_a_filesystem_with_a_device_missing(
    tmp_path: Path, launch_handle: Callable[..., guestbox.GuestFS]
) -> None:
    disks = images(tmp_path, 2)
    g = launch_handle(*disks, format="raw")
    g.mkfs_btrfs(["/dev/sda", "/dev/sdb"])
    g.mount("/dev/sda", "/")
    g.btrfs_subvolume_create("/sub")
    g.close()
    h = launch_handle(disks[0], format="raw", readonly=True)
    with pytest.raises(guestbox.Error, match="^btrfs_filesystem_show: /dev/sda: missing devices"
                       ) as e:
        h.btrfs_filesystem_show("/dev/sda")
    assert e.value.errno == 19  # ENODEV
    # Its subvolumes cannot be read: the device alone is listed.
    assert h.list_filesystems() == {"/dev/sda": "btrfs"}
    with pytest.raises(guestbox.Error, match="^mount: /dev/sda on /"):
        h.mount("/dev/sda", "/")


def test_subvolume_show(fresh: guestbox.GuestFS) -> None:
    g = fresh
    g.btrfs_subvolume_create("/a")
    g.btrfs_subvolume_snapshot("/a", "/s1", ro=True)
    g.btrfs_subvolume_snapshot("/a", "/s2")
    show = g.btrfs_subvolume_show("/a")
    assert show["path"] == "a" and show["Name"] == "a"
    assert show["Subvolume ID"] == "256" and show["Parent ID"] == "5"
    assert show["Snapshot(s)"] == "s1,s2"
    assert show["Parent UUID"] == "" and show["Flags"] == ""
    s1 = g.btrfs_subvolume_show("/s1")
    assert s1["Flags"] == "readonly" and s1["Parent UUID"] == show["UUID"]
    assert s1["Snapshot(s)"] == ""
    top = g.btrfs_subvolume_show("/")
    assert top["Name"] == "<FS_TREE>" and top["Subvolume ID"] == "5"
    g.mkdir("/plain")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_subvolume_show: /plain: ERROR: Not a Btrfs subvolume"):
        g.btrfs_subvolume_show("/plain")
    with pytest.raises(FileNotFoundError, match="^btrfs_subvolume_show: /nosuch: .*No such"):
        g.btrfs_subvolume_show("/nosuch")


def test_subvolume_errors_and_delete(fresh: guestbox.GuestFS) -> None:
    g = fresh
    g.btrfs_subvolume_create("/a")
    g.write("/a/f", b"data")
    with pytest.raises(FileExistsError,
                       match="^btrfs_subvolume_create: /a: ERROR: target path already exists: /a$"):
        g.btrfs_subvolume_create("/a")
    with pytest.raises(FileNotFoundError, match="^btrfs_subvolume_create: /no/x: "):
        g.btrfs_subvolume_create("/no/x")
    with pytest.raises(guestbox.Error, match="^btrfs_subvolume_create: x: path must start"):
        g.btrfs_subvolume_create("x")
    with pytest.raises(guestbox.Error, match="^btrfs_subvolume_create: /q: ERROR: invalid qgroup"):
        g.btrfs_subvolume_create("/q", qgroupid="zz")
    g.mkdir("/plain")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_subvolume_snapshot: /plain: /s: ERROR: Not a Btrfs subvolume"):
        g.btrfs_subvolume_snapshot("/plain", "/s")
    with pytest.raises(FileNotFoundError, match="^btrfs_subvolume_snapshot: /nosuch: /s: "):
        g.btrfs_subvolume_snapshot("/nosuch", "/s")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_subvolume_delete: /plain: ERROR: Not a Btrfs subvolume"):
        g.btrfs_subvolume_delete("/plain")
    with pytest.raises(guestbox.Error, match="^btrfs_subvolume_set_default: /: ERROR: "):
        g.btrfs_subvolume_set_default(9999, "/")
    with pytest.raises(guestbox.Error, match="^mount: btrfsvol:/dev/sdz/a: expecting a btrfs vol"):
        g.mount("btrfsvol:/dev/sdz/a", "/plain")
    for bad in ("btrfsvol:/dev/sda", "btrfsvol:/dev/sda/", "btrfsvol:sda/a"):
        with pytest.raises(guestbox.Error, match=f"^vfs_type: {bad}: expecting a btrfs volume"):
            g.vfs_type(bad)
    with pytest.raises(guestbox.Error, match="^mount: /dev/sda on /plain .*No such file"):
        g.mount("btrfsvol:/dev/sda/nosuch", "/plain")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_subvolume_list: btrfsvol:/dev/sda/nosuch: .*No such file"):
        g.btrfs_subvolume_list("btrfsvol:/dev/sda/nosuch")
    assert paths(g, "/") == ["a"]
    g.btrfs_subvolume_delete("/a")
    assert paths(g, "/") == [] and not g.exists("/a")
    g.umount_all()
    with pytest.raises(guestbox.Error, match="^btrfs_subvolume_list: btrfs_subvolume_list_stub: "
                                             "you must call 'mount'"):
        g.btrfs_subvolume_list("/")
    assert g.btrfs_subvolume_list("/dev/sda") == []  # a device needs nothing mounted


def test_not_btrfs(bg: guestbox.GuestFS) -> None:
    bg.umount_all()
    bg.mkfs("ext4", "/dev/sdc")
    with pytest.raises(guestbox.Error, match="^btrfs_fsck: /dev/sdc: No valid Btrfs found"):
        bg.btrfs_fsck("/dev/sdc")
    bg.mount("/dev/sdc", "/")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_subvolume_list: /: ERROR: not a btrfs filesystem: /"):
        bg.btrfs_subvolume_list("/")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_subvolume_create: /x: ERROR: not a btrfs filesystem"):
        bg.btrfs_subvolume_create("/x")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_subvolume_get_default: /dev/sdc: not a btrfs filesystem$"
                       ) as e:
        bg.btrfs_subvolume_get_default("/dev/sdc")
    assert e.value.errno == 22
    with pytest.raises(guestbox.Error, match="^btrfs_scrub_status: /: ERROR: not a btrfs"):
        bg.btrfs_scrub_status("/")
    with pytest.raises(guestbox.Error,
                       match="^btrfs_filesystem_show: /dev/sdc: ERROR: not a valid btrfs"):
        bg.btrfs_filesystem_show("/dev/sdc")
    assert bg.list_filesystems()["/dev/sdc"] == "ext4"
    assert bg.is_dir("/lost+found")  # the temporary mounts left the guest's tree alone


# -- devices ----------------------------------------------------------------------
def test_device_add_delete_replace(fresh: guestbox.GuestFS) -> None:
    g = fresh
    g.write("/f", b"x" * 100000)
    g.btrfs_device_add([], "/")  # nothing to do
    g.btrfs_device_add(["/dev/sdb", "/dev/sdc"], "/")
    assert g.btrfs_filesystem_show("/dev/sda") == ["/dev/sda", "/dev/sdb", "/dev/sdc"]
    lf = g.list_filesystems()
    assert [d for d, t in lf.items() if t == "btrfs"] == ["/dev/sda", "/dev/sdb", "/dev/sdc"]
    g.btrfs_filesystem_balance("/")
    g.btrfs_device_delete(["/dev/sda"], "/")
    assert g.btrfs_filesystem_show("/dev/sdb") == ["/dev/sdb", "/dev/sdc"]
    assert g.vfs_type("/dev/sda") == ""  # the device left the filesystem, wiped
    with pytest.raises(guestbox.Error, match="^btrfs_device_delete: /: ERROR: error removing"):
        g.btrfs_device_delete(["/dev/sda"], "/")
    with pytest.raises(FileNotFoundError, match="^btrfs_device_add: /dev/sdz: No such file"):
        g.btrfs_device_add(["/dev/sdz"], "/")
    g.btrfs_device_delete([], "/")
    g.btrfs_replace("/dev/sdb", "/dev/sda", "/")
    assert g.btrfs_filesystem_show("/dev/sdc") == ["/dev/sda", "/dev/sdc"]
    assert g.read_file("/f") == b"x" * 100000
    g.umount_all()
    g.mount("/dev/sdc", "/")
    assert g.read_file("/f") == b"x" * 100000


def test_seeding_and_tune(fresh: guestbox.GuestFS) -> None:
    g = fresh
    g.write("/f", b"seed")
    with pytest.raises(guestbox.Error, match="^btrfs_set_seeding: /dev/sda: ERROR: .*is mounted"):
        g.btrfs_set_seeding("/dev/sda", True)
    g.umount_all()
    g.btrfs_set_seeding("/dev/sda", True)
    g.mount("/dev/sda", "/")
    with pytest.raises(guestbox.ReadOnlyError):
        g.write("/g", b"x")  # a seeding filesystem mounts read-only
    g.umount_all()
    g.btrfs_set_seeding("/dev/sda", False)
    g.btrfstune_seeding("/dev/sda", True)
    g.btrfstune_seeding("/dev/sda", False)
    g.btrfstune_enable_extended_inode_refs("/dev/sda")
    g.btrfstune_enable_skinny_metadata_extent_refs("/dev/sda")
    g.mount("/dev/sda", "/")
    g.write("/g", b"writable again")
    assert g.read_file("/f") == b"seed"


def test_fsck_rescue_image(bg: guestbox.GuestFS) -> None:
    bg.umount_all()
    bg.mkfs_btrfs(["/dev/sdc"])
    bg.mount("/dev/sdc", "/")
    bg.write("/f", b"checked")
    with pytest.raises(guestbox.Error, match="^btrfs_fsck: /dev/sdc: .*mounted"):
        bg.btrfs_fsck("/dev/sdc")
    bg.btrfs_image(["/dev/sdc"], "/meta.img", compresslevel=3)
    assert bg.filesize("/meta.img") > 0
    with pytest.raises(guestbox.Error, match="^btrfs_image: list of sources must be non-empty"):
        bg.btrfs_image([], "/meta2.img")
    bg.umount_all()
    bg.btrfs_fsck("/dev/sdc")
    bg.btrfs_fsck("/dev/sdc", superblock=1)
    bg.btrfs_fsck("/dev/sdc", repair=True)
    with pytest.raises(guestbox.Error, match="^btrfs_fsck: super block offset must be >= 0"):
        bg.btrfs_fsck("/dev/sdc", superblock=-1)
    bg.btrfs_rescue_super_recover("/dev/sdc")
    bg.btrfs_rescue_chunk_recover("/dev/sdc")
    bg.mount("/dev/sdc", "/")
    assert bg.read_file("/f") == b"checked"


# -- filesystem: resize, sync, defragment, scrub, balance --------------------------------
def test_resize_sync_defragment(fresh: guestbox.GuestFS) -> None:
    g = fresh
    full = g.statvfs("/")["blocks"] * g.statvfs("/")["frsize"]
    g.btrfs_filesystem_resize("/", size=300 * MiB)
    assert g.statvfs("/")["blocks"] * g.statvfs("/")["frsize"] < full
    g.btrfs_filesystem_resize("/")
    assert g.statvfs("/")["blocks"] * g.statvfs("/")["frsize"] == full
    with pytest.raises(guestbox.Error, match="^btrfs_filesystem_resize: size is zero or neg"):
        g.btrfs_filesystem_resize("/", size=0)
    with pytest.raises(guestbox.Error, match="^btrfs_filesystem_resize: /: ERROR: "):
        g.btrfs_filesystem_resize("/", size=100 * MiB)  # the kernel's minimum is 256 MiB
    g.mkdir("/d")
    g.write("/d/f", b"abc" * 100000)
    g.btrfs_filesystem_sync("/")
    g.btrfs_filesystem_defragment("/d", flush=True, compress="zlib")
    g.btrfs_filesystem_defragment("/d/f", compress="zstd")
    assert g.read_file("/d/f") == b"abc" * 100000
    with pytest.raises(guestbox.Error,
                       match="^btrfs_filesystem_defragment: unknown compress method: lz4$"):
        g.btrfs_filesystem_defragment("/d", compress="lz4")


def test_scrub_and_balance(fresh: guestbox.GuestFS) -> None:
    g = fresh
    g.write("/f", os.urandom(1024 * 1024))
    g.sync()
    zero = g.btrfs_scrub_status("/")
    assert set(zero.values()) == {0}  # no scrub yet
    g.btrfs_scrub_start("/")
    for _ in range(100):  # it runs in the background; tiny, it is soon done
        status = g.btrfs_scrub_status("/")
        if status["btrfsscrub_data_bytes_scrubbed"] >= 1024 * 1024:
            break
    assert status["btrfsscrub_tree_bytes_scrubbed"] > 0
    assert status["btrfsscrub_csum_errors"] == status["btrfsscrub_uncorrectable_errors"] == 0
    with pytest.raises(guestbox.Error, match="^btrfs_scrub_cancel: /: ERROR: .*not running"):
        g.btrfs_scrub_cancel("/")
    with pytest.raises(guestbox.Error, match="^btrfs_scrub_resume: /: .*nothing to resume"):
        g.btrfs_scrub_resume("/")
    assert g.btrfs_balance_status("/") == {
        "btrfsbalance_status": "none", "btrfsbalance_total": 0, "btrfsbalance_balanced": 0,
        "btrfsbalance_considered": 0, "btrfsbalance_left": 0}
    g.btrfs_filesystem_balance("/")
    for op in (g.btrfs_balance_pause, g.btrfs_balance_cancel, g.btrfs_balance_resume):
        with pytest.raises(guestbox.Error, match=f"^{op.__name__}: /: ERROR: balance .* on '/' "):
            op("/")


# -- quotas ---------------------------------------------------------------------------
def test_quotas_and_qgroups(fresh: guestbox.GuestFS) -> None:
    g = fresh
    g.btrfs_subvolume_create("/a")
    with pytest.raises(guestbox.Error, match="^btrfs_qgroup_show: /: ERROR: .*quotas not enabled"):
        g.btrfs_qgroup_show("/")
    g.btrfs_quota_enable("/dev/sda", True)  # through a private mount of the device
    g.write("/a/f", b"x" * 100000)
    g.btrfs_qgroup_create("1/0", "/")
    g.btrfs_qgroup_assign("0/256", "1/0", "/")
    g.btrfs_quota_rescan("/")
    g.sync()
    groups = {q["btrfsqgroup_id"]: q for q in g.btrfs_qgroup_show("/")}
    assert list(groups) == ["0/5", "0/256", "1/0"]
    assert groups["0/256"]["btrfsqgroup_rfer"] >= 100000
    assert groups["1/0"]["btrfsqgroup_rfer"] == groups["0/256"]["btrfsqgroup_rfer"]
    g.btrfs_qgroup_limit("/a", MiB)
    with pytest.raises(OSError, match="Disk quota exceeded"):
        g.write("/a/big", os.urandom(2 * MiB))
    g.btrfs_qgroup_remove("0/256", "1/0", "/")
    g.btrfs_qgroup_destroy("1/0", "/")
    with pytest.raises(FileNotFoundError, match="^btrfs_qgroup_destroy: /: ERROR: .*No such"):
        g.btrfs_qgroup_destroy("1/0", "/")
    with pytest.raises(guestbox.Error, match="^btrfs_qgroup_create: /: ERROR: invalid qgroupid"):
        g.btrfs_qgroup_create("zz", "/")
    g.btrfs_subvolume_create("/b", qgroupid="0/256")
    assert [q["btrfsqgroup_id"] for q in g.btrfs_qgroup_show("/")] == ["0/5", "0/256", "0/257"]
    g.btrfs_quota_rescan("btrfsvol:/dev/sda/a")
    g.btrfs_quota_enable("/", False)
    with pytest.raises(guestbox.Error, match="^btrfs_qgroup_show: /: ERROR: "):
        g.btrfs_qgroup_show("/")
    g.write("/a/big", os.urandom(2 * MiB))  # no limit any more


@pytest.mark.parametrize(("out", "expected"), [
    ("Balance on '/sysroot' is running\n"
     "3 out of about 8 chunks balanced (4 considered),  62% left\n",
     ("running", 8, 3, 4, 62)),
    ("Balance on '/sysroot' is paused\n"
     "1 out of about 2 chunks balanced (2 considered),  50% left\n",
     ("paused", 2, 1, 2, 50)),
    ("No balance found on '/sysroot'\n", ("none", 0, 0, 0, 0)),
])
def test_balance_status_of_a_running_or_paused_balance(out: str, expected: tuple[object, ...]
                                                       ) -> None:
    """A balance runs within one call here (btrfs_filesystem_balance waits for it), so a
    running or paused one cannot be observed through the API: its report is parsed as
    `btrfs balance status` prints it."""
    from guestbox.agent.btrfs import parse_balance_status
    from guestbox.agent.registry import AgentError

    keys = ("status", "total", "balanced", "considered", "left")
    assert parse_balance_status(out) == {f"btrfsbalance_{k}": v for k, v in zip(keys, expected,
                                                                                 strict=True)}
    with pytest.raises(AgentError, match="unexpected output"):
        parse_balance_status("Balance on '/' is running\n")
