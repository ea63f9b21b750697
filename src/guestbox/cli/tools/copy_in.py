"""`guestbox copy-in LOCAL... GUESTDIR`: host files and directories into a guest (virt-copy-in)."""

from __future__ import annotations

import argparse
import os
import stat
import tempfile

from ...copyio import popen_tool, read_errors, split_path
from ...errors import Error
from ...handle import GuestFS
from ..toolopts import ToolError
from .registry import Tool, register
from .transfer import add_guest_options, guest, host_errors, interactive, metered, send

PROG = "guestbox copy-in"
USAGE = "use 'copy-in <local> [<local>...] <remotedir>' to copy files into the image"

DOC = """\
Copy each LOCAL file or directory (directories recursively) into the guest
directory GUESTDIR, which must exist, as virt-copy-in (guestfish --rw -i
copy-in).  What is kept is what the host's tar packs and the guest's tar
unpacks as root: modes, owners (by name, else number), times, symlinks, hard
links, special files.

The guest is mounted by inspection (-i), unless -m options say what to mount.
The disks are opened read-write: --ro is refused.  A progress bar is drawn on
stderr when it is a terminal.  Every LOCAL is checked before the appliance
starts (virt-copy-in copies the ones before a missing one).  Exit status 1 on
any failure.
"""


def options(p: argparse.ArgumentParser) -> None:
    p.usage = "%(prog)s [--options] -a DISK LOCAL [LOCAL ...] GUESTDIR"
    add_guest_options(p, writes=True)
    p.add_argument("paths", nargs="*", metavar="LOCAL... GUESTDIR",
                   help="host files or directories, then the guest directory")


@host_errors()
def run(ns: argparse.Namespace) -> int:
    if len(ns.paths) < 2:
        raise ToolError(USAGE)
    *locals_, remotedir = ns.paths
    for local in locals_:  # before launching: nothing is copied if one is missing
        try:
            os.stat(local)
        except OSError:
            raise Error(f"source ‘{local}’ does not exist (or cannot be read)") from None
    with guest(ns, PROG, writes=True) as g:
        if not g.is_dir(remotedir):
            raise Error(f"target ‘{remotedir}’ is not a directory")
        for local in locals_:
            copy_in(g, local, remotedir)
        g.shutdown()
    return 0


def copy_in(g: GuestFS, local: str, remotedir: str) -> None:
    """local into remotedir: the host's tar packs it (local input, trusted), tar_in unpacks
    it in the appliance; a Pump between them counts the bytes for the bar."""
    dirname, basename = split_path("copy_in", local)
    argv = ["tar", *(["-C", dirname] if dirname is not None else []), "-cf", "-", basename]
    with tempfile.TemporaryFile() as errors, \
            metered(local, _tar_size(local) if interactive() else None) as meter:
        p = popen_tool("copy_in", argv, stdout=True, stderr=errors)
        assert p.stdout is not None
        try:
            send(lambda path: g.tar_in(path, remotedir), os.dup(p.stdout.fileno()), meter)
        finally:
            p.stdout.close()
            status = p.wait()
        if status != 0:
            raise Error(f"tar subprocess failed: {read_errors(errors)}")


def _tar_size(path: str) -> int:
    """About the size of the tarball of path: the regular files' sizes and a header each."""
    def size(p: str) -> int:
        st = os.lstat(p)
        return 512 + (st.st_size + 511) // 512 * 512 if stat.S_ISREG(st.st_mode) else 512

    total = size(path)
    if os.path.isdir(path) and not os.path.islink(path):
        for top, dirs, files in os.walk(path):
            for name in dirs + files:
                try:
                    total += size(os.path.join(top, name))
                except OSError:
                    continue
    return total


register(Tool("copy-in", "virt-copy-in", "copy host files and directories into a guest",
              DOC, options, run))
