"""`guestbox unmount`: take a FUSE mount away, as guestunmount (1.48), optionally waiting.

    guestbox unmount [--wait] [--no-retry] [--retry N] [-q] [-v] MOUNTPOINT

Runs `fusermount3 -u MOUNTPOINT`; while the mount is busy it tries again after
1, 2, 4 ... seconds (5 retries by default, as guestunmount).  Exit status as
guestunmount documents it: 0 unmounted, 1 a program error, 2 still mounted after
the retries (fusermount3's message and `fuser -v -m` tell why), 3 not mounted.
Unlike guestunmount 1.48, "not mounted" is found from /proc/self/mountinfo
before anything is tried (fusermount3 3.x's message is not the one it parsed, so
it retried for 31 seconds and said 2), and a mount that is not FUSE is refused
(fusermount3, run as root, would unmount it).  --wait then waits until the
process that served the mount (guestbox mount's record, mountreg.py) has
exited: its guest synced and QEMU gone, the image file free to be opened again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

from . import mountreg
from .toolopts import ToolError
from .tools.registry import Tool, register

PROG = "guestunmount"
"""The name before the messages, guestunmount's (the texts are its own)."""
COMMAND = "guestbox unmount"
DEFAULT_RETRIES = 5
NOT_MOUNTED, BUSY = 3, 2


def options(p: argparse.ArgumentParser) -> None:
    """guestunmount's options."""
    p.add_argument("--wait", action="store_true",
                   help="return only once the serving process has exited")
    p.add_argument("--no-retry", dest="retries", action="store_const", const=0,
                   help="try fusermount3 once")
    p.add_argument("--retry", dest="retries", metavar="N",
                   help=f"retry N times while busy (default {DEFAULT_RETRIES})")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print fusermount errors")
    p.add_argument("-v", "--verbose", action="store_true", help="verbose messages")
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    p.add_argument("mountpoint", nargs="*", metavar="MOUNTPOINT", help=argparse.SUPPRESS)
    p.set_defaults(retries=DEFAULT_RETRIES)


def run(ns: argparse.Namespace) -> int:
    """`guestbox unmount`: guestunmount's exit status."""
    if ns.version:
        from .. import __version__

        print(f"{PROG} {__version__} (guestbox)")
        return 0
    retries = _retries(ns.retries)
    if len(ns.mountpoint) != 1:
        raise ToolError("you must specify a mountpoint in the host filesystem")
    mountpoint = ns.mountpoint[0]
    real = os.path.realpath(mountpoint)
    server = _server(real) if ns.wait else None
    status = unmount(mountpoint, real, retries, ns.quiet, ns.verbose)
    if server is not None and status in (0, NOT_MOUNTED):
        if ns.verbose:
            print(f"{PROG}: waiting for process {server.pid} to exit", file=sys.stderr)
        server.wait()
    return status


def _server(real: str) -> mountreg.Server | None:
    """The process serving the mount at real, as its record says (None if unknown)."""
    try:
        return mountreg.server_of(real)
    except OSError as e:  # no usable record directory: nothing to wait for
        print(f"{PROG}: --wait: {e}", file=sys.stderr)
        return None


def _retries(value: object) -> int:
    """--retry N: 0 to 63, as guestunmount."""
    try:
        n = int(str(value))
        if 0 <= n < 64:
            return n
    except ValueError:
        pass
    raise ToolError(f"cannot parse retries option or value is too large ‘{value}’")


def unmount(mountpoint: str, real: str, retries: int, quiet: bool = False,
            verbose: bool = False) -> int:
    """fusermount3 -u mountpoint (real: its real path), retried while busy; the status."""
    error = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(1 << (attempt - 1))
        kind = mount_type(real)
        if kind is None:
            if not quiet:
                print(f"{PROG}: {mountpoint} is not mounted", file=sys.stderr)
            return NOT_MOUNTED
        if not kind.startswith("fuse"):
            if not quiet:
                print(f"{PROG}: {mountpoint} is not a FUSE mount ({kind}): not unmounted",
                      file=sys.stderr)
            return 1
        if verbose:
            print(f"{PROG}: running: fusermount3 -u {mountpoint}", file=sys.stderr)
        try:
            p = subprocess.run(["fusermount3", "-u", mountpoint], capture_output=True,
                               text=True, env=dict(os.environ, LC_ALL="C"))
        except OSError as e:
            print(f"{PROG}: could not run fusermount3: {e.strerror}", file=sys.stderr)
            return 1
        if p.returncode == 0:
            if verbose:
                print(f"{PROG}: fusermount successful", file=sys.stderr)
            return 0
        error = (p.stdout + p.stderr).strip()
        if verbose:
            print(error, file=sys.stderr)
    if not quiet:
        print(f"{PROG}: failed to unmount {mountpoint}: {error}", file=sys.stderr, flush=True)
        _fuser(mountpoint)
    return BUSY


def _fuser(mountpoint: str) -> None:
    """`fuser -v -m`: who keeps the mount busy (for information; its output on stderr)."""
    fuser = shutil.which("fuser") or next(
        (p for p in ("/bin/fuser", "/usr/bin/fuser", "/sbin/fuser") if os.access(p, os.X_OK)),
        None)
    if fuser is not None:
        subprocess.run([fuser, "-v", "-m", mountpoint], stdout=sys.stderr, stderr=sys.stderr,
                       check=False)


def mount_type(path: str) -> str | None:
    """The filesystem type mounted at path (a real path), from /proc/self/mountinfo (the
    last mount there: the one on top); None if nothing is mounted there."""
    found = None
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            if _unescape(fields[4]) == path:
                found = fields[sep + 1]
    return found


def _unescape(field: str) -> str:
    r"""mountinfo's octal escapes (\040 for a space, ...) undone."""
    if "\\" not in field:
        return field
    out = bytearray()
    raw = os.fsencode(field)
    i = 0
    while i < len(raw):
        if raw[i] == 0x5C and i + 3 < len(raw) and raw[i + 1:i + 4].isdigit():
            out.append(int(raw[i + 1:i + 4], 8))
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return os.fsdecode(bytes(out))


TOOL = register(Tool("unmount", PROG, "unmount what guestbox mount mounted", __doc__ or "",
                     options, run, usage=f"{COMMAND} [--options] MOUNTPOINT", speaks_as=PROG))
