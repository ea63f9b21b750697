# mypy: disable-error-code="empty-body"
"""Filesystem tools: ext2/3/4, XFS, NTFS, swap, fsck, feature availability."""

from __future__ import annotations

from .table import op  # noqa: F401
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class FsToolOps:
    """Filesystem tools: ext2/3/4, XFS, NTFS, swap, fsck, feature availability."""
