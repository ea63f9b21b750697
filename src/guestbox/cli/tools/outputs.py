"""Output images the tools write on the host: never left half-written behind; their
partition table types checked before anything is written."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator

from ...agent.part import PARTTYPES
from ...errors import Error


@contextlib.contextmanager
def removed_on_failure(path: str) -> Iterator[None]:
    """Remove the regular file path if the block fails (however: an error, Ctrl-C,
    SIGTERM), unless it was there before and the block failed before writing it.
    A device or anything else that is not a regular file is never removed."""
    before = _state(path)
    try:
        yield
    except BaseException:
        after = _state(path)
        if after is not None and after[0] and after != before:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise


def _state(path: str) -> tuple[bool, int, int, int] | None:
    """(is a regular file, inode, size, mtime) of path, or None if there is nothing."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (stat.S_ISREG(st.st_mode), st.st_ino, st.st_size, st.st_mtime_ns)


def check_parttype(parttype: str) -> None:
    """part_disk's refusal of an unknown partition table type, said before the disks are
    touched (the tools would say it after erasing them)."""
    if parttype not in PARTTYPES:
        raise Error('part_disk: unknown partition type: common choices are "gpt" and "msdos"',
                    errno.EINVAL)
