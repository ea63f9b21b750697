"""`guestbox df` (virt-df): its columns, rounding and names, checked against virt-df 1.48's
output on the phony debian guest and against statvfs on the scratch disk."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.tools.df import _percent
from tests import phony
from tests.cli.tools import guestdisk
from tests.cli.tools.running import disk_args, run

# virt-df 1.48 on the phony debian guest (LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-df ...)
PLAIN = """\
Filesystem                           1K-blocks       Used  Available  Use%
debian.img:/dev/sda1                    245576         28     232444    1%
debian.img:/dev/debian/home              30700         24      29040    1%
debian.img:/dev/debian/root              61412        212      57924    1%
debian.img:/dev/debian/usr               30700         24      29040    1%
debian.img:/dev/debian/var               30700         48      29016    1%
"""
HUMAN = """\
Filesystem                                Size       Used  Available  Use%
debian.img:/dev/sda1                      240M        28K       227M    1%
debian.img:/dev/debian/home                30M        24K        28M    1%
debian.img:/dev/debian/root                60M       212K        57M    1%
debian.img:/dev/debian/usr                 30M        24K        28M    1%
debian.img:/dev/debian/var                 30M        48K        28M    1%
"""
INODES = """\
Filesystem                              Inodes      IUsed      IFree IUse%
debian.img:/dev/sda1                     65536         13      65523    1%
debian.img:/dev/debian/home               8192         11       8181    1%
debian.img:/dev/debian/root              16384         21      16363    1%
debian.img:/dev/debian/usr                8192         11       8181    1%
debian.img:/dev/debian/var                8192         17       8175    1%
"""
CSV = """\
VirtualMachine,Filesystem,1K-blocks,Used,Available,Use%
debian.img,/dev/sda1,245576,28,232444,0.0
debian.img,/dev/debian/home,30700,24,29040,0.1
debian.img,/dev/debian/root,61412,212,57924,0.3
debian.img,/dev/debian/usr,30700,24,29040,0.1
debian.img,/dev/debian/var,30700,48,29016,0.2
"""


@pytest.fixture(scope="module")
def scratch() -> Path:
    return guestdisk.image()


@pytest.fixture(scope="module")
def statvfs(scratch: Path) -> dict[str, dict[str, int]]:
    """The statvfs of the scratch disk's ext4 and vfat, read with the API."""
    g = guestbox.GuestFS()
    try:
        g.add_drive_opts(str(scratch), format="raw", readonly=True)
        g.launch()
        out = {}
        for dev in ("/dev/sda1", "/dev/sda2"):
            g.mount_ro(dev, "/")
            out[dev] = {k: int(str(v)) for k, v in g.statvfs("/").items()}
            g.umount_all()
        return out
    finally:
        g.close()


@pytest.mark.parametrize(("options", "want"), [([], PLAIN), (["-h"], HUMAN),
                                               (["--inodes"], INODES), (["--csv"], CSV)])
def test_as_virt_df(options: list[str], want: str,
                    capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "df", *disk_args(phony.image("debian")), *options)
    assert (r.status, r.text, r.err) == (0, want, "")


def test_long_names_and_statvfs(scratch: Path, statvfs: dict[str, dict[str, int]],
                                capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """A NAME:DEVICE longer than 36 columns goes on a line of its own; swap and the
    unformatted partition are left out; the figures are statvfs's in 1K blocks."""
    r = run(capfdbinary, "df", *disk_args(scratch))
    assert r.status == 0, r.err
    lines = r.text.splitlines()
    assert len(lines) == 1 + 2 * 2
    for i, dev in enumerate(("/dev/sda1", "/dev/sda2")):
        st = statvfs[dev]
        k = st["bsize"] // 1024
        assert lines[1 + 2 * i] == f"{scratch.name}:{dev}"
        assert lines[2 + 2 * i] == " " * 36 + (
            f"{st['blocks'] * k:>10} {(st['blocks'] - st['bfree']) * k:>10} "
            f"{st['bavail'] * k:>10} {math.ceil(100 - 100 * st['bfree'] / st['blocks']):>4}%")


def test_json(scratch: Path, statvfs: dict[str, dict[str, int]],
              capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "df", *disk_args(scratch), "--json")
    rows = json.loads(r.out)
    assert [(x["name"], x["filesystem"]) for x in rows] == \
        [(scratch.name, "/dev/sda1"), (scratch.name, "/dev/sda2")]
    for row in rows:
        st = statvfs[row["filesystem"]]
        assert row["size"] == st["blocks"] * st["bsize"]
        assert row["available"] == st["bavail"] * st["bsize"]
        assert (row["inodes"], row["ifree"]) == (st["files"], st["ffree"])
        assert row["use%"] == round(100 - 100 * st["bfree"] / st["blocks"], 1)


def test_several_disks_are_one_guest(scratch: Path,
                                     capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """Named after the first disk, a + for each other one; list_filesystems' order
    (partitions, then LVs)."""
    r = run(capfdbinary, "df", *disk_args(phony.image("debian"), scratch), "--csv")
    rows = [line.split(",")[:2] for line in r.text.splitlines()[1:]]
    assert rows == [["debian.img+", d] for d in (
        "/dev/sda1", "/dev/sdb1", "/dev/sdb2", "/dev/debian/home", "/dev/debian/root",
        "/dev/debian/usr", "/dev/debian/var")]


def test_percentages_as_a_c_float() -> None:
    """virt-df keeps Use% in a C float: 100 - 100 * 1 / 3 is 66.66666412353516, not
    66.66666666666667; an exact 0 of a total of 0."""
    assert _percent(1, 3) == 66.66666412353516
    assert _percent(0, 0) == 0.0


@pytest.mark.parametrize(("args", "message"), [
    (["-h", "--csv"], "guestbox df: you cannot use -h and --csv options together.\n"),
    (["--json", "--csv"], "guestbox df: you cannot use --csv and --json options together.\n"),
    (["-P", "two"], "guestbox df: -P option is not numeric\n"),
    (["extra"], "Try ‘guestbox df --help’ for more information.\n"),
])
def test_usage_errors(args: list[str], message: str,
                      capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "df", "-a", "/dev/null", *args)
    assert (r.status, r.out, r.err) == (1, b"", message)


def test_no_disk(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """virt-df without -a shows every libvirt guest; guestbox reaches none."""
    r = run(capfdbinary, "df")
    assert r.status == 1
    assert r.err.startswith("guestbox df: error: you must specify at least one -a option")
