"""Running `guestbox TOOL ...`: in this process (quick: no interpreter to start, the
package imported once) or, where signals and timing matter, in a child process."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys

import pytest

from guestbox.cli.main import main
from tests.ctrl_c import sigint_as_on_a_terminal


@dataclasses.dataclass
class Ran:
    """What a run of a tool gave: exit status, stdout and stderr bytes."""

    returncode: int
    stdout: bytes
    stderr: bytes


def run(cap: pytest.CaptureFixture[bytes], *args: str, stdin: bytes | None = None) -> Ran:
    """`guestbox ARGS` in this process, through the command's own entry point; cap is the
    test's capfdbinary (the tools write on file descriptors as well as sys.stdout)."""
    cap.readouterr()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        status = main(list(args))
    finally:
        sys.stdin = saved
        sys.stdout.flush()
        sys.stderr.flush()
    out, err = cap.readouterr()
    return Ran(status, out, err)


def guestbox(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    """`guestbox ARGS` in a child process (the tests' interpreter, environment and cache)."""
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", *args],
                          capture_output=True, timeout=timeout, env=dict(os.environ),
                          check=False)


def popen(*args: str) -> subprocess.Popen[bytes]:
    """`guestbox ARGS` started in a child process, its output to be read as it comes; it
    takes SIGINT as on a terminal, whatever this process's SIGINT is (tests/ctrl_c.py)."""
    return subprocess.Popen([sys.executable, "-m", "guestbox.cli.main", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=sigint_as_on_a_terminal)
