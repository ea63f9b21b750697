"""Where guestbox keeps what it builds: per user, `$GUESTBOX_CACHEDIR` first."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

IN_USE = "in-use.lock"
"""In an appliance's directory: shared-locked by each QEMU started from it."""


def cache_dir() -> Path:
    """$GUESTBOX_CACHEDIR, else $XDG_CACHE_HOME/guestbox, else ~/.cache/guestbox (created 0700)."""
    env = os.environ.get("GUESTBOX_CACHEDIR")
    if env:
        d = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = Path(base) / "guestbox"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on path for the duration (so parallel builds don't race)."""
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def hold_in_use(directory: Path) -> IO[str] | None:
    """A shared lock on directory's in-use file, held until the returned file is closed, so
    that a newer appliance's build does not remove this one under a running QEMU (which
    still saves states into it)."""
    try:
        f = open(directory / IN_USE, "a")
    except OSError:  # removed meanwhile: nothing to protect
        return None
    fcntl.flock(f, fcntl.LOCK_SH)
    return f


def remove_unused(directory: Path) -> bool:
    """Remove directory unless some process holds it in use; whether it was removed."""
    try:
        f = open(directory / IN_USE, "a")
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)
        return True
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        shutil.rmtree(directory, ignore_errors=True)
    return True
