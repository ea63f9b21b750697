"""mount_local, mount_local_run and umount_local: one FUSE mount per process (pyfuse3's limit).

The mount is made with libfuse's auto_unmount, so that if the serving process
dies (even by SIGKILL) fusermount3 takes the mount away instead of leaving a
dead "transport endpoint is not connected" directory.  The agent's umask is 0
while mounted: the kernel has already applied the caller's.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import signal
import subprocess
import threading
import time
from typing import Any

import pyfuse3
import trio

from ..errors import Error, StateError
from .ops import GuestOperations

RETRIES = 5
READ_AHEAD_KB = 8192


@dataclasses.dataclass
class Mount:
    """The process's mount: its handle, directory and operations."""

    g: Any
    mountpoint: str
    ops: GuestOperations
    umask: int | None  # the agent's umask before the mount, restored after


_active: Mount | None = None
_lock = threading.Lock()


def mounted(g: Any) -> Mount | None:
    """g's mount, if it has one."""
    with _lock:
        return _active if _active is not None and _active.g is g else None


def mount_local(g: Any, localmountpoint: str, readonly: bool, options: str | None,
                cachetimeout: int, debugcalls: bool) -> None:
    global _active
    op = "mount_local"
    if not g.is_ready():
        raise StateError(f"{op}: call launch before using this function")
    if cachetimeout < 0:
        raise Error(f"{op}: cachetimeout must not be negative", errno.EINVAL)
    if not os.path.isdir(localmountpoint):
        raise Error(f"{op}: {localmountpoint}: the mount point must be an existing directory",
                    errno.ENOTDIR)
    readonly = readonly or g._readonly
    opts = set(pyfuse3.default_options) | {"fsname=guestbox", "subtype=guestbox",
                                           "auto_unmount"}
    if readonly:
        opts.add("ro")
    opts.update(o.strip() for o in (options or "").split(",") if o.strip())
    with _lock:
        if _active is not None:
            raise Error(f"{op}: filesystem is already mounted in another thread "
                        f"(at {_active.mountpoint}); guestbox serves one mount per process",
                        errno.EBUSY)
        ops = GuestOperations(g, readonly, cachetimeout, debugcalls)
        umask = None if readonly else g.umask(0)
        try:
            pyfuse3.init(ops, localmountpoint, opts)
        except RuntimeError as e:
            if umask is not None:
                g.umask(umask)
            raise Error(f"{op}: fuse_mount failed: {localmountpoint}: {e}", errno.EIO) from None
        _active = Mount(g, os.path.abspath(localmountpoint), ops, umask)
    g._debug(f"{op}: mounted {localmountpoint} with {','.join(sorted(opts))}")


async def _kernel_read_ahead(ops: GuestOperations, mountpoint: str) -> None:
    """Let the kernel read ahead READ_AHEAD_KB on the mount (root only; 128 KiB otherwise).

    The kernel asks for at most its readahead window at a time: 128 KiB requests
    by default, up to 1 MiB with a larger window.  It sets the window when FUSE's
    INIT is answered, so this waits for that.  The device number comes from
    mountinfo: a stat of the mountpoint would be a request to this very loop.
    """
    while not ops.initialized:
        await trio.sleep(0.01)
    await trio.sleep(0)  # the INIT reply goes out right after ops.init() returns
    try:
        with open("/proc/self/mountinfo") as f:
            devs = [x[2] for x in map(str.split, f) if x[4] == mountpoint]
        if devs:
            with open(f"/sys/class/bdi/{devs[-1]}/read_ahead_kb", "w") as f:
                f.write(str(READ_AHEAD_KB))
    except OSError:
        pass


def mount_local_run(g: Any) -> None:
    global _active
    m = mounted(g)
    if m is None:
        raise Error("mount_local_run: you must call guestfs_mount_local first", errno.EINVAL)
    in_main = threading.current_thread() is threading.main_thread()
    try:
        trio.run(_serve, m, in_main)
    finally:
        try:
            pyfuse3.close(unmount=True)
        finally:
            with _lock:
                _active = None
            _settle(m)


async def _serve(m: Mount, signals: bool) -> None:
    """pyfuse3's loop until unmounted or told to stop; then the pending writes are sent."""
    async with trio.open_nursery() as nursery:
        if signals:
            nursery.start_soon(_stop_on_signals)
        nursery.start_soon(_kernel_read_ahead, m.ops, m.mountpoint)
        nursery.start_soon(m.ops.ahead.run)
        await pyfuse3.main()
        nursery.cancel_scope.cancel()
    await m.ops.flush_all()


async def _stop_on_signals() -> None:
    """Stop serving on SIGINT, SIGTERM or SIGHUP, unless inherited as ignored (nohup), as
    libfuse's own handlers do."""
    wanted = [s for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
              if signal.getsignal(s) is not signal.SIG_IGN]
    if not wanted:
        return
    with trio.open_signal_receiver(*wanted) as signals:
        async for _ in signals:
            pyfuse3.terminate()
            return


def _settle(m: Mount) -> None:
    """After serving: the agent's umask back, the guest's filesystems synced."""
    if m.g.is_ready():
        if m.umask is not None:
            m.g.umask(m.umask)
        m.g.sync()


def umount_local(g: Any, retry: bool) -> None:
    m = mounted(g)
    if m is None:
        raise Error("umount_local: no filesystem is mounted", errno.EINVAL)
    unmount(m.mountpoint, RETRIES if retry else 1)


def unmount(mountpoint: str, tries: int) -> None:
    """fusermount3 -u, tried `tries` times a second apart while the mount is busy."""
    for attempt in range(tries):
        p = subprocess.run(["fusermount3", "-u", mountpoint], capture_output=True, text=True)
        if p.returncode == 0:
            return
        if attempt + 1 < tries:
            time.sleep(1)
    raise Error(f"umount_local: {p.stderr.strip() or 'fusermount3 failed'}", errno.EBUSY)
