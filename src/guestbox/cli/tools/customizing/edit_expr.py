"""The expressions of --edit FILE:EXPR (and of `guestbox edit -e`): virt-edit's Perl
expressions done in Python.

EXPR is applied to each line of the file in turn, the line with its line ending (as
Perl's $_), and what it gives replaces the line:

- `s/PATTERN/REPLACEMENT/FLAGS`, as sed and Perl write it (any punctuation character
  may stand for `/`; a backslash escapes it): PATTERN is a Python regular expression,
  REPLACEMENT uses Python's `\\1` and `\\g<name>`; FLAGS: `g` every match (else the
  first), `i` ignore case, and `m`, `s`, `x` as Python's re.M, re.S, re.X.
- anything else is a Python expression evaluated with `_` (and `line`) bound to the
  line; its value, a string, is the new line (`re` is there to use).

For example `s/^#?PermitRootLogin.*/PermitRootLogin no/`, `_.upper()`,
`"" if _.startswith("#") else _` (drops comment lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Editor = Callable[[str], str]
FLAGS = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}


class ExprError(ValueError):
    """An expression that does not compile, or fails on a line."""


def compile_expr(expr: str) -> Editor:
    """The line editor expr stands for; ExprError if it is not a valid one."""
    sub = _substitution(expr)
    if sub is not None:
        return sub
    try:
        code = compile(expr, "<expression>", "eval")
    except SyntaxError as e:
        raise ExprError(f"expression ‘{expr}’: {e.msg}") from None

    def edit(line: str) -> str:
        try:
            value = eval(code, {"re": re}, {"_": line, "line": line})  # noqa: S307 - the user's
        except Exception as e:  # noqa: BLE001 - any failure of the user's expression
            raise ExprError(f"expression ‘{expr}’: {type(e).__name__}: {e}") from None
        if not isinstance(value, str):
            raise ExprError(f"expression ‘{expr}’ gave {type(value).__name__}, not a string")
        return value

    return edit


def _split(body: str, delim: str) -> list[str]:
    """body cut at unescaped delim characters (an escaped delimiter loses its backslash)."""
    parts, cur, i = [], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            cur.append(nxt if nxt == delim else c + nxt)
            i += 2
            continue
        if c == delim:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def _substitution(expr: str) -> Editor | None:
    """The editor of an s/PATTERN/REPLACEMENT/FLAGS expression, or None if expr is not one."""
    if len(expr) < 4 or expr[0] != "s" or expr[1].isalnum() or expr[1].isspace() \
            or expr[1] in "_\\":
        return None
    parts = _split(expr[2:], expr[1])
    if len(parts) != 3 or not re.fullmatch(r"[gimsx]*", parts[2]):
        return None
    pattern, replacement, flags = parts
    re_flags = 0
    for f in flags.replace("g", ""):
        re_flags |= FLAGS[f]
    try:
        rx = re.compile(pattern, re_flags)
    except re.error as e:
        raise ExprError(f"expression ‘{expr}’: {e}") from None
    count = 0 if "g" in flags else 1

    def edit(line: str) -> str:
        try:
            return rx.sub(replacement, line, count=count)
        except (re.error, IndexError) as e:
            raise ExprError(f"expression ‘{expr}’: {e}") from None

    return edit


def edit_text(text: str, editor: Editor) -> str:
    """text with editor applied to each line (line endings included, as Perl's -p)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return "".join(editor(line) for line in lines)
