"""A guest file (or a byte range of it) as a temporary host file, and host programs run on it.

Shared by edit, hexedit, display, more and less, which all download something,
hand it to a host program ($EDITOR, $HEXEDITOR, $PAGER ...) as guestfish does
with `system("PROGRAM TMPFILE")`, and some upload the result back.
"""

from __future__ import annotations

import errno
import hashlib
import os
import posixpath
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from ...errors import ReadOnlyError
from ...handle import GuestFS
from .args import BadArgs

ST_RDONLY = 1
"""statvfs flag of a filesystem mounted read-only."""


@contextmanager
def downloaded(g: GuestFS, remote: str, start: int | None = None,
               size: int | None = None) -> Iterator[str]:
    """remote (or size bytes of it from start) in a private host temporary file, removed after.

    The file is made by mkstemp (mode 0600, O_EXCL), so no host symlink is followed.
    """
    fd, local = tempfile.mkstemp(prefix="guestbox")
    os.close(fd)
    try:
        if start is None or size is None:
            g.download(remote, local)
        else:
            g.download_offset(remote, local, start, size)
        yield local
    finally:
        try:
            os.unlink(local)
        except FileNotFoundError:
            pass


def run_program(cmd: str, program: str, local: str) -> None:
    """Run `PROGRAM LOCALFILE` through the shell, as guestfish's system(3); BadArgs if it fails.

    program may carry arguments of its own ("emacs -nw", "sed -i s/a/b/").
    """
    line = f"{program} {shlex.quote(local)}"
    sys.stdout.flush()
    status = subprocess.run(line, shell=True, check=False).returncode
    if status != 0:
        how = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
        raise BadArgs(f"{cmd}: command failed ({how}): {line}")


def digest(local: str) -> bytes:
    """A hash of the file's content: 'changed' means changed content, not just a new mtime."""
    h = hashlib.sha256()
    with open(local, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.digest()


def refuse_readonly(g: GuestFS, cmd: str, remote: str, is_device: bool = False) -> None:
    """ReadOnlyError before the editor runs if remote cannot be written back.

    Checked up front so that nobody edits a file only to lose the changes: a
    handle whose drives are all read-only, or (for a file) a filesystem mounted
    read-only.
    """
    if g._readonly:
        raise ReadOnlyError(
            f"{cmd}: {remote}: the handle is read-only (every drive was added with "
            "readonly=True); add the drive read-write to change it", errno.EROFS)
    if not is_device and g.statvfs(posixpath.dirname(remote) or "/")["flag"] & ST_RDONLY:
        raise ReadOnlyError(f"{cmd}: {remote}: Read-only file system", errno.EROFS)
