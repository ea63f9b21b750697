"""Windows .reg files, as hivex's Win::Hivex::Regedit (1.3.23) reads and writes them.

`export_key` writes a key and everything below it in regedit's format (keys
and values sorted, strings as `hex(1):` bytes unless --unsafe-printable-strings,
DWORDs as `dword:`); `parse` reads a .reg file into the sections to merge,
with Regedit's syntax and its error texts; `merged_values` is how a section
changes a key's values; `value_text` prints one value as hivexget does.  Pure
logic on bytes: the hives themselves are read and written in the appliance.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator

from ...protocol.hives import Node, Value

REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_DWORD_BE, REG_LINK, REG_MULTI_SZ, REG_QWORD = \
    1, 2, 4, 5, 6, 7, 11


class RegError(Exception):
    """A .reg file or value that cannot be used: the message is Regedit's."""


# -- export --------------------------------------------------------------------------
def export_key(nodes: list[Node], path: bytes, prefix: bytes | None,
               printable_strings: bool) -> Iterator[bytes]:
    """The .reg text of nodes (an export: the first is the key at canonical path `path`,
    each node's parent before it), keys in pre-order with children sorted by name."""
    children: list[list[int]] = [[] for _ in nodes]
    for i, n in enumerate(nodes[1:], 1):
        children[n.parent].append(i)
    head = b"" if prefix is None else prefix[:-1] if prefix.endswith(b"\\") else prefix
    stack = [(0, path)]
    while stack:
        i, key = stack.pop()
        yield b"[" + head + key + b"]\n"
        for v in sorted(nodes[i].values, key=lambda v: v.key):
            yield _value_line(v, printable_strings)
        yield b"\n"
        base = key if key != b"\\" else b""
        kids = sorted(children[i], key=lambda k: nodes[k].name)
        stack += [(k, base + b"\\" + nodes[k].name) for k in reversed(kids)]


def _value_line(v: Value, printable_strings: bool) -> bytes:
    name = b"@=" if v.key == b"" else b'"' + _escape(v.key) + b'"='
    if v.type == REG_DWORD and len(v.data) == 4:
        return name + b"dword:%08x\n" % int.from_bytes(v.data, "little")
    if printable_strings and v.type in (REG_SZ, REG_EXPAND_SZ):
        text = v.data.decode("utf-16le", "replace")
        if text.endswith("\0"):
            text = text[:-1]
        elif text.endswith("\0\n"):  # Perl's s/\x{0}$//: $ is also before a final newline
            text = text[:-2] + "\n"
        return name + b'str(%x):"' % v.type + text.replace('"', '\\"').encode() + b'"\n'
    return name + b"hex(%x):" % v.type + ",".join(f"{c:02x}" for c in v.data).encode() + b"\n"


def _escape(key: bytes) -> bytes:
    return key.replace(b"\\", b"\\\\").replace(b'"', b'\\"')


def value_text(t: int, data: bytes) -> bytes:
    """One value as hivexget prints it: strings and DWORD/QWORD numbers on a line each,
    every string of a REG_MULTI_SZ on its own line, anything else as raw bytes."""
    if t in (REG_SZ, REG_EXPAND_SZ, REG_LINK):
        return _utf16(data[:_utf16_length(data)]) + b"\n"
    if t in (REG_DWORD, REG_DWORD_BE):
        if len(data) < 4:
            raise RegError("Invalid argument")
        if t == REG_DWORD_BE:
            return b"%d\n" % int.from_bytes(data[:4], "big", signed=True)
        return b"%d\n" % int.from_bytes(data[:4], "little", signed=True)
    if t == REG_QWORD:
        if len(data) < 8:
            raise RegError("Invalid argument")
        return b"%d\n" % int.from_bytes(data[:8], "little", signed=True)
    if t == REG_MULTI_SZ:
        out = b""
        for s in _multi_strings(data):
            out += _utf16(s) + b"\n"
        return out
    return data


def _utf16_length(data: bytes) -> int:
    """The bytes of a UTF-16LE string before its first NUL character."""
    for i in range(0, len(data) - 1, 2):
        if data[i:i + 2] == b"\0\0":
            return i
    return len(data) & ~1


def _multi_strings(data: bytes) -> Iterator[bytes]:
    pos = 0
    while pos + 1 < len(data):
        n = _utf16_length(data[pos:])
        if n == 0:
            return
        yield data[pos:pos + n]
        pos += n + 2


def _utf16(data: bytes) -> bytes:
    try:
        return data.decode("utf-16le").encode("utf-8")
    except UnicodeDecodeError:
        raise RegError("Invalid argument") from None


# -- import --------------------------------------------------------------------------
@dataclasses.dataclass
class Section:
    """One change a .reg file asks for: merge values into key `path` (creating it), or
    delete it (`[-path]`)."""

    path: str
    delete: bool = False
    values: list[Value] = dataclasses.field(default_factory=list)
    deleted_values: list[bytes] = dataclasses.field(default_factory=list)


_BLANK = re.compile(r"^\s*(;.*)?$")


