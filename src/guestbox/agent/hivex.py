"""The agent's hivex: Windows registry hives of the guest, through libhivex with ctypes.

As libguestfs's daemon: one hive handle per appliance, kept between calls;
node and value handles are libhivex's own (offsets in the hive file).  libhivex
says what went wrong in errno: failures are "OP: failed: strerror(errno)".
"""

from __future__ import annotations

import ctypes
import errno
import os
from ctypes import POINTER, byref, c_char_p, c_int, c_size_t, c_void_p
from typing import Any

from ..protocol import hives
from ..protocol.frames import MAX_BUFFER
from . import clib
from .context import Ctx
from .dispatch import need_root
from .paths import resolve, to_guest
from .registry import AgentError, impl

LIBRARY = "libhivex.so.0"
NO_HANDLE = "you must call 'hivex-open' first to initialize the hivex handle"
OPEN_VERBOSE, OPEN_DEBUG, OPEN_WRITE, OPEN_UNSAFE = 1, 2, 4, 8


class _SetValue(ctypes.Structure):
    """hive_set_value: key, type, length, data."""

    _fields_ = [("key", c_char_p), ("t", c_int), ("len", c_size_t), ("value", c_char_p)]


_NODE = c_size_t
_SIGNATURES: clib.Signatures = {
    "hivex_open": (c_void_p, [c_char_p, c_int]),
    "hivex_close": (c_int, [c_void_p]),
    "hivex_root": (_NODE, [c_void_p]),
    "hivex_node_name": (c_void_p, [c_void_p, _NODE]),
    "hivex_node_children": (c_void_p, [c_void_p, _NODE]),
    "hivex_node_get_child": (_NODE, [c_void_p, _NODE, c_char_p]),
    "hivex_node_parent": (_NODE, [c_void_p, _NODE]),
    "hivex_node_values": (c_void_p, [c_void_p, _NODE]),
    "hivex_node_get_value": (_NODE, [c_void_p, _NODE, c_char_p]),
    "hivex_value_key": (c_void_p, [c_void_p, _NODE]),
    "hivex_value_type": (c_int, [c_void_p, _NODE, POINTER(c_int), POINTER(c_size_t)]),
    "hivex_value_value": (c_void_p, [c_void_p, _NODE, POINTER(c_int), POINTER(c_size_t)]),
    "hivex_value_string": (c_void_p, [c_void_p, _NODE]),
    "hivex_commit": (c_int, [c_void_p, c_char_p, c_int]),
    "hivex_node_add_child": (_NODE, [c_void_p, _NODE, c_char_p]),
    "hivex_node_delete_child": (c_int, [c_void_p, _NODE]),
    "hivex_node_set_value": (c_int, [c_void_p, _NODE, POINTER(_SetValue), c_int]),
    "hivex_node_set_values": (c_int, [c_void_p, _NODE, c_size_t, POINTER(_SetValue), c_int]),
}


class _State:
    lib: Any = None
    handle: int | None = None


def _lib() -> Any:
    if _State.lib is None:
        _State.lib = clib.load(LIBRARY, "hivex", _SIGNATURES, use_errno=True)
    return _State.lib


def _h() -> int:
    if _State.handle is None:
        raise AgentError(NO_HANDLE)
    _lib()
    return _State.handle


def _failed(what: str = "failed") -> AgentError:
    e = ctypes.get_errno() or errno.EINVAL
    return AgentError(f"{what}: {os.strerror(e)}", e)


def _call(name: str, *args: Any) -> Any:
    """libhivex's name(handle, *args) with errno cleared first (0 can be a valid answer)."""
    ctypes.set_errno(0)
    return getattr(_lib(), name)(_h(), *args)


def _string(ptr: int | None) -> bytes:
    """A string libhivex allocated, freed once read."""
    if not ptr:
        raise _failed()
    try:
        return ctypes.string_at(ptr)
    finally:
        clib.LIBC.free(ptr)


def _handles(ptr: int | None) -> list[int]:
    """A 0-terminated array of handles libhivex allocated, freed once read."""
    if not ptr:
        raise _failed()
    try:
        arr = ctypes.cast(ptr, POINTER(c_size_t))
        out: list[int] = []
        while arr[len(out)]:
            out.append(int(arr[len(out)]))
        return out
    finally:
        clib.LIBC.free(ptr)


