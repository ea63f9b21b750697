"""The OS's icon (PNG), found in the guest mounted under the sysroot."""

from __future__ import annotations

from .root import Root


def icon(r: Root, favicon: bool, highquality: bool) -> bytes:
    """PNG data of r's icon, or b"" if none is found."""
    return b""
