"""Progress bars for long operations, drawn from the handle's EVENT_PROGRESS events.

As guestfish: on by default in an interactive session (stdin a terminal, no
-f, no commands on the command line), forced on or off by --progress-bars /
--no-progress-bars; one line per call, redrawn in place (cursor up, rewrite),
`percent [bar] time-left`, drawn on /dev/tty when it can be opened.  The bar
line itself is rendered by tqdm.

Differences from guestfish: the libguestfs daemon starts sending progress
messages 2 seconds into a call, guestbox's agent from the start, so the bar
waits here until 2 seconds after the call's EVENT_ENTER; without a
terminal (no /dev/tty, stderr not one either) a forced --progress-bars writes
guestfish's `position/total` lines to stderr, not stdout, so that stdout keeps
only the commands' results.
"""

from __future__ import annotations

import locale
import os
import sys
import time
import weakref
from typing import TYPE_CHECKING, TextIO

from tqdm import tqdm

from ...events import EVENT_ENTER, EVENT_PROGRESS

if TYPE_CHECKING:
    from .repl import Shell

DELAY = 2.0
"""Seconds into a call before its bar appears (the libguestfs daemon's initial delay)."""
REDRAW = 0.1
"""Least seconds between two redraws of a bar."""
MIN_COLUMNS = 32
"""Narrower terminals get `position/total` lines, as guestfish."""
UP = "\x1b[A"


class ProgressBar:
    """The EVENT_ENTER and EVENT_PROGRESS callback: one bar per call, after DELAY seconds."""

    def __init__(self, terminal: TextIO | None, plain: TextIO) -> None:
        self.terminal = terminal
        self.plain = plain
        self.utf8 = locale.getpreferredencoding(False).replace("-", "").upper() == "UTF8"
        self.start = 0.0
        self.last = 0.0
        self.drawn = False

    def __call__(self, event: int, eh: int, buf: bytes, array: list[int]) -> None:
        now = time.monotonic()
        if event == EVENT_ENTER:  # a call starts: guestfish's progress_bar_reset
            self.start, self.last, self.drawn = now, 0.0, False
            return
        if len(array) < 4:
            return
        position, total = array[2], array[3]
        if now - self.start < DELAY or total <= 0:
            return
        if position < total and now - self.last < REDRAW:
            return
        self.last = now
        self.draw(position, total, now - self.start)

    def draw(self, position: int, total: int, elapsed: float) -> None:
        """Draw (or redraw over the previous one) the bar of position out of total."""
        columns = _columns(self.terminal)
        if self.terminal is None or columns < MIN_COLUMNS:
            self.plain.write(f"{position}/{total}\n")
            self.plain.flush()
            return
        line = tqdm.format_meter(min(position, total), total, elapsed, ncols=columns - 1,
                                 ascii=not self.utf8,
                                 bar_format="{percentage:3.0f}% [{bar}] {remaining}")
        self.terminal.write(f"{UP}\r{line}\x1b[K\n" if self.drawn else f"{line}\n")
        self.terminal.flush()
        self.drawn = True


def _columns(out: TextIO | None) -> int:
    if out is None:
        return 0
    try:
        return os.get_terminal_size(out.fileno()).columns
    except OSError:
        return 0


def _terminal() -> TextIO | None:
    """Where bars are drawn: /dev/tty as guestfish, else stderr if it is a terminal."""
    try:
        return open("/dev/tty", "w", encoding=locale.getpreferredencoding(False))
    except OSError:
        return sys.stderr if sys.stderr.isatty() else None


_BARS: weakref.WeakKeyDictionary[Shell, ProgressBar] = weakref.WeakKeyDictionary()


def enable(sh: Shell) -> None:
    """Draw progress bars for the calls of the shell's handle (and of later ones: follow)."""
    bar = ProgressBar(_terminal(), sys.stderr)
    _BARS[sh] = bar
    sh.g.set_event_callback(bar, EVENT_ENTER | EVENT_PROGRESS)


def follow(sh: Shell) -> None:
    """After reopen: the new handle gets the bars too, as guestfish's reopen does."""
    bar = _BARS.get(sh)
    if bar is not None:
        sh.g.set_event_callback(bar, EVENT_ENTER | EVENT_PROGRESS)
