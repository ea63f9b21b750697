"""`guestbox alignment-scan` on disks partitioned for each verdict and exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from guestbox import GuestFS

from .cli_run import guestbox

MiB = 1024 * 1024
LAYOUTS = {  # disk: the first sector of each partition (MBR, 512-byte sectors)
    "bad": [63, 2048],  # 32256 = 63 * 512: aligned on 512 bytes only; 1 MiB
    "netapp": [8, 4096],  # 4 KiB: fine in general, not on NetApps (< 64K)
    "good": [128],  # 64 KiB
    "blank": [],  # no partition table: left out
}


@pytest.fixture(scope="module")
def disks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("align")
    paths = {name: directory / f"{name}.img" for name in LAYOUTS}
    g = GuestFS()
    try:
        for path in paths.values():
            with open(path, "wb") as f:
                f.truncate(8 * MiB)
            g.add_drive_opts(str(path), format="raw")
        g.launch()
        for dev, starts in zip(g.list_devices(), LAYOUTS.values(), strict=True):
            if starts:
                g.part_init(dev, "mbr")
                for start in starts:
                    g.part_add(dev, "p", start, start + 1000)
        g.shutdown()
    finally:
        g.close()
    return paths


def scan(disks: dict[str, Path], *names: str, quiet: bool = False) -> tuple[int, str]:
    args = ["alignment-scan", "--format=raw"] + ["-q"] * quiet
    for name in names:
        args += ["-a", str(disks[name])]
    r = guestbox(*args)
    assert r.stderr == b""
    return r.returncode, r.stdout.decode()


def test_each_partition_and_the_worst_as_exit_status(disks: dict[str, Path]) -> None:
    assert scan(disks, "bad", "blank", "good") == (3, (
        "/dev/sda1        32256          512    bad (alignment < 4K)\n"
        "/dev/sda2      1048576         1024K   ok\n"
        "/dev/sdc1        65536           64K   ok\n"))
    assert scan(disks, "netapp") == (2, (
        "/dev/sda1         4096            4K   bad (alignment < 64K)\n"
        "/dev/sda2      2097152         2048K   ok\n"))
    assert scan(disks, "good", "blank") == (0, "/dev/sda1        65536           64K   ok\n")


def test_quiet_tells_by_the_exit_status_only(disks: dict[str, Path]) -> None:
    assert scan(disks, "netapp", quiet=True) == (2, "")


def test_usage_errors() -> None:
    r = guestbox("alignment-scan")
    assert r.returncode == 1 and b"add the disk images with -a" in r.stderr
    r = guestbox("alignment-scan", "-P", "x", "-a", "/dev/null")
    assert (r.returncode, r.stderr) == (1, b"guestbox alignment-scan: -P option is not numeric\n")
    r = guestbox("alignment-scan", "-a", "/dev/null", "extra")
    assert (r.returncode, r.stderr) == (
        1, "Try ‘guestbox alignment-scan --help’ for more information.\n".encode())
