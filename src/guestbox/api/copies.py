# mypy: disable-error-code="empty-body"
"""Copies between devices and files, with offsets, sizes and sparseness."""

from __future__ import annotations

from .table import op  # noqa: F401
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class CopyOps:
    """Copies between devices and files, with offsets, sizes and sparseness."""
