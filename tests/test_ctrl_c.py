"""tests/ctrl_c.py: a child started with it takes Ctrl-C even if this process ignores or
blocks SIGINT (as when the suite runs as a background job of a script), and a plain child
does not -- the cause of Ctrl-C tests that waited 60 s for a child that ignored SIGINT."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.ctrl_c import sigint_as_on_a_terminal

SHOW = ("import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler, "
        "signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))")


def child_sigint(preexec_fn: Callable[[], None] | None = None) -> str:
    """'True False' if a child Python takes Ctrl-C (KeyboardInterrupt, SIGINT not blocked)."""
    return subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True,
                          check=True, timeout=60, preexec_fn=preexec_fn).stdout.strip()


@contextlib.contextmanager
def sigint_here(handler: Any, blocked: bool) -> Iterator[None]:
    """This process's SIGINT disposition and (main thread's) mask for the block."""
    old = signal.signal(signal.SIGINT, handler)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK if blocked else signal.SIG_UNBLOCK,
                                  [signal.SIGINT])
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, old)


@pytest.mark.parametrize(("handler", "blocked", "inherited"), [
    (signal.SIG_IGN, False, "False False"),  # Python leaves an inherited SIG_IGN alone
    (signal.default_int_handler, True, "True True"),  # a blocked SIGINT is never delivered
], ids=["ignored", "blocked"])
def test_child_takes_ctrl_c_whatever_ours_is(handler: Any, blocked: bool,
                                             inherited: str) -> None:
    with sigint_here(handler, blocked):
        plain = child_sigint()
        fixed = child_sigint(sigint_as_on_a_terminal)
    assert (plain, fixed) == (inherited, "True False")
