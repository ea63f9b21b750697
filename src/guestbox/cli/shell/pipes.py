"""`CMD | hostcmd`: a command's output written into a host command, as guestfish does.

With --pipe-error, a host command that stops reading before the output is all
written (EPIPE) makes the shell's command fail, as guestfish's `--pipe-error`
does; without it the broken pipe is ignored.  The host command's exit status
is never looked at, as in guestfish.
"""

from __future__ import annotations

import subprocess
import sys


def pipe_into(command: str, data: bytes, pipe_error: bool) -> bool:
    """Run command with data on its stdin; False if the pipe broke and pipe_error is set
    (the message has been printed)."""
    p = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE)
    assert p.stdin is not None
    broken = False
    try:
        p.stdin.write(data)
        p.stdin.close()
    except BrokenPipeError:
        broken = True
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
    p.wait()
    if broken and pipe_error:
        print("failed to flush standard output: Broken pipe", file=sys.stderr, flush=True)
        return False
    return True
