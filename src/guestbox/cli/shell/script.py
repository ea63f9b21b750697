"""Python API calls written down as a guestfish script.

`ScriptRecorder` stands in for a GuestFS handle: each operation called on it
becomes one guestfish command line, its words made from the Python arguments
through the operation table (the inverse of args.convert): booleans as
true/false, modes in octal, string lists as one quoted word, optional
arguments as `name:value`, buffers with `\\xHH` escapes, host paths made
absolute.  Keys are not words: guestfish prompts for them, or with
--keys-from-stdin reads each from the line after its command, so `script`
leaves them out (and `keys` lists them in order) and `script_with_keys` has
them on those lines.

A script cannot hand a result back to the program that wrote it.  Operations
that return something and change nothing (blockdev_getsz ...) are answered by
functions given as `answers` (and noted as a comment); without one they raise
NotScriptable.  Writing operations that return something (pwrite_device ...)
are recorded and return None.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...api import REGISTRY, OpSpec
from ...api.kinds import conforms, describe, plain
from ...api.table import Param
from .args import dashed

if TYPE_CHECKING:  # to type checkers, a recorder has every operation of the table
    from ...api import Operations as _Base
else:
    _Base = object

Answer = Callable[..., Any]
"""Computes an operation's result from its arguments (given by name)."""


class NotScriptable(Exception):
    """A call that a guestfish script cannot express; the message says which and why."""


_SAFE = re.compile(r"[A-Za-z0-9_/.,:=+@%-]+")
_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a",
          "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_HOST_PATHS = {"FileIn", "FileOut", "HostPath"}
_OCTAL = {"mode", "mask"}
"""Integer parameters written in C octal (0755), as guestfish users write modes."""


