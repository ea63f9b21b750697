"""The virt-tool style subcommands, each declared once: its parser, its run, its docs.

A tool module makes a `Tool` and passes it to `register`; `guestbox NAME ...`
runs it, `guestbox NAME --help` prints the help built from the same
declaration, and `guestbox docs --tools` writes docs/tools.md from all of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from typing import NoReturn

TOOLS: dict[str, Tool] = {}


class ToolParser(argparse.ArgumentParser):
    """argparse with the virt tools' usage errors: `PROG: error: ...` and exit status 1."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: error: {message}\n"
                     f"Try ‘{self.prog} --help’ for more information.\n")


@dataclasses.dataclass(frozen=True)
class Tool:
    """One subcommand: `guestbox NAME`, the counterpart of the libguestfs tool `virt`."""

    name: str
    virt: str  # the libguestfs tool it stands for ("virt-cat"), or "" if none
    summary: str  # one line, for `guestbox --help` and the docs' index
    doc: str  # what it does and how it differs from `virt`: --help's text and the docs'
    options: Callable[[argparse.ArgumentParser], None]  # adds the tool's arguments
    run: Callable[[argparse.Namespace], int]  # the exit status

    @property
    def prog(self) -> str:
        return f"guestbox {self.name}"

    def parser(self) -> ToolParser:
        p = ToolParser(prog=self.prog, description=f"{self.summary}\n\n{self.doc.strip()}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
        self.options(p)
        return p

    def main(self, argv: list[str]) -> int:
        """Parse argv and run; Ctrl-C is exit status 130 (the handle is closed by then)."""
        args = self.parser().parse_args(argv)
        try:
            return self.run(args)
        except KeyboardInterrupt:
            return 130


def register(tool: Tool) -> Tool:
    """Add tool to TOOLS (once)."""
    if tool.name in TOOLS:
        raise ValueError(f"tool {tool.name} registered twice")
    TOOLS[tool.name] = tool
    return tool


def render_docs() -> str:
    """docs/tools.md: every tool's summary and --help, in name order (80 columns)."""
    import os

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        out = ["# guestbox tools\n",
               "The virt tools of libguestfs as `guestbox` subcommands. Generated from\n"
               "their declarations (`guestbox docs --tools docs/tools.md`); each section\n"
               "is the tool's `--help`.\n"]
        out += [f"- [`guestbox {t.name}`](#guestbox-{t.name}): {t.summary}"
                + (f" ({t.virt})" if t.virt else "") for t in sorted(TOOLS.values(),
                                                                    key=lambda t: t.name)]
        for t in sorted(TOOLS.values(), key=lambda t: t.name):
            out += ["", f"## guestbox {t.name}", "", "```", t.parser().format_help().rstrip(),
                    "```"]
        return "\n".join(out) + "\n"
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def fail(tool: Tool, message: str) -> int:
    """Print `PROG: message` on stderr; exit status 1."""
    print(f"{tool.prog}: {message}", file=sys.stderr)
    return 1
