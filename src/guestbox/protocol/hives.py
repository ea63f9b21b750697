"""The packed registry keys of internal_hivex_export and internal_hivex_set_values.

A key is a node record (its parent's index among the node records, -1 for the
first, and its name), followed by the records of its values (type, key name,
raw data).  Names are hivex's UTF-8; data is as stored.  The host reads what
the appliance sent as untrusted: unpack raises ValueError on a malformed buffer.
"""

from __future__ import annotations

import dataclasses
import struct

_NODE = struct.Struct("<cii")  # b"N", parent index, name length
_VALUE = struct.Struct("<cIII")  # b"V", type, key length, data length


@dataclasses.dataclass
class Value:
    """One registry value."""

    key: bytes  # b"" for the key's default value (regedit's @)
    type: int
    data: bytes


@dataclasses.dataclass
class Node:
    """One registry key: its name, its parent (index in the list, -1: none), its values."""

    name: bytes
    parent: int
    values: list[Value] = dataclasses.field(default_factory=list)


def pack_node(parent: int, name: bytes) -> bytes:
    return _NODE.pack(b"N", parent, len(name)) + name


def pack_value(v: Value) -> bytes:
    return _VALUE.pack(b"V", v.type, len(v.key), len(v.data)) + v.key + v.data


def unpack(blob: bytes) -> list[Node]:
    """The nodes of a packed export, in their order (a parent before its children)."""
    nodes: list[Node] = []
    for item in _records(blob):
        if isinstance(item, Node):
            if not -1 <= item.parent < len(nodes):
                raise ValueError("node record names a parent that is not before it")
            nodes.append(item)
        elif not nodes:
            raise ValueError("value record before any node record")
        else:
            nodes[-1].values.append(item)
    return nodes


def unpack_values(blob: bytes) -> list[Value]:
    """The values of a packed value list (internal_hivex_set_values)."""
    out = []
    for item in _records(blob):
        if not isinstance(item, Value):
            raise ValueError("node record in a value list")
        out.append(item)
    return out


def _records(blob: bytes) -> list[Node | Value]:
    out: list[Node | Value] = []
    pos, end = 0, len(blob)
    try:
        while pos < end:
            if blob[pos:pos + 1] == b"N":
                _, parent, n = _NODE.unpack_from(blob, pos)
                pos += _NODE.size
                out.append(Node(_take(blob, pos, n), parent))
                pos += n
            else:
                tag, t, k, d = _VALUE.unpack_from(blob, pos)
                if tag != b"V":
                    raise ValueError(f"unknown record type {tag!r}")
                pos += _VALUE.size
                key = _take(blob, pos, k)
                pos += k
                out.append(Value(key, t, _take(blob, pos, d)))
                pos += d
    except struct.error as e:
        raise ValueError(f"truncated record: {e}") from None
    return out


def _take(blob: bytes, pos: int, n: int) -> bytes:
    if n < 0 or pos + n > len(blob):
        raise ValueError("field beyond the end of the buffer")
    return blob[pos:pos + n]
