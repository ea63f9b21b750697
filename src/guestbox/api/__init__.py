"""The operation table, one module per family; `Operations` gathers every family's methods."""

from __future__ import annotations

from .augeas import AugeasOps
from .block import BlockOps
from .btrfs import BtrfsOps
from .commands import CommandOps
from .copies import CopyOps
from .files import FileOps
from .fs import FsOps
from .fs_tools import FsToolOps
from .handle_ops import HandleOps
from .hivex import HivexOps
from .inspect import InspectOps
from .journal import JournalOps
from .luks import LuksOps
from .lvm import LvmOps
from .md import MdOps
from .mount_local import MountLocalOps
from .part import PartOps
from .query import QueryOps
from .streams import StreamOps
from .table import REGISTRY, OpSpec, op

__all__ = ["REGISTRY", "OpSpec", "op", "Operations"]


class Operations(
    HandleOps, BlockOps, PartOps, FsOps, FsToolOps, LvmOps, LuksOps, MdOps, BtrfsOps,
    FileOps, QueryOps, StreamOps, CommandOps, CopyOps, AugeasOps, InspectOps, MountLocalOps,
    JournalOps, HivexOps,
):
    """Every operation of the table, as methods."""
