"""Reference documentation generated from the operation table (docs/api.md)."""

from __future__ import annotations

import inspect

from . import Operations
from .kinds import describe, nullable
from .table import REGISTRY, OpSpec

HEADER = """\
# guestbox API reference

Generated from the operation table by `guestbox docs` (do not edit by hand).
Every operation is a method of `guestbox.GuestFS` and a command of the shell.
Names, parameters and results follow libguestfs 1.48; structs and hashtables
are returned as dicts (`python_return_dict=True` is guestbox's default;
`GuestFS(python_return_dict=False)` returns hashtables as lists of pairs, as
libguestfs does by default).

Flags: **writes** (refused on a read-only handle), **config** (only before
launch), **local** (done by the host library, not the appliance).
"""


def signature(spec: OpSpec) -> str:
    parts = []
    for p in spec.params:
        text = f"{p.name}: {describe(p.kind)}"
        if not p.optional and nullable(p.kind):
            text += " | None"  # required, but may be None (libguestfs's OptString)
        parts.append(f"{text} = None" if p.optional else text)
    return f"{spec.name}({', '.join(parts)}) -> {describe(spec.ret)}"


def flags(spec: OpSpec) -> str:
    out = [f for f, on in (("writes", spec.writes), ("config", spec.config_only),
                           ("local", spec.local)) if on]
    if spec.group:
        out.append(f"feature group `{spec.group}`")
    if spec.deprecated_by:
        out.append(f"deprecated: use `{spec.deprecated_by}`")
    return " · ".join(out)


def families() -> list[tuple[type, list[OpSpec]]]:
    """Each family class with its operations, in the order of Operations' bases."""
    out = []
    for cls in Operations.__bases__:
        names = [n for n, v in vars(cls).items() if hasattr(v, "__guestbox_op__")]
        specs = sorted((REGISTRY[n] for n in names if not n.startswith("internal_")),
                       key=lambda s: s.name)
        out.append((cls, specs))
    return out


def render() -> str:
    lines = [HEADER]
    fams = families()
    total = sum(len(s) for _, s in fams)
    lines.append(f"{total} operations.\n")
    for cls, specs in fams:
        lines.append(f"## {inspect.cleandoc(cls.__doc__ or cls.__name__).splitlines()[0]}\n")
        lines.append(", ".join(f"[{s.name}](#{s.name})" for s in specs) + "\n")
        for s in specs:
            lines.append(f"### {s.name}\n")
            lines.append(f"`{signature(s)}`\n")
            if f := flags(s):
                lines.append(f"{f}\n")
            lines.append(s.doc + "\n")
    return "\n".join(lines)
