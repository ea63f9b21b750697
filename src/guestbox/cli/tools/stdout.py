"""A tool's output as bytes on stdout, and its end when the reader goes away.

Guest data (log lines, file names) is not always UTF-8: the tools write bytes,
as the C tools do.  A reader that closes the pipe (`guestbox log | head`) ends
the tool as SIGPIPE ends a C tool: status 141, no traceback, the handle closed.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

PIPE_STATUS = 128 + signal.SIGPIPE


def write(data: bytes) -> None:
    sys.stdout.buffer.write(data)


def text(s: str) -> bytes:
    """s as the bytes it came from (guest names decoded with surrogateescape)."""
    return s.encode("utf-8", "surrogateescape")


def until_reader_leaves(run: Callable[[], int]) -> int:
    """run()'s status, flushed; PIPE_STATUS if the reader closed stdout meanwhile."""
    try:
        status = run()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())  # the interpreter's last flush goes nowhere
        os.close(null)
        return PIPE_STATUS
