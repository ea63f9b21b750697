"""The user's terminal in a rescue session: raw mode, the escape key, the relay between
the terminal and the shell in the appliance (libguestfs's rescue/rescue.c and escape.c).

The escape key (^] unless -e says otherwise) followed by a letter is a command for
guestbox rescue itself, not the shell: h or ? help, i inspection data (with -i),
q or x quit, s sync, u unmount the filesystems, z suspend, the escape key again sends
it to the shell; anything else is dropped.  The terminal's size follows the user's
window (SIGWINCH).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import shutil
import signal
import termios
import tty
from collections.abc import Iterator
from typing import Any

from ...rescue import RescueSession

DEFAULT_ESCAPE = 0x1D  # ^]
CRLF = "\r\n"


class EscapeKeyError(ValueError):
    """An -e value that is not ^X or none."""


def parse_escape_key(text: str) -> int:
    """-e: `none` (0, no escapes) or ^X for X in a-z, A-Z and @[\\]^_ (virt-rescue's rule)."""
    if text == "none":
        return 0
    if len(text) == 2 and text[0] == "^" and ("a" <= text[1] <= "z" or "A" <= text[1] <= "_"):
        return ord(text[1].upper()) - ord("@")
    raise EscapeKeyError(f"unrecognized escape key: {text}")


def key_name(key: int) -> str:
    return "none" if key == 0 else "^" + chr(key + ord("@"))


def escape_key_help(key: int) -> str:
    """What virt-rescue prints when the session starts."""
    name = key_name(key)
    return f"{CRLF}The virt-rescue escape key is ‘{name}’.  Type ‘{name} h’ for help.{CRLF}"


def help_text(key: int, inspector: bool) -> str:
    """^] h: the escape sequences."""
    name = key_name(key)
    entries = [("?", "print this message"), ("h", "print this message")]
    if inspector:
        entries.append(("i", "print inspection data"))
    entries += [("q", "quit virt-rescue"), ("s", "sync the filesystems"),
                ("u", "unmount filesystems"), ("x", "quit virt-rescue"),
                ("z", "suspend virt-rescue")]
    lines = ["virt-rescue escape sequences:", *(f" {name} {k} - {text}" for k, text in entries),
             "to pass the escape key through to the rescue shell, type it twice"]
    return "".join(line + CRLF for line in lines)


@dataclasses.dataclass(frozen=True)
class RootInfo:
    """What ^] i tells of one operating system (fetched before the session starts)."""

    root: str
    product_name: str
    type: str
    distro: str


def inspection_text(roots: list[RootInfo]) -> str:
    if not roots:
        return ""
    out = [""]
    for r in roots:
        out += [f"root device: {r.root}", f"  product name: {r.product_name}",
                f"  type: {r.type}", f"  distro: {r.distro}"]
    return "".join(line + CRLF for line in out)


class Escapes:
    """The escape key state across reads: bytes in, (input for the shell | command) out."""

    def __init__(self, key: int) -> None:
        self.key = key
        self.in_escape = False

    def feed(self, data: bytes) -> list[bytes | str]:
        """What data means, in order: bytes go to the shell, a str is a command letter."""
        if self.key == 0:
            return [data] if data else []
        out: list[bytes | str] = []
        pending = bytearray()
        for byte in data:
            if not self.in_escape:
                if byte == self.key:
                    self.in_escape = True
                else:
                    pending.append(byte)
                continue
            self.in_escape = False
            if byte == self.key:
                pending.append(byte)  # typed twice: sent on
                continue
            if pending:
                out.append(bytes(pending))
                pending.clear()
            out.append(chr(byte))
        if pending:
            out.append(bytes(pending))
        return out


@contextlib.contextmanager
def raw_terminal(fd: int) -> Iterator[list[Any]]:
    """fd (a terminal) in raw mode while the block runs, as it was after; gives the
    attributes it had (for ^] z)."""
    old = termios.tcgetattr(fd)
    tty.setraw(fd)
    try:
        yield old
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, old)


def window_size(fd: int) -> tuple[int, int]:
    """(rows, columns) of the terminal fd (or of the environment's idea of it)."""
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        size = shutil.get_terminal_size()
    return size.lines, size.columns


class Relay:
    """Moves bytes between the terminal (in_fd, out_fd) and the session until it is over
    or the user quits; carries out the escape commands."""

    def __init__(self, session: RescueSession, in_fd: int, out_fd: int, escape: int,
                 roots: list[RootInfo] | None, cooked: list[Any]) -> None:
        self.session = session
        self.cooked = cooked  # the terminal's attributes before raw mode
        self.in_fd, self.out_fd = in_fd, out_fd
        self.escapes = Escapes(escape)
        self.roots = roots  # None without -i
        self.resized = False

    def write(self, text: str | bytes) -> None:
        data = text.encode() if isinstance(text, str) else text
        while data:
            data = data[os.write(self.out_fd, data):]

    def run(self) -> None:
        old = signal.signal(signal.SIGWINCH, self._on_winch)
        try:
            self._loop()
        finally:
            signal.signal(signal.SIGWINCH, old)

    def _on_winch(self, signum: int, frame: Any) -> None:
        self.resized = True

    def _loop(self) -> None:
        session = self.session
        while True:
            if self.resized:
                self.resized = False
                session.resize(*window_size(self.in_fd))
            if session.buffered():
                ready = [session.fileno()]
            else:
                try:
                    ready = select.select([self.in_fd, session.fileno()], [], [])[0]
                except InterruptedError:
                    continue
            if session.fileno() in ready:
                out = session.read()
                if out is None:
                    return  # the shell is gone
                self.write(out)
            if self.in_fd in ready:
                data = os.read(self.in_fd, 4096)
                if not data or not self._typed(data):
                    return  # end of input, or the user quit

    def _typed(self, data: bytes) -> bool:
        """Handle what the user typed; False to quit."""
        for item in self.escapes.feed(data):
            if isinstance(item, bytes):
                self.session.send_input(item)
            elif not self._command(item):
                return False
        return True

    def _command(self, letter: str) -> bool:
        """One escape command; False to quit."""
        known = "?hiqsuxz"
        if letter not in known:
            return True
        self.write(f"{key_name(self.escapes.key)}{letter}{CRLF}")
        if letter in "?h":
            self.write(help_text(self.escapes.key, self.roots is not None))
        elif letter == "i":
            self.write(inspection_text(self.roots or []))
        elif letter in "qx":
            return False
        elif letter == "s":
            self.write(f"attempting to sync filesystems ...{CRLF}")
            self.session.sync()
        elif letter == "u":
            self.write(f"unmounting filesystems ...{CRLF}")
            self.session.umount_all()
        elif letter == "z":
            self._suspend()
        return True

    def _suspend(self) -> None:
        """Stop this process as ^Z would (the terminal back to normal meanwhile)."""
        raw = termios.tcgetattr(self.in_fd)
        termios.tcsetattr(self.in_fd, termios.TCSANOW, self.cooked)
        os.kill(os.getpid(), signal.SIGTSTP)
        termios.tcsetattr(self.in_fd, termios.TCSANOW, raw)  # resumed: raw again
        self.resized = True
