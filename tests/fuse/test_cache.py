"""cachetimeout: changes made in the guest by other means show through the mount once it passes.

The mount is made with cachetimeout=1; the handle's API changes the guest
behind the mount's back (as a program using both would).  After the timeout,
the mount must show the guest as it is: new, removed and renamed names,
contents, modes, times and xattrs.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox

from .conftest import Mount, mounted

pytestmark = pytest.mark.timeout(300)
TIMEOUT = 1


def _prepare(g: guestbox.GuestFS) -> None:
    g.mkdir("/c")
    g.write("/c/file", b"old content")
    g.write("/c/gone", b"")
    g.write("/c/moving", b"")


@pytest.fixture(scope="module")
def m(fresh_image: Callable[[], Path]) -> Iterator[Mount]:
    with mounted(fresh_image(), cachetimeout=TIMEOUT, prepare=_prepare) as mount:
        yield mount


def test_changes_behind_the_mount_show_after_the_timeout(m: Mount) -> None:
    c = m.path / "c"
    assert sorted(os.listdir(c)) == ["file", "gone", "moving"]  # listed and read: cached
    assert (c / "file").read_bytes() == b"old content"
    assert os.stat(c / "file").st_mode & 0o777 == 0o644
    m.g.write("/c/file", b"new content")  # the same size
    m.g.chmod(0o600, "/c/file")
    m.g.utimens("/c/file", 1, 2, 3, 4)
    m.g.setxattr("user.behind", b"v", 1, "/c/file")
    m.g.rm("/c/gone")
    m.g.mv("/c/moving", "/c/moved")
    m.g.write("/c/new", b"made by the API")
    time.sleep(TIMEOUT + 0.5)
    assert sorted(os.listdir(c)) == ["file", "moved", "new"]
    assert not (c / "gone").exists()
    st = os.stat(c / "file")
    assert (stat.S_IMODE(st.st_mode), st.st_atime_ns, st.st_mtime_ns) == (0o600, 1_000_000_002,
                                                                          3_000_000_004)
    assert (c / "file").read_bytes() == b"new content"
    assert os.getxattr(c / "file", "user.behind") == b"v"
    assert (c / "new").read_bytes() == b"made by the API"
