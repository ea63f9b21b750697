"""`guestbox resize` (virt-resize) on real images: an MBR disk with ext4 and LVM, a GPT
disk with ext4, ext2 and swap, grown into bigger targets with every file intact.

The expected sizes and sectors are virt-resize's arithmetic, worked out by hand
below (and, for the pure-logic test, read from what virt-resize 1.48 made of the
same layout).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import guestbox
from guestbox.cli.tools.resize_plan import Content, Partition, Plan
from guestbox.cli.tools.virt_messages import VirtError

from .disktools import MiB, checksums, digest, fill, opened, run, unstamped

SECTOR = 512


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """mbr.img (128 MiB): p1 ext4 48 MiB (bootable), p2 63 MiB LVM PV of vg, LV vg/lv
    40 MiB ext4, p3 an extended partition (15 MiB) holding p5, ext2.  gpt.img (128 MiB):
    p1 ext4 40 MiB, p2 ext2 40 MiB, p3 swap 16 MiB.
    With what the tests compare the targets with: checksums of every file, IDs."""
    d = tmp_path_factory.mktemp("resize")
    paths = {"mbr": d / "mbr.img", "gpt": d / "gpt.img"}
    g = guestbox.GuestFS()
    try:
        for path in paths.values():
            g.disk_create(str(path), "raw", 128 * MiB)
            g.add_drive_opts(str(path), format="raw")
        g.launch()
        g.part_init("/dev/sda", "mbr")
        g.part_add("/dev/sda", "p", 2048, 100351)
        g.part_add("/dev/sda", "p", 100352, 229375)
        g.part_add("/dev/sda", "e", 229376, 260095)
        g.part_add("/dev/sda", "l", 231424, 260095)
        g.mkfs("ext2", "/dev/sda5", label="logical")
        g.part_set_bootable("/dev/sda", 1, True)
        g.mkfs("ext4", "/dev/sda1", label="boot")
        g.pvcreate("/dev/sda2")
        g.vgcreate("vg", ["/dev/sda2"])
        g.lvcreate("lv", "vg", 40)
        g.mkfs("ext4", "/dev/vg/lv")
        g.part_init("/dev/sdb", "gpt")
        for start, end in ((2048, 83967), (83968, 165887), (165888, 198655)):
            g.part_add("/dev/sdb", "p", start, end)
        g.part_set_name("/dev/sdb", 2, "data")
        g.mkfs("ext4", "/dev/sdb1")
        g.mkfs("ext2", "/dev/sdb2")
        g.mkswap("/dev/sdb3", label="swappy")
        for dev, seed in (("/dev/sda1", 1), ("/dev/vg/lv", 2), ("/dev/sdb1", 3),
                          ("/dev/sdb2", 4), ("/dev/sda5", 7)):
            g.mount(dev, "/")
            fill(g, "/", seed)
            g.umount_all()
        info = {
            "mbr_sums": {dev: checksums(g, dev) for dev in ("/dev/sda1", "/dev/vg/lv",
                                                            "/dev/sda5")},
            "lv_size": g.lvs_full()[0]["lv_size"],
            "gpt_sums": {dev.replace("sdb", "sda"): checksums(g, dev)
                         for dev in ("/dev/sdb1", "/dev/sdb2")},
            "gpt_ids": [(g.part_get_gpt_type("/dev/sdb", n), g.part_get_gpt_guid("/dev/sdb", n),
                         g.part_get_name("/dev/sdb", n)) for n in (1, 2, 3)],
            "disk_guid": g.part_get_disk_guid("/dev/sdb"),
            "swap_uuid": g.vfs_uuid("/dev/sdb3"),
        }
        g.shutdown()
    finally:
        g.close()
    yield {**paths, **info}


def target(tmp_path: Path, size: int, name: str = "out.img") -> Path:
    path = tmp_path / name
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def test_mbr_lvm_expand(sources: dict[str, Any], tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    """--expand the PV's partition and --LV-expand the LV: all of a 256 MiB target used;
    the extended partition is copied whole, its logical partition with it."""
    src, sums, lv_before = sources["mbr"], sources["mbr_sums"], sources["lv_size"]
    before = digest(src)
    out = target(tmp_path, 256 * MiB)
    status, stdout, stderr = run(capsys, "resize", "--expand", "/dev/sda2",
                                 "--LV-expand", "/dev/vg/lv", str(src), str(out))
    assert (status, stderr) == (0, "")
    # surplus = 256M - (48M + 63M + 15M) - 512 * (4096 + 128 * 4 + 64) = 133922816 bytes
    assert unstamped(stdout) == (
        f"[] Examining {src}\n**********\n\nSummary of changes:\n\n"
        "virt-resize: /dev/sda1: This partition will be left alone.\n\n"
        "virt-resize: /dev/sda2: This partition will be resized from 63.0M to 190.7M.  The "
        "LVM PV on /dev/sda2 will be expanded using the ‘pvresize’ method.\n\n"
        "virt-resize: /dev/sda3: This partition will be left alone.\n\n"
        "virt-resize: /dev/vg/lv: This logical volume will be expanded to maximum size.  The "
        "filesystem ext4 on /dev/vg/lv will be expanded using the ‘resize2fs’ method.\n\n"
        f"**********\n[] Setting up initial partition table on {out}\n"
        "[] Copying /dev/sda1\n[] Copying /dev/sda2\n[] Copying /dev/sda3\n"
        "[] Expanding /dev/sda2 using the ‘pvresize’ method\n"
        "[] Expanding /dev/vg/lv using the ‘resize2fs’ method\n\n"
        "virt-resize: Resize operation completed with no errors.  Before deleting the old "
        "disk, carefully check that the resized disk boots and works correctly.\n")
    assert digest(src) == before
    with opened(out) as g:
        parts = g.part_list("/dev/sda")
        assert [(p["part_start"] // SECTOR, (p["part_end"] + 1) // SECTOR - 1)
                for p in parts] == [(2048, 100351), (100352, 491007), (491008, 521727),
                                    (493056, 521727)]
        assert [g.part_get_mbr_id("/dev/sda", n) for n in (1, 2, 3, 5)] == [0x83, 0x83, 0x0F,
                                                                            0x83]
        assert g.part_get_bootable("/dev/sda", 1) and not g.part_get_bootable("/dev/sda", 2)
        pv = g.pvs_full()[0]
        assert pv["pv_size"] > 185 * MiB and pv["pv_free"] == 0
        assert g.lvs_full()[0]["lv_size"] > lv_before + 140 * MiB
        g.mount_ro("/dev/vg/lv", "/")
        st = g.statvfs("/")
        assert st["blocks"] * st["bsize"] > 170 * MiB
        g.umount_all()
        assert (g.vfs_label("/dev/sda1"), g.vfs_label("/dev/sda5")) == ("boot", "logical")
        assert {dev: checksums(g, dev) for dev in sums} == sums


def test_gpt_expand_and_resize_swap(sources: dict[str, Any], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """--expand sda1 (ext4) and --resize sda3=+8M (swap) on GPT: disk and partition GUIDs,
    types and names kept, the swap made again with its label and UUID."""
    src, sums, ids = sources["gpt"], sources["gpt_sums"], sources["gpt_ids"]
    disk_guid, swap_uuid = sources["disk_guid"], sources["swap_uuid"]
    out = target(tmp_path, 192 * MiB)
    status, stdout, _ = run(capsys, "resize", "--expand", "/dev/sda1", "--resize", "sda3=+8M",
                            str(src), str(out))
    assert status == 0
    # surplus = 192M - (40M + 40M + 24M) - 512 * (4096 + 128 * 4 + 64) = 89882624 bytes
    assert ("virt-resize: /dev/sda1: This partition will be resized from 40.0M to 125.7M.  "
            "The filesystem ext4 on /dev/sda1 will be expanded using the ‘resize2fs’ method."
            in stdout)
    assert ("virt-resize: /dev/sda3: This partition will be resized from 16.0M to 24.0M.  "
            "The swap on /dev/sda3 will be expanded using the ‘mkswap’ method." in stdout)
    assert "[] Expanding /dev/sda3 using the ‘mkswap’ method\n" in unstamped(stdout)
    with opened(out) as g:
        assert g.part_get_parttype("/dev/sda") == "gpt"
        assert g.part_get_disk_guid("/dev/sda") == disk_guid
        assert [(p["part_start"] // SECTOR, (p["part_end"] + 1) // SECTOR - 1)
                for p in g.part_list("/dev/sda")] == [(2048, 259583), (259584, 341503),
                                                      (341504, 390655)]
        assert [(g.part_get_gpt_type("/dev/sda", n), g.part_get_gpt_guid("/dev/sda", n),
                 g.part_get_name("/dev/sda", n)) for n in (1, 2, 3)] == ids
        assert (g.vfs_type("/dev/sda3"), g.vfs_label("/dev/sda3"),
                g.vfs_uuid("/dev/sda3")) == ("swap", "swappy", swap_uuid)
        g.mount_ro("/dev/sda1", "/")
        st = g.statvfs("/")
        assert st["blocks"] * st["bsize"] > 110 * MiB
        g.umount_all()
        assert {dev: checksums(g, dev) for dev in sums} == sums


def test_dry_run_and_refusals(sources: dict[str, Any], tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """--dry-run prints the summary and writes nothing; shrinking below the content is
    refused before anything is written.  The target holds a copy of the source (the same
    volume group): only the source's counts."""
    src, out = sources["mbr"], tmp_path / "out.img"
    subprocess.run(["cp", "--sparse=always", str(src), str(out)], check=True)
    os.truncate(out, 256 * MiB)
    before = digest(out)
    status, stdout, _ = run(capsys, "resize", "--dry-run", "--ignore", "sda1", "--lv-expand",
                            "/dev/vg/lv", str(src), str(out))
    assert status == 0
    assert ("virt-resize: /dev/sda1: This partition will be created, but the contents will "
            "be ignored (ie. not copied to the target).\n\n"
            "virt-resize: /dev/sda2: This partition will be left alone.\n\n"
            "virt-resize: /dev/sda3: This partition will be left alone.\n\n"
            "virt-resize: /dev/vg/lv: This logical volume will be expanded to maximum size.  "
            "The filesystem ext4 on /dev/vg/lv will be expanded using the ‘resize2fs’ "
            "method.\n\n"
            "virt-resize: There is a surplus of 127.7M.  An extra partition will be created "
            "for the surplus.\n\n**********\n") in stdout
    assert "Setting up" not in stdout
    status, _, stderr = run(capsys, "resize", "--resize", "/dev/sda1=10M", str(src), str(out))
    assert status == 1
    assert stderr.startswith(
        "virt-resize: error: /dev/sda1: This partition contains a ext4 filesystem which will "
        "be damaged by shrinking it below ")
    assert "If reporting bugs, run virt-resize with debugging enabled" in stderr
    assert digest(out) == before


