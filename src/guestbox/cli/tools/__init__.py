"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from . import customize, rescue, sysprep  # noqa: F401 - each registers its tool
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
