"""`guestbox mount`: a guest's filesystems on a host directory, as guestmount (1.48).

    guestbox mount -a DISK [--format FMT] (-i | -m DEV[:MNT[:OPTS[:FSTYPE]]] ...)
                   [--ro] [-o FUSE_OPTION ...] [--no-fork] [--pid-file FILE]
                   [--dir-cache-timeout N] [-v] [-x] [--key ...] MOUNTPOINT

By default the command returns (status 0) only once the mount is ready, and a
background process serves it until `guestbox unmount`, `fusermount3 -u`,
SIGTERM or SIGINT; then it syncs the guest, closes the appliance and exits.
Anything that fails before the mount is ready is told on stderr, status 1,
with nothing left behind.  The process forks before anything else (QEMU, and
the threads the launcher starts, belong to the child); the child launches,
mounts, writes the pid file and its record (mountreg.py), leaves the session
and tells the parent through a pipe.  --no-fork (and -x, as guestmount) does
all of it in the foreground.  The FUSE mount is made with auto_unmount, so it
goes away even if the serving process is killed with SIGKILL.
Texts and statuses are guestmount's (its name too: `guestmount: ...`).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import stat
import sys
from collections.abc import Callable

from . import mountreg, toolopts
from .toolopts import FAILURES, ToolError
from .tools.registry import Tool, register

PROG = "guestmount"
"""The name before the messages, guestmount's (the texts are its own)."""
COMMAND = "guestbox mount"
READY = b"1"


def options(p: argparse.ArgumentParser) -> None:
    """guestmount's options."""
    toolopts.add_options(p)
    p.add_argument("-o", "--option", dest="fuse_options", action="append", default=[],
                   metavar="OPT", help="a FUSE mount option (allow_other, ...); repeatable")
    p.add_argument("--no-fork", dest="fork", action="store_false",
                   help="serve in the foreground")
    p.add_argument("--pid-file", metavar="FILE", help="write the serving process's pid to FILE")
    p.add_argument("--dir-cache-timeout", type=int, metavar="N",
                   help="seconds attributes and listings are cached (default 60)")
    p.add_argument("-n", "--no-sync", action="store_true",
                   help="accepted; guestbox always syncs when the mount ends")
    p.add_argument("--selinux", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    p.add_argument("mountpoint", nargs="*", metavar="MOUNTPOINT", help=argparse.SUPPRESS)


def run(ns: argparse.Namespace) -> int:
    """`guestbox mount`: guestmount's exit status; its messages after guestmount's name."""
    if ns.version:
        from .. import __version__

        print(f"{PROG} {__version__} (guestbox)")
        return 0
    _check(ns)
    if not ns.fork:
        return _serve(ns, None)
    return _background(ns)


def _check(ns: argparse.Namespace) -> None:
    """The options, checked as guestmount checks them, paths made absolute (the server
    leaves the caller's directory)."""
    toolopts.check(ns)
    if not ns.drives:
        raise toolopts.usage_error(COMMAND, "you must specify at least one -a or -d option.")
    if not (ns.mounts or ns.inspector):
        raise toolopts.usage_error(COMMAND, "you must specify either -i at least one -m option.")
    if len(ns.mountpoint) != 1:
        raise ToolError("you must specify a mountpoint in the host filesystem")
    ns.mountpoint = os.path.abspath(ns.mountpoint[0])
    try:
        if not stat.S_ISDIR(os.stat(ns.mountpoint).st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
    except OSError as e:
        raise ToolError(f"failed to access mountpoint {ns.mountpoint}: {e.strerror}") from None
    ns.drives = [(os.path.abspath(path), fmt) for path, fmt in ns.drives]
    if ns.pid_file is not None:
        ns.pid_file = os.path.abspath(ns.pid_file)
    if ns.trace:  # as guestmount: -x traces the FUSE requests too, in the foreground
        ns.fork = False
    ns.fuse_options = fuse_options(ns.fuse_options)


def fuse_options(given: list[str]) -> list[str]:
    """The -o options, each split at its commas (as mount(8) takes them); FUSE 2's
    `nonempty` is dropped: FUSE 3 always mounts over a non-empty directory, and
    refuses the option."""
    return [o for opt in given for o in opt.split(",") if o and o != "nonempty"]


def _serve(ns: argparse.Namespace, notify: Callable[[], None] | None) -> int:
    """Launch, mount, tell that the mount is ready (notify), serve until unmounted; the
    exit status.  The pid file and the record are written before the FUSE mount is made
    (a failure there leaves nothing to undo) and removed once the handle is closed."""
    record = pid_file = None
    try:
        with toolopts.opened(ns, PROG) as g:
            try:
                if ns.pid_file is not None:
                    pid_file = _write_pid_file(ns.pid_file)
                record = mountreg.register(os.path.realpath(ns.mountpoint))
            except OSError as e:
                raise ToolError(f"{e.filename}: {e.strerror}" if e.filename else str(e)
                                ) from None
            timeout = ns.dir_cache_timeout if (ns.dir_cache_timeout or 0) > 0 else None
            g.mount_local(ns.mountpoint, readonly=ns.readonly,
                          options=",".join(ns.fuse_options) or None,
                          cachetimeout=timeout, debugcalls=ns.trace)
            if notify is not None:
                notify()
            g.mount_local_run()
        return 0
    except FAILURES as e:
        return toolopts.report(PROG, e)
    finally:
        if record is not None:
            mountreg.unregister(record)
        if pid_file is not None:
            with contextlib.suppress(OSError):
                os.unlink(pid_file)


def _write_pid_file(path: str) -> str:
    with open(path, "w") as f:
        f.write(f"{os.getpid()}\n")
    return path


def _background(ns: argparse.Namespace) -> int:
    """Fork: the child serves (_child); the parent returns 0 once it is told the mount is
    ready, else 1 once the child (which told what went wrong) has exited."""
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _child(ns, w)
    os.close(w)
    try:
        with os.fdopen(r, "rb") as f:
            ready = f.read(1) == READY
        if ready:
            return 0
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            sig = signal.Signals(os.WTERMSIG(status)).name
            print(f"{PROG}: the mount process was killed ({sig})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the caller gave up: so does the child (it closes its handle)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        raise


def _child(ns: argparse.Namespace, w: int) -> None:
    """The serving process.  Until the mount is ready it keeps the caller's terminal,
    session and standard streams (errors are told there, passphrases asked there, and
    Ctrl-C stops both processes); then it leaves the session and the streams become
    /dev/null (a caller reading our output sees its end when the parent exits)."""
    status = 1
    try:
        os.chdir("/")

        def ready() -> None:
            sys.stdout.flush()
            sys.stderr.flush()
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.close(null)
            os.write(w, READY)
            os.close(w)

        status = _serve(ns, ready)
    except BaseException as e:  # noqa: B036 - the child never returns into the caller's code
        if not isinstance(e, SystemExit | KeyboardInterrupt):
            import traceback

            traceback.print_exc()
        status = e.code if isinstance(e, SystemExit) and isinstance(e.code, int) else 1
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


TOOL = register(Tool(
    "mount", PROG, "mount a guest's filesystems on a host directory (FUSE)", __doc__ or "",
    options, run, usage=f"{COMMAND} [--options] -a DISK (-i | -m DEV ...) MOUNTPOINT",
    speaks_as=PROG))