def parse(lines: Iterable[bytes], encoding: str = "utf-16le") -> list[Section]:
    """The sections of a .reg file, in order (Regedit's reg_import, without the merging).

    Lines may be continued with a final backslash; comments (;), blank lines, the
    `Windows Registry Editor Version` and `REGEDIT` headers are skipped.  String
    values are encoded with encoding, a NUL added.  Text is read as UTF-8.
    """
    out: list[Section] = []
    current: Section | None = None
    for lineno, line in _joined(lines):
        if current is None:
            if (_BLANK.match(line) or re.match(r"^.*Windows Registry Editor Version", line)
                    or line.startswith("REGEDIT")):
                continue
            if m := re.match(r"^\[-(.*)\]\s*$", line):
                out.append(Section(m[1], delete=True))
            elif m := re.match(r"^\[(.*)\]\s*$", line):
                current = Section(m[1])
                out.append(current)
            else:
                raise RegError(_unexpected(line, lineno))
        elif re.match(r'^(".*)=-\s*$', line):
            key = _quoted(line)
            if key is None:
                raise RegError(_parse_error(line, lineno))
            current.deleted_values.append(_b(key[0]))
        elif re.match(r"^@=-\s*$", line):
            current.deleted_values.append(b"")
        elif re.match(r'^".*"=', line):
            current.values.append(_key_value(line, lineno, encoding))
        elif m := re.match(r"^@=(.*)", line):
            current.values.append(_value(b"", m[1], line, lineno, encoding))
        elif _BLANK.match(line):
            current = None
        else:
            raise RegError(_unexpected(line, lineno))
    return out


def _joined(lines: Iterable[bytes]) -> Iterator[tuple[int, str]]:
    """(line number, text) with continuation lines joined (a final backslash, maybe with
    spaces after it), as reg_import counts them."""
    lineno = 0
    pending: str | None = None
    for raw in lines:
        lineno += 1
        text = _decode(raw).removesuffix("\n").removesuffix("\r")
        if pending is not None:
            text = pending + text
        m = re.search(r"\\\s*$", text)
        if m:
            pending = text[:m.start()]
            continue
        pending = None
        yield lineno, text
    if pending is not None:
        yield lineno, pending


def _decode(raw: bytes) -> str:
    """A line's text: UTF-8 (the documented encoding), else its bytes as Latin-1 (as Perl
    reads them)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _quoted(text: str) -> tuple[str, str] | None:
    """A double-quoted string at the start of text (backslash escapes the next character)
    and what follows it; None if there is none."""
    if not text.startswith('"'):
        return None
    out: list[str] = []
    i = 1
    while i < len(text):
        c = text[i]
        if c == '"':
            return "".join(out), text[i + 1:]
        if c == "\\":
            i += 1
            c = text[i:i + 1]
        out.append(c)
        i += 1
    return None


def _key_value(line: str, lineno: int, encoding: str) -> Value:
    found = _quoted(line)
    if found is None or not found[1].startswith("="):
        raise RegError(_parse_error(line, lineno))
    return _value(_b(found[0]), found[1][1:], line, lineno, encoding)


def _value(key: bytes, text: str, line: str, lineno: int, encoding: str) -> Value:
    """A value's text (`dword:...`, `hex:...`, `hex(T):...`, `str(T):"..."`, `"..."`)."""
    if m := re.fullmatch(r"dword:([0-9a-fA-F]{8})\n?", text):
        return Value(key, REG_DWORD, int(m[1], 16).to_bytes(4, "little"))
    if m := re.fullmatch(r"hex:(.*)", text):
        return Value(key, 3, _hex(m[1]))
    if m := re.fullmatch(r"hex\(([0-9a-fA-F]+)\):(.*)", text):
        return Value(key, int(m[1], 16), _hex(m[2]))
    m = (re.fullmatch(r'str:(".*")\n?', text)
         or re.fullmatch(r'str\(([0-9a-fA-F]+)\):(".*")\n?', text)
         or re.fullmatch(r'(".*")\n?', text))
    if m is None:
        raise RegError(_parse_error(line, lineno))
    t = int(m[1], 16) if m.lastindex == 2 else REG_SZ
    found = _quoted(m[m.lastindex or 1])
    if found is None:
        raise RegError(_parse_error(line, lineno))
    try:
        return Value(key, t, (found[0] + "\0").encode(encoding, "replace"))
    except LookupError:
        raise RegError(f"Unknown encoding '{encoding}'") from None


def _hex(text: str) -> bytes:
    """Perl's pack("H*") of the digits once commas and spaces are removed: an odd last
    digit is padded with 0, a letter that is no hex digit counts as Perl counts it."""
    digits = re.sub(r"[,\s]", "", text)
    if len(digits) % 2:
        digits += "0"

    def nibble(c: str) -> int:
        return (ord(c) + 9) & 0xF if c.isalpha() else ord(c) & 0xF

    return bytes(nibble(digits[i]) << 4 | nibble(digits[i + 1])
                 for i in range(0, len(digits), 2))


def _b(s: str) -> bytes:
    return s.encode("utf-8")


def _unexpected(line: str, lineno: int) -> str:
    return f"reg_import: parse error: unexpected text found at line {lineno} near\n{line}"


def _parse_error(line: str, lineno: int) -> str:
    return f"reg_import: parse error: at line {lineno} near\n{line}"


def merged_values(old: list[Value], section: Section) -> list[Value]:
    """A key's values once section is merged (_merge_node): those it deletes or sets
    removed (names compared without ASCII case), its own added at the end."""
    gone = {k.lower() for k in section.deleted_values} | {v.key.lower() for v in section.values}
    return [v for v in old if v.key.lower() not in gone] + section.values


def split_path(path: str) -> list[str]:
    """A key's path inside its hive as _node_lookup walks it: split at backslashes (Perl's
    split: trailing empty parts dropped), a leading empty part dropped."""
    parts = path.split("\\")
    while parts and parts[-1] == "":
        parts.pop()
    if parts and parts[0] == "":
        parts = parts[1:]
    return parts


def split_last(path: str) -> tuple[str, str]:
    """(parent path, name) of a key to create, as _merge_node cuts them."""
    m = re.search(r"[^\\]+$", path)
    if m is None:
        return path, path
    return path[:m.start()], m[0]
