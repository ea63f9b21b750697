"""guestfish's `win:` paths: `win:c:\\windows\\system32\\config` -> /Windows/System32/config.

As guestfish 1.48 (fish.c win_prefix), for every path parameter of a command
(Pathname, Dev_or_Path, Mountable_or_Path): after `win:` (any case), a drive
letter is looked up in inspect_get_drive_mappings of the first root and
replaced by the directory where that device is mounted (guestbox never mounts
it for you); backslashes become slashes; then the case of each element is
resolved by case_sensitive_path (the guest's own names, e.g. on NTFS); if
that fails, the path is used as written.  A path without the prefix is left
alone.
"""

from __future__ import annotations

from typing import Any

from .words import PROG


class WinPathProblem(Exception):
    """A `win:` path that cannot be resolved: the message is guestfish's."""


def resolve(g: Any, word: str) -> str:
    """word with its `win:` prefix resolved (word itself if it has none)."""
    if word[:4].lower() != "win:":
        return word
    path = word[4:]
    if len(path) >= 2 and path[0].isascii() and path[0].isalpha() and path[1] == ":":
        path = _drive(g, path[0].lower(), path[2:])
    elif not path:
        path = "/"
    path = path.replace("\\", "/")
    try:
        return str(g.case_sensitive_path(path))
    except Exception:  # noqa: BLE001 - as guestfish: the path as written
        return path


def _drive(g: Any, letter: str, rest: str) -> str:
    roots = g.inspect_get_roots()
    if not roots:
        raise WinPathProblem(f'{PROG}: to use Windows drive letters, you must inspect the guest '
                             '("-i" option or run "inspect-os" command)')
    drives = g.inspect_get_drive_mappings(roots[0])
    if not drives:
        raise WinPathProblem(f"{PROG}: to use Windows drive letters, this must be a Windows "
                             "guest")
    device = next((dev for name, dev in drives.items() if name.lower() == letter), None)
    if device is None:
        raise WinPathProblem(f"{PROG}: drive '{letter}:' not found.  To list available drives "
                             f"do:\n  inspect-get-drive-mappings {roots[0]}")
    mountpoint = g.mountpoints().get(device)
    if mountpoint is None:
        raise WinPathProblem(f"{PROG}: to access '{letter}:', mount {device} first.  One way "
                             f"to do this is:\n  umount-all\n  mount {device} /")
    return f"{mountpoint}{'/' if mountpoint != '/' else ''}{rest}"
