"""The text of trace lines, as libguestfs 1.48 prints them (`libguestfs: trace: ...`).

Calls read `name "string" 42 true "a b" "optname:value"`; results `name = 0`,
`= "text"`, `= ["a", "b"]`, `= <struct guestfs_stat = dev: 1, ..., >`, and a
failed call `name = -1 (error)` or `name = NULL (error)`.  Keys show as ***.
Buffers show unprintable bytes as \\x0a, strings as \\xa (both as libguestfs does).
"""

from __future__ import annotations

from typing import Any, get_args, get_origin, is_typeddict

from .kinds import base_kind, plain
from .table import OpSpec
from .types import Key

_STRUCT_NAMES = {"PV": "lvm_pv", "VG": "lvm_vg", "LV": "lvm_lv", "StatNS": "statns",
                 "StatVFS": "statvfs", "XAttr": "xattr", "IntBool": "int_bool",
                 "BTRFSSubvolume": "btrfssubvolume", "BTRFSQgroup": "btrfsqgroup",
                 "BTRFSBalance": "btrfsbalance", "BTRFSScrub": "btrfsscrub",
                 "XFSInfo": "xfsinfo", "MDStat": "mdstat", "Partition": "partition"}


def call_line(spec: OpSpec, args: dict[str, Any]) -> str:
    """The line traced before a call: its name and the arguments given."""
    parts = [spec.name]
    for p in spec.params:
        if p.name not in args:
            continue
        v = args[p.name]
        if base_kind(p.kind) == Key:
            text = '"***"'
        elif p.optional:
            text = f'"{p.name}:{_scalar(v)}"'
        elif isinstance(v, list):
            text = '"' + " ".join(v) + '"'
        elif isinstance(v, (str, bytes)):
            text = f'"{_printable(v)}"'
        else:
            text = _scalar(v)
        parts.append(text)
    return " ".join(parts)


def result_line(spec: OpSpec, result: Any) -> str:
    """The line traced after a call that succeeded."""
    return f"{spec.name} = {_result(spec.ret, result)}"


def error_line(spec: OpSpec) -> str:
    """The line traced after a call that failed: -1 or NULL as libguestfs's C return."""
    ret = plain(spec.ret)
    scalar = spec.ret is None or ret in (int, bool, type(None))
    return f"{spec.name} = {'-1' if scalar else 'NULL'} (error)"


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "NULL"
    return _printable(v) if isinstance(v, (str, bytes)) else str(v)


def _printable(v: str | bytes) -> str:
    if isinstance(v, str):
        return v
    return "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in v)


def _result(ret: Any, v: Any) -> str:
    if v is None:
        return "0"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return f'"{_printable(v)}"'
    if isinstance(v, str):
        return f'"{_escaped(v)}"'
    kind = plain(ret)
    if isinstance(v, dict):
        if is_typeddict(kind):
            return f"<struct guestfs_{_struct(kind)} = {_fields(v)}>"
        return _strings([x for pair in v.items() for x in pair])
    if isinstance(v, (list, tuple)):
        item = get_args(kind)[0] if get_origin(kind) is list and get_args(kind) else None
        if item is not None and is_typeddict(item):
            inner = " ".join(f"[{i}]{{{_fields(s)}}}" for i, s in enumerate(v))
            return (f"<struct guestfs_{_struct(item)}_list({len(v)})"
                    + (f" = {inner}" if v else "") + ">")
        if v and isinstance(v[0], (list, tuple)):
            return _strings([x for pair in v for x in pair])
        return _strings([str(x) for x in v])
    return str(v)


def _struct(kind: Any) -> str:
    name = getattr(kind, "__name__", "struct")
    return _STRUCT_NAMES.get(name, name.lower())


def _fields(s: dict[str, Any]) -> str:
    return "".join(f"{k}: {_printable(v) if isinstance(v, bytes) else v}, "
                   for k, v in s.items())


def _escaped(s: str) -> str:
    """A string result as libguestfs traces it: unprintable characters as \\x%x (unpadded)."""
    return "".join(c if " " <= c < "\x7f" else f"\\x{ord(c):x}" for c in s)


def _strings(items: list[str]) -> str:
    return "[" + ", ".join(f'"{_escaped(x)}"' for x in items) + "]"
