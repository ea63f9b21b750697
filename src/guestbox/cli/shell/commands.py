"""Commands of the shell itself (not operations of the table), as guestfish has them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...api import REGISTRY
from ...handle import GuestFS
from . import progress
from .args import BadArgs, dashed, parse_int
from .edit import run_edit
from .events import run_delete_event, run_event, run_list_events
from .hexedit import run_hexedit
from .repl import ALIASES, Quit
from .view import run_man, viewer

if TYPE_CHECKING:
    from .repl import Shell

Command = Callable[["Shell", list[str]], bytes]


def _count(name: str, words: list[str], least: int, most: int | None, synopsis: str) -> None:
    if len(words) < least or (most is not None and len(words) > most):
        raise BadArgs(f"error: incorrect number of arguments\nusage: {synopsis}\n"
                      f"type 'help {name}' for more help on {name}")


def _quit(sh: Shell, words: list[str]) -> bytes:
    raise Quit


def _run(sh: Shell, words: list[str]) -> bytes:
    _count("run", words, 0, 0, "run")
    sh.g.launch()
    return b""


def _echo(sh: Shell, words: list[str]) -> bytes:
    return (" ".join(words) + "\n").encode("utf-8", "surrogateescape")


def _lcd(sh: Shell, words: list[str]) -> bytes:
    _count("lcd", words, 1, 1, "lcd directory")
    try:
        os.chdir(words[0])
    except OSError as e:
        raise BadArgs(f"lcd: {words[0]}: {e.strerror}") from None
    return b""


def _setenv(sh: Shell, words: list[str]) -> bytes:
    _count("setenv", words, 2, 2, "setenv VAR value")
    os.environ[words[0]] = words[1]
    return b""


def _unsetenv(sh: Shell, words: list[str]) -> bytes:
    _count("unsetenv", words, 1, 1, "unsetenv VAR")
    os.environ.pop(words[0], None)
    return b""


def _time(sh: Shell, words: list[str]) -> bytes:
    _count("time", words, 1, None, "time command [args...]")
    start = time.monotonic()
    out = sh.call(words[0], words[1:])
    took = time.monotonic() - start
    return out + f"elapsed time: {int(took)}.{int(took * 100) % 100:02d} seconds\n".encode()


def _new_disk(name: str, words: list[str], allocate: bool) -> tuple[str, int]:
    _count(name, words, 2, 2, f"{name} filename size")
    size = parse_int(words[1], "parse_size", "xstrtoull", unsigned=True)
    try:
        with open(words[0], "wb") as f:
            if allocate:
                os.posix_fallocate(f.fileno(), 0, size)
            f.truncate(size)
    except OSError as e:
        raise BadArgs(f"{name}: {words[0]}: {e.strerror}") from None
    return words[0], size


def _sparse(sh: Shell, words: list[str]) -> bytes:
    path, _ = _new_disk("sparse", words, allocate=False)
    sh.g.add_drive_opts(path, format="raw")
    return b""


def _alloc(sh: Shell, words: list[str]) -> bytes:
    path, _ = _new_disk("alloc", words, allocate=True)
    sh.g.add_drive_opts(path, format="raw")
    return b""


def _reopen(sh: Shell, words: list[str]) -> bytes:
    _count("reopen", words, 0, 0, "reopen")
    old = sh.g
    old.close()
    sh.g = GuestFS()
    sh.g.set_trace(old.get_trace())
    sh.g.set_verbose(old.get_verbose())
    progress.follow(sh)
    return b""


def _supported(sh: Shell, words: list[str]) -> bytes:
    _count("supported", words, 0, 0, "supported")
    lines = []
    for group in sh.g.available_all_groups():
        try:
            sh.g.available([group])
            ok = "yes"
        except Exception:  # noqa: BLE001 - unavailable is an answer, not a failure
            ok = "no"
        lines.append(f"{group:>20} {ok}\n")
    return "".join(lines).encode()


def _copy_in(sh: Shell, words: list[str]) -> bytes:
    _count("copy-in", words, 2, None, "copy-in local [local ...] /remotedir")
    for local in words[:-1]:
        sh.g.copy_in(local, words[-1])
    return b""


def _copy_out(sh: Shell, words: list[str]) -> bytes:
    _count("copy-out", words, 2, None, "copy-out remote [remote ...] localdir")
    for remote in words[:-1]:
        sh.g.copy_out(remote, words[-1])
    return b""


def _glob(sh: Shell, words: list[str]) -> bytes:
    """glob CMD ARGS: run CMD once for each combination of the guest paths matched."""
    _count("glob", words, 1, None, "glob command args...")
    choices: list[list[str]] = [[w] for w in words]
    for i, w in enumerate(words[1:], 1):
        if w.startswith("/") and any(c in w for c in "*?["):
            choices[i] = sh.g.glob_expand(w) or [w]
    out = b""
    for combo in _product(choices[1:]):
        out += sh.call(words[0], combo)
    return out


def _product(choices: list[list[str]]) -> list[list[str]]:
    combos: list[list[str]] = [[]]
    for options in choices:
        combos = [c + [o] for c in combos for o in options]
    return combos


def _help(sh: Shell, words: list[str]) -> bytes:
    from .docs import help_text

    return help_text(words).encode()


def _edit(cmd: str) -> Command:
    return lambda sh, words: run_edit(sh, words, cmd)


SHELL_COMMANDS: dict[str, Command] = {
    "quit": _quit, "exit": _quit, "q": _quit,
    "run": _run, "launch": _run,
    "echo": _echo, "lcd": _lcd, "setenv": _setenv, "unsetenv": _unsetenv,
    "time": _time, "sparse": _sparse, "alloc": _alloc, "allocate": _alloc,
    "reopen": _reopen, "supported": _supported,
    "copy-in": _copy_in, "copy_in": _copy_in, "copy-out": _copy_out, "copy_out": _copy_out,
    "glob": _glob, "help": _help,
    "more": viewer("more"), "less": viewer("less"),
    "edit": _edit("edit"), "vi": _edit("vi"), "emacs": _edit("emacs"),
    "event": run_event, "list-events": run_list_events, "list_events": run_list_events,
    "delete-event": run_delete_event, "delete_event": run_delete_event, "hexedit": run_hexedit,
    "man": run_man, "manual": run_man, "display": viewer("display"),
}

def all_names() -> list[str]:
    """Every command name the shell accepts (dashed forms), for help and completion."""
    names = {dashed(n) for n in REGISTRY} | set(SHELL_COMMANDS) | set(ALIASES)
    return sorted(n for n in names if "_" not in n)

