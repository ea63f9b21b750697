"""The agent's linux software RAID (md): create, inspect, stop arrays."""

from __future__ import annotations

from .context import Ctx  # noqa: F401
from .registry import AgentError, impl  # noqa: F401
