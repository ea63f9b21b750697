"""The options every libguestfs virt tool takes, and opening the guest they describe.

`add_options` puts them on an argparse parser (each tool says which it wants):
-a/--add DISK (repeatable), --format[=FMT] (for the -a after it; alone: detect
again), -i/--inspector, -m/--mount DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]
(repeatable), --ro/-r and --rw/-w, -v/--verbose, -x (trace), --key
ID:key:KEY|ID:file:FILE (repeatable), --keys-from-stdin, --echo-keys; -d and -c
(libvirt) are refused with a hint.  `check` does libguestfs-common's checks
once they are read, `opened` makes the handle: drives added, launched, LUKS
opened, the guest mounted as -i (toolmount.inspect_mount) or each -m says, and
closed when the block ends, however it ends.  Texts are the tools': a tool's own
messages `PROG: message`, library errors `libguestfs: error: message`, exit 1.

With a ToolParser, option errors are raised as ToolError (exit 1, as getopt's);
with a plain parser they go through parser.error (argparse's exit 2).  A tool:

    p = ToolParser(prog="guestbox cat")        # the command, for `Try ... --help`
    toolopts.add_options(p, readonly=False)
    try:
        ns = p.parse_args(argv)
        toolopts.check(ns)
        with toolopts.opened(ns, "virt-cat", readonly=True) as g:
            ...
    except toolopts.FAILURES as e:
        return toolopts.report("virt-cat", e)
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NoReturn

from ..errors import Error
from ..handle import GuestFS
from .shell.keys import KeyProblem, key_of, parse_selector, settings
from .toolmount import (
    MountSpec,
    inspect_mount,
    key_problem,
    mount_specs,
)


class ToolError(Exception):
    """A failure that ends the tool with status 1.  message: what to print after `PROG: `;
    None when everything has been told already."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message


class ToolParser(argparse.ArgumentParser):
    """An argparse parser whose errors are ToolError, told as getopt's: the message, then
    `Try ‘COMMAND --help’ for more information.` (COMMAND: the parser's prog, the command
    as the user types it, `guestbox mount`)."""

    def error(self, message: str) -> NoReturn:
        raise ToolError(f"{message}\n{try_help(self.prog)}")


def try_help(command: str) -> str:
    return f"Try ‘{command} --help’ for more information."


def usage_error(command: str, message: str) -> ToolError:
    """A missing option, told as the tools do: `PROG: error: MESSAGE` and the --help hint."""
    return ToolError(f"error: {message}\n{try_help(command)}")


def _fail(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    """An option's own error: bare with a ToolParser (as the tools'), else parser.error."""
    if isinstance(parser, ToolParser):
        raise ToolError(message)
    parser.error(message)


# -- the options -----------------------------------------------------------------------
class _AddDrive(argparse.Action):
    """-a DISK: the drive with the --format given before it (None: detect)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.drives = [*(ns.drives or []), (value, ns.format)]
        ns.format_pending = False


class _Format(argparse.Action):
    """--format[=FMT]: the format of the -a that follow; without FMT (or with `auto`, as
    the OCaml tools write it), detect again."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.format = None if value in (None, "", "auto") else value
        ns.format_pending = True


class _Mount(argparse.Action):
    """-m DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]], in command-line order."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.mounts = [*(ns.mounts or []), MountSpec.parse(value)]


class _Key(argparse.Action):
    """--key ID:key:KEY | ID:file:FILENAME, as the shell's (a key file is read now)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        try:
            id_, kind, text = parse_selector(value)
            ns.keys = [*(ns.keys or []), (id_, key_of(kind, text))]
        except KeyProblem as e:
            _fail(parser, str(e))


class _ReadWrite(argparse.Action):
    """--rw/-w: refused after --ro (libguestfs-common's OPTION_w); --ro after it wins."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        if ns.readonly:
            _fail(parser, "cannot mix --ro and --rw options")


class _Libvirt(argparse.Action):
    """-d/--domain and -c/--connect: libvirt guests, which guestbox does not reach."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        _fail(parser, f"{option}: libvirt guests are not supported by guestbox; "
                      "add the disk images with -a")


def add_options(p: argparse.ArgumentParser, *, inspector: bool = True, mount: bool = True,
                readonly: bool = True, verbose: bool = True, keys: bool = True,
                libvirt: bool = True, drives: bool = True) -> None:
    """Add the virt tools' common options to p (-a and --format always; the others if asked).

    drives=False is for the tools whose disks are arguments (virt-sparsify INDISK ...):
    no -a, and --format FMT is simply the format of those disks.

    The namespace gets: drives [(path, format or None)], format_pending, inspector,
    mounts [MountSpec], readonly, verbose, trace, keys [(id, key)], keys_from_stdin,
    echo_keys (each present whether or not its option was added).
    """
    if drives:
        p.add_argument("-a", "--add", action=_AddDrive, metavar="DISK",
                       help="a disk image; repeat for each disk")
        p.add_argument("--format", action=_Format, nargs="?", metavar="FMT",
                       help="the format (raw, qcow2 ...) of the -a that follow; "
                       "--format alone: detect it again")
    else:
        p.add_argument("--format", metavar="FMT",
                       help="the format (raw, qcow2 ...) of the input disk (default: detect)")
    if inspector:
        p.add_argument("-i", "--inspector", action="store_true",
                       help="inspect the disks and mount the operating system's filesystems")
    if mount:
        p.add_argument("-m", "--mount", action=_Mount, metavar="DEV[:MNT[:OPTS[:FSTYPE]]]",
                       dest="mounts", help="mount DEV on MNT (default /) in the guest; "
                       "repeatable")
    if readonly:
        p.add_argument("-r", "--ro", dest="readonly", action="store_true",
                       help="add the disks read-only, mount read-only")
        p.add_argument("-w", "--rw", nargs=0, action=_ReadWrite,
                       help="read-write (the default)")
    if verbose:
        p.add_argument("-v", "--verbose", action="store_true", help="verbose messages")
        p.add_argument("-x", "--trace", dest="trace", action="store_true",
                       help="trace each library call on stderr")
    if keys:
        p.add_argument("--key", action=_Key, metavar="SELECTOR",
                       help="a LUKS key: ID:key:KEY or ID:file:FILENAME (ID: a device or a "
                       "LUKS UUID); repeatable")
        p.add_argument("--keys-from-stdin", action="store_true",
                       help="read the passphrases from stdin, one line each")
        p.add_argument("--echo-keys", action="store_true",
                       help="do not turn off echo when asking for passphrases")
    if libvirt:
        for flags in (("-d", "--domain"), ("-c", "--connect")):
            p.add_argument(*flags, action=_Libvirt, help=argparse.SUPPRESS)
    p.set_defaults(drives=None, format=None, format_pending=False, inspector=False,
                   mounts=None, readonly=False, verbose=False, trace=False, keys=None,
                   keys_from_stdin=False, echo_keys=False)


