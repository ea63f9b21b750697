"""`guestbox edit -e EXPR`: the per-line edit virt-edit does with a Perl expression on $_.

Two forms.  `s/PATTERN/REPLACEMENT/FLAGS` (any punctuation as the delimiter, `\\`
before it to have it literally) replaces the first match of the Python regular
expression PATTERN in each line, every match with the flag g; flags i, m, s, x as
re's IGNORECASE, MULTILINE, DOTALL, VERBOSE.  In REPLACEMENT, `$1` `${1}` `\\1`
(and `${name}`) are groups, `$&` the whole match, `\\n` `\\t` a newline and a tab,
and `\\` before anything else makes it literal (`\\$`, `\\\\`), as in Perl.
Anything else is a Python expression evaluated for each line, with `line` (the
line, its "\\n" included, as Perl's $_), `lineno` (from 1), the module `re` and
`die(MESSAGE)`: its value, a string, replaces the line ("" deletes it).  An error
in any line (die included) stops the edit and leaves the file as it was, as Perl's
die does.

Lines are the file's bytes split after each "\\n" (the last may have none), decoded
as UTF-8 with undecodable bytes kept as they are, and written back the same way, so
what the expression does not change stays byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable

LineEdit = Callable[[str, int], str]
"""(line, lineno) -> the new line."""

_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_GROUP = re.compile(r"\$(?:(\d+)|\{(\w+)\}|(&))|\\(\d+)|\\(.)", re.DOTALL)


class ExprError(Exception):
    """A bad -e expression, or one that failed on a line: the message to tell."""


def compile_expr(text: str) -> LineEdit:
    """The line edit text describes (ExprError if it cannot be compiled).

    Text that starts like a substitution (`s` and a delimiter) is one: no Python
    expression can start so (`s` would be an undefined name), so a malformed one is
    told as such rather than failing as Python on the first line.
    """
    if _is_delimiter(text[1:2]) and text.startswith("s"):
        sed = _split_sed(text)
        if sed is None:
            raise ExprError("-e: not a complete s/PATTERN/REPLACEMENT/FLAGS (flags: "
                            f"g {' '.join(_FLAGS)})")
        return _substitution(*sed)
    try:
        code = compile(text, "-e", "eval")
    except SyntaxError as e:
        raise ExprError(f"-e: not s/PATTERN/REPLACEMENT/ nor a Python expression: "
                        f"{e.msg}") from None

    def edit(line: str, lineno: int) -> str:
        try:
            value = eval(code, {"re": re, "die": _die},  # noqa: S307 - the user's own code
                         {"line": line, "lineno": lineno})
        except _Died as e:
            raise ExprError(f"-e: line {lineno}: {e}") from None
        except Exception as e:  # noqa: BLE001 - any failure of the user's code stops the edit
            raise ExprError(f"-e: line {lineno}: {type(e).__name__}: {e}") from None
        if not isinstance(value, str):
            raise ExprError(f"-e: line {lineno}: the expression gave "
                            f"{type(value).__name__}, not a string")
        return value

    return edit


class _Died(Exception):
    """die(message) in an expression: stop the edit (Perl's die)."""


def _die(message: str = "died") -> None:
    raise _Died(message)


def _is_delimiter(c: str) -> bool:
    return len(c) == 1 and not (c.isalnum() or c.isspace() or c in "\\_")


def _split_sed(text: str) -> tuple[str, str, str] | None:
    """(pattern, replacement, flags) if text is s/PATTERN/REPLACEMENT/FLAGS, else None.

    A backslash before the delimiter makes it literal (and is dropped); other
    backslashes are kept for the regular expression and the replacement to read.
    """
    delim = text[1]
    parts: list[str] = []
    current: list[str] = []
    i = 2
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            current.append(text[i + 1] if text[i + 1] == delim else text[i:i + 2])
            i += 2
            continue
        if c == delim and len(parts) < 2:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    flags = "".join(current)
    if len(parts) != 2 or any(f not in _FLAGS and f != "g" for f in flags):
        return None
    return parts[0], parts[1], flags


def _substitution(pattern: str, replacement: str, flags: str) -> LineEdit:
    re_flags = 0
    for f in flags.replace("g", ""):
        re_flags |= _FLAGS[f]
    try:
        regex = re.compile(pattern, re_flags)
    except re.error as e:
        raise ExprError(f"-e: bad regular expression {pattern!r}: {e}") from None
    expand = _replacement(replacement, regex)
    count = 0 if "g" in flags else 1
    return lambda line, lineno: regex.sub(expand, line, count=count)


def _replacement(text: str, regex: re.Pattern[str]) -> Callable[[re.Match[str]], str]:
    """The function re.sub calls for each match: text with its groups put in."""
    pieces: list[str | tuple[int | str]] = []  # literal text, or (group number or name,)
    pos = 0
    for m in _GROUP.finditer(text):
        pieces.append(text[pos:m.start()])
        number, name, whole, backref, escaped = m.groups()
        pos = m.end()
        if escaped is not None:
            pieces.append(_ESCAPES.get(escaped, escaped))
            continue
        group: int | str = 0 if whole else int(number or backref) if name is None else (
            int(name) if name.isdigit() else name)
        if group not in regex.groupindex and not (
                isinstance(group, int) and group <= regex.groups):
            raise ExprError(f"-e: the replacement refers to group {group}, which the "
                            "pattern does not have")
        pieces.append((group,))
    pieces.append(text[pos:])

    def expand(m: re.Match[str]) -> str:
        return "".join(p if isinstance(p, str) else (m.group(p[0]) or "") for p in pieces)

    return expand


def edit_lines(data: bytes, edit: LineEdit) -> bytes:
    """data with each line replaced by edit's value for it (ExprError from edit stops it)."""
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    ends = ["\n"] * (len(lines) - 1) + [""]
    out = []
    for n, (line, end) in enumerate(zip(lines, ends, strict=True), 1):
        if not line and not end:
            break  # after the last "\n": no line there
        out.append(edit(line + end, n))
    return "".join(out).encode("utf-8", "surrogateescape")


def edit_file(path: str, edit: LineEdit) -> None:
    """Apply edit to every line of the host file path, in place."""
    with open(path, "rb") as f:
        data = f.read()
    new = edit_lines(data, edit)
    with open(path, "wb") as f:
        f.write(new)
