"""`guestbox copy-out GUESTPATH... LOCALDIR`: guest files and directories onto the host
(virt-copy-out), never writing outside LOCALDIR whatever the guest holds."""

from __future__ import annotations

import argparse
import contextlib
import os
import posixpath
import stat
import tempfile
import threading
from collections.abc import Callable

from ...copyio import Unpacker
from ...errors import Error
from ...handle import GuestFS
from ..toolopts import ToolError
from .registry import Tool, register
from .transfer import (
    Meter,
    add_guest_options,
    guest,
    host_errors,
    interactive,
    metered,
    progress_events,
    receive,
    shown,
)

PROG = "guestbox copy-out"
USAGE = "use 'copy-out <remote> [<remote>...] <localdir>' to copy files out of the image"

DOC = """\
Copy each GUESTPATH (directories recursively) into the host directory
LOCALDIR, as virt-copy-out (guestfish --ro -i copy-out): a file becomes
LOCALDIR/NAME, a directory LOCALDIR/NAME/... (the guest's / becomes LOCALDIR
itself).  The disks are opened read-only.  A GUESTPATH that is a symlink is
refused ("not a file or directory"), as virt-copy-out does.

Nothing is ever written outside LOCALDIR, whatever the guest holds.  The
guest's tarball is unpacked here in Python, never by the host's tar, and every
entry is checked: absolute names and names with '..' are refused, no entry is
written through a symlink (one already there is replaced, never followed),
symlinks are made as symlinks (their targets are not followed or checked: they
are data), hard links only to entries inside the copy, and device nodes and
FIFOs are not created.  Names are kept byte for byte (newlines, bytes that are
not UTF-8).  Modes are kept without the setuid, setgid and sticky bits, and
files belong to the user running the tool: virt-copy-out run as root makes
device nodes and keeps owners and set-id bits.  What was not copied is told,
one line each, after the rest of that GUESTPATH is copied; the exit status is
then 1.

The guest is mounted by inspection (-i), unless -m options say what to
mount.  A progress bar is drawn on stderr when it is a terminal.  LOCALDIR is
checked before the appliance starts.
"""


def options(p: argparse.ArgumentParser) -> None:
    p.usage = "%(prog)s [--options] -a DISK GUESTPATH [GUESTPATH ...] LOCALDIR"
    add_guest_options(p, writes=False)
    p.add_argument("paths", nargs="*", metavar="GUESTPATH... LOCALDIR",
                   help="guest files or directories, then the host directory")


@host_errors()
def run(ns: argparse.Namespace) -> int:
    if len(ns.paths) < 2:
        raise ToolError(USAGE)
    *remotes, localdir = ns.paths
    _check_target(localdir)
    with guest(ns, PROG, writes=False) as g:
        for remote in remotes:
            copy_out(g, remote, localdir)
    return 0


def _check_target(localdir: str) -> None:
    try:
        if stat.S_ISDIR(os.stat(localdir).st_mode):
            return
    except OSError:
        pass
    raise Error(f"target ‘{localdir}’ is not a directory")


def copy_out(g: GuestFS, remote: str, localdir: str) -> None:
    """remote into localdir, as libguestfs's copy_out decides: a regular file (not through
    a symlink) is downloaded, a directory is packed by tar_out and unpacked here.

    The name in localdir is remote's last component after '.' and '..' are resolved
    (libguestfs takes it as written: /dir/.. would land in LOCALDIR's parent).
    """
    is_file = g.is_file(remote)
    if not is_file and not g.is_dir(remote):
        raise Error(f"‘{remote}’ is not a file or directory")
    name = posixpath.basename(posixpath.normpath(remote)) or "."
    if is_file:
        _download(g, remote, localdir, name)
    else:
        _unpack(g, remote, localdir, name)


def _download(g: GuestFS, remote: str, localdir: str, name: str) -> None:
    """The file remote as localdir/name: written to a new file in localdir, then renamed
    over name (a symlink there is replaced, not followed; a directory is an error)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".guestbox-", dir=localdir)
    except OSError as e:
        raise ToolError(f"{localdir}: {e.strerror}") from None
    os.close(fd)
    try:
        with metered(remote) as meter, progress_events(g, meter):
            g.download(remote, tmp)
        try:
            os.replace(tmp, os.path.join(localdir, name))
        except OSError as e:
            raise ToolError(f"{shown(os.path.join(localdir, name))}: {e.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _unpack(g: GuestFS, remote: str, localdir: str, name: str) -> None:
    """The directory remote as localdir/name (tar_out's stream, checked entry by entry)."""
    total = g.du(remote) * 1024 if interactive() else None
    with metered(remote, total) as meter:
        problems = unpack(lambda path: g.tar_out(remote, path), localdir, name, meter)
    if problems:
        where = shown(os.path.join(localdir, name))
        raise ToolError("\n".join(f"{'' if i == 0 else PROG + ': '}{where}: not copied: "
                                  f"{shown(problem)}" for i, problem in enumerate(problems)))


def unpack(produce: Callable[[str], object], localdir: str, name: str,
           meter: Meter) -> list[str]:
    """Unpack the tarball produce(PATH) writes to PATH (a pipe) as localdir/name: through
    a Pump (the bar) into copyio's Unpacker, which checks every entry
    (copyio.extract_tar_safely); what it refused or could not make."""
    rfd, wfd = os.pipe()
    unpacker = Unpacker(rfd, localdir, name)
    thread = threading.Thread(target=unpacker.run, name="guestbox-unpack", daemon=True)
    thread.start()
    try:
        receive(produce, wfd, meter)  # closes wfd: the unpacker sees the end
    finally:
        thread.join()
    return unpacker.problems


register(Tool("copy-out", "virt-copy-out", "copy guest files and directories onto the host",
              DOC, options, run))
