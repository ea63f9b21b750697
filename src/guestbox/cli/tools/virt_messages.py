"""The messages of libguestfs's OCaml virt tools (virt-sparsify, virt-resize ...), byte for byte.

As libguestfs-common's tools_utils.ml (1.48): `[   4.2] Doing this` progress
messages on stdout (elapsed seconds), `PROG: text` information and `PROG:
warning: text` on stdout, `PROG: error: text` and the bug-report hint on stderr,
exit status 1.  Text is wrapped at 76 columns (std_utils' wrap: a word that
would reach column 76 starts a new line, the space before it kept) when its
stream is a terminal or --wrap was given, and coloured when its stream is a
terminal or --colours was given.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from ...errors import Error
from ..shell.keys import KeyProblem
from ..toolopts import ToolError

GREEN, RED, BLUE, MAGENTA = "\x1b[0;32m", "\x1b[1;31m", "\x1b[1;34m", "\x1b[1;35m"
RESTORE = "\x1b[0m"
WRAP_COLUMN = 76


class VirtError(Exception):
    """A failure the tool tells as `PROG: error: MESSAGE` (exit status `status`)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def wrap(text: str, indent: int = 0) -> str:
    """std_utils' wrap: words (split at spaces) filled up to column 76; newlines kept."""
    out: list[str] = []
    column = 0
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] not in " \n":
            j += 1
        word = text[i:j]
        if column + len(word) >= WRAP_COLUMN:
            out.append("\n" + " " * indent)
            column = indent + len(word) + 1
        else:
            column += len(word) + 1
        out.append(word)
        if j >= len(text):
            break
        if text[j] == " ":
            out.append(" ")
        else:
            out.append("\n" + " " * indent)
            column = indent
        i = j + 1
    return "".join(out)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False


class Messages:
    """A tool's message streams: prog is the virt tool's name (its texts are its own)."""

    def __init__(self, prog: str, quiet: bool = False, colours: bool = False,
                 wraps: bool = False, verbose: bool = False, trace: bool = False) -> None:
        self.prog = prog
        self.quiet = quiet
        self.colours = colours
        self.wraps = wraps
        self.verbose = verbose
        self.trace = trace
        self.start = time.monotonic()

    def _colour(self, stream: TextIO, code: str) -> str:
        return code if self.colours or _isatty(stream) else ""

    def _wrap(self, stream: TextIO, text: str) -> str:
        return wrap(text) if self.wraps or _isatty(stream) else text

    def _say(self, stream: TextIO, colour: str, text: str) -> None:
        stream.write(self._colour(stream, colour) + self._wrap(stream, text)
                     + self._colour(stream, RESTORE) + "\n")
        stream.flush()

    def message(self, text: str) -> None:
        """`[  12.3] text` on stdout (unless --quiet)."""
        if self.quiet:
            return
        out = sys.stdout
        out.write(f"[{time.monotonic() - self.start:6.1f}] {self._colour(out, GREEN)}{text}"
                  f"{self._colour(out, RESTORE)}\n")
        out.flush()

    def info(self, text: str) -> None:
        """`PROG: text` on stdout."""
        self._say(sys.stdout, MAGENTA, f"{self.prog}: {text}")

    def warning(self, text: str) -> None:
        """`PROG: warning: text` on stdout."""
        self._say(sys.stdout, BLUE, f"{self.prog}: warning: {text}")

    def error(self, text: str, status: int = 1) -> int:
        """`PROG: error: text` and the bug-report hint on stderr; the exit status."""
        err = sys.stderr
        sys.stdout.flush()
        body = self._wrap(err, f"{self.prog}: error: {text}")
        if not (self.verbose and self.trace):
            body += "\n\n" + self._wrap(
                err, f"If reporting bugs, run {self.prog} with debugging enabled and include "
                f"the complete output:\n\n  {self.prog} -v -x [...]")
        err.write(self._colour(err, RED) + body + self._colour(err, RESTORE) + "\n")
        err.flush()
        return status

    def failure(self, e: BaseException) -> int:
        """Tell e as the OCaml tools' run_main_and_handle_errors does; the exit status.
        Anything that is not a tool failure is raised again."""
        if isinstance(e, VirtError):
            return self.error(str(e), e.status)
        if isinstance(e, Error):
            return self.error(f"libguestfs error: {e}")
        if isinstance(e, KeyProblem):
            return self.error(str(e).removeprefix("guestfish: "))
        if isinstance(e, ToolError):
            return self.error(e.message) if e.message else 1
        if isinstance(e, OSError):
            where = f"{e.filename}: " if e.filename else ""
            return self.error(f"{where}{e.strerror or e}")
        raise e


def add_options(p: argparse.ArgumentParser) -> None:
    """The OCaml tools' own common options: -q, --colours, --wrap (-V: version.py)."""
    p.add_argument("-q", "--quiet", action="store_true", help="do not print progress messages")
    p.add_argument("--color", "--colors", "--colour", "--colours", dest="colours",
                   action="store_true", help="use ANSI colours even if not on a terminal")
    p.add_argument("--wrap", action="store_true",
                   help="wrap messages even if not on a terminal")


def messages(prog: str, ns: argparse.Namespace) -> Messages:
    """The Messages of a tool whose options add_options added (and toolopts' -v, -x)."""
    return Messages(prog, quiet=ns.quiet, colours=ns.colours, wraps=ns.wrap,
                    verbose=ns.verbose, trace=ns.trace)


FAILURES = (VirtError, Error, KeyProblem, ToolError, OSError)
"""What Messages.failure tells."""
