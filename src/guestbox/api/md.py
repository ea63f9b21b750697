# mypy: disable-error-code="empty-body"
"""Linux software RAID (md): create, inspect, stop arrays."""

from __future__ import annotations

from .table import op  # noqa: F401
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class MdOps:
    """Linux software RAID (md): create, inspect, stop arrays."""
