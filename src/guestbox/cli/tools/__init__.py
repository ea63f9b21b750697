"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