@pytest.mark.parametrize(("argv", "message"), [
    (["a.img"], "usage is: virt-resize [--options] indisk outdisk"),
    (["a.img", "a.img"], "you cannot use the same disk image for input and output"),
    (["--alignment=0", "a", "b"], "alignment cannot be < 1"),
    (["--align-first=sometimes", "a", "b"],
     "unknown --align-first option: use never|always|auto"),
    (["--unknown-filesystems=x", "a", "b"],
     "unknown --unknown-filesystems: use ignore|warn|error"),
])
def test_usage_errors(argv: list[str], message: str,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "resize", *argv) == (
        1, "", f"virt-resize: error: {message}\n\nIf reporting bugs, run virt-resize with "
        "debugging enabled and include the complete output:\n\n  virt-resize -v -x [...]\n")


def test_plan_as_virt_resize(capsys: pytest.CaptureFixture[str]) -> None:
    """Pure logic: a 200 MiB MBR disk (60M ext4, 60M ext2, 40M swap) into 400 MiB with
    --expand sda1 --resize sda3=+10M; virt-resize 1.48 made these partitions of it."""
    parts = [Partition(f"/dev/sda{n}", n, s * SECTOR, (e + 1) * SECTOR - 1,
                       (e + 1 - s) * SECTOR, content=c)
             for n, (s, e, c) in enumerate([(2048, 124927, Content("fs", "ext4", 50 * MiB)),
                                            (124928, 247807, Content("fs", "ext2", 55 * MiB)),
                                            (247808, 329727, Content("swap"))], 1)]
    plan = Plan("in.img", parts, [], lambda n: n, lambda groups: True)
    plan.check_source()
    plan.resize("--resize", "sda3=+10M")
    plan.expand_or_shrink("sda1", None, plan.surplus(400 * MiB, SECTOR, 128))
    surplus = plan.surplus(400 * MiB, SECTOR, 128)
    assert surplus == 0
    assert plan.summary(surplus, True, print)[0] == (
        "/dev/sda1: This partition will be resized from 60.0M to 287.7M.  The filesystem ext4 "
        "on /dev/sda1 will be expanded using the ‘resize2fs’ method.")
    layout = plan.target(SECTOR, 128, plan.align_first("auto", 128), surplus, True)
    assert [(p.target_num, p.target_start, p.target_end) for p in layout] == [
        (1, 2048, 591359), (2, 591360, 714239), (3, 714240, 816639)]


