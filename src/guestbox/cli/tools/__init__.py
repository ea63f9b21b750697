"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from . import (
    cat,  # noqa: F401 - each import registers its tool
    df,  # noqa: F401
    filesystems,  # noqa: F401
    inspect,  # noqa: F401
    ls,  # noqa: F401
)
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