class _Version(argparse.Action):
    """-V/--version: `PROG VERSION` on stdout, exit status 0."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        from .. import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit(0)


def add_version(p: argparse.ArgumentParser) -> None:
    """-V/--version, as every virt tool has."""
    p.add_argument("-V", "--version", action=_Version, nargs=0,
                   help="print the version and exit")


def check(ns: argparse.Namespace, access: bool = True) -> None:
    """libguestfs-common's checks of the options read (ToolError): --format must come
    before an -a; with access, each -a must be readable (option_a's `access: PATH: ...`)."""
    if ns.format_pending:
        raise ToolError("--format parameter must appear before -a parameter")
    for path, _ in ns.drives or []:
        if access and not isinstance(path, int) and not os.access(path, os.R_OK):
            try:
                os.stat(path)
                reason = os.strerror(errno.EACCES)  # it exists, but cannot be read
            except OSError as e:
                reason = e.strerror or str(e)
            raise ToolError(f"access: {path}: {reason}")


# -- the handle --------------------------------------------------------------------------
Setup = Callable[[GuestFS], None]
"""Configures a handle before its disks are added and it is launched (see `opened`)."""


@contextlib.contextmanager
def opened(ns: argparse.Namespace, prog: str, readonly: bool | None = None,
           setup: Setup | None = None, drive_options: Sequence[Mapping[str, Any]] = ()
           ) -> Iterator[GuestFS]:
    """A launched handle on ns's disks with the guest mounted as -i and -m say.

    readonly: add the disks read-only (default: --ro).  setup(g), if given, configures
    the handle before the disks are added (memory, network ...).  drive_options: more
    add_drive_opts arguments for the first drives, one mapping each (discard,
    cachemode, a readonly of its own ...).  A drive whose path is an int is a scratch
    disk of that many bytes (virt-rescue's --scratch).  The handle is closed when the
    block ends, however it ends: SIGTERM and SIGHUP end it as Ctrl-C does (in the main
    thread), so QEMU never outlives the tool.  Failures: ToolError (told already),
    KeyProblem and guestbox.Error (for `report`).
    """
    ro = bool(ns.readonly) if readonly is None else readonly
    settings.from_stdin, settings.echo = ns.keys_from_stdin, ns.echo_keys
    with signals_end_tool():
        g = GuestFS()
        try:
            if ns.verbose:  # else as the environment says (LIBGUESTFS_DEBUG, _TRACE)
                g.set_verbose(True)
            if ns.trace:
                g.set_trace(True)
            if setup is not None:
                setup(g)
            for i, (path, fmt) in enumerate(ns.drives or []):
                if isinstance(path, int):
                    g.add_drive_scratch(path)
                    continue
                more = dict(drive_options[i]) if i < len(drive_options) else {}
                g.add_drive_opts(path, **{"readonly": ro, "format": fmt, **more})
            for id_, key in ns.keys or []:
                g.set_luks_key(id_, key)
            g.launch()
            if ns.inspector:
                if inspect_mount(g, ns.keys or [], ro, prog) is None:
                    raise ToolError()
            elif ns.keys:
                g.inspect_decrypt()  # -m may name the opened devices (/dev/mapper/luks-UUID)
            if not mount_specs(g, ns.mounts or [], ro, prog):
                raise ToolError()
            yield g
        finally:
            g.close()


@contextlib.contextmanager
def signals_end_tool() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit(128 + signal) while the block runs (in the main
    thread: elsewhere Python cannot catch signals), so `finally` blocks run as for Ctrl-C.
    A signal inherited as ignored (nohup) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)
           if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def report(prog: str, e: Exception) -> int:
    """Tell a failure as the tools do; the exit status (1)."""
    if isinstance(e, ToolError):
        if e.message:
            print(f"{prog}: {e.message}", file=sys.stderr)
    elif isinstance(e, KeyProblem):
        print(key_problem(prog, e), file=sys.stderr)
    elif isinstance(e, Error):
        print(f"libguestfs: error: {e}", file=sys.stderr)
    else:
        raise e
    sys.stderr.flush()
    return 1


FAILURES = (ToolError, KeyProblem, Error)
"""What `report` tells: catch these around `opened` and the tool's work."""
