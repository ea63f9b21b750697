"""Checking values against the types the table declares (arguments on the host, replies too)."""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
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


def nullable(kind: Any) -> bool:
    """True if kind admits None (`X | None`)."""
    return get_origin(kind) in (typing.Union, types.UnionType) and type(None) in get_args(kind)


@functools.cache
def plain(kind: Any) -> Any:
    """The runtime type of a kind, optional or not (str for `Pathname | None`)."""
    return underlying(base_kind(kind))


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
    return checker(kind)(value)


@functools.cache
def checker(kind: Any) -> Callable[[Any], bool]:
    """The test of kind, worked out once: it runs on every argument and every reply."""
    kind = underlying(base_kind(kind))
    origin = get_origin(kind)
    if kind is Any:
        return lambda v: True
    if kind is type(None) or kind is None:
        return lambda v: v is None
    if origin in (typing.Union, types.UnionType):
        tests = [checker(a) for a in get_args(kind)]
        return lambda v: any(t(v) for t in tests)
    if origin is list:
        item = checker(get_args(kind)[0])
        return lambda v: isinstance(v, list) and all(map(item, v))
    if origin is tuple:
        tests = [checker(a) for a in get_args(kind)]
        return lambda v: (isinstance(v, (list, tuple)) and len(v) == len(tests)
                          and all(t(x) for t, x in zip(tests, v, strict=True)))
    if origin is dict:
        key, val = (checker(a) for a in get_args(kind))
        return lambda v: isinstance(v, dict) and all(key(a) and val(b) for a, b in v.items())
    if is_typeddict(kind):
        fields = {k: _field_checker(h) for k, h in typing.get_type_hints(kind).items()}
        required = getattr(kind, "__required_keys__", frozenset(fields))
        return lambda v: (isinstance(v, dict) and required <= v.keys()
                          and all(k in fields and fields[k](x) for k, x in v.items()))
    if kind is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if kind is float:
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if isinstance(kind, type):  # str, bytes, bool and other plain classes
        return lambda v: isinstance(v, kind)
    return lambda v: False


def _field_checker(kind: Any) -> Callable[[Any], bool]:
    """The test of a struct field: unlike an argument's, `X | None` there accepts None."""
    test = checker(kind)
    return (lambda v: v is None or test(v)) if nullable(kind) else test


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
