"""-V/--version for the tools: `PROG VERSION (guestbox)`, as guestbox mount prints it."""

from __future__ import annotations

import argparse


def add_version(p: argparse.ArgumentParser) -> None:
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")


def print_version(prog: str) -> int:
    from ... import __version__

    print(f"{prog} {__version__} (guestbox)")
    return 0
