"""Opening disks that have just appeared (hot-plugged guest disks, transfer disks)."""

from __future__ import annotations

import errno
import os
import time


def open_new_disk(path: str, flags: int, wait: float = 10.0) -> int:
    """os.open(path, flags), waiting out ENXIO while the kernel is still setting the disk up."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return os.open(path, flags)
        except OSError as e:
            if e.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
        time.sleep(0.002)
