"""Commands of the shell itself (not operations of the table), as guestfish has them."""

from __future__ import annotations

import fnmatch
import os
import sys
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
from .repl import ALIASES, CommandFailed, Quit
from .view import run_man, viewer

if TYPE_CHECKING:
    from .repl import Shell

Command = Callable[["Shell", list[str]], bytes]


def _count(name: str, words: list[str], least: int, most: int | None, synopsis: str) -> None:
    if len(words) < least or (most is not None and len(words) > most):
        raise BadArgs(f"error: incorrect number of arguments\nusage: {synopsis}\n"
                      f"type 'help {name}' for more help on {name}")


def _use(ok: bool, message: str) -> None:
    """guestfish's own argument check of a shell command: `use '...' to ...` on stderr."""
    if not ok:
        raise BadArgs(message)


def _quit(sh: Shell, words: list[str]) -> bytes:
    raise Quit


def _run(sh: Shell, words: list[str]) -> bytes:
    _count("run", words, 0, 0, "run")
    sh.g.launch()
    return b""


def _echo(sh: Shell, words: list[str]) -> bytes:
    return (" ".join(words) + "\n").encode("utf-8", "surrogateescape")


def _lcd(sh: Shell, words: list[str]) -> bytes:
    _use(len(words) == 1, "use 'lcd directory' to change local directory")
    try:
        os.chdir(words[0])
    except OSError as e:
        raise BadArgs(f"{words[0]}: {e.strerror}") from None
    return b""


def _setenv(sh: Shell, words: list[str]) -> bytes:
    _use(len(words) == 2, "use 'setenv VAR value' to set an environment variable")
    os.environ[words[0]] = words[1]
    return b""


def _unsetenv(sh: Shell, words: list[str]) -> bytes:
    _use(len(words) == 1, "use 'unsetenv VAR' to unset an environment variable")
    os.environ.pop(words[0], None)
    return b""


def _time(sh: Shell, words: list[str]) -> bytes:
    _use(len(words) >= 1, "use 'time command [args...]'")
    start = time.monotonic()
    out = sh.call(words[0], words[1:])
    took = time.monotonic() - start
    return out + f"elapsed time: {int(took)}.{int(took * 100) % 100:02d} seconds\n".encode()


def _new_disk(sh: Shell, name: str, words: list[str], allocate: bool) -> None:
    """sparse/alloc FILE SIZE: create the image and add it (fish/alloc.c's checks and texts)."""
    _use(len(words) == 2, "use 'sparse file size' to create a sparse image" if name == "sparse"
         else "use 'alloc file size' to create an image")
    size = parse_int(words[1], "parse_size", "xstrtoull", unsigned=True)
    if not sh.g.is_config():
        raise BadArgs("can't allocate or add disks after launching")
    path, stage = words[0], "open"
    try:
        with open(path, "wb") as f:
            stage = "truncate"
            f.truncate(size)
            if allocate:
                stage = "posix_fallocate"
                os.posix_fallocate(f.fileno(), 0, size)
    except OSError as e:  # libguestfs's disk_create texts, reported as a library error
        if stage != "open":
            os.unlink(path)  # as guestfish: no half-made image is left behind
        raise RuntimeError(f"{path}: {stage}: {e.strerror}") from None
    sh.g.add_drive_opts(path, format="raw")


def _sparse(sh: Shell, words: list[str]) -> bytes:
    _new_disk(sh, "sparse", words, allocate=False)
    return b""


def _alloc(sh: Shell, words: list[str]) -> bytes:
    _new_disk(sh, "alloc", words, allocate=True)
    return b""


def _reopen(sh: Shell, words: list[str]) -> bytes:
    _use(not words, "'reopen' command takes no parameters")
    old = sh.g
    old.close()
    sh.g = GuestFS()
    sh.g.set_trace(old.get_trace())
    sh.g.set_verbose(old.get_verbose())
    progress.follow(sh)
    return b""


def _supported(sh: Shell, words: list[str]) -> bytes:
    """Each optional group, right-aligned to the longest name, then yes or no (supported.c)."""
    groups = sh.g.available_all_groups()
    width = max(map(len, groups), default=0)
    lines = []
    for group in groups:
        try:
            sh.g.available([group])
            ok = "yes"
        except Exception:  # noqa: BLE001 - unavailable is an answer, not a failure
            ok = "no"
        lines.append(f"{group:>{width}} {ok}\n")
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
    """glob CMD ARGS: run CMD once for each combination of the guest paths matched.

    As guestfish: every argument that starts with / is expanded (glob_expand, so
    directories get a trailing /), one with no match stays as written, and a failing
    combination does not stop the others; glob fails if any did.
    """
    _use(len(words) >= 1, "use 'glob command [args...]'")
    choices = [_expand(sh, w) for w in words[1:]]
    out, failed = b"", False
    for combo in _product(choices):
        try:
            out += sh.call(words[0], combo)
        except CommandFailed:
            failed = True
    if failed:
        sys.stdout.buffer.write(out)
        raise CommandFailed(words[0])
    return out


def _expand(sh: Shell, word: str) -> list[str]:
    """glob's choices for one argument: devices for /dev/..., guest paths for /..., else word."""
    if word.startswith("/dev/"):
        return [d for d in _devices(sh) if fnmatch.fnmatchcase(d, word)] or [word]
    if word.startswith("/"):
        return sh.g.glob_expand(word) or [word]
    return [word]


def _devices(sh: Shell) -> list[str]:
    """Every device name glob matches /dev/ patterns against (guestfish's expand_devices)."""
    names = sh.g.list_devices() + sh.g.list_partitions() + sh.g.list_md_devices()
    if sh.g.feature_available(["lvm2"]):
        names += sh.g.lvs()
    return names


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

