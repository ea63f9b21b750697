"""Running the guest's own programs in its mounted root."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class CommandOps:
    """Running the guest's own programs in its mounted root."""
