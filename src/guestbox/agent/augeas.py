"""The agent's augeas: edit configuration files in the mounted guest as a tree."""

from __future__ import annotations

from .context import Ctx  # noqa: F401
from .registry import AgentError, impl  # noqa: F401
