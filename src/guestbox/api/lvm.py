"""LVM: physical volumes, volume groups, logical volumes."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class LvmOps:
    """LVM: physical volumes, volume groups, logical volumes."""
