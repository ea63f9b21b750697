"""Printing results exactly as guestfish prints each return type."""

from __future__ import annotations

from typing import Any

from ...api.kinds import base_kind

INT_STYLE = {"umask": "0{:o}\n", "get_umask": "0{:o}\n", "part_get_mbr_id": "0x{:x}\n"}
"""Operations whose integer guestfish prints in octal or hexadecimal (FishOutput)."""


def render(ret: Any, result: Any, name: str = "") -> bytes:
    """The bytes guestfish writes to stdout for result, of the declared return kind ret."""
    if name in INT_STYLE and isinstance(result, int):
        return INT_STYLE[name].format(result).encode()
    if result is None:
        return b""
    if isinstance(result, bytes):  # a buffer: written raw, no newline
        return result
    return _text(base_kind(ret), result).encode("utf-8", "surrogateescape")


def _text(ret: Any, result: Any) -> str:
    if isinstance(result, bool):
        return "true\n" if result else "false\n"
    if isinstance(result, (int, str)):
        return f"{result}\n"
    if isinstance(result, dict):
        if ret is not None and _is_struct(ret):
            return struct_lines(result, "")
        return "".join(f"{k}: {v}\n" for k, v in result.items())  # a hashtable
    if isinstance(result, (list, tuple)):
        if result and isinstance(result[0], dict):
            return "".join(f"[{i}] = {{\n{struct_lines(s, '  ')}}}\n"
                           for i, s in enumerate(result))
        if result and isinstance(result[0], (list, tuple)):  # hashtable as pairs
            return "".join(f"{k}: {v}\n" for k, v in result)
        return "".join(f"{item}\n" for item in result)
    return f"{result}\n"


def _is_struct(ret: Any) -> bool:
    return hasattr(ret, "__required_keys__")


def struct_lines(s: dict[str, Any], indent: str) -> str:
    """A struct's `field: value` lines, as guestfish's print_<struct>_indent."""
    return "".join(f"{indent}{k}: {field(v)}\n" for k, v in s.items())


def field(v: Any) -> str:
    """One struct field: buffers with \\xHH for unprintable bytes, percentages as %g %."""
    if v is None:
        return ""
    if isinstance(v, bytes):
        return "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in v)
    if isinstance(v, float):
        return f"{v:g} %"
    return str(v)
