"""The agent's btrfs: subvolumes, snapshots, devices, balance, scrub."""

from __future__ import annotations

from .context import Ctx  # noqa: F401
from .registry import AgentError, impl  # noqa: F401
