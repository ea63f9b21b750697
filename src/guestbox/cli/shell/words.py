"""guestfish's word syntax: splitting one line into a command, its words and a pipe.

The rules are guestfish's (fish.c parse_command_line): words are separated by
spaces and tabs; "..." takes C-like escapes; '...' is literal; a quoted word
must be followed by whitespace; an unquoted `|` at the start of a word sends
the command's output to the rest of the line, a host command; a line starting
with `#` is a comment, `!` a host command, `<!` a host command whose output is
read as commands, and a leading `-` ignores the command's error.  `~` at the
start of an unquoted word is expanded as the shell does.
"""

from __future__ import annotations

import dataclasses
import os
import pwd

PROG = "guestfish"
"""The name guestfish puts before its own messages (kept for compatible texts)."""


class SyntaxProblem(Exception):
    """A line that cannot be split: the message is guestfish's, ready to print."""


@dataclasses.dataclass(frozen=True)
class Line:
    """One parsed line.  kind: "empty", "host" (!cmd), "host-commands" (<! cmd) or "command"."""

    kind: str
    words: tuple[str, ...] = ()
    host: str = ""
    pipe: str | None = None
    ignore_error: bool = False


_ESCAPES = {"\\": "\\", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
            "v": "\v", '"': '"', "'": "'", "?": "?"}
_HEX = "0123456789abcdefABCDEF"
_BLANK = " \t"


def parse_line(line: str) -> Line:
    """Split line as guestfish does (raises SyntaxProblem with guestfish's message)."""
    p = line.strip(" \t\r\n")
    if not p or p.startswith("#"):
        return Line("empty")
    if p.startswith("!"):
        return Line("host", host=p[1:])
    if p.startswith("<!"):
        return Line("host-commands", host=p[2:])
    ignore = p.startswith("-")
    if ignore:
        p = p[1:].lstrip(_BLANK)
    words, pipe = split_words(p)
    if not words:
        return Line("empty")
    return Line("command", tuple(words), pipe=pipe, ignore_error=ignore)


def split_words(text: str) -> tuple[list[str], str | None]:
    """The words of text and the host command after an unquoted `|` (or None)."""
    words: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _BLANK:
            i += 1
        if i >= n:
            return words, None
        c = text[i]
        if c == "|":
            return words, text[i + 1:]
        if c == '"':
            word, i = _double_quoted(text, i + 1)
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise SyntaxProblem(f"{PROG}: unterminated single quote")
            word, i = text[i + 1:end], end + 1
        else:
            j = i
            while j < n and text[j] not in _BLANK:
                j += 1
            word, i = expand_tilde(text[i:j]), j
            words.append(word)
            continue
        if i < n and text[i] not in _BLANK:
            raise SyntaxProblem(f"{PROG}: command arguments not separated by whitespace")
        words.append(word)


def _double_quoted(text: str, start: int) -> tuple[str, int]:
    """The unescaped content of a "..." word that starts at start; and the index after it."""
    out: list[str] = []
    i, n = start, len(text)
    while i < n and text[i] != '"':
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = text[i + 1] if i + 1 < n else ""
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in "01234567" and e and _digits(text[i + 2:i + 4], "01234567"):
            out.append(_byte(int(text[i + 1:i + 4], 8), i - start))
            i += 4
        elif e == "x" and _digits(text[i + 2:i + 4], _HEX):
            out.append(_byte(int(text[i + 2:i + 4], 16), i - start))
            i += 4
        else:
            raise _bad_escape(i - start)
    if i >= n:
        raise SyntaxProblem(f"{PROG}: unterminated double quote")
    return "".join(out), i + 1


def _digits(s: str, allowed: str) -> bool:
    return len(s) == 2 and all(ch in allowed for ch in s)


def _byte(value: int, offset: int) -> str:
    if not 1 <= value <= 255:
        raise _bad_escape(offset)
    return chr(value)


def _bad_escape(offset: int) -> SyntaxProblem:
    return SyntaxProblem(f"{PROG}: invalid escape sequence in string (starting at offset "
                         f"{offset})")


def expand_tilde(word: str) -> str:
    """~ and ~/x to $HOME, ~user to user's home; unknown users are left as written."""
    if not word.startswith("~"):
        return word
    name, sep, rest = word[1:].partition("/")
    if not name:
        home = os.environ.get("HOME") or _home_of(None)
    else:
        home = _home_of(name)
    if home is None:
        return word
    return home + sep + rest


def _home_of(user: str | None) -> str | None:
    try:
        return pwd.getpwnam(user).pw_dir if user else pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        return None


def split_list(word: str) -> list[str]:
    """A string-list argument split as guestfish's parse_string_list does.

    Items are separated by spaces or tabs; '...' quotes a part of an item (as a
    shell does: `a'b c'd` is one item), and \\' is a literal quote, inside or
    outside quotes.  Double quotes are not special here.  An unclosed quote raises
    SyntaxProblem with guestfish's message.
    """
    items: list[str] = []
    p, n = 0, len(word)
    while p < n:
        while p < n and word[p] in _BLANK:
            p += 1
        item: str | None = None
        quoted = False
        while p < n and (quoted or word[p] not in _BLANK):
            if word[p] == "'":
                quoted = not quoted
                p += 1
            end = p
            stops = "'" if quoted else _BLANK + "'"
            while end < n and word[end] not in stops:
                end += 1
            if end < n and word[end] == "'" and end != p and word[end - 1] == "\\":
                item = (item or "") + word[p:end - 1] + "'"
                p = end + 1
            else:
                item = (item or "") + word[p:end]
                p = end
        if quoted:
            raise SyntaxProblem(f'Runaway quote in string "{word}"')
        if item is not None:
            items.append(item)
    return items
