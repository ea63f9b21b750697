"""`guestbox filesystems` (virt-filesystems) on the scratch disk and the phony guests: rows and
their order, columns, aligned text and CSV, LVM, md, btrfs subvolumes, --json, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.tools.filesystems import aligned
from tests import phony
from tests.cli.tools import guestdisk
from tests.cli.tools.guestdisk import PARTITIONS
from tests.cli.tools.running import disk_args, run

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def scratch() -> list[str]:
    return disk_args(guestdisk.image())


@pytest.fixture(scope="module")
def fs_sizes() -> dict[str, int]:
    """The scratch disk's ext4 and vfat sizes as statvfs gives them (blocks * bsize)."""
    g = guestbox.GuestFS()
    try:
        g.add_drive_opts(str(guestdisk.image()), format="raw", readonly=True)
        g.launch()
        out = {}
        for dev in ("/dev/sda1", "/dev/sda2"):
            g.mount_ro(dev, "/")
            st = g.statvfs("/")
            out[dev] = st["blocks"] * st["bsize"]
            g.umount_all()
        return out
    finally:
        g.close()


def test_filesystems_by_default(scratch: list[str],
                                capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """Swap and the unformatted partition are left out without --extra."""
    r = run(capfdbinary, "filesystems", *scratch)
    assert (r.status, r.text, r.err) == (0, "/dev/sda1\n/dev/sda2\n", "")


def test_all_long_csv(scratch: list[str], fs_sizes: dict[str, int],
                      capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "filesystems", *scratch, "--all", "--long", "--csv")
    assert r.status == 0, r.err
    assert r.text == (
        "Name,Type,VFS,Label,MBR,Size,Parent\n"
        f'/dev/sda1,filesystem,ext4,"scratch data",,{fs_sizes["/dev/sda1"]},\n'
        f"/dev/sda2,filesystem,vfat,FATDATA,,{fs_sizes['/dev/sda2']},\n"
        "/dev/sda3,filesystem,swap,swp,,16777216,\n"
        "/dev/sda4,filesystem,unknown,,,25165824,\n"
        f"/dev/sda1,partition,,,83,{PARTITIONS[0]},/dev/sda\n"
        f"/dev/sda2,partition,,,0c,{PARTITIONS[1]},/dev/sda\n"
        f"/dev/sda3,partition,,,82,{PARTITIONS[2]},/dev/sda\n"
        f"/dev/sda4,partition,,,83,{PARTITIONS[3]},/dev/sda\n"
        "/dev/sda,device,,,,268435456,\n")


def test_aligned_text(scratch: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """Columns as wide as their widest field, two spaces apart, `-` for nothing."""
    r = run(capfdbinary, "filesystems", *scratch, "--parts", "--blkdevs", "-l", "--no-title")
    assert r.text == ("/dev/sda1  partition  83  167772160  /dev/sda\n"
                      "/dev/sda2  partition  0c  50331648   /dev/sda\n"
                      "/dev/sda3  partition  82  16777216   /dev/sda\n"
                      "/dev/sda4  partition  83  25165824   /dev/sda\n"
                      "/dev/sda   device     -   268435456  -\n")


def test_human_sizes_uuids_and_one_space(scratch: list[str],
                                         capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """Lines wider than 72 columns with two spaces get one; -h sizes; --uuid."""
    r = run(capfdbinary, "filesystems", *scratch, "--all", "--long", "-h", "--uuid")
    lines = r.text.splitlines()
    assert lines[0] == "Name      Type       VFS     Label        MBR Size Parent   UUID"
    assert re.fullmatch(r"/dev/sda1 filesystem ext4    scratch data -   14\dM -        "
                        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        lines[1]), lines[1]
    assert re.fullmatch(r"/dev/sda2 filesystem vfat    FATDATA      -   4\dM  -        "
                        r"[0-9A-F]{4}-[0-9A-F]{4}", lines[2]), lines[2]
    assert lines[4] == "/dev/sda4 filesystem unknown -            -   24M  -        -"
    assert lines[5:] == ["/dev/sda1 partition  -       -            83  160M /dev/sda -",
                         "/dev/sda2 partition  -       -            0c  48M  /dev/sda -",
                         "/dev/sda3 partition  -       -            82  16M  /dev/sda -",
                         "/dev/sda4 partition  -       -            83  24M  /dev/sda -",
                         "/dev/sda  device     -       -            -   256M -        -"]


def test_json(scratch: list[str], fs_sizes: dict[str, int],
              capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "filesystems", *scratch, "--filesystems", "--parts", "--long",
            "--json")
    rows = json.loads(r.out)
    assert rows[0] == {"name": "/dev/sda1", "type": "filesystem", "vfs": "ext4",
                       "label": "scratch data", "mbr": None, "size": fs_sizes["/dev/sda1"],
                       "parents": []}
    assert rows[2] == {"name": "/dev/sda1", "type": "partition", "vfs": None, "label": None,
                       "mbr": 0x83, "size": PARTITIONS[0], "parents": ["/dev/sda"]}
    assert [x["name"] for x in rows] == ["/dev/sda1", "/dev/sda2", *(
        f"/dev/sda{n}" for n in range(1, 5))]


def test_lvm(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """LVs, then VGs (parents: their PVs), then PVs."""
    r = run(capfdbinary, "filesystems", *disk_args(phony.image("debian")), "--lvs", "--vgs",
            "--pvs", "--long", "--csv", "--uuid")
    lines = r.text.splitlines()
    assert lines[0] == "Name,Type,Size,Parent,UUID"
    lvm_uuid = r"[0-9A-Za-z]{6}(-[0-9A-Za-z]{4}){5}-[0-9A-Za-z]{6}"
    for line, (lv, size) in zip(lines[1:5], (("home", 32), ("root", 64), ("usr", 32),
                                             ("var", 32)), strict=True):
        assert re.fullmatch(rf"/dev/debian/{lv},lv,{size * MiB},/dev/debian,{lvm_uuid}", line)
    assert re.fullmatch(r"/dev/debian,vg,264241152,/dev/sda2,[0-9A-Za-z]{32}", lines[5])
    assert re.fullmatch(r"/dev/sda2,pv,264241152,,[0-9A-Za-z]{32}", lines[6])
    assert len(lines) == 7


def test_md_numbered_as_libguestfs(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """The first disk's first array is md127; an array's parents are its members, as
    /proc/mdstat lists them (the last added first)."""
    r = run(capfdbinary, "filesystems", *disk_args(*phony.images("fedora-md")), "--long",
            "--csv", "--pvs", "--filesystems")
    lines = r.text.splitlines()
    assert lines[1] == '/dev/md127,filesystem,ext2,BOOT,501829632,"/dev/sdb1,/dev/sda1"'
    assert lines[-1] == "/dev/md126,pv,,,532676608,"  # no VFS, no label


def test_btrfs_subvolumes_have_no_size(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "filesystems", *disk_args(phony.image("fedora-btrfs")), "--long",
            "--csv")
    assert r.text.splitlines()[3:] == ["btrfsvol:/dev/sda2/root,filesystem,btrfs,ROOT,,",
                                       "btrfsvol:/dev/sda2/home,filesystem,btrfs,ROOT,,"]


def test_key_opens_luks(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """--key (guestbox's addition): what the LUKS device holds is listed too."""
    r = run(capfdbinary, "filesystems", *disk_args(phony.image("fedora-lvm-on-luks")),
            "--key", "/dev/sda2:key:FEDORA", "--lvs", "--filesystems")
    lvs = [f"/dev/VG/{lv}" for lv in ("LV1", "LV2", "LV3", "Root")]
    assert r.text.splitlines() == ["/dev/sda1", *lvs, *lvs], r.err  # filesystems, then LVs


def test_alignment_rules() -> None:
    """Empty columns are left out; the gap is 1 when 2 would pass 72 columns (the title
    counts); a field that is empty or missing is `-`."""
    assert aligned([["a", None, "bb"], ["ccc", None, ""]]) == "a    bb\nccc  -\n"
    wide: list[list[str | None]] = [["x" * 30, "y" * 30, "z"]]
    assert aligned(wide) == f"{'x' * 30} {'y' * 30} z\n"


@pytest.mark.parametrize(("args", "message"), [
    (["raw"], "guestbox filesystems: error: extra argument ‘raw’ on command line.\n"
              "Make sure to specify the argument for --format like '--format=raw'.\n"
              "Try ‘guestbox filesystems --help’ for more information.\n"),
    (["-h", "--csv"], "guestbox filesystems: you cannot use -h and --csv options together.\n"),
    (["--json", "--csv"],
     "guestbox filesystems: you cannot use --csv and --json options together.\n"),
])
def test_usage_errors(args: list[str], message: str,
                      capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "filesystems", "-a", "/dev/null", *args)
    assert (r.status, r.out, r.err) == (1, b"", message)


def test_help(capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    r = run(capfdbinary, "filesystems", "--help")
    assert r.status == 0
    for option in ("--all", "--extra", "--lvs", "--vgs", "--pvs", "--parts", "--blkdevs",
                   "-h, --human-readable", "--uuid", "--no-title", "--csv", "--json"):
        assert option in r.text
