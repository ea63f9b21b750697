"""Which process serves which FUSE mount: one small record per mount, in a per-user directory.

`guestbox mount` writes its record once the mount is ready and removes it when
it has finished (handle closed, QEMU gone); `guestbox unmount --wait` reads it
to know which process to wait for.  A record is named after a hash of the
mountpoint's real path and holds JSON: {"pid", "start", "mountpoint"}, where
start is the process's start time (/proc/PID/stat), so that a record left by a
killed process is never taken for a new process that got the same pid.

The directory is $XDG_RUNTIME_DIR/guestbox-mounts when that is set, else
/tmp/.guestbox-mounts-EUID; it is made 0700 and refused if anyone else owns it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import select
import stat
import time


@dataclasses.dataclass(frozen=True)
class Server:
    """A process serving a mount: its pid and start time (clock ticks after boot)."""

    pid: int
    start: int

    def alive(self) -> bool:
        """Whether this very process still runs (not another one that reused the pid)."""
        return start_time(self.pid) == self.start

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the process has ended; False if it still runs after timeout seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            fd = os.pidfd_open(self.pid)
        except OSError:
            return True  # gone already
        try:
            if not self.alive():  # the pid was reused before pidfd_open
                return True
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if poller.poll(None if left is None else int(left * 1000) + 1):
                    return True
                if left is not None and left <= 0:
                    return False
        finally:
            os.close(fd)


def start_time(pid: int) -> int | None:
    """The start time of process pid (field 22 of /proc/PID/stat), None if there is none."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):  # ended, waiting to be reaped
        return None
    return int(fields[19])


def directory() -> str:
    """The per-user directory of the records (created 0700; refused if not the user's own)."""
    euid = os.geteuid()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    d = (os.path.join(runtime, "guestbox-mounts") if runtime and os.path.isdir(runtime)
         else f"/tmp/.guestbox-mounts-{euid}")
    with contextlib.suppress(FileExistsError):
        os.mkdir(d, 0o700)
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o700 or st.st_uid != euid:
        raise PermissionError(f"{d}: not a directory, or has an insecure owner or mode")
    return d


def record_path(mountpoint: str) -> str:
    """The record of the mount at mountpoint (a real path)."""
    name = hashlib.sha256(os.fsencode(mountpoint)).hexdigest()[:32]
    return os.path.join(directory(), name)


def register(mountpoint: str) -> str:
    """Record this process as the server of mountpoint (a real path); the record's path.
    Records of processes that are gone (killed) are removed on the way."""
    path = record_path(mountpoint)
    _sweep(os.path.dirname(path))
    me = os.getpid()
    data = {"pid": me, "start": start_time(me), "mountpoint": mountpoint}
    tmp = f"{path}.{me}"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)
    return path


def unregister(path: str) -> None:
    """Remove this process's record (if it is still this process's)."""
    with contextlib.suppress(OSError, ValueError):
        with open(path) as f:
            if json.load(f).get("pid") != os.getpid():
                return
        os.unlink(path)


def server_of(mountpoint: str) -> Server | None:
    """The live process recorded as serving mountpoint (a real path), if there is one."""
    found = _read(record_path(mountpoint))
    if found is None or found[1] != mountpoint:
        return None
    return found[0]


def _read(path: str) -> tuple[Server, str] | None:
    """The live server a record names, and its mountpoint (None: no record, or its
    process is gone)."""
    try:
        with open(path) as f:
            data = json.load(f)
        server = Server(int(data["pid"]), int(data["start"]))
        mountpoint = str(data["mountpoint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (server, mountpoint) if server.alive() else None


def _sweep(d: str) -> None:
    """Remove the records of processes that are gone."""
    for name in os.listdir(d):
        path = os.path.join(d, name)
        if "." not in name and _read(path) is None:
            with contextlib.suppress(OSError):
                os.unlink(path)
