"""Agent side of block device operations."""

from __future__ import annotations

import os
import re

from .context import Ctx
from .registry import impl


def disk_names() -> list[str]:
    """The guest's disks (sdX), in order: sda..sdz, then sdaa..."""
    names = [n for n in os.listdir("/sys/block") if re.fullmatch(r"sd[a-z]+", n)]
    return sorted(names, key=lambda n: (len(n), n))


@impl
def list_devices(ctx: Ctx) -> list[str]:
    return [f"/dev/{n}" for n in disk_names()]
