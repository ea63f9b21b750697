"""The operation table, one module per family; `Operations` gathers every family's methods."""

from __future__ import annotations

from .block import BlockOps
from .commands import CommandOps
from .files import FileOps
from .fs import FsOps
from .handle_ops import HandleOps
from .lvm import LvmOps
from .part import PartOps
from .query import QueryOps
from .streams import StreamOps
from .table import REGISTRY, OpSpec, op

__all__ = ["REGISTRY", "OpSpec", "op", "Operations"]


class Operations(
    HandleOps, BlockOps, PartOps, FsOps, LvmOps, FileOps, QueryOps, StreamOps, CommandOps
):
    """Every operation of the table, as methods."""
