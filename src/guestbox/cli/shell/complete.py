"""Tab completion (readline) of command names and, when launched, of guest paths."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .commands import all_names

if TYPE_CHECKING:
    from .repl import Shell

HISTORY = os.path.expanduser("~/.guestbox_shell_history")


def candidates(sh: Shell, line: str, text: str) -> list[str]:
    """Completions of text: a command name first, then guest paths (live) or devices."""
    if not line[: len(line) - len(text)].strip():
        return [n + " " for n in all_names() if n.startswith(text)]
    if not text.startswith("/") or not sh.g.is_ready():
        return []
    if text.startswith("/dev/"):
        devs = sh.g.list_devices() + sh.g.list_partitions()
        return [d + " " for d in devs if d.startswith(text)]
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
            found[:] = candidates(sh, readline.get_line_buffer(), text)
        return found[state] if state < len(found) else None

    readline.set_completer_delims(" \t")
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")
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
