"""The agent's lUKS encrypted devices: format, open, close, keys."""

from __future__ import annotations

from .context import Ctx  # noqa: F401
from .registry import AgentError, impl  # noqa: F401
