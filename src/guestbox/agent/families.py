"""Imports every family of agent functions, so that each registers itself."""

from __future__ import annotations

from . import block, commands, files, fs, lvm, part, query, streams  # noqa: F401
