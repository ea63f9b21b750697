"""`guestbox edit FILE...`: edit files in a guest with $EDITOR or an expression (virt-edit)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ...errors import ReadOnlyError
from ...handle import GuestFS
from .. import toolopts
from ..shell.args import BadArgs
from ..shell.edit import edit_file
from ..shell.localfile import run_program
from ..toolopts import ToolError
from .edit_expr import ExprError, LineEdit, compile_expr
from .edit_expr import edit_file as edit_lines_of
from .registry import Tool, register
from .transfer import add_guest_options, guest, host_errors
from .windows import is_windows, windows_path

PROG = "guestbox edit"

DOC = """\
Edit each FILE of the guest in turn, as virt-edit: without -e, a copy is
opened with $EDITOR (else vi) and, if its content changed, uploaded beside the
file, given the file's mode, owner and extended attributes, and renamed over
it (a symlink is followed: the file it leads to is replaced); otherwise "File
not changed." is printed.  FILE must exist; it may be a Windows path
(C:\\boot.ini) in a Windows guest.  The guest is mounted by inspection, unless
-m options say what to mount; the disks are opened read-write and --ro is
refused, as is a read-only mount, before anything is edited.  Old style:
without -a, the arguments before the last one are disk images.

-b EXT keeps the original as FILE + EXT (EXT usually starts with a dot).

-e EXPR edits without an editor.  virt-edit runs a Perl expression on $_ for
each line; guestbox takes one of two forms instead:
  -e 's/PATTERN/REPLACEMENT/FLAGS'   a substitution on each line: PATTERN is
      a Python regular expression; FLAGS g (every match, else the first), i,
      m, s, x; any punctuation may be the delimiter (s|a|b|), \\ before it
      makes it literal; in REPLACEMENT $1, ${1}, \\1, ${name} are groups, $&
      the whole match, \\n and \\t a newline and a tab, \\ before anything
      else makes it literal ("\\$").
  -e 'PYTHON EXPRESSION'   evaluated for each line with `line` (the line, its
      "\\n" included, as Perl's $_), `lineno` (from 1), the module `re` and
      die(MESSAGE); its value, a string, replaces the line: "" deletes it,
      line + "more\\n" adds one.
      Example: -e '"" if line.startswith("apache:") else line'
The file is read as UTF-8, undecodable bytes kept as they are; an error on
any line (die() included) stops the edit and leaves the file untouched.  With
-e the file is always replaced (and backed up with -b), as virt-edit does.
"""


class _Once(argparse.Action):
    """-b and -e: given once (virt-edit's `-b option given multiple times`)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        if getattr(ns, self.dest) is not None:
            raise ToolError(f"{self.option_strings[0]} option given multiple times")
        setattr(ns, self.dest, value)


def options(p: argparse.ArgumentParser) -> None:
    p.usage = "%(prog)s [--options] -a DISK [-b EXT] [-e EXPR] FILE [FILE ...]"
    add_guest_options(p, writes=True, inspector=False)
    p.add_argument("-b", "--backup", action=_Once, metavar="EXT",
                   help="keep the original file as FILE + EXT")
    p.add_argument("-e", "--edit", "--expr", dest="expr", action=_Once, metavar="EXPR",
                   help="edit each line with EXPR (s/PATTERN/REPLACEMENT/FLAGS or a Python "
                   "expression on `line`) instead of an editor")
    p.add_argument("files", nargs="*", metavar="FILE", help="the guest files to edit")


@host_errors()
def run(ns: argparse.Namespace) -> int:
    _old_style(ns)
    if not ns.files:
        raise toolopts.usage_error(PROG, "name at least one guest FILE to edit.")
    try:
        line_edit = compile_expr(ns.expr) if ns.expr is not None else None
    except ExprError as e:
        raise ToolError(str(e)) from None
    with guest(ns, PROG, writes=True) as g:
        root = g.inspect_get_roots()[0] if ns.inspector else None
        for name in ns.files:
            path = (windows_path(g, root, name, readonly=False)
                    if root and is_windows(g, root) else name)
            if not _edit(g, path, line_edit, ns.backup):
                print("File not changed.", flush=True)
        g.shutdown()
    return 0


def _old_style(ns: argparse.Namespace) -> None:
    """virt-edit's old command line: without -a, the arguments before the last are disks
    (those with a '/' or that exist; others would be libvirt guests, refused)."""
    if ns.drives or len(ns.files) < 2:
        return
    *disks, last = ns.files
    for disk in disks:
        if "/" not in disk and not os.path.exists(disk):
            raise ToolError(f"{disk}: libvirt guests are not supported by guestbox; add the "
                            "disk images with -a")
    ns.drives = [(disk, None) for disk in disks]
    ns.files = [last]


def _edit(g: GuestFS, path: str, line_edit: LineEdit | None, backup: str | None) -> bool:
    """Edit path with $EDITOR or line_edit; whether the file was replaced."""
    if line_edit is None:
        editor = os.environ.get("EDITOR", "vi")

        def change(local: str) -> None:
            run_program(PROG, editor, local)
    else:
        def change(local: str) -> None:
            edit_lines_of(local, line_edit)
    try:
        return edit_file(g, PROG, path, change, backup, always=line_edit is not None)
    except (BadArgs, ReadOnlyError) as e:  # texts that name the tool already
        print(e, file=sys.stderr)
        raise ToolError() from None
    except ExprError as e:
        raise ToolError(str(e)) from None


register(Tool("edit", "virt-edit", "edit a file in a guest", DOC, options, run))
