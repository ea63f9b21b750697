"""The agent's copies between devices and files, with offsets, sizes and sparseness."""

from __future__ import annotations

from .context import Ctx  # noqa: F401
from .registry import AgentError, impl  # noqa: F401
