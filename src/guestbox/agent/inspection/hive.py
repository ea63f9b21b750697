"""Windows registry hives, read with hivex's shell (hivexsh): many lookups per process.

A query is a list of (key path, "ls" | "lsval") requests.  They all go to one
hivexsh run as a script on its stdin: `cd` (which prints the root, proof that
the hive loaded), then for each request `cd \\KEY\\.`, the command and a bare
`cd`, whose output (the key's path, starting with a backslash) ends the
request's block.  hivexsh stops at the first error (a key that does not exist,
a value it cannot decode): the requests answered before it are kept, the
failed one answers None, and the rest go to a new run.  Under TCG each run
costs 10-50 ms, so a query of keys that exist costs one.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from typing import TypeVar

from ..context import capture

MAX_HIVE = 512 * 1024 * 1024
"""Larger hive files are not read (real SOFTWARE hives are up to a few hundred MiB)."""
MAX_RUNS = 16
"""A hostile hive that makes request after request fail costs at most this many runs."""

REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_DWORD_BE, REG_LINK = 1, 2, 3, 4, 5, 6
STRING_TYPES = (REG_SZ, REG_EXPAND_SZ, REG_LINK)


@dataclasses.dataclass(frozen=True)
class Value:
    """One registry value: its type and its data (str for strings, int for DWORDs,
    bytes for everything else)."""

    type: int
    data: str | int | bytes


Values = list[tuple[str, Value]]
Request = tuple[Sequence[str], str]
Answer = list[str] | Values | None
T = TypeVar("T")


def _navigable(name: str) -> bool:
    """Whether hivexsh's `cd` can reach a key of this name (it splits at backslashes,
    reads lines, and takes . and .. as it would in a filesystem)."""
    return bool(name) and not any(c in name for c in "\\\n\r") and name not in (".", "..")


def _script(requests: Sequence[Request]) -> bytes:
    lines = ["cd"]
    for path, command in requests:
        lines += ["cd \\" + "\\".join([*path, "."]), command, "cd"]
    return ("\n".join(lines) + "\n").encode()


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_UNESCAPE = re.compile(r"\\(.)", re.S)
_VALUE = re.compile(r'=(?:str\((\d+)\):)?"((?:[^"\\]|\\.)*)"\n'
                    r"|=dword:([0-9a-f]{1,8})\n|=hex\((-?\d+)\):([0-9a-f,]*)\n", re.S)


def _lsval(out: str, pos: int) -> tuple[Values, int] | None:
    """The values printed by lsval from out[pos:], up to the marker line; and the
    position after the marker.  None if the block is cut short or malformed."""
    values: Values = []
    while out.startswith('"', pos):
        m = _QUOTED.match(out, pos)
        v = _VALUE.match(out, m.end()) if m else None
        if m is None or v is None:
            return None
        name = _UNESCAPE.sub(r"\1", m.group(1))
        name = "" if name == "@" else name
        if v.group(2) is not None:
            typ = int(v.group(1)) if v.group(1) else REG_SZ
            values.append((name, Value(typ, _UNESCAPE.sub(r"\1", v.group(2)))))
        elif v.group(3) is not None:
            dword = int(v.group(3), 16)
            values.append((name, Value(REG_DWORD, dword - (1 << 32) if dword >> 31 else dword)))
        else:
            data = bytes.fromhex(v.group(5).replace(",", ""))
            values.append((name, Value(int(v.group(4)), data)))
        pos = v.end()
    return _after_marker(out, pos, values)


def _ls(out: str, pos: int) -> tuple[list[str], int] | None:
    """The subkey names printed by ls from out[pos:], and the position after the marker."""
    names = []
    while pos < len(out) and not out.startswith("\\", pos):
        end = out.find("\n", pos)
        if end < 0:
            return None
        names.append(out[pos:end])
        pos = end + 1
    return _after_marker(out, pos, names)


def _after_marker(out: str, pos: int, result: T) -> tuple[T, int] | None:
    """(result, the position after the marker line at pos); None if there is none."""
    if not out.startswith("\\", pos):
        return None
    end = out.find("\n", pos)
    return None if end < 0 else (result, end + 1)


def query(hive: str, requests: Sequence[Request], *, unsafe: bool = False) -> list[Answer]:
    """The answers to requests (in order) from the hive file at appliance path hive;
    None for a key that is missing or cannot be read, all None if the hive cannot be
    opened.  unsafe: hivexsh -u, which tolerates some corruption (libguestfs lists
    applications that way)."""
    answers: list[Answer] = [None] * len(requests)
    try:
        if os.stat(hive).st_size > MAX_HIVE:
            return answers
    except OSError:
        return answers
    args = ["hivexsh", *(["-u"] if unsafe else []), hive]
    todo = [i for i, (path, _) in enumerate(requests) if all(map(_navigable, path))]
    for _ in range(MAX_RUNS):
        if not todo:
            break
        p = capture(args, input=_script([requests[i] for i in todo]))
        out = p.stdout.decode("utf-8", "replace")
        if not out.startswith("\\\n"):
            break  # the hive did not load: nothing more to learn
        pos, done = 2, 0
        for i in todo:
            parsed = (_ls if requests[i][1] == "ls" else _lsval)(out, pos)
            if parsed is None:
                break
            answers[i], pos = parsed
            done += 1
        todo = todo[done + 1:]  # the request after the last answered one failed
    return answers


def get(values: Answer, name: str, *, nocase: bool = False) -> Value | None:
    """The value called name in an lsval answer (case-insensitively, as
    hivex_node_get_value looks, with nocase), None if there is none."""
    for item in values or ():
        if isinstance(item, tuple):
            key, value = item
            if key == name or (nocase and key.lower() == name.lower()):
                return value
    return None


def string(value: Value | None) -> str | None:
    """A string value's text (REG_SZ, REG_EXPAND_SZ, REG_LINK); None for other types."""
    if value is not None and value.type in STRING_TYPES and isinstance(value.data, str):
        return value.data
    return None


def dword(value: Value | None) -> int | None:
    """A DWORD value's number (signed, as hivex returns it); None for other types."""
    if value is not None and isinstance(value.data, int):
        return value.data
    return None
