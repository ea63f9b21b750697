"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from .. import mount, unmount  # noqa: F401 - they register themselves
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
