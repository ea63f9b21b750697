"""Progress bars for the long steps of the disk tools, on a terminal only.

The handle's calls get the shell's bars (shell/progress.py: after 2 s, on
/dev/tty, tqdm's meter); `qemu-img convert` runs with -p and its percentages
are drawn the same way.  Without a terminal (stdout not one), nothing is drawn
and the output stays the libguestfs tool's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence

from ...events import EVENT_ENTER, EVENT_PROGRESS
from ...handle import GuestFS
from ..shell.progress import ProgressBar, _terminal

_PERCENT = re.compile(rb"\((\d+(?:\.\d+)?)/100%\)")


def on_terminal(quiet: bool = False) -> bool:
    """Whether bars are drawn: stdout is a terminal and --quiet was not given."""
    try:
        return not quiet and sys.stdout.isatty()
    except (ValueError, OSError):
        return False


def follow(g: GuestFS, quiet: bool = False) -> None:
    """Draw a bar for each long call of g (when on_terminal)."""
    if not on_terminal(quiet):
        return
    terminal = _terminal()
    if terminal is not None:
        g.set_event_callback(ProgressBar(terminal, sys.stderr), EVENT_ENTER | EVENT_PROGRESS)


def run_qemu_img(argv: Sequence[str], quiet: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run a `qemu-img convert ...` command (argv without -p); with a terminal, its
    progress is drawn as a bar.  Its stderr is captured for the caller's message."""
    terminal = _terminal() if on_terminal(quiet) else None
    if terminal is None:
        return subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              check=False)
    bar = ProgressBar(terminal, sys.stderr)
    start = time.monotonic()
    with subprocess.Popen([argv[0], *argv[1:2], "-p", *argv[2:]], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as p:
        assert p.stdout is not None and p.stderr is not None
        try:
            pending = b""
            while chunk := os.read(p.stdout.fileno(), 4096):
                pending += chunk
                found = _PERCENT.findall(pending)
                if found:
                    elapsed = time.monotonic() - start
                    if elapsed >= 2.0:
                        bar.draw(int(float(found[-1]) * 100), 10000, elapsed)
                    pending = pending[-32:]
            err = p.stderr.read()
            status = p.wait()
        except BaseException:  # Ctrl-C, SIGTERM: qemu-img does not outlive the tool
            p.kill()
            raise
    return subprocess.CompletedProcess(list(argv), status, b"", err)
