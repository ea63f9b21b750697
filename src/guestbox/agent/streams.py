"""Agent side of the streaming operations: file contents in and out."""

from __future__ import annotations

import os

from .context import Ctx
from .registry import impl


@impl
def upload(ctx: Ctx, filename: None, remotefilename: str) -> None:
    fd = os.open(remotefilename, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOCTTY, 0o644)
    try:
        for chunk in ctx.chunks():
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)


@impl
def download(ctx: Ctx, remotefilename: str, filename: None) -> None:
    fd = os.open(remotefilename, os.O_RDONLY)
    try:
        ctx.send_file(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)
