"""Command-line conventions of virt-cat, virt-ls, virt-df and virt-filesystems (guestfs-tools
1.48) beyond toolopts': the old syntax without -a, the missing-disk error, --json.

The old syntax (`virt-cat disk.img /etc/fstab`, `virt-df disk.img`): when no -a
is given, the leading arguments are the disks; one that names no file and has
no `/` would be a libvirt guest, which guestbox does not reach.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..toolopts import ToolError, try_help, usage_error


def add_json(p: argparse.ArgumentParser, what: str) -> None:
    """--json: the same data as JSON (what: a short description for --help)."""
    p.add_argument("--json", action="store_true", help=f"print {what} as JSON (guestbox's own)")


def take_old_style_disks(ns: argparse.Namespace, args: list[str], keep: int) -> list[str]:
    """Without -a, the arguments before the last keep are disks (keep 0: all are): added to
    ns.drives in order; the arguments left.  With -a, args unchanged."""
    if ns.drives:
        return args
    end = max(len(args) - keep, 0)
    for arg in args[:end]:
        if "/" not in arg and not os.path.exists(arg):
            raise ToolError(f"{arg}: libvirt guests are not supported by guestbox; "
                            "add the disk images with -a")
        ns.drives = [*(ns.drives or []), (arg, None)]  # as virt-cat: --format is not for these
    return args[end:]


def usage_failure(command: str) -> ToolError:
    """What the tools do on a missing argument: only `Try ‘COMMAND --help’ ...`, status 1."""
    print(try_help(command), file=sys.stderr)
    return ToolError()


def need_drives(ns: argparse.Namespace, command: str) -> None:
    """The tools' error when no disk is given."""
    if not ns.drives:
        raise usage_error(command, "you must specify at least one -a or -d option.")