def two_partitions() -> Plan:
    """Pure logic: 100 MiB of ext4 (20 MiB of filesystem) and 100 MiB of swap."""
    parts = [Partition("/dev/sda1", 1, 2048 * SECTOR, 206848 * SECTOR - 1, 100 * MiB,
                       content=Content("fs", "ext4", 20 * MiB)),
             Partition("/dev/sda2", 2, 206848 * SECTOR, 411648 * SECTOR - 1, 100 * MiB,
                       content=Content("swap"))]
    return Plan("in.img", parts, [], lambda n: n, lambda groups: True)


def test_plan_extra_partition() -> None:
    plan = two_partitions()
    surplus = plan.surplus(1024 * MiB, SECTOR, 128)
    assert surplus == 1024 * MiB - 200 * MiB - SECTOR * (4096 + 128 * 3 + 64)
    assert plan.summary(surplus, True, print)[-1] == (
        "There is a surplus of 821.8M.  An extra partition will be created for the surplus.")
    assert plan.summary(surplus, False, print)[-1].endswith(
        "The surplus space will be ignored.  Run a partitioning program in the guest to "
        "partition this extra space if you want.")
    layout = plan.target(SECTOR, 128, False, surplus, True)
    assert [(p.target_num, p.target_start, p.target_end, p.operation) for p in layout] == [
        (1, 2048, 206847, "copy"), (2, 206848, 411647, "copy"), (3, 411648, -65, "ignore")]
    assert len(plan.target(SECTOR, 128, False, surplus, False)) == 2


