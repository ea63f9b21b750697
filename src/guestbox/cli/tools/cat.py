"""`guestbox cat`: guest files on stdout, as virt-cat (guestfs-tools 1.48)."""

from __future__ import annotations

import argparse
import errno
import sys

from ...errors import Error
from .. import toolopts
from ..toolmount import library_error
from .output import progress_bars, stdout_closed
from .registry import Tool, register
from .virtargs import need_drives, take_old_style_disks, usage_failure
from .windows import is_windows, windows_path

NAME = "cat"
COMMAND = f"guestbox {NAME}"

DOC = """\
    guestbox cat -a DISK [-a DISK ...] FILE [FILE ...]
    guestbox cat DISK [DISK ...] FILE

Each FILE is copied to stdout, byte for byte, as virt-cat does.  The disks are
opened read-only; the guest's filesystems are mounted as inspection finds them,
or as the -m options say.  On a Windows guest a FILE may have a drive letter
and backslashes (`'c:\\windows\\win.ini'`), its case need not match.  A file that
cannot be read is told on stderr and the others are still copied; the exit
status is then 1.  Without -a, every argument but the last is a disk.  When
stdout is not a terminal but stderr is, long downloads show a progress bar on
stderr.

Not supported: libvirt guests (-d, -c), --blocksize.
"""


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, readonly=False)
    toolopts.add_version(p)
    p.add_argument("args", nargs="*", metavar="FILE", help="the guest files to print")


def run(ns: argparse.Namespace) -> int:
    files = take_old_style_disks(ns, ns.args, keep=1)
    if not files:
        raise usage_failure(COMMAND)
    toolopts.check(ns)
    need_drives(ns, COMMAND)
    ns.inspector = not ns.mounts
    with toolopts.opened(ns, COMMAND, readonly=True) as g, stdout_closed():
        progress_bars(g)
        root = str(g.inspect_get_roots()[0]) if ns.inspector else ""
        windows = bool(root) and is_windows(g, root)
        errors = 0
        for name in files:
            try:
                path = windows_path(g, root, name, readonly=True) if windows else name
                sys.stdout.flush()
                g.download(path, "-")
            except Error as e:
                if e.errno == errno.EPIPE:  # stdout's reader went away: see stdout_closed
                    raise BrokenPipeError(e.errno, str(e)) from None
                library_error(str(e))
                errors += 1
    return 1 if errors else 0


register(Tool(NAME, "virt-cat", "print files of a guest", DOC, options, run))
