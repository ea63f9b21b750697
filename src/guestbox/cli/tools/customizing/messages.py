"""How the OCaml virt tools (virt-customize, virt-sysprep) talk: guestfs-tools' tools_utils.

Progress messages go to stdout as `[ SECONDS] text` (not with -q), warnings and
information lines to stdout as `PROG: warning: text` and `PROG: text`, errors to
stderr as `PROG: error: text` followed by the hint to report bugs with -v -x.
Colours (and wrapping at 76 columns) only on a terminal, or with --colours / --wrap.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from typing import TextIO

from ...toolopts import ToolError

GREEN, RED, BLUE, MAGENTA = "\x1b[0;32m", "\x1b[1;31m", "\x1b[1;34m", "\x1b[1;35m"
RESTORE = "\x1b[0m"
WRAP_COLUMN = 76


@dataclasses.dataclass
class Messages:
    """The tool's voice: its name, and the -q, -v, -x, --colours and --wrap settings."""

    prog: str
    quiet: bool = False
    verbose: bool = False
    trace: bool = False
    colours: bool = False
    wrap: bool = False
    start: float = dataclasses.field(default_factory=time.monotonic)

    def message(self, text: str) -> None:
        """A timestamped progress line on stdout (nothing with -q)."""
        if self.quiet:
            return
        stamp = f"{time.monotonic() - self.start:.1f}"
        out = sys.stdout
        out.write(f"[{stamp:>6}] " + self._coloured(out, GREEN, text) + "\n")
        out.flush()

    def warning(self, text: str) -> None:
        """`PROG: warning: text` on stdout (as the OCaml tools, not stderr)."""
        self._say(sys.stdout, BLUE, f"{self.prog}: warning: {text}")

    def info(self, text: str) -> None:
        """`PROG: text` on stdout."""
        self._say(sys.stdout, MAGENTA, f"{self.prog}: {text}")

    def error(self, text: str) -> ToolError:
        """The ToolError that ends the tool with status 1, told as the OCaml tools tell
        an error (report() prints `PROG: ` before the message)."""
        body = f"error: {text}"
        if not (self.verbose and self.trace):
            body += (f"\n\nIf reporting bugs, run {self.prog} with debugging enabled and "
                     f"include the complete output:\n\n  {self.prog} -v -x [...]")
        if self.wrap or _isatty(sys.stderr):  # the prefix counts in the first line's width
            body = _wrap(f"{self.prog}: {body}")[len(self.prog) + 2:]
        return ToolError(self._coloured(sys.stderr, RED, body))

    def _say(self, out: TextIO, colour: str, line: str) -> None:
        if self.wrap or _isatty(out):
            line = _wrap(line)
        out.write(self._coloured(out, colour, line) + "\n")
        out.flush()

    def _coloured(self, out: TextIO, colour: str, text: str) -> str:
        return f"{colour}{text}{RESTORE}" if self.colours or _isatty(out) else text


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _wrap(text: str) -> str:
    """tools_utils' wrap: break at spaces so that lines stay under 76 columns."""
    out: list[str] = []
    for para in text.split("\n"):
        column, line = 0, list[str]()
        for word in para.split(" "):
            if line and column + len(word) >= WRAP_COLUMN:
                out.append(" ".join(line))
                column, line = 0, list[str]()
            line.append(word)
            column += len(word) + 1
        out.append(" ".join(line))
    return "\n".join(out)


class ParseError(Exception):
    """A customize argument the tools refuse: the message after `PROG: error: `."""
