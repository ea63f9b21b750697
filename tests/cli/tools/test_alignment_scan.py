"""`guestbox alignment-scan` on disks partitioned for each verdict and exit status."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .cli_run import guestbox, run

MiB = 1024 * 1024
LAYOUTS = {  # disk: the first sector of each partition (MBR, 512-byte sectors)
    "bad": [63, 2048],  # 32256 = 63 * 512: aligned on 512 bytes only; 1 MiB
    "netapp": [8, 4096],  # 4 KiB: fine in general, not on NetApps (< 64K)
    "good": [128],  # 64 KiB
    "blank": [],  # no partition table: left out
}


@pytest.fixture(scope="module")
def disks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The disk images, partitioned on the host by sfdisk."""
    directory = tmp_path_factory.mktemp("align")
    paths = {name: directory / f"{name}.img" for name in LAYOUTS}
    for name, starts in LAYOUTS.items():
        with open(paths[name], "wb") as f:
            f.truncate(8 * MiB)
        if starts:
            table = "label: dos\n" + "".join(f"start={s}, size=1001, type=83\n"
                                               for s in starts)
            subprocess.run(["sfdisk", "--quiet", str(paths[name])], input=table.encode(),
                           check=True)
    return paths


def scan(cap: pytest.CaptureFixture[bytes], disks: dict[str, Path], *names: str,
         quiet: bool = False) -> tuple[int, str]:
    args = ["alignment-scan", "--format=raw"] + ["-q"] * quiet
    for name in names:
        args += [name] if name.startswith("-") else ["-a", str(disks[name])]
    r = run(cap, *args)
    assert r.stderr == b""
    return r.returncode, r.stdout.decode()


def test_each_partition_and_the_worst_as_exit_status(
        disks: dict[str, Path], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    assert scan(capfdbinary, disks, "bad", "blank", "good") == (3, (
        "/dev/sda1        32256          512    bad (alignment < 4K)\n"
        "/dev/sda2      1048576         1024K   ok\n"
        "/dev/sdc1        65536           64K   ok\n"))
    assert scan(capfdbinary, disks, "netapp") == (2, (
        "/dev/sda1         4096            4K   bad (alignment < 64K)\n"
        "/dev/sda2      2097152         2048K   ok\n"))
    assert scan(capfdbinary, disks, "good", "blank") == (
        0, "/dev/sda1        65536           64K   ok\n")


def test_quiet_and_json(disks: dict[str, Path], capfdbinary: pytest.CaptureFixture[bytes]
                        ) -> None:
    assert scan(capfdbinary, disks, "netapp", quiet=True) == (2, "")
    status, text = scan(capfdbinary, disks, "netapp", "blank", "--json")
    assert status == 2
    assert json.loads(text) == [
        {"device": "/dev/sda1", "partition": 1, "start": 4096, "alignment": 4096, "ok": False,
         "verdict": "bad (alignment < 64K)"},
        {"device": "/dev/sda2", "partition": 2, "start": 2097152, "alignment": 2097152,
         "ok": True, "verdict": "ok"}]


def test_usage_errors(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = guestbox("alignment-scan")  # the command itself, in a process of its own
    assert r.returncode == 1 and b"add the disk images with -a" in r.stderr
    r = run(capfdbinary, "alignment-scan", "-P", "x", "-a", "/dev/null")
    assert (r.returncode, r.stderr) == (1, b"guestbox alignment-scan: -P option is not numeric\n")
    r = run(capfdbinary, "alignment-scan", "-a", "/dev/null", "extra")
    assert (r.returncode, r.stderr) == (
        1, "Try ‘guestbox alignment-scan --help’ for more information.\n".encode())
