"""The agent's filesystem tools: ext2/3/4, XFS, NTFS, swap, fsck, feature availability."""

from __future__ import annotations

from .context import Ctx  # noqa: F401
from .registry import AgentError, impl  # noqa: F401
