"""The operation table: every operation is declared once, here.

An operation is a method stub on one of the family classes in this package,
decorated with `@op`.  The decorator records an `OpSpec` (name, typed
parameters, return type, doc, flags) in `REGISTRY` and replaces the stub's
body with a call through the handle's `_call`, so the handle's methods, the
agent's dispatch, the shell and the docs all come from the same declaration.
Operations the host library does itself (`local=True`) keep their body.

This module and the family modules use only the standard library: the
appliance imports them too, to dispatch and to apply argument kinds.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import sys
import typing
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from .kinds import base_kind, kind_name

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: its name, its kind (a type, or a kind from api.types), optionality."""

    name: str
    kind: Any
    optional: bool
    meaning: str | None = None
    """The Kind's name ("Pathname", "Device", "FileIn" ...) for annotated string kinds."""


@dataclasses.dataclass(frozen=True)
class OpSpec:
    """Everything known about one operation."""

    name: str
    family: str
    params: tuple[Param, ...]
    ret: Any
    doc: str
    writes: bool
    local: bool
    group: str | None
    nofollow: frozenset[str]
    deprecated_by: str | None
    config_only: bool
    signature: inspect.Signature

    @property
    def required(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.optional)

    @property
    def optional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.optional)

    @property
    def summary(self) -> str:
        return self.doc.strip().split("\n", 1)[0]


REGISTRY: dict[str, OpSpec] = {}


class Caller(Protocol):
    """What an op method needs from its owner: the handle's generic call."""

    def _call(self, spec: OpSpec, args: dict[str, Any]) -> Any: ...


def _params(fn: Callable[..., Any], hints: dict[str, Any]) -> tuple[Param, ...]:
    out = []
    for p in list(inspect.signature(fn).parameters.values())[1:]:  # skip self
        if p.kind is inspect.Parameter.VAR_KEYWORD or p.kind is inspect.Parameter.VAR_POSITIONAL:
            raise TypeError(f"{fn.__name__}: operations take named parameters only")
        kind = hints[p.name]
        out.append(Param(p.name, kind, p.default is not inspect.Parameter.empty,
                         kind_name(base_kind(kind))))
    return tuple(out)


def op(
    *,
    writes: bool = False,
    local: bool = False,
    group: str | None = None,
    nofollow: tuple[str, ...] = (),
    deprecated_by: str | None = None,
    config_only: bool = False,
) -> Callable[[F], F]:
    """Declare an operation.

    writes: it may change guest data (a read-only handle refuses it).
    local: the host library implements it: either the body is real (it composes other
        operations, like copy_in over tar_in) or it is `...` and GuestFS defines it.
    group: the optional feature group it belongs to (libguestfs's `available`).
    nofollow: Pathname parameters whose last component is not followed if a symlink.
    deprecated_by: the operation to use instead.
    config_only: may be called only before launch.
    """

    def decorate(fn: F) -> F:
        name = fn.__name__
        if name in REGISTRY:
            raise ValueError(f"operation {name} declared twice")
        module = sys.modules[fn.__module__]
        hints = typing.get_type_hints(fn, globalns=vars(module), include_extras=True)
        spec = OpSpec(
            name=name,
            family=fn.__module__.rsplit(".", 1)[-1],
            params=_params(fn, hints),
            ret=hints.get("return", type(None)),
            doc=inspect.cleandoc(fn.__doc__ or ""),
            writes=writes,
            local=local,
            group=group,
            nofollow=frozenset(nofollow),
            deprecated_by=deprecated_by,
            config_only=config_only,
            signature=inspect.signature(fn),
        )
        for p in nofollow:
            if p not in {q.name for q in spec.params}:
                raise ValueError(f"{name}: nofollow names unknown parameter {p}")
        if not spec.doc:
            raise ValueError(f"operation {name} has no doc")
        REGISTRY[name] = spec
        if local:
            fn.__guestbox_op__ = spec  # type: ignore[attr-defined]
            return fn
        names = [p.name for p in spec.params]
        least = len(spec.required)
        sig = spec.signature

        @functools.wraps(fn)
        def method(self: Caller, *args: Any, **kwargs: Any) -> Any:
            if not kwargs and least <= len(args) <= len(names):  # common: no bind's cost
                return self._call(spec, dict(zip(names, args, strict=False)))
            try:
                bound = sig.bind(self, *args, **kwargs)
            except TypeError as e:
                raise TypeError(f"{name}: {e}") from None
            given = bound.arguments
            return self._call(spec, {n: given[n] for n in names if n in given})

        method.__guestbox_op__ = spec  # type: ignore[attr-defined]
        return typing.cast(F, method)

    return decorate


def alias(name: str, target: F, doc: str) -> F:
    """Declare name as another name of the operation target: same parameters, same result.

    The alias calls the target by name on the handle, so it also follows a local
    operation that GuestFS implements.  Use it in the class body:
    `mkfs_opts = alias("mkfs_opts", mkfs, "...")`.
    """
    tspec: OpSpec = target.__guestbox_op__  # type: ignore[attr-defined]
    if name in REGISTRY:
        raise ValueError(f"operation {name} declared twice")
    spec = dataclasses.replace(tspec, name=name, local=True, doc=inspect.cleandoc(doc))
    REGISTRY[name] = spec
    target_name = tspec.name

    @functools.wraps(target)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, target_name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = spec.doc
    method.__guestbox_op__ = spec  # type: ignore[attr-defined]
    return typing.cast(F, method)
