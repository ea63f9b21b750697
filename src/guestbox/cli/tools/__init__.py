"""The virt-tool style subcommands (registry.py); importing this registers every one."""

from __future__ import annotations

from .. import mount, unmount  # noqa: F401 - each tool module registers itself
from . import (  # noqa: F401
    alignment_scan,
    cat,
    copy_in,
    copy_out,
    customize,
    df,
    diff,
    edit,
    filesystems,
    format,
    get_kernel,
    inspect,
    log,
    ls,
    make_fs,
    rescue,
    resize,
    sparsify,
    sysprep,
    tail,
    tar_in,
    tar_out,
    win_reg,
)
from .registry import TOOLS, Tool, register

__all__ = ["TOOLS", "Tool", "register"]
