"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from .. import mount, unmount  # noqa: F401 - each tool module registers itself
from . import (  # noqa: F401
    copy_in,
    copy_out,
    customize,
    edit,
    format,
    make_fs,
    rescue,
    resize,
    sparsify,
    sysprep,
    tar_in,
    tar_out,
)
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
