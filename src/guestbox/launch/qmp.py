"""A synchronous QMP client for any thread, on top of qemu.qmp's asyncio client.

All clients share one event loop running in a daemon thread, so a handle can
be used from whichever thread its caller happens to be in.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from qemu.qmp import QMPClient, QMPError

T = TypeVar("T")
_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def _event_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="guestbox-qmp", daemon=True).start()
        return _loop


class QMPFailure(OSError):
    """QEMU's monitor refused a command, went away, or did not answer in time."""


def _run(coro: Coroutine[Any, Any, T], timeout: float) -> T:
    try:
        return asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(coro, timeout), _event_loop()
        ).result()
    except (TimeoutError, QMPError, EOFError) as e:
        raise QMPFailure(f"QMP: {e}") from None


class QMP:
    """One QEMU's monitor: connect over an accepted socket, execute commands."""

    def __init__(self, name: str) -> None:
        self._client = QMPClient(name)

    def connect(self, sock: socket.socket, timeout: float = 30.0) -> None:
        _run(self._client.connect(sock), timeout)

    def execute(self, cmd: str, args: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
        return _run(self._client.execute(cmd, args), timeout)

    def send_fd(self, fd: int, name: str) -> None:
        """Hand QEMU a file descriptor (SCM_RIGHTS), then name it with getfd."""

        async def send() -> None:
            self._client.send_fd_scm(fd)

        _run(send(), 5.0)
        self.execute("getfd", {"fdname": name})

    def close(self) -> None:
        try:
            _run(self._client.disconnect(), 5.0)
        except Exception:  # noqa: BLE001 - QEMU may already be gone
            pass
