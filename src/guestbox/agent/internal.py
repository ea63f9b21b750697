"""Calls of the host library that are not operations: waking up a restored appliance."""

from __future__ import annotations

import fcntl
import os
import stat
import struct
import time
from collections.abc import Callable
from typing import Any

from .block import disk_names
from .btrfs import scan_devices as scan_btrfs_devices
from .devices import open_new_disk
from .dispatch import check_device, need_root
from .paths import resolve
from .registry import AgentError
from .system import activate_storage

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


LVM_LABEL = b"LABELONE"


def has_lvm_label() -> bool:
    """True if a disk or partition carries an LVM physical volume label (in its first four
    sectors): reading them is much cheaper than running LVM under emulation."""
    for name in disk_names():
        for dev in [name, *(p for p in os.listdir(f"/sys/block/{name}") if p.startswith(name))]:
            try:
                with open(f"/dev/{dev}", "rb") as f:
                    head = f.read(2048)
            except OSError:
                continue
            if any(head[i : i + 8] == LVM_LABEL for i in range(0, len(head), 512)):
                return True
    return False


def activate(args: dict[str, Any]) -> None:
    """Activate the volume groups on the disks now attached, if there are any, and make
    their btrfs devices known to the kernel (udev does both elsewhere)."""
    if has_lvm_label():
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
