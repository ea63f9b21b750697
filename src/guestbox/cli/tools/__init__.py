"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from . import (
    format,  # noqa: F401
    make_fs,  # noqa: F401
    resize,  # noqa: F401
    sparsify,  # noqa: F401
)
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
