"""Start child processes that die with this process, even if it is killed with SIGKILL.

The kernel's PR_SET_PDEATHSIG fires when the *thread* that forked the child
exits, so every such child is forked from one long-lived daemon thread.
"""

from __future__ import annotations

import ctypes
import functools
import os
import queue
import signal
import subprocess
import threading
from concurrent.futures import Future
from typing import Any

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_requests: queue.Queue[tuple[Future[subprocess.Popen[bytes]], list[str], dict[str, Any]]] = (
    queue.Queue()
)
_thread: threading.Thread | None = None
_lock = threading.Lock()


def _die_with_parent(parent: int) -> None:
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    os.setsid()  # Ctrl-C in the terminal goes to us, not straight to QEMU


def _serve() -> None:
    while True:
        fut, args, kwargs = _requests.get()
        try:
            proc: subprocess.Popen[bytes] = subprocess.Popen(
                args, preexec_fn=functools.partial(_die_with_parent, os.getpid()), **kwargs
            )
            fut.set_result(proc)
        except BaseException as e:  # noqa: B036 - handed to the caller
            fut.set_exception(e)


def popen(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """subprocess.Popen(args, **kwargs), for a child that is SIGKILLed when this process dies."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_serve, name="guestbox-spawner", daemon=True)
            _thread.start()
    fut: Future[subprocess.Popen[bytes]] = Future()
    _requests.put((fut, args, kwargs))
    return fut.result()
