"""guestbox: open virtual-machine disk images and work on what is inside them, safely.

    import guestbox
    g = guestbox.GuestFS()
    g.add_drive_opts("disk.qcow2", format="qcow2", readonly=True)
    g.launch()
    print(g.list_filesystems())
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ApplianceError,
    Error,
    ExistsError,
    GuestOSError,
    IsADirError,
    NotADirError,
    NotFoundError,
    PermissionDeniedError,
    ReadOnlyError,
    StateError,
)
from .events import (  # noqa: E402
    EVENT_ALL,
    EVENT_APPLIANCE,
    EVENT_CLOSE,
    EVENT_ENTER,
    EVENT_LAUNCH_DONE,
    EVENT_LIBRARY,
    EVENT_LIBVIRT_AUTH,
    EVENT_PROGRESS,
    EVENT_SUBPROCESS_QUIT,
    EVENT_TRACE,
    EVENT_WARNING,
    event_to_string,
)
from .handle import GuestFS  # noqa: E402

__all__ = [
    "GuestFS", "Error", "ApplianceError", "ExistsError", "GuestOSError", "IsADirError",
    "NotADirError", "NotFoundError", "PermissionDeniedError", "ReadOnlyError", "StateError",
    "EVENT_ALL", "EVENT_APPLIANCE", "EVENT_CLOSE", "EVENT_ENTER", "EVENT_LAUNCH_DONE",
    "EVENT_LIBRARY", "EVENT_LIBVIRT_AUTH", "EVENT_PROGRESS", "EVENT_SUBPROCESS_QUIT",
    "EVENT_TRACE", "EVENT_WARNING", "event_to_string",
]
