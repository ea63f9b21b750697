"""Guest paths resolve inside the sysroot whatever the guest's symlinks say (pure logic)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from guestbox.agent.paths import resolve, to_guest


@pytest.fixture
def root(tmp_path: Path) -> str:
    r = tmp_path / "sysroot"
    (r / "etc").mkdir(parents=True)
    (r / "etc/passwd").write_text("guest\n")
    os.symlink("/etc", r / "abs")  # absolute: means the guest's /etc
    os.symlink("../../../../../etc", r / "etc/up")  # climbs above the root
    os.symlink("passwd", r / "etc/rel")
    os.symlink("loop2", r / "loop1")
    os.symlink("loop1", r / "loop2")
    return str(r)


def test_absolute_link_stays_in_root(root: str) -> None:
    assert resolve("/abs/passwd", sysroot=root) == f"{root}/etc/passwd"


def test_dotdot_cannot_climb_out(root: str) -> None:
    assert resolve("/../../etc/passwd", sysroot=root) == f"{root}/etc/passwd"
    assert resolve("/etc/up/passwd", sysroot=root) == f"{root}/etc/passwd"


def test_last_component_followed_or_not(root: str) -> None:
    assert resolve("/etc/rel", sysroot=root) == f"{root}/etc/passwd"
    assert resolve("/etc/rel", follow=False, sysroot=root) == f"{root}/etc/rel"
    assert resolve("/abs/rel", follow=False, sysroot=root) == f"{root}/etc/rel"


def test_missing_components_are_kept(root: str) -> None:
    assert resolve("/etc/new/file", sysroot=root) == f"{root}/etc/new/file"
    assert resolve("/", sysroot=root) == root


def test_loops_and_relative_paths_are_errors(root: str) -> None:
    with pytest.raises(OSError) as e:
        resolve("/loop1", sysroot=root)
    assert e.value.errno == errno.ELOOP
    with pytest.raises(OSError) as e:
        resolve("etc", sysroot=root)
    assert e.value.errno == errno.EINVAL


def test_to_guest(root: str) -> None:
    assert to_guest(f"{root}/etc/passwd", sysroot=root) == "/etc/passwd"
    assert to_guest(root, sysroot=root) == "/"
    assert to_guest("/dev/sda", sysroot=root) == "/dev/sda"
