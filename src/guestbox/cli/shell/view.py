"""more / less / display FILE and man: show a guest file, or the manual, with a host program.

As guestfish: the file is downloaded to a temporary host file and the program
run on it as `PROGRAM FILE` ($PAGER, default `more`, for more; `less` for less;
$GUESTFISH_DISPLAY_IMAGE, default `display`, for display).

man: guestfish runs `man 1 guestfish`.  guestbox has no manual page installed,
so man shows the shell's own documentation (its usage, how to get help, and
every command with its summary) through $PAGER (default `more`).
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

from .args import BadArgs
from .localfile import downloaded, run_program

if TYPE_CHECKING:
    from .commands import Command
    from .repl import Shell


def viewer(cmd: str) -> Command:
    """The command that shows a guest file with cmd's program."""
    def view(sh: Shell, words: list[str]) -> bytes:
        if len(words) != 1:
            raise BadArgs("display filename" if cmd == "display"
                          else f"use '{cmd} filename' to page a file")
        with downloaded(sh.g, words[0]) as local:
            run_program(cmd, _program(cmd), local)
        return b""
    return view


def _program(cmd: str) -> str:
    if cmd == "less":
        return "less"
    if cmd == "display":
        return os.environ.get("GUESTFISH_DISPLAY_IMAGE", "display")
    return os.environ.get("PAGER", "more")


def run_man(sh: Shell, words: list[str]) -> bytes:
    """man: the shell's documentation through $PAGER."""
    if words:
        raise BadArgs("use ‘man’ without parameters to open the manual")
    with tempfile.NamedTemporaryFile("w", prefix="guestbox", suffix=".txt") as f:
        f.write(manual())
        f.flush()
        run_program("man", os.environ.get("PAGER", "more"), f.name)
    return b""


def manual() -> str:
    """The text man shows: usage, the introduction of help, and every command."""
    from .docs import INTRO, listing
    from .options import USAGE

    return f"{USAGE}\n{INTRO}\n{listing()}"
