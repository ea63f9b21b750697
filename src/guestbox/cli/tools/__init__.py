"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from . import (
    copy_in,  # noqa: F401
    copy_out,  # noqa: F401
    edit,  # noqa: F401
    tar_in,  # noqa: F401
    tar_out,  # noqa: F401
)
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