def quote(word: str, binary: bool = False) -> str:
    """word as guestfish reads it back: bare if it is plain, else in "..." with escapes.

    binary: word holds bytes (as latin-1), and those from 0x80 are written \\xHH;
    otherwise non-ASCII text is written as it is (the script is UTF-8).
    """
    if "\0" in word:
        raise NotScriptable("guestfish words cannot hold a NUL byte")
    if _SAFE.fullmatch(word):
        return word
    out = []
    for c in word:
        if c in _NAMED:
            out.append(_NAMED[c])
        elif c < " " or c == "\x7f" or (binary and c >= "\x80"):
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def command_words(spec: OpSpec, args: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The quoted words of spec's command for args (by name), and the keys it prompts for."""
    words: list[str] = [dashed(spec.name)]
    keys: list[str] = []
    for p in spec.params:
        v = args.get(p.name)
        if v is None and p.optional:
            continue
        _check(spec, p, v)
        if p.meaning == "Key":
            if p.optional:
                raise NotScriptable(f"{spec.name}: {p.name}: the shell command has no "
                                    "optional key (give it with set-luks-key)")
            keys.append(str(v))
            continue
        text, binary = _text(spec, p, v, args)
        words.append(quote(f"{p.name}:{text}" if p.optional else text, binary))
    return words, keys


def _check(spec: OpSpec, p: Param, v: Any) -> None:
    if not conforms(plain(p.kind), v):
        raise TypeError(f"{spec.name}: {p.name} must be {describe(p.kind)}, "
                        f"not {type(v).__name__}")


def _text(spec: OpSpec, p: Param, v: Any, args: Mapping[str, Any]) -> tuple[str, bool]:
    """The unquoted text of one value, and whether it is bytes."""
    if isinstance(v, bool):
        return ("true" if v else "false"), False
    if isinstance(v, int):
        return (f"0{v:o}" if p.name in _OCTAL and v > 0 else str(v)), False
    if isinstance(v, bytes):
        return _buffer(spec, p, v, args).decode("latin-1"), True
    if isinstance(v, list):
        return _string_list(spec, p, v), False
    if p.meaning in _HOST_PATHS and v != "-":
        return os.path.abspath(v), False
    return v, False


def _buffer(spec: OpSpec, p: Param, v: bytes, args: Mapping[str, Any]) -> bytes:
    """A buffer's bytes; a last NUL counted by its length parameter (setxattr's vallen) is
    left to guestfish, which passes the word as a C string with its terminating NUL."""
    if v.endswith(b"\0") and args.get(f"{p.name}len") == len(v):
        v = v[:-1]
    if b"\0" in v:
        raise NotScriptable(f"{spec.name}: {p.name}: guestfish words cannot hold a NUL byte")
    return v


def _string_list(spec: OpSpec, p: Param, items: list[str]) -> str:
    for item in items:
        if not item or any(c in item for c in " \t\n\"'"):
            raise NotScriptable(f"{spec.name}: {p.name}: {item!r}: a guestfish string list "
                                "item cannot be empty or hold blanks or quotes")
    return " ".join(items)


def command_line(spec: OpSpec, args: Mapping[str, Any]) -> tuple[str, list[str]]:
    """One guestfish command line for spec called with args, and the keys it prompts for."""
    words, keys = command_words(spec, args)
    return " ".join(words), keys


class ScriptRecorder(_Base):
    """Records operations called on it as a guestfish script (`script`) and its `keys`.

    answers: functions that give the results of queries the caller uses, by
    operation name (disk_answers makes those of disks of known sizes).
    """

    def __init__(self, answers: Mapping[str, Answer] | None = None) -> None:
        self.steps: list[tuple[str, list[str]]] = []
        """Each command line with the keys it prompts for."""
        self.answers = dict(answers or {})

    @property
    def lines(self) -> list[str]:
        """The command lines (and comments) so far."""
        return [line for line, _ in self.steps]

    @property
    def keys(self) -> list[str]:
        """The keys the script prompts for, in order."""
        return [key for _, keys in self.steps for key in keys]

    @property
    def script(self) -> str:
        """The script, one command a line, without keys: guestfish asks for them on the
        terminal."""
        return "".join(f"{line}\n" for line in self.lines)

    @property
    def script_with_keys(self) -> str:
        """The script for `--keys-from-stdin`: each key on the line after the command that
        asks for it.  guestfish reads keys from the stream the commands come from (stdin,
        or the -f FILE that replaces it), so they go in the script: keep it secret."""
        out = []
        for line, keys in self.steps:
            for key in keys:
                if "\n" in key:
                    raise NotScriptable("a key read from a line cannot hold a newline")
            out += [line, *keys]
        return "".join(f"{line}\n" for line in out)

    def verbatim(self, line: str) -> None:
        """Write line as it is: a host command (`!cmd`) or a pipe (`CMD | hostcmd`), what
        a script can do with a result that the program cannot."""
        self.steps.append((line, []))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        spec = REGISTRY.get(name)
        if spec is None:
            raise AttributeError(f"{type(self).__name__} has no operation {name!r}")

        def record(*args: Any, **kwargs: Any) -> Any:
            return self.record(spec, *args, **kwargs)

        record.__name__ = name
        return record

    def record(self, spec: OpSpec, *args: Any, **kwargs: Any) -> Any:
        """Write down one call of spec (arguments as the Python method takes them)."""
        try:
            given = spec.signature.bind(self, *args, **kwargs).arguments
        except TypeError as e:
            raise TypeError(f"{spec.name}: {e}") from None
        named = {p.name: given[p.name] for p in spec.params if p.name in given}
        line, keys = command_line(spec, named)
        answer = self.answers.get(spec.name)
        if spec.ret is type(None) or spec.ret is None or spec.writes:
            self.steps.append((line, keys))
            return answer(**named) if answer is not None else None
        if answer is None:
            raise NotScriptable(f"{spec.name}: a script cannot hand its result back; give "
                                f"the recorder an answer for {spec.name}, or do without it")
        result = answer(**named)
        self.steps.append((f"# {line} = {result!r}", []))  # not run: no key asked for
        return result


def disk_answers(sizes: Sequence[int]) -> dict[str, Answer]:
    """Answers for disks /dev/sda, /dev/sdb ... of sizes (bytes): list_devices, blockdev_getsz,
    blockdev_getsize64 and blockdev_getss (512-byte sectors)."""
    devices = {f"/dev/sd{chr(ord('a') + i)}": size for i, size in enumerate(sizes)}

    def size_of(device: str) -> int:
        if device not in devices:
            raise NotScriptable(f"{device}: not one of the declared disks {sorted(devices)}")
        return devices[device]

    def sector_size(device: str) -> int:
        size_of(device)
        return 512

    return {
        "list_devices": lambda: list(devices),
        "blockdev_getsz": lambda device: size_of(device) // 512,
        "blockdev_getsize64": size_of,
        "blockdev_getss": sector_size,
    }