def test_plan_shrink() -> None:
    """--shrink gives up the deficit; shrinking below the content needs --resize-force."""
    plan = two_partitions()
    deficit = plan.surplus(150 * MiB, SECTOR, 128)
    assert deficit < 0
    plan.expand_or_shrink(None, "sda1", deficit)
    assert plan.partitions[0].newsize == 100 * MiB + deficit
    assert plan.surplus(150 * MiB, SECTOR, 128) == 0
    with pytest.raises(VirtError, match="You cannot use --shrink when there is no deficit"):
        two_partitions().expand_or_shrink(None, "sda1", 1)
    plan = two_partitions()
    with pytest.raises(VirtError, match=r"^/dev/sda1: This partition contains a ext4 "
                       "filesystem which will be damaged by shrinking it below 20971520 bytes "
                       r"\(user asked to shrink it to 10485760 bytes\)"):
        plan.resize("--resize", "/dev/sda1=10M")
    plan.resize("--resize-force", "/dev/sda1=10M", force=True)
    with pytest.raises(VirtError, match="already been marked for resizing"):
        plan.resize("--resize", "sda1=+10%")
    plan.resize("--resize", "sda2=-50%")  # swap: shrinking is fine
    assert [p.newsize for p in plan.partitions] == [10 * MiB, 50 * MiB]
    with pytest.raises(VirtError, match="^3G%: cannot parse resize field$"):
        two_partitions().resize("--resize", "sda1=3G%")


def test_plan_refusals() -> None:
    plan = two_partitions()
    with pytest.raises(VirtError, match=r"^There is a deficit of 1048576 bytes \(1.0M\)\.  "):
        plan.check_deficit(-MiB)
    with pytest.raises(VirtError, match="^/dev/sda7: partition not found in the source disk "
                       "image \\(this error came from ‘--expand’ option on the command line\\)."
                       "  Try running this command: virt-filesystems --partitions --long -a "
                       "in.img$"):
        plan.expand_or_shrink("/dev/sda7", None, MiB)
    with pytest.raises(VirtError, match="You cannot use --expand when there is no surplus "
                       "space to expand into.  You need to make the target disk larger by at "
                       "least 1.0M."):
        plan.expand_or_shrink("sda1", None, -MiB)
    plan.ignore("sda2")
    with pytest.raises(VirtError, match="^/dev/sda2: partition already ignored, you cannot "
                       "use it in ‘--delete’ option$"):
        plan.delete("/dev/sda2")
    with pytest.raises(VirtError, match="^sda1: missing size field in ‘--resize’ option$"):
        plan.resize("--resize", "sda1")
    with pytest.raises(VirtError, match="^/dev/vg/nope: logical volume not found"):
        plan.expand_lvs(["/dev/vg/nope"])
