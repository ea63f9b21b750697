"""Running a `guestbox TOOL` in the test process, its output captured (real appliance)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guestbox.cli.tools import TOOLS

SRC = str(Path(__file__).resolve().parents[3] / "src")


@dataclasses.dataclass(frozen=True)
class Ran:
    """A tool's exit status, stdout (bytes) and stderr."""

    status: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "surrogateescape")


def run(cap: pytest.CaptureFixture[bytes], tool: str, *args: str | Path) -> Ran:
    """`guestbox tool args` in this process; cap is pytest's capfdbinary."""
    cap.readouterr()
    try:
        status = TOOLS[tool].main([str(a) for a in args])
    except SystemExit as e:  # --help, --version
        status = e.code if isinstance(e.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    out, err = cap.readouterr()
    return Ran(status, out, err.decode("utf-8", "replace"))


def command(tool: str, *args: str | Path) -> list[str]:
    """The command line that runs `guestbox tool args` in a new process."""
    return [sys.executable, "-m", "guestbox.cli.main", tool, *map(str, args)]


def spawn(tool: str, *args: str | Path) -> subprocess.Popen[bytes]:
    """`guestbox tool args` in a new process, stdout and stderr piped."""
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.Popen(command(tool, *args), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def disk_args(*paths: Path) -> list[str]:
    """--format=raw -a PATH ... for raw images."""
    return ["--format=raw", *(w for p in paths for w in ("-a", str(p)))]
