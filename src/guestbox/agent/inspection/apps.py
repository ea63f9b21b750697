"""Installed applications, from the guest's package database or registry."""

from __future__ import annotations

from . import windows
from .root import Root


def list_applications(r: Root) -> list[dict[str, object]]:
    """Application2 dicts for the OS of r, read from the guest mounted under the sysroot."""
    if r.type == "windows":
        return windows.applications(r)
    return []
