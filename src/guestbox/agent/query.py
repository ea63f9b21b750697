"""Agent side of reading files and asking about them."""

from __future__ import annotations

import os

from .context import Ctx
from .registry import impl


@impl
def ls(ctx: Ctx, directory: str) -> list[str]:
    return sorted(os.listdir(directory))


@impl
def cat(ctx: Ctx, path: str) -> str:
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")
