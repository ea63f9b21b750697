"""Checking values against the types the table declares (arguments on the host, replies too)."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, get_args, get_origin, is_typeddict


def base_kind(kind: Any) -> Any:
    """kind without its `| None`."""
    if get_origin(kind) in (typing.Union, types.UnionType):
        rest = [a for a in get_args(kind) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return kind


def underlying(kind: Any) -> Any:
    """The runtime type of an annotated kind (str for Pathname), else kind itself."""
    if get_origin(kind) is Annotated:
        return get_args(kind)[0]
    return kind


def kind_name(kind: Any) -> str | None:
    """The Kind's name of an annotated kind ("Pathname"), else None."""
    if get_origin(kind) is Annotated:
        for meta in kind.__metadata__:
            name = getattr(meta, "name", None)
            if isinstance(name, str):
                return name
    return None


def conforms(kind: Any, value: Any) -> bool:
    """True if value is of the declared kind (a kind, a TypedDict, a list or dict of those)."""
    kind = underlying(base_kind(kind))
    if kind is Any:
        return True
    if kind is type(None) or kind is None:
        return value is None
    origin = get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(a, value) for a in get_args(kind))
    if origin is list:
        (item,) = get_args(kind)
        return isinstance(value, list) and all(conforms(item, v) for v in value)
    if origin is tuple:
        return (isinstance(value, (list, tuple)) and len(value) == len(get_args(kind))
                and all(conforms(k, v) for k, v in zip(get_args(kind), value, strict=True)))
    if origin is dict:
        k, v = get_args(kind)
        return isinstance(value, dict) and all(
            conforms(k, a) and conforms(v, b) for a, b in value.items()
        )
    if is_typeddict(kind):
        if not isinstance(value, dict):
            return False
        hints = typing.get_type_hints(kind)
        required = getattr(kind, "__required_keys__", frozenset(hints))
        return required <= value.keys() and all(
            key in hints and conforms(hints[key], v) for key, v in value.items()
        )
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is bytes:
        return isinstance(value, bytes)
    if isinstance(kind, type):
        return isinstance(value, kind)
    return False


def describe(kind: Any) -> str:
    """A short human name of a kind, for errors and docs."""
    kind = base_kind(kind)
    if kind is type(None):
        return "None"
    if (name := kind_name(kind)) is not None:
        return name
    if get_origin(kind) is not None:
        return repr(kind).replace("typing.", "")
    return getattr(kind, "__name__", repr(kind))
