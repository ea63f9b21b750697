"""Event numbers and callback registry, with libguestfs's values and callback signature.

A callback is called as cb(event, event_handle, buf, array): buf is bytes
(a console line, a trace message), array is a list of ints (for progress:
[0, serial, position, total]).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

EVENT_CLOSE = 0x0001
EVENT_SUBPROCESS_QUIT = 0x0002
EVENT_LAUNCH_DONE = 0x0004
EVENT_PROGRESS = 0x0008
EVENT_APPLIANCE = 0x0010
EVENT_LIBRARY = 0x0020
EVENT_TRACE = 0x0040
EVENT_ENTER = 0x0080
EVENT_LIBVIRT_AUTH = 0x0100
EVENT_WARNING = 0x0200
EVENT_ALL = 0x03FF

EVENT_NAMES = {
    EVENT_CLOSE: "close", EVENT_SUBPROCESS_QUIT: "subprocess_quit",
    EVENT_LAUNCH_DONE: "launch_done", EVENT_PROGRESS: "progress", EVENT_APPLIANCE: "appliance",
    EVENT_LIBRARY: "library", EVENT_TRACE: "trace", EVENT_ENTER: "enter",
    EVENT_LIBVIRT_AUTH: "libvirt_auth", EVENT_WARNING: "warning",
}

Callback = Callable[[int, int, bytes, list[int]], Any]


def event_to_string(bitmask: int) -> str:
    """Comma-separated names of the events in bitmask, as libguestfs's event_to_string."""
    return ",".join(n for b, n in sorted(EVENT_NAMES.items()) if bitmask & b)


class Events:
    """The callbacks registered on one handle."""

    def __init__(self) -> None:
        self._callbacks: dict[int, tuple[int, Callback]] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()

    def add(self, cb: Callback, bitmask: int) -> int:
        if not callable(cb):
            raise TypeError("set_event_callback: callback is not callable")
        if not isinstance(bitmask, int) or bitmask & ~EVENT_ALL or bitmask == 0:
            raise ValueError(f"set_event_callback: bad event bitmask {bitmask!r}")
        with self._lock:
            eh = next(self._ids)
            self._callbacks[eh] = (bitmask, cb)
        return eh

    def delete(self, eh: int) -> None:
        with self._lock:
            self._callbacks.pop(eh, None)

    def wants(self, event: int) -> bool:
        return any(mask & event for mask, _ in self._callbacks.values())

    def fire(self, event: int, buf: bytes = b"", array: list[int] | None = None) -> None:
        for eh, (mask, cb) in list(self._callbacks.items()):
            if mask & event:
                try:
                    cb(event, eh, buf, array or [])
                except Exception:  # noqa: BLE001 - libguestfs also ignores callback errors
                    log.exception("event callback %d failed", eh)
