# mypy: disable-error-code="empty-body"
"""Windows registry hives in the guest, read and written with the appliance's libhivex."""

from __future__ import annotations

from .table import op
from .types import HivexNode, HivexValue, Pathname


class HivexOps:
    """The registry: open a hive file of the guest, walk its keys (nodes) and values.

    Wrappers around hivex(3), as libguestfs's: the appliance holds one hive handle
    between calls (hivex_open closes the previous one); node and value handles
    are hivex's, valid until the hive is closed.  Failures of hivex itself are
    told as "OP: failed: REASON"; calls without a handle fail with "OP: you must
    call 'hivex-open' first to initialize the hivex handle".
    """

    @op(group="hivex")
    def hivex_open(self, filename: Pathname, verbose: bool | None = None,
                   debug: bool | None = None, write: bool | None = None,
                   unsafe: bool | None = None) -> None:
        """Open the Windows Registry hive file filename. Any hive opened before is closed.

        write: allow changes (written by hivex_commit).  unsafe: tolerate some
        corruption (hivex's HIVEX_OPEN_UNSAFE).  verbose, debug: hivex's
        messages (on the appliance's console).
        """
        ...

    @op(group="hivex")
    def hivex_close(self) -> None:
        """Close the current hive handle (changes not committed are lost)."""
        ...

    @op(group="hivex")
    def hivex_root(self) -> int:
        """The root node of the hive."""
        ...

    @op(group="hivex")
    def hivex_node_name(self, nodeh: int) -> str:
        """The name of node nodeh."""
        ...

    @op(group="hivex")
    def hivex_node_children(self, nodeh: int) -> list[HivexNode]:
        """The nodes that are subkeys of nodeh."""
        ...

    @op(group="hivex")
    def hivex_node_get_child(self, nodeh: int, name: str) -> int:
        """The child of nodeh named name (compared without case), or 0 if there is none."""
        ...

    @op(group="hivex")
    def hivex_node_parent(self, nodeh: int) -> int:
        """The parent node of nodeh."""
        ...

    @op(group="hivex")
    def hivex_node_values(self, nodeh: int) -> list[HivexValue]:
        """The values, (key, type, data) tuples, attached to nodeh."""
        ...

    @op(group="hivex")
    def hivex_node_get_value(self, nodeh: int, key: str) -> int:
        """The value of nodeh named key (compared without case; "" is the default value),
        or 0 if there is none."""
        ...

    @op(group="hivex")
    def hivex_value_key(self, valueh: int) -> str:
        """The key (name) of value valueh; "" for a node's default value."""
        ...

    @op(group="hivex")
    def hivex_value_type(self, valueh: int) -> int:
        """The data type of value valueh (1 REG_SZ, 2 REG_EXPAND_SZ, 3 REG_BINARY, 4 REG_DWORD,
        7 REG_MULTI_SZ, 11 REG_QWORD ...)."""
        ...

    @op(group="hivex")
    def hivex_value_value(self, valueh: int) -> bytes:
        """The data of value valueh, as stored.  See also hivex_value_string."""
        ...

    @op(group="hivex")
    def hivex_value_string(self, valueh: int) -> str:
        """The data of value valueh read as a UTF-16LE string (REG_SZ ...), in UTF-8.

        Not foolproof: the registry is not strongly typed, and a value that is not
        such a string is an error.
        """
        ...

    @op(group="hivex", deprecated_by="hivex_value_string")
    def hivex_value_utf8(self, valueh: int) -> str:
        """The same as hivex_value_string."""
        ...

    @op(writes=True, group="hivex")
    def hivex_commit(self, filename: str | None) -> None:
        """Write the changes to the hive: to the file it was opened from if filename is None,
        else to filename (an absolute guest path), leaving the original as it was."""
        ...

    @op(writes=True, group="hivex")
    def hivex_node_add_child(self, parent: int, name: str) -> int:
        """Add a child node named name to parent; the new node."""
        ...

    @op(writes=True, group="hivex")
    def hivex_node_delete_child(self, nodeh: int) -> None:
        """Delete node nodeh and everything below it."""
        ...

    @op(writes=True, group="hivex")
    def hivex_node_set_value(self, nodeh: int, key: str, t: int, val: bytes) -> None:
        """Set or replace the single value key of nodeh: type t, data val."""
        ...

    @op(group="hivex")
    def internal_hivex_export(self, nodeh: int, recursive: bool) -> bytes:
        """Internal (guestbox): node nodeh's values, and with recursive every node below it
        with theirs, packed (protocol/hives.py), in one call: what `guestbox win-reg`
        exports and merges with."""
        ...

    @op(writes=True, group="hivex")
    def internal_hivex_set_values(self, nodeh: int, values: bytes) -> None:
        """Internal (guestbox): replace all the values of nodeh by values, packed as
        internal_hivex_export packs a node's (protocol/hives.py); hivex's
        hivex_node_set_values, which libguestfs does not offer."""
        ...
