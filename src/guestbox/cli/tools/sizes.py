"""Sizes as the virt tools write and read them.

human_size and parse_resize are libguestfs-common's (tools_utils.ml: `10.0M`,
`+10%`, `-500M` ...); parse_xstrtoull is gnulib's xstrtoull with the suffixes
"0kKMGTPEZY" that virt-make-fs and guestfish's alloc use (`100M`, `1G`, `10MB`,
`0x1000`, `2KiB`).
"""

from __future__ import annotations

import re

_SCALE = {"b": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
_RESIZE = re.compile(r"([+-]?)([.0-9]+)([bKMG%])")


class SizeError(ValueError):
    """A size that does not parse; the message is the tool's."""


def human_size(n: int) -> str:
    """`512`, `1.5K`, `10.0M`, `2.3G` (one decimal, 1024-based), as the OCaml tools."""
    sign = "-" if n < 0 else ""
    n = abs(n)
    if n < 1024:
        return f"{sign}{n}"
    f, i = n / 1024, n // 1024
    if i < 1024:
        return f"{sign}{f:.1f}K"
    f, i = i / 1024, i // 1024
    if i < 1024:
        return f"{sign}{f:.1f}M"
    return f"{sign}{i / 1024:.1f}G"


def parse_resize(oldsize: int, field: str) -> int:
    """The new size that field gives for something of oldsize bytes: `10G`, `+500M`,
    `-10%`, `150%`, `1024b` (the number may have decimals).  SizeError otherwise."""
    m = _RESIZE.fullmatch(field)
    if m is None or not _is_float(m.group(2)):
        raise SizeError(f"{field}: cannot parse resize field")
    sign, number, unit = m.group(1), float(m.group(2)), m.group(3)
    if unit == "%":
        change = oldsize * int(10 * number) // 1000
        return {"": change, "+": oldsize + change, "-": oldsize - change}[sign]
    amount = int(number * _SCALE[unit])
    return {"": amount, "+": oldsize + amount, "-": oldsize - amount}[sign]


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# gnulib's strtol_error values, which virt-make-fs prints
LONGINT_OVERFLOW, LONGINT_INVALID_SUFFIX_CHAR, LONGINT_INVALID = 1, 2, 4
_POWERS = {"k": 1, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6, "Z": 7, "Y": 8}
_NUMBER = re.compile(r"\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")


def parse_xstrtoull(text: str) -> int:
    """gnulib xstrtoull(text, base 0, suffixes "0kKMGTPEZY"): a number (decimal, 0x hex,
    0 octal; none means 1 before a suffix), then at most one of k K M G T P E Z Y,
    powers of 1024, or of 1000 when followed by `B` or `D` (`iB`: 1024 again).
    SizeError(code) with gnulib's strtol_error code otherwise."""
    if text.lstrip().startswith("-"):
        raise SizeError(LONGINT_INVALID)
    m = _NUMBER.match(text)
    if m is not None:
        digits, rest = m.group(1), text[m.end():]
        value = int(digits, 16 if digits[:2].lower() == "0x" else
                    8 if digits.startswith("0") else 10)
    elif text[:1] in _POWERS:
        value, rest = 1, text
    else:
        raise SizeError(LONGINT_INVALID)
    error = 0
    if rest:
        power = _POWERS.get(rest[0])
        if power is None:
            raise SizeError(LONGINT_INVALID_SUFFIX_CHAR)
        base, tail = 1024, rest[1:]
        if tail[:2] == "iB":
            tail = tail[2:]
        elif tail[:1] in ("B", "D"):
            base, tail = 1000, tail[1:]
        value *= base ** power
        if tail:
            error |= LONGINT_INVALID_SUFFIX_CHAR
    if value >= 1 << 64:
        error |= LONGINT_OVERFLOW
    if error:
        raise SizeError(error)
    return value
