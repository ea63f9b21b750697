"""Progress bars: drawn on the terminal in an interactive session, absent otherwise.

The long operation is a download into a FIFO whose reader waits 3 seconds
before reading: the call then runs past the bars' 2-second delay whatever the
machine's speed.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[3] / "src")
SIZE = 8 * 1024 * 1024
BAR = re.compile(r"\d+% \[.+\] \S+")


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Path, Path]:
    disk = tmp_path / "d.img"
    with open(disk, "wb") as f:
        f.truncate(SIZE)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    return disk, fifo


def slow_reader(fifo: Path) -> subprocess.Popen[bytes]:
    """Opens fifo (when the shell does), waits 3 s, then reads it all."""
    return subprocess.Popen(["sh", "-c", f"exec < '{fifo}'; sleep 3; cat > /dev/null"])


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "guestbox.cli.main", "shell", *args]


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=SRC, HOME=os.environ.get("HOME", "/tmp"))


def test_bar_drawn_in_an_interactive_session(setup: tuple[Path, Path]) -> None:
    disk, fifo = setup
    reader = slow_reader(fifo)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    p = subprocess.Popen(command("-a", str(disk)), stdin=slave, stdout=slave, stderr=slave,
                         env=env(), start_new_session=True)  # no controlling tty: bar on stderr
    os.close(slave)
    os.write(master, f"run\ndownload /dev/sda {fifo}\nquit\n".encode())
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the shell has exited and closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert p.wait(timeout=30) == 0
    reader.wait(timeout=30)
    text = out.decode(errors="replace")
    bars = BAR.findall(text)
    assert bars, text
    assert bars[-1].startswith("100% [")


def test_no_bar_unless_interactive_or_asked(setup: tuple[Path, Path]) -> None:
    disk, fifo = setup
    for args, expect_lines in (((), False), (("--progress-bars",), True)):
        reader = slow_reader(fifo)
        r = subprocess.run(command(*args, "-a", str(disk)),
                           input=f"run\ndownload /dev/sda {fifo}\n", capture_output=True,
                           text=True, env=env(), timeout=120, start_new_session=True)
        reader.wait(timeout=30)
        assert r.returncode == 0 and r.stdout == "", r.stderr
        assert not BAR.search(r.stderr)
        lines = r.stderr.splitlines()
        if expect_lines:  # no terminal anywhere: guestfish's position/total lines, on stderr
            assert lines and lines[-1] == f"{SIZE}/{SIZE}"
            assert all(re.fullmatch(rf"\d+/{SIZE}", line) for line in lines)
        else:
            assert r.stderr == ""
