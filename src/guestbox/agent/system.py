"""Appliance-wide actions: mounting the pseudo filesystems, loading modules, power off."""

from __future__ import annotations

import ctypes
import logging
import os

from .context import run
from .paths import SYSROOT

log = logging.getLogger(__name__)
_libc = ctypes.CDLL(None, use_errno=True)
SYS_FINIT_MODULE = 313  # x86_64
RB_POWER_OFF = 0x4321FEDC


def mount_pseudo() -> None:
    """/proc, /sys, /dev, /run, /tmp: what the tools expect to find."""
    for target, fstype, opts in (
        ("/proc", "proc", ""),
        ("/sys", "sysfs", ""),
        ("/dev", "devtmpfs", "mode=0755"),
        ("/run", "tmpfs", "mode=0755"),
        ("/tmp", "tmpfs", "mode=1777"),
        ("/dev/pts", "devpts", ""),
    ):
        os.makedirs(target, exist_ok=True)
        if _libc.mount(fstype.encode(), target.encode(), fstype.encode(), 0, opts.encode()) != 0:
            log.warning("mount %s: %s", target, os.strerror(ctypes.get_errno()))
    os.makedirs(SYSROOT, exist_ok=True)
    os.makedirs("/run/lock/lvm", exist_ok=True)
    if not os.path.exists("/dev/fd"):
        os.symlink("/proc/self/fd", "/dev/fd")


def load_modules(listfile: str = "/etc/guestbox/modules") -> None:
    """Load the kernel modules named in listfile, in order (dependencies first)."""
    with open(listfile) as f:
        paths = [line.strip() for line in f if line.strip()]
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            if _libc.syscall(SYS_FINIT_MODULE, fd, b"", 0) != 0:
                e = ctypes.get_errno()
                if e != 17:  # EEXIST: built in or already loaded
                    log.warning("loading %s: %s", path, os.strerror(e))
        finally:
            os.close(fd)
        os.unlink(path)  # loaded once and for all: its RAM (and saved state) is better spent


LVM_LABEL = b"LABELONE"


def lvm_label_in(head: bytes) -> bool:
    """True if head, the start of a device, holds an LVM physical volume label (it is in
    one of the first four sectors)."""
    return any(head[i : i + 8] == LVM_LABEL for i in range(0, min(len(head), 2048), 512))


def device_has_lvm_label(device: str) -> bool:
    """True if device carries an LVM physical volume label: reading its first sectors is
    much cheaper than running LVM under emulation."""
    try:
        with open(device, "rb") as f:
            return lvm_label_in(f.read(2048))
    except OSError:
        return False


def activate_storage() -> None:
    """Find volume groups on the guest disks and activate them, as libguestfs does at launch."""
    try:
        run(["lvm", "vgchange", "-aay", "--sysinit"])
    except Exception as e:  # noqa: BLE001 - no LVM on the disks is normal
        log.info("vgchange: %s", e)


def umount_everything() -> None:
    """Unmount all guest filesystems (deepest first) and sync, before power off."""
    os.sync()
    with open("/proc/mounts") as f:
        targets = [line.split()[1] for line in f if line.split()[1].startswith(SYSROOT)]
    for t in sorted(targets, key=len, reverse=True):
        try:
            run(["umount", t])
        except Exception as e:  # noqa: BLE001 - keep going; sync below still flushes
            log.warning("umount %s: %s", t, e)
    os.sync()


def poweroff() -> None:
    os.sync()
    _libc.reboot(RB_POWER_OFF)
    os._exit(0)
