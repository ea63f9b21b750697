"""Where guestbox keeps what it builds: per user, `$GUESTBOX_CACHEDIR` first."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


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