def _text(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


@impl
def hivex_open(ctx: Ctx, filename: str, verbose: bool | None = None,
               debug: bool | None = None, write: bool | None = None,
               unsafe: bool | None = None) -> None:
    lib = _lib()
    if _State.handle is not None:
        lib.hivex_close(_State.handle)
        _State.handle = None
    flags = ((OPEN_VERBOSE if verbose else 0) | (OPEN_DEBUG if debug else 0)
             | (OPEN_WRITE if write else 0) | (OPEN_UNSAFE if unsafe else 0))
    ctypes.set_errno(0)
    h = lib.hivex_open(os.fsencode(filename), flags)
    if not h:
        raise _failed(f"hivex failed to open {to_guest(filename)}")
    _State.handle = h


@impl
def hivex_close(ctx: Ctx) -> None:
    h = _h()
    _State.handle = None
    if _lib().hivex_close(h) == -1:
        raise _failed()


@impl
def hivex_root(ctx: Ctx) -> int:
    r = _call("hivex_root")
    if not r:
        raise _failed()
    return int(r)


@impl
def hivex_node_name(ctx: Ctx, nodeh: int) -> str:
    return _text(_string(_call("hivex_node_name", nodeh)))


@impl
def hivex_node_children(ctx: Ctx, nodeh: int) -> list[dict[str, int]]:
    return [{"hivex_node_h": n} for n in _handles(_call("hivex_node_children", nodeh))]


def _maybe(r: int) -> int:
    """A lookup's answer: 0 (not found) unless errno says it failed."""
    if not r and ctypes.get_errno():
        raise _failed()
    return int(r or 0)


@impl
def hivex_node_get_child(ctx: Ctx, nodeh: int, name: str) -> int:
    return _maybe(_call("hivex_node_get_child", nodeh, _bytes(name)))


@impl
def hivex_node_parent(ctx: Ctx, nodeh: int) -> int:
    r = _call("hivex_node_parent", nodeh)
    if not r:
        raise _failed()
    return int(r)


@impl
def hivex_node_values(ctx: Ctx, nodeh: int) -> list[dict[str, int]]:
    return [{"hivex_value_h": v} for v in _handles(_call("hivex_node_values", nodeh))]


@impl
def hivex_node_get_value(ctx: Ctx, nodeh: int, key: str) -> int:
    return _maybe(_call("hivex_node_get_value", nodeh, _bytes(key)))


@impl
def hivex_value_key(ctx: Ctx, valueh: int) -> str:
    return _text(_string(_call("hivex_value_key", valueh)))


@impl
def hivex_value_type(ctx: Ctx, valueh: int) -> int:
    t, size = c_int(), c_size_t()
    if _call("hivex_value_type", valueh, byref(t), byref(size)) == -1:
        raise _failed()
    return int(t.value)


def _value(valueh: int) -> tuple[int, bytes]:
    t, size = c_int(), c_size_t()
    ptr = _call("hivex_value_value", valueh, byref(t), byref(size))
    if not ptr:
        raise _failed()
    try:
        return int(t.value), ctypes.string_at(ptr, size.value)
    finally:
        clib.LIBC.free(ptr)


@impl
def hivex_value_value(ctx: Ctx, valueh: int) -> bytes:
    return _value(valueh)[1]


@impl
def hivex_value_string(ctx: Ctx, valueh: int) -> str:
    return _text(_string(_call("hivex_value_string", valueh)))


@impl
def hivex_value_utf8(ctx: Ctx, valueh: int) -> str:
    return hivex_value_string(ctx, valueh)


@impl
def hivex_commit(ctx: Ctx, filename: str | None = None) -> None:
    h = _h()
    target = None
    if filename is not None:
        if not filename.startswith("/"):
            raise AgentError("hivex_commit: filename argument must be an absolute path",
                             errno.EINVAL)
        need_root()
        target = os.fsencode(resolve(filename))
    ctypes.set_errno(0)
    if _lib().hivex_commit(h, target, 0) == -1:
        raise _failed()


@impl
def hivex_node_add_child(ctx: Ctx, parent: int, name: str) -> int:
    r = _call("hivex_node_add_child", parent, _bytes(name))
    if not r:
        raise _failed()
    return int(r)


@impl
def hivex_node_delete_child(ctx: Ctx, nodeh: int) -> None:
    if _call("hivex_node_delete_child", nodeh) == -1:
        raise _failed()


def _set_value(v: hives.Value) -> _SetValue:
    return _SetValue(v.key, v.type, len(v.data), v.data)


@impl
def hivex_node_set_value(ctx: Ctx, nodeh: int, key: str, t: int, val: bytes) -> None:
    sv = _set_value(hives.Value(_bytes(key), t, val))
    if _call("hivex_node_set_value", nodeh, byref(sv), 0) == -1:
        raise _failed()


def _pack_values(nodeh: int) -> bytes:
    out = bytearray()
    for v in _handles(_call("hivex_node_values", nodeh)):
        key = _string(_call("hivex_value_key", v))
        t, data = _value(v)
        out += hives.pack_value(hives.Value(key, t, data))
    return bytes(out)


@impl
def internal_hivex_export(ctx: Ctx, nodeh: int, recursive: bool) -> bytes:
    parts: list[bytes] = []
    total = 0
    todo = [(nodeh, -1)]  # (node, index of its parent's record)
    count = 0
    while todo:
        node, parent = todo.pop()
        record = hives.pack_node(parent, _string(_call("hivex_node_name", node)))
        record += _pack_values(node)
        total += len(record)
        if total > MAX_BUFFER:
            raise AgentError("registry key too large to export in one call", errno.EOVERFLOW)
        parts.append(record)
        if recursive:
            todo += [(child, count) for child
                     in reversed(_handles(_call("hivex_node_children", node)))]
        count += 1
    return b"".join(parts)


@impl
def internal_hivex_set_values(ctx: Ctx, nodeh: int, values: bytes) -> None:
    try:
        vals = hives.unpack_values(values)
    except ValueError as e:
        raise AgentError(f"malformed value list: {e}", errno.EINVAL) from None
    arr = (_SetValue * max(len(vals), 1))(*[_set_value(v) for v in vals])
    if _call("hivex_node_set_values", nodeh, len(vals), arr, 0) == -1:
        raise _failed()
