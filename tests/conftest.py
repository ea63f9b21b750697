"""Shared fixtures: real appliances on real (scratch) disk images.

`g` is one launched handle for the whole session, with a 1 GiB scratch disk
partitioned (MBR, /dev/sda1 of all of it), ext4, mounted on /.  Tests that
use it work in their own directory (`gdir`) and leave the rest alone.
Tests that need blank disks or their own devices launch their own handle
with `launch_handle`.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024
TESTDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"
_counter = itertools.count()


@pytest.fixture(scope="session")
def testdata() -> Path:
    """../shared/testdata, the project's shared test files."""
    if not TESTDATA.is_dir():
        pytest.skip(f"{TESTDATA} not present")
    return TESTDATA


@pytest.fixture(scope="session")
def g() -> Iterator[guestbox.GuestFS]:
    """A launched handle: 1 GiB scratch disk, /dev/sda1 ext4 mounted on /. Shared: be tidy."""
    h = guestbox.GuestFS()
    h.add_drive_scratch(1024 * MiB)
    h.launch()
    h.part_disk("/dev/sda", "mbr")
    h.mkfs("ext4", "/dev/sda1")
    h.mount("/dev/sda1", "/")
    yield h
    h.close()


@pytest.fixture
def gdir(g: guestbox.GuestFS, request: pytest.FixtureRequest) -> str:
    """A new empty directory in the shared guest filesystem, unique to this test."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)[:80]
    path = f"/t{next(_counter)}-{name}"
    g.mkdir_p(path)
    return path


@pytest.fixture
def launch_handle() -> Iterator[Callable[..., guestbox.GuestFS]]:
    """A factory: launch_handle(drive, ..., readonly=False, format=...) -> launched handle.

    A drive is a path or an int (size in bytes of a new scratch disk). Every handle
    made here is closed when the test ends.
    """
    handles: list[guestbox.GuestFS] = []

    def make(*drives: str | int | os.PathLike[str], readonly: bool = False,
             format: str | None = None) -> guestbox.GuestFS:
        h = guestbox.GuestFS()
        handles.append(h)
        for d in drives:
            if isinstance(d, int):
                h.add_drive_scratch(d)
            else:
                h.add_drive_opts(os.fspath(d), readonly=readonly, format=format)
        h.launch()
        return h

    yield make
    for h in handles:
        h.close()


def _qemu_children() -> list[str]:
    """QEMU processes started by this test process (directly: spawn makes them our children)."""
    me = str(os.getpid())
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if fields[1] == me and comm.startswith("qemu-system") and fields[0] != "Z":
            found.append(f"{pid} {comm}")
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The suite fails if it leaves a QEMU process behind."""
    import gc
    import time

    gc.collect()
    deadline = time.monotonic() + 10
    while (left := _qemu_children()) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        print(f"\nQEMU processes left running by the tests: {left}")
        session.exitstatus = 1
