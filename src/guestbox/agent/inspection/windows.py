"""Windows roots: the system root, and what the SOFTWARE and SYSTEM hives say."""

from __future__ import annotations

from .root import Root


def detect(mountable: str, path: str) -> Root | None:
    """A Root if the filesystem at path holds a Windows system root."""
    return None
