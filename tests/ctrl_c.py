"""Children that take Ctrl-C as a terminal's foreground program does, however the suite runs.

A test that sends SIGINT to a child (or types ^C on its terminal) stands for a user
pressing Ctrl-C.  But the test process itself may run with SIGINT ignored: a POSIX shell
without job control (a script, a CI step, `make test &`) starts its background commands
so, and wrappers may too.  An ignored disposition survives fork and exec, as a blocked
signal does, and Python -- like C programs that follow the Unix convention, and as
guestbox's tools do -- leaves an inherited SIG_IGN alone: the child would never see the
Ctrl-C and the test would wait for an exit that cannot come.  Children started with
`preexec_fn=sigint_as_on_a_terminal` get SIGINT as an interactive shell gives it to its
foreground job: default disposition, not blocked.
"""

from __future__ import annotations

import signal


def sigint_as_on_a_terminal() -> None:
    """In a child, before exec: SIGINT back to its default disposition, and unblocked
    (a preexec_fn; also for the child branch of pty.fork)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
