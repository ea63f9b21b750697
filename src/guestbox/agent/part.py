"""Agent side of partition table operations."""

from __future__ import annotations

from .context import Ctx
from .registry import AgentError, impl

PARTTYPES = {"mbr": "msdos", "msdos": "msdos", "gpt": "gpt"}


def parted_label(parttype: str) -> str:
    try:
        return PARTTYPES[parttype]
    except KeyError:
        raise AgentError(f"unknown partition type: {parttype}: this should be 'mbr' or 'gpt'",
                         22) from None


def rescan(ctx: Ctx, device: str) -> None:
    ctx.run(["udevadm", "settle"], ok_codes=range(256)) if False else None
    ctx.run(["blockdev", "--rereadpt", device], ok_codes=(0, 1))


@impl
def part_disk(ctx: Ctx, device: str, parttype: str) -> None:
    label = parted_label(parttype)
    ctx.run(["wipefs", "-a", "-q", device])
    ctx.run(["parted", "-s", "--", device, "mklabel", label, "mkpart", "primary",
             "2048s", "-34s" if label == "gpt" else "-1s"])
    rescan(ctx, device)
