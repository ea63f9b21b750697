"""Tab completion (readline): command names, optional argument names, devices, guest paths.

As guestfish: the first word completes to a command; later words to the
command's optional arguments (`bl` -> `blocksize:`), to devices (`/dev/...`,
looked up live) and to guest paths (unless --no-dest-paths).  History is kept
in ~/.guestbox_shell_history between runs (guestfish's is ~/.guestfish).
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from .commands import all_names

if TYPE_CHECKING:
    from .repl import Shell

HISTORY = os.path.expanduser("~/.guestbox_shell_history")


@dataclasses.dataclass
class CompleteSettings:
    """What completion offers (from the command line)."""

    dest_paths: bool = True
    """Complete guest paths (-D/--no-dest-paths turns it off)."""


settings = CompleteSettings()


def candidates(sh: Shell, line: str, text: str) -> list[str]:
    """Completions of text, the word being typed at the end of line."""
    before = line[: len(line) - len(text)].split()
    if not before:
        return [n + " " for n in all_names() if n.startswith(text)]
    out = [o for o in optional_names(before[0]) if o.startswith(text)]
    if not text.startswith("/") or not sh.g.is_ready():
        return out
    if text.startswith("/dev/"):
        devs = sh.g.list_devices() + sh.g.list_partitions()
        return out + [d + " " for d in devs if d.startswith(text)]
    return out + guest_paths(sh, text) if settings.dest_paths else out


def optional_names(command: str) -> list[str]:
    """`name:` for each optional argument of command (none for unknown commands)."""
    from .repl import lookup

    spec = lookup(command)
    return [f"{p.name}:" for p in spec.optional] if spec is not None else []


def guest_paths(sh: Shell, text: str) -> list[str]:
    """Guest paths starting with text, directories with a trailing /."""
    directory, _, stem = text.rpartition("/")
    try:
        entries = sh.g.ls(directory or "/")
    except Exception:  # noqa: BLE001 - nothing to offer
        return []
    out = []
    for e in entries:
        if e.startswith(stem):
            path = f"{directory}/{e}"
            out.append(path + "/" if sh.g.is_dir(path) else path + " ")
    return out


def setup(sh: Shell) -> None:
    """Install the completer and load the history (saved again at exit)."""
    try:
        import atexit
        import readline
    except ImportError:
        return
    found: list[str] = []

    def complete(text: str, state: int) -> str | None:
        if state == 0:
            try:
                found[:] = candidates(sh, readline.get_line_buffer()[:readline.get_endidx()],
                                      text)
            except Exception:  # noqa: BLE001 - a failing lookup offers nothing, never a trace
                found[:] = []
        return found[state] if state < len(found) else None

    readline.set_completer_delims(" \t")
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")
    readline.parse_and_bind("set completion-ignore-case on")  # as guestfish
    try:
        readline.read_history_file(HISTORY)
    except OSError:
        pass
    atexit.register(_save, readline)


def _save(readline: object) -> None:
    try:
        readline.write_history_file(HISTORY)  # type: ignore[attr-defined]
    except OSError:
        pass
