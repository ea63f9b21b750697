# mypy: disable-error-code="empty-body"
"""btrfs: subvolumes, snapshots, devices, balance, scrub."""

from __future__ import annotations

from .table import op  # noqa: F401
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class BtrfsOps:
    """btrfs: subvolumes, snapshots, devices, balance, scrub."""
