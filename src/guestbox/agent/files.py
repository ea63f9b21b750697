"""Agent side of file and directory operations."""

from __future__ import annotations

import os

from .context import Ctx
from .registry import impl


@impl
def mkdir_p(ctx: Ctx, path: str) -> None:
    os.makedirs(path, exist_ok=True)


@impl
def write(ctx: Ctx, path: str, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOCTTY, 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
