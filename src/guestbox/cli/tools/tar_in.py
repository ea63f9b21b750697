"""`guestbox tar-in TARBALL GUESTDIR`: unpack a host tarball into a guest (virt-tar-in)."""

from __future__ import annotations

import argparse
import os
import stat
from typing import Any

from ...errors import Error
from ...handle import GuestFS
from .registry import Tool, register
from .transfer import (
    add_compression,
    add_guest_options,
    compression,
    fish_args,
    guest,
    host_errors,
    metered,
    progress_events,
    send,
)

PROG = "guestbox tar-in"

DOC = """\
Unpack TARBALL ('-': standard input) into the guest directory GUESTDIR, which
must exist, as virt-tar-in (guestfish --rw -i tar-in).  The tarball is unpacked
by GNU tar in the appliance, as root: owners, modes and times are kept.

A compressed tarball needs its compression named: --gzip, --bzip2, --xz,
--zstd or --lzop, or guestfish's optional arguments after GUESTDIR, which
virt-tar-in passes on: compress:gzip, xattrs:true, selinux:true, acls:true.

The guest is mounted by inspection (-i), unless -m options say what to mount.
The disks are opened read-write: --ro is refused.  A progress bar is drawn on
stderr when it is a terminal.  TARBALL is opened before the appliance starts.
"""


def options(p: argparse.ArgumentParser) -> None:
    p.usage = "%(prog)s [--options] -a DISK TARBALL|- GUESTDIR [NAME:VALUE ...]"
    add_guest_options(p, writes=True)
    add_compression(p)
    p.add_argument("words", nargs="*", metavar="TARBALL GUESTDIR [NAME:VALUE ...]",
                   help="the tarball ('-': stdin), the guest directory, then guestfish's "
                   "optional arguments of tar-in")


@host_errors()
def run(ns: argparse.Namespace) -> int:
    args = compression(ns, fish_args("tar_in", ns.words, PROG))
    tarball = args.pop("tarfile")
    fd = _open(tarball)
    try:
        with guest(ns, PROG, writes=True) as g:
            owned, fd = fd, -1  # tar_in closes it
            tar_in(g, tarball, owned, args)
            g.shutdown()
    finally:
        if fd >= 0:
            os.close(fd)
    return 0


def _open(tarball: str) -> int:
    if tarball == "-":
        return os.dup(0)
    try:
        return os.open(tarball, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise Error(f"open: {tarball}: {e.strerror}", e.errno) from None


def tar_in(g: GuestFS, tarball: str, fd: int, args: dict[str, Any]) -> None:
    """Unpack from fd (closed here): a regular file is handed over by name (big ones go
    through a transfer disk; the handle reports progress), anything else (stdin, a pipe)
    through a Pump that counts it."""
    if stat.S_ISREG(os.fstat(fd).st_mode) and tarball != "-":
        os.close(fd)
        with metered(tarball) as meter, progress_events(g, meter):
            g.tar_in(tarball, **args)
        return
    with metered(tarball) as meter:
        send(lambda path: g.tar_in(path, **args), fd, meter)


register(Tool("tar-in", "virt-tar-in", "unpack a host tarball into a guest directory",
              DOC, options, run))
