"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from . import alignment_scan, diff, get_kernel, log, tail, win_reg  # noqa: F401
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
