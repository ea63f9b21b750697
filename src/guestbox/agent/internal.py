"""Calls of the host library that are not operations: waking up a restored appliance."""

from __future__ import annotations

import fcntl
import os
import stat
import struct
import time
from collections.abc import Callable
from typing import Any

from .block import disk_names, md_names, partitions_of
from .btrfs_scan import scan_devices as scan_btrfs_devices
from .devices import open_new_disk
from .dispatch import check_device, need_root
from .md import assemble_arrays, md_superblock_in
from .paths import resolve
from .registry import AgentError
from .system import activate_storage, device_has_lvm_label, lvm_label_in

RNDADDENTROPY = 0x40085203
RNDRESEEDCRNG = 0x5207


def resume(args: dict[str, Any]) -> dict[str, Any]:
    """A restored appliance takes the host's clock and fresh entropy.

    Without this, every restore would go on from the same saved random state
    and hand out the same UUIDs, keys and temporary names.
    """
    now = args.get("time_ns")
    if isinstance(now, int):
        time.clock_settime_ns(time.CLOCK_REALTIME, now)
    seed = bytes.fromhex(str(args.get("entropy", "")))
    if seed:
        with open("/dev/urandom", "wb") as f:
            req = struct.pack("ii", len(seed) * 8, len(seed)) + seed
            fcntl.ioctl(f, RNDADDENTROPY, req)
            fcntl.ioctl(f, RNDRESEEDCRNG)
    return {"uptime": time.clock_gettime(time.CLOCK_BOOTTIME)}


BLKRRPART = 0x125F


def wait_disks(args: dict[str, Any]) -> list[str]:
    """Wait until count disks (hot-plugged in order) are visible, with their partitions."""
    count = int(args.get("count", 0))
    deadline = time.monotonic() + float(args.get("timeout", 30))
    while True:
        names = disk_names()
        if len(names) >= count and all(os.path.exists(f"/dev/{n}") for n in names):
            break
        if time.monotonic() > deadline:
            raise AgentError(f"only {len(names)} of {count} disks appeared: {names}")
        time.sleep(0.005)
    for name in names[count - 1 : count] if count else ():
        _scan_partitions(name)
    return [f"/dev/{n}" for n in names]


def _scan_partitions(name: str) -> None:
    """Read the new disk's partition table now: the kernel's own scan may not have run yet
    when the disk appears, and the next call must find its partitions."""
    fd = open_new_disk(f"/dev/{name}", os.O_RDONLY)
    try:
        fcntl.ioctl(fd, BLKRRPART)
    except OSError:
        pass  # EBUSY: something holds it open, so the kernel has scanned it already
    finally:
        os.close(fd)


def _with_partitions(names: list[str]) -> list[str]:
    """/dev paths of the block devices names and of their partitions."""
    return [f"/dev/{p}" for d in names for p in [d, *partitions_of(d)]]


def _probe(device: str) -> tuple[bool, bool]:
    """(md superblock, LVM label) on device, from one open and a read or two."""
    try:
        fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False, False
    try:
        head = os.pread(fd, 8192, 0)
        return md_superblock_in(fd, head), lvm_label_in(head)
    except OSError:
        return False, False
    finally:
        os.close(fd)


def activate(args: dict[str, Any]) -> None:
    """Assemble the md arrays and activate the volume groups on the disks now attached, as
    libguestfs does at launch (without md superblocks or LVM labels no tool runs), and
    make their btrfs devices known to the kernel (udev does all this elsewhere)."""
    devices = _with_partitions(disk_names())
    found = [_probe(d) for d in devices]
    lvm = any(label for _, label in found)
    if any(md for md, _ in found):
        assemble_arrays([d for d, (md, _) in zip(devices, found, strict=True) if md])
        lvm = lvm or any(device_has_lvm_label(d) for d in _with_partitions(md_names()))
    if lvm:
        activate_storage()
    scan_btrfs_devices()


def size(args: dict[str, Any]) -> int:
    """The size of a guest file or device about to be downloaded; -1 if unknown (the
    download itself will then report whatever is wrong)."""
    path = str(args.get("path", ""))
    try:
        if path.startswith("/dev/"):
            fd = os.open(check_device(path), os.O_RDONLY)
            try:
                return os.lseek(fd, 0, os.SEEK_END)
            finally:
                os.close(fd)
        need_root()
        st = os.stat(resolve(path))
        return st.st_size if stat.S_ISREG(st.st_mode) else -1
    except (OSError, AgentError):
        return -1


INTERNAL: dict[str, Callable[[dict[str, Any]], Any]] = {
    "_size": size,
    "_resume": resume,
    "_wait_disks": wait_disks,
    "_activate": activate,
}
