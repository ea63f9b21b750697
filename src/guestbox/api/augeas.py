# mypy: disable-error-code="empty-body"
"""Augeas: edit configuration files in the mounted guest as a tree."""

from __future__ import annotations

from .table import op  # noqa: F401
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class AugeasOps:
    """Augeas: edit configuration files in the mounted guest as a tree."""
