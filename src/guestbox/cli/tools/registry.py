"""The virt-tool style subcommands, each declared once: its parser, its run, its docs.

A tool module makes a `Tool` and passes it to `register`; `guestbox NAME ...`
runs it, `guestbox NAME --help` prints the help built from the same
declaration, and `guestbox docs --tools` writes docs/tools.md from all of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable

from ..toolopts import FAILURES, ToolParser, report

TOOLS: dict[str, Tool] = {}


@dataclasses.dataclass(frozen=True)
class Tool:
    """One subcommand: `guestbox NAME`, the counterpart of the libguestfs tool `virt`."""

    name: str
    virt: str  # the libguestfs tool it stands for ("virt-cat"), or "" if none
    summary: str  # one line, for `guestbox --help` and the docs' index
    doc: str  # what it does and how it differs from `virt`: --help's text and the docs'
    options: Callable[[argparse.ArgumentParser], None]  # adds the tool's arguments
    run: Callable[[argparse.Namespace], int]  # the exit status
    usage: str | None = None  # the usage line, when argparse's own would mislead
    speaks_as: str | None = None  # the name its messages start with (default: prog)

    @property
    def prog(self) -> str:
        return f"guestbox {self.name}"

    def parser(self) -> ToolParser:
        """The tool's parser; --help always, -h too unless the tool takes -h for itself
        (virt-ls, virt-df, virt-filesystems, virt-diff: --human-readable)."""
        p = ToolParser(prog=self.prog, usage=self.usage,
                       description=f"{self.summary}\n\n{self.doc.strip()}",
                       formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False)
        self.options(p)
        try:
            p.add_argument("-h", "--help", action="help", help="show this help and exit")
        except argparse.ArgumentError:
            p.add_argument("--help", action="help", help="show this help and exit")
        return p

    def main(self, argv: list[str]) -> int:
        """Parse argv and run: failures told as the virt tools tell them, after the
        command's name (exit status 1); Ctrl-C is exit status 130 (the handle is closed)."""
        try:
            return self.run(_parse(self.parser(), argv))
        except FAILURES as e:
            return report(self.speaks_as or self.prog, e)
        except KeyboardInterrupt:
            return 130


def _parse(p: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """argv's options and operands in any order, as getopt_long (which permutes them) and
    Perl's GetOptions read the virt tools' (`guestbox tail /log -a disk.img /other`);
    parsers argparse cannot read so (argparse.REMAINDER ...) read them in order."""
    try:
        return p.parse_intermixed_args(argv)
    except TypeError:
        return p.parse_args(argv)


def register(tool: Tool) -> Tool:
    """Add tool to TOOLS (once)."""
    if tool.name in TOOLS:
        raise ValueError(f"tool {tool.name} registered twice")
    TOOLS[tool.name] = tool
    return tool


def render_docs() -> str:
    """docs/tools.md: every tool's summary and --help, in name order (80 columns)."""
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
