"""Running `guestbox TOOL ...` as a user does: a new process, its exit status, its bytes."""

from __future__ import annotations

import os
import subprocess
import sys


def guestbox(*args: str, stdin: bytes | None = None, timeout: float = 600,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """`guestbox ARGS` in a child process (the tests' interpreter, environment and cache)."""
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", *args], input=stdin,
                          capture_output=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)


def popen(*args: str) -> subprocess.Popen[bytes]:
    """`guestbox ARGS` started in a child process, its output to be read as it comes."""
    return subprocess.Popen([sys.executable, "-m", "guestbox.cli.main", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
