"""Turning a command's words into the typed arguments its table entry declares.

Booleans, integers (with guestfish's size suffixes) and string lists are
converted as guestfish converts them, and every mistake gets guestfish's text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...api.kinds import kind_name, plain
from ...api.table import OpSpec, Param
from .words import PROG, SyntaxProblem, split_list


class BadArgs(Exception):
    """Words that do not fit the command: the message is guestfish's, ready to print."""


path_hook: Callable[[str], str] | None = None
"""Applied to the words of path parameters (Pathname, Dev_or_Path, Mountable_or_Path):
the shell sets it to winpath's `win:` resolution; it raises BadArgs to refuse a word."""
_PATH_KINDS = ("Pathname", "DevOrPath", "MountableOrPath")


def dashed(name: str) -> str:
    """The command name guestfish shows: underscores as dashes."""
    return name.replace("_", "-")


def usage(spec: OpSpec) -> str:
    """The synopsis line: `mkfs fstype device [blocksize:N] [label:..]`."""
    parts = [dashed(spec.name), *(p.name for p in typed(spec))]
    parts += [f"[{p.name}:{_placeholder(p)}]" for p in spec.optional]
    return " ".join(parts)


def _placeholder(p: Param) -> str:
    kind = plain(p.kind)
    if kind is bool:
        return "true|false"
    if kind is int:
        return "N"
    return ".."


def convert(spec: OpSpec, words: list[str]) -> dict[str, Any]:
    """The keyword arguments of spec from the words after the command name."""
    required = typed(spec)
    if len(words) < len(required) or len(words) > len(required) + len(spec.optional):
        name = dashed(spec.name)
        raise BadArgs(f"error: incorrect number of arguments\nusage: {usage(spec)}\n"
                      f"type 'help {name}' for more help on {name}")
    given = iter(words)
    out = {p.name: ask_key(p.name) if is_key(p) else value(spec, p, next(given))
           for p in spec.required}
    optional = {p.name: p for p in spec.optional}
    for w in words[len(required):]:
        key, sep, text = w.partition(":")
        if not sep or key not in optional:
            raise BadArgs(f'{dashed(spec.name)}: unknown optional argument "{w}"')
        if key in out:
            raise BadArgs(f'{dashed(spec.name)}: optional argument "{key}" given more than once')
        out[key] = value(spec, optional[key], text)
    return out


def is_key(p: Param) -> bool:
    """A required Key parameter: asked for (keys.py), never given as a word."""
    return kind_name(p.kind) == "Key"


def typed(spec: OpSpec) -> list[Param]:
    """The required parameters the user types (all but keys)."""
    return [p for p in spec.required if not is_key(p)]


def ask_key(param: str) -> str:
    """The key for param, asked for as guestfish does."""
    from .keys import KeyProblem, read_key

    try:
        return read_key(param)
    except KeyProblem as e:
        raise BadArgs(str(e)) from None


def value(spec: OpSpec, p: Param, word: str) -> Any:
    """One word as the kind of parameter p."""
    kind = plain(p.kind)
    if kind is bool:
        return parse_bool(word)
    if kind is int:
        # guestfish names an optional argument by its field in the optargs struct
        what = f"{dashed(spec.name)}: {'optargs_s.' if p.optional else ''}{p.name}"
        n = parse_int(word, what, "xstrtoll")
        if not is_int64(spec.name, p.name) and not INT32[0] <= n <= INT32[1]:
            raise BadArgs(f"{what}: integer out of range")
        return n
    if kind == list[str]:
        try:
            return split_list(word)
        except SyntaxProblem as e:
            raise BadArgs(str(e)) from None
    if kind is bytes:
        return word.encode("latin-1", "surrogateescape")
    if path_hook is not None and kind_name(p.kind) in _PATH_KINDS:
        return path_hook(word)
    return word


INT32 = (-(2**31), 2**31 - 1)
"""The range guestfish accepts for a libguestfs `Int` parameter (Int64 ones are not checked)."""

