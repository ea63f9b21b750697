"""The shell's engine: running lines, reporting errors as guestfish does, the loop."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from typing import TextIO

from ...api import REGISTRY, OpSpec
from ...handle import GuestFS
from .args import BadArgs, convert
from .output import render
from .pipes import pipe_into
from .words import Line, SyntaxProblem, parse_line

PROMPT = "><fs> "
BANNER = ("\nWelcome to guestbox shell, a guestfish-compatible shell for editing virtual "
          "machine\nfilesystems and disk images.\n\nType: ‘help’ for help on commands\n"
          "      ‘quit’ to quit the shell\n\n")


class Quit(Exception):
    """quit/exit/q: leave the shell."""


class CommandFailed(Exception):
    """A command failed; its message has been printed already."""


ALIASES = {"add": "add_drive", "add-ro": "add_drive_ro", "add_ro": "add_drive_ro"}
"""guestfish's short names of table operations."""


def lookup(name: str) -> OpSpec | None:
    """The operation a command name (dashes or underscores, or an alias) stands for."""
    return REGISTRY.get(ALIASES.get(name, name).replace("-", "_"))


class Shell:
    """One shell session: a handle, where lines come from, and how errors are told."""

    def __init__(self, interactive: bool = False, trace: bool = False) -> None:
        self.g = GuestFS()
        self.g.set_trace(trace)  # -x: libguestfs's trace lines on stderr, as guestfish
        self.interactive = interactive
        self.source = "*stdin*"
        self.lineno = 0
        self.pending_format: str | None = None
        self.pipe_error = False  # --pipe-error
        self.commands_issued = 0
        """Commands run so far (guestfish's command_num): the first unknown one gets hints."""
        self.greeting = ""
        """Printed after the banner (-i: the OS and its mounts, as guestfish)."""

    # -- errors ------------------------------------------------------------
    def where(self) -> str:
        """guestfish's `FILE:LINE: ` before library errors when not interactive."""
        return "" if self.interactive else f"{self.source}:{self.lineno}: "

    def library_error(self, message: str) -> None:
        print(f"{self.where()}libguestfs: error: {message}", file=sys.stderr, flush=True)

    # -- lines -------------------------------------------------------------
    def run_lines(self, lines: Iterable[str], source: str, stop_on_error: bool) -> int:
        """Run each line; returns 1 if a command failed (stopping there if stop_on_error)."""
        status = 0
        self.source = source
        try:
            self.lineno = 0
            for line in lines:
                self.lineno += 1  # keys read from the same stdin count too (keys.py)
                if not self.execute(line):
                    status = 1
                    if stop_on_error:
                        break
        except Quit:
            pass
        return status

    def execute(self, text: str) -> bool:
        """Run one line; False if it failed (and its error was not ignored)."""
        try:
            line = parse_line(text)
        except SyntaxProblem as e:
            print(e, file=sys.stderr, flush=True)
            return text.lstrip(" \t").startswith("-")  # a leading - ignores it too
        if line.kind == "empty":
            return True
        if line.kind == "host":
            return _host(line.host) == 0  # a failing host command fails, silently, as in guestfish
        if line.kind == "host-commands":
            return self.host_commands(line.host)
        try:
            self.run_words(line)
        except CommandFailed:
            return line.ignore_error
        return True

    def host_commands(self, command: str) -> bool:
        """<! cmd: run cmd on the host and its output as shell commands."""
        p = subprocess.run(command, shell=True, stdout=subprocess.PIPE, check=False)
        if p.returncode != 0:
            print(f"<!: command failed: {command.strip()}", file=sys.stderr)
            return False
        return all(self.execute(t) for t in p.stdout.decode(errors="surrogateescape")
                   .splitlines())

    def run_words(self, line: Line) -> None:
        """Run the command of line, its output to stdout or into its pipe."""
        out = self.call(line.words[0], list(line.words[1:]))
        if line.pipe is not None:
            sys.stdout.flush()
            if not pipe_into(line.pipe, out, self.pipe_error):
                raise CommandFailed(line.words[0])
        elif out:
            sys.stdout.buffer.write(out)
            sys.stdout.flush()

    def run_words_list(self, words: list[str]) -> None:
        """Run a command given as words (from the command line); CommandFailed if it fails."""
        self.run_words(Line("command", tuple(words)))

    def call(self, name: str, words: list[str]) -> bytes:
        """Run one command; its output as bytes.  Raises CommandFailed after reporting."""
        from .commands import SHELL_COMMANDS

        self.commands_issued += 1
        try:
            builtin = SHELL_COMMANDS.get(name)
            if builtin is not None:
                return builtin(self, words)
            spec = lookup(name)
            if spec is None:
                raise BadArgs(_unknown(name, self.commands_issued == 1))
            args = convert(spec, words)
            return render(spec.ret, getattr(self.g, spec.name)(**args), spec.name)
        except BadArgs as e:
            print(e, file=sys.stderr, flush=True)
        except (Quit, KeyboardInterrupt, CommandFailed):
            raise  # CommandFailed: from a command run by time or glob, reported already
        except Exception as e:  # noqa: BLE001 - every failure is a message, never a traceback
            self.library_error(str(e))
        raise CommandFailed(name)

    # -- the interactive loop ---------------------------------------------
    def loop(self, stdin: TextIO) -> int:
        """Read and run commands; the prompt and readline when stdin is a terminal."""
        if self.interactive:
            from .complete import setup

            setup(self)
            sys.stdout.write(BANNER + self.greeting)
            return self._interactive()
        return self.run_lines(stdin, "*stdin*", stop_on_error=True)

    def _interactive(self) -> int:
        while True:
            try:
                text = input(PROMPT)
            except EOFError:
                print()
                return 0
            except KeyboardInterrupt:
                print()
                continue
            try:
                self.execute(text)
            except Quit:
                return 0


def _unknown(name: str, first: bool) -> str:
    """guestfish's message; the hints only when it is the first command (as fish.c)."""
    if not first:
        return f"{name}: unknown command"
    return (f"{name}: unknown command\n"
            "Did you mean to open a disk image?  guestfish -a disk.img\n"
            "For a list of commands:             guestfish -h\n"
            "For complete documentation:         man guestfish")


def _host(command: str) -> int:
    sys.stdout.flush()
    return subprocess.run(command, shell=True, check=False).returncode
