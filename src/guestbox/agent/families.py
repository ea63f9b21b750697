"""Imports every family of agent functions, so that each registers itself."""

from __future__ import annotations

from . import (  # noqa: F401
    attributes,
    augeas,
    block,
    btrfs,
    commands,
    copies,
    files,
    fs,
    fs_tools,
    hivex,
    inspection,
    journal,
    luks,
    lvm,
    md,
    mount_local,
    part,
    query,
    streams,
)