_INT64_PARAMS = frozenset(
    "agstride allocstart atnsecs atsecs attributes bhashsize blockscount blockspergroup "
    "bytecount bytesperinode chunk datasize destoffset endsect fragsize generation id "
    "ihashsize inodesize intervalbetweenchecks journalsize length logsize maxmem "
    "maxonlineresize minimumfreeextent missingbitmap mtnsecs mtsecs numberofgroups "
    "numberofinodes offset reservedblockscount rtextsize rtsize size srcoffset startsect "
    "stridesize stripewidth superblock user".split())
_INT64_IN = frozenset({("mke2fs", "blocksize"), ("fallocate64", "len"), ("tune2fs", "group")})
"""libguestfs 1.48's Int64 parameters, by name (and the few names that are Int elsewhere).

The operation table says only `int`; guestfish range-checks the 32-bit ones."""


def is_int64(op: str, param: str) -> bool:
    """True if libguestfs declares op's parameter param as Int64 (not range-checked)."""
    return param in _INT64_PARAMS or (op, param) in _INT64_IN


_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def parse_bool(word: str) -> bool:
    """guestfish's is_true: 1/true/t/yes/y/on and 0/false/f/no/n/off, any case."""
    w = word.lower()
    if w in _TRUE:
        return True
    if w in _FALSE:
        return False
    raise BadArgs(f"{PROG}: '{word}': invalid boolean value, use 'true' or 'false'")


# gnulib xstrtol's results, which guestfish prints in its messages
_OVERFLOW, _BAD_SUFFIX, _INVALID = 1, 2, 4
_POWERS = {"k": 1, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6, "Z": 7, "Y": 8}
_INT64 = (-(2**63), 2**63 - 1)


def parse_int(word: str, what: str, func: str, unsigned: bool = False) -> int:
    """An integer as guestfish reads one: C syntax (0x.., 0..), then k K M G T P E Z Y.

    A suffix multiplies by 1024 to the power (1000 if followed by B or D, 1024 if
    by iB).  Errors read `WHAT: invalid integer parameter (FUNC returned N)`.
    """
    n, err = _xstrtol(word, unsigned)
    if err:
        raise BadArgs(f"{what}: invalid integer parameter ({func} returned {err})")
    return n


def _xstrtol(word: str, unsigned: bool) -> tuple[int, int]:
    s = word.lstrip(" \t\n")
    sign = -1 if s.startswith("-") else 1
    body = s[1:] if s[:1] in "+-" else s
    if unsigned and sign < 0:
        return 0, _INVALID
    digits, base = _prefix(body)
    j = 0
    while j < len(digits) and _digit_ok(digits[j], base):
        j += 1
    rest = digits[j:]
    if j == 0:
        if rest[:1] not in _POWERS:
            return 0, _INVALID
        n = 1  # "k" alone is 1024, as in gnulib
    else:
        n = sign * int(digits[:j], base)
    err = 0
    lo, hi = (0, 2**64 - 1) if unsigned else _INT64
    if not lo <= n <= hi:
        err, n = _OVERFLOW, hi
    if not rest:
        return n, err
    if rest[0] not in _POWERS:
        return n, err | _BAD_SUFFIX
    scale = 1024
    tail = rest[1:]
    if tail.startswith("iB"):
        tail = tail[2:]
    elif tail[:1] in ("B", "D"):
        scale, tail = 1000, tail[1:]
    n *= scale ** _POWERS[rest[0]]
    if not lo <= n <= hi:
        err, n = _OVERFLOW, hi
    if tail:
        err |= _BAD_SUFFIX
    return n, err


def _prefix(body: str) -> tuple[str, int]:
    if body[:2].lower() == "0x" and len(body) > 2 and body[2] in "0123456789abcdefABCDEF":
        return body[2:], 16
    if body.startswith("0"):
        return body, 8
    return body, 10


def _digit_ok(c: str, base: int) -> bool:
    return c.isascii() and c.isalnum() and int(c, 36) < base
