"""Bugs of the FUSE core (src/guestbox/fuse) that the acceptance tests found, not fixed yet.

Each is a strict xfail: when the bug is fixed its tests pass, which fails them
until the mark is removed (and this module, once empty).
"""

from __future__ import annotations

import pytest

SETATTR_BEFORE_FLUSH = pytest.mark.xfail(strict=True, reason=(
    "core: writes still buffered when utimens/chmod/chown arrive are sent after them (at "
    "flush or release), so the guest's mtime becomes the time of that pwrite: cp -a, tar -x, "
    "mv across filesystems and futimens lose the times they set; setattr must send the "
    "node's pending write first"))
STALE_LISTING = pytest.mark.xfail(strict=True, reason=(
    "core: lookup (and readdirplus) answer from the parent's cached listing, whose "
    "attributes predate a chmod/utime/write made since through the mount; the kernel looks "
    "the name up again right after a chmod, so `chmod 700 d/e; stat d/e` shows the old mode"))
UNLINKED_WHILE_OPEN = pytest.mark.xfail(strict=True, reason=(
    "core: I/O through a descriptor whose file was unlinked goes to the guest path, which "
    "is gone: ENOENT (tempfile.TemporaryFile, sort, editors' swap files); guestmount keeps "
    "such a file readable and writable until it is closed"))
STALE_FILE_DATA = pytest.mark.xfail(strict=True, reason=(
    "core: an open file's cached read extent (FileData) never expires: after the guest "
    "file changes by other means and cachetimeout passes, the kernel asks again and is "
    "answered with the old bytes"))
