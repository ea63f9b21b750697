"""Where agent functions register, by operation name, and the errors they raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

IMPLS: dict[str, Callable[..., Any]] = {}


class AgentError(Exception):
    """A failure to report to the host as `op: message`, with an errno if there is one."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errno = errno


def impl(fn: F) -> F:
    """Register fn as the agent side of the operation of the same name."""
    if fn.__name__ in IMPLS:
        raise ValueError(f"agent function {fn.__name__} registered twice")
    IMPLS[fn.__name__] = fn
    return fn
