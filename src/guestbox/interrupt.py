"""Ctrl-C during a call, held until the protocol is at a safe point.

A KeyboardInterrupt raised at an arbitrary bytecode could fall between a
socket read and its bookkeeping, and lose bytes of the stream.  While a call
runs in the main thread with Python's default SIGINT handler, this handler
only notes the Ctrl-C; the call checks at frame boundaries (and while it
waits), cancels the operation cleanly, then raises KeyboardInterrupt.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any


class DeferredInterrupt:
    """A context manager that turns SIGINT into a flag for its duration."""

    def __init__(self) -> None:
        self.pending = False
        self._old: Any = None

    def __enter__(self) -> DeferredInterrupt:
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._old = signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.pending = True

    def check(self) -> None:
        """Raise KeyboardInterrupt now if Ctrl-C was pressed (call only at a safe point)."""
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            self._old = None
        if self.pending and (exc_type is None or issubclass(exc_type, Exception)):
            # pressed as the call finished (the handle is consistent), or as it failed: the
            # Ctrl-C is not lost to a caller that catches the call's error (its __context__)
            raise KeyboardInterrupt
