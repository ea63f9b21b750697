"""Helpers of the customize, sysprep and rescue tests: guests to change (qcow2 overlays
on the cached phony and debootstrap images, which stay untouched), the tools run in
this process, and a read-only look at what they did."""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.tools import TOOLS

STAMP = re.compile(r"^\[ *\d+\.\d\] ", re.M)


def overlay(base: Path, directory: Path, name: str = "guest") -> Path:
    """A writable qcow2 overlay of the raw image base, in directory."""
    path = directory / f"{name}.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(base),
                    str(path)], check=True)
    return path


def run_tool(capsys: pytest.CaptureFixture[str], name: str, *argv: str | Path
             ) -> tuple[int, str, str]:
    """`guestbox NAME ARGV` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    status = TOOLS[name].main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def messages(out: str) -> list[str]:
    """The progress lines of an OCaml-style tool's stdout, without their timestamps."""
    return [STAMP.sub("", line) for line in out.splitlines() if STAMP.match(line)]


@contextlib.contextmanager
def inspected_ro(image: Path, fmt: str = "qcow2") -> Iterator[guestbox.GuestFS]:
    """A read-only handle on image with its operating system mounted as in the guest."""
    g = guestbox.GuestFS()
    try:
        g.add_drive_opts(str(image), readonly=True, format=fmt)
        g.launch()
        root = g.inspect_os()[0]
        for mp, dev in sorted(g.inspect_get_mountpoints(root).items(), key=lambda kv: len(kv[0])):
            g.mount_ro(dev, mp)
        yield g
    finally:
        g.close()
