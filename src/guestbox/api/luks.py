# mypy: disable-error-code="empty-body"
"""LUKS encrypted devices: format, open, close, keys."""

from __future__ import annotations

from .table import op  # noqa: F401
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class LuksOps:
    """LUKS encrypted devices: format, open, close, keys."""
