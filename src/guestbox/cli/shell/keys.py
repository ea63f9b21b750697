"""Keys and passphrases: asked for, never taken as words; and `--key` selectors.

As guestfish (read_key in libguestfs-common options/keys.c): a table parameter
of the Key kind is not a word of the command; the shell asks for it, from
/dev/tty with echo off (`--echo-keys` leaves echo on), or reads one line from
stdin when `--keys-from-stdin` is given or there is no terminal.  With
--keys-from-stdin and a script on stdin, the key is the line that follows the
command (the same stream is read).  The prompt is shown only on a terminal.
Keys are never echoed, traced or logged.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import termios
from collections.abc import Callable, Iterator
from typing import TextIO

from .words import PROG


class KeyProblem(Exception):
    """A key that could not be read, or a bad --key selector: the message is ready to print."""


@dataclasses.dataclass
class KeySettings:
    """How keys are read: set once from the command line."""

    from_stdin: bool = False
    echo: bool = False
    stream: TextIO | None = None
    """The stream the script is read from when that is stdin (keys interleave with it)."""
    on_stdin_line: Callable[[], None] | None = None
    """Called for each key line read from stdin (guestfish counts it as a script line)."""


settings = KeySettings()


def read_key(param: str) -> str:
    """Ask for the key of parameter param as guestfish does; KeyProblem if none can be read."""
    tty_fd = -1
    if not settings.from_stdin:
        with contextlib.suppress(OSError):
            tty_fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    try:
        fd = tty_fd if tty_fd >= 0 else 0
        line = _read_line(fd, param, tty_fd >= 0)
    finally:
        if tty_fd >= 0:
            os.close(tty_fd)
    if line is None:
        raise KeyProblem(f'{PROG}: could not read key or passphrase ("{param}"): end of input')
    if settings.from_stdin and settings.on_stdin_line is not None:
        settings.on_stdin_line()
    return line[:-1] if line.endswith("\n") else line


def _read_line(fd: int, param: str, own_tty: bool) -> str | None:
    out_fd = fd if own_tty else 1
    if not os.isatty(fd):
        return _line_of(fd)
    sys.stdout.flush()
    with _no_echo(fd, enabled=not settings.echo):  # off before the prompt: no race with typing
        os.write(out_fd, f'Enter key or passphrase ("{param}"): '.encode())
        line = _line_of(fd)
    if not settings.echo:
        os.write(out_fd, b"\n")  # the newline the user typed was not echoed
    return line


def _line_of(fd: int) -> str | None:
    """One line from fd: through the script's stream when that is where it comes from."""
    if fd == 0 and settings.stream is not None:
        line = settings.stream.readline()
        return line or None
    data = bytearray()
    while not data.endswith(b"\n"):  # byte by byte: nothing beyond the line is consumed
        b = os.read(fd, 1)
        if not b:
            break
        data += b
    return data.decode("utf-8", "surrogateescape") if data else None


@contextlib.contextmanager
def _no_echo(fd: int, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    old = termios.tcgetattr(fd)
    new = list(old)
    new[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, new)  # keeps what was typed ahead
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def parse_selector(selector: str) -> tuple[str, str, str]:
    """A --key selector as guestfish 1.48 takes it: (id, "key"|"file"|"clevis", value).

    ID:key:KEY_STRING, ID:file:FILENAME or ID:clevis; the messages are
    guestfish's, except that a key string is shown as ***.
    """
    id_, colon, rest = selector.partition(":")
    shown = selector
    if not colon:
        raise KeyProblem(f"selector '{shown}': missing TYPE")
    kind, colon, value = rest.partition(":")
    if kind == "key":
        shown = f"{id_}:key:***"
    if not id_:  # guestfish takes it, and it never matches a device: told early here
        raise KeyProblem(f"selector '{shown}': missing ID (a device or a LUKS UUID)")
    if kind in ("key", "file"):
        if not colon or ":" in value:
            what = "KEY_STRING" if kind == "key" else "FILENAME"
            raise KeyProblem(f"selector '{shown}': missing {what}, or too many fields")
        return id_, kind, value
    if kind == "clevis":
        if colon:
            raise KeyProblem(f"selector '{shown}': too many fields")
        return id_, kind, ""
    raise KeyProblem(f"selector '{shown}': invalid TYPE")


def key_of(kind: str, value: str) -> str:
    """The key a parsed selector stands for (a file's first line, without its newline)."""
    if kind == "clevis":
        raise KeyProblem("--key ID:clevis: Clevis/Tang network-bound keys are not supported "
                        "by guestbox; give the passphrase with ID:key:KEY or ID:file:FILENAME")
    if kind == "key":
        return value
    try:
        with open(value, encoding="utf-8", errors="surrogateescape") as f:
            line = f.readline()
    except OSError as e:
        raise KeyProblem(f"--key: {value}: {e.strerror}") from None
    return line[:-1] if line.endswith("\n") else line
