"""`guestbox tar-out GUESTDIR TARBALL`: pack a guest directory into a host tarball
(virt-tar-out); nothing is written on the host but TARBALL."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ...handle import GuestFS
from .registry import Tool, register
from .transfer import (
    add_compression,
    add_guest_options,
    compression,
    fish_args,
    guest,
    host_errors,
    interactive,
    metered,
    output_file,
    receive,
)

PROG = "guestbox tar-out"

DOC = """\
Pack the guest directory GUESTDIR into TARBALL ('-': standard output), as
virt-tar-out (guestfish --ro -i tar-out).  The tarball is made by GNU tar in
the appliance, names relative to GUESTDIR ("./etc/hostname"); it holds what
the directory holds (symlinks, device nodes and FIFOs as entries, never
followed or opened): it is only written, never unpacked, on the host.

Compression: --gzip, --bzip2, --xz, --zstd or --lzop, or guestfish's optional
arguments after TARBALL, which virt-tar-out passes on: compress:gzip,
numericowner:true, excludes:"*.log *.tmp", xattrs:true, selinux:true,
acls:true.

Owners are stored as numbers only (numericowner:true always): user and group
names would be the appliance's, not the guest's; libguestfs's appliance has
none, so virt-tar-out's tarballs have none either, and guestbox's are the same
bytes.

TARBALL is written whole or not at all: the tarball is made in a new file
beside it, which replaces it only once complete (a failure or an interrupt
leaves the old one, or none); a symlink is followed as a shell's `>` would, an
existing device or FIFO is written directly.  The disks are opened
read-only.  The guest is mounted by inspection (-i), unless -m options say what
to mount.  A progress bar is drawn on stderr when it is a terminal.
"""


def options(p: argparse.ArgumentParser) -> None:
    p.usage = "%(prog)s [--options] -a DISK GUESTDIR TARBALL|- [NAME:VALUE ...]"
    add_guest_options(p, writes=False)
    add_compression(p)
    p.add_argument("words", nargs="*", metavar="GUESTDIR TARBALL [NAME:VALUE ...]",
                   help="the guest directory, the tarball ('-': stdout), then guestfish's "
                   "optional arguments of tar-out")


@host_errors()
def run(ns: argparse.Namespace) -> int:
    args = compression(ns, fish_args("tar_out", ns.words, PROG))
    tarball = args.pop("tarfile")
    args["numericowner"] = True  # see DOC: the bytes virt-tar-out writes
    with output_file(tarball) as fd, guest(ns, PROG, writes=False) as g:
        tar_out(g, fd, args)
    return 0


def tar_out(g: GuestFS, fd: int, args: dict[str, Any]) -> None:
    """tar_out's stream through a Pump (the bar) into a duplicate of fd."""
    directory = args["directory"]
    total = None
    if interactive() and args.get("compress") is None:
        total = g.du(directory) * 1024
    with metered(directory, total) as meter:
        receive(lambda path: g.tar_out(tarfile=path, **args), os.dup(fd), meter)


register(Tool("tar-out", "virt-tar-out", "pack a guest directory into a host tarball",
              DOC, options, run))
