"""Dispatch in the real appliance: the sysroot check follows every mount and unmount."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import guestbox

MiB = 1024 * 1024


def test_root_check_follows_mounts_and_unmounts(
    launch_handle: Callable[..., guestbox.GuestFS],
) -> None:
    g = launch_handle(64 * MiB, 64 * MiB)
    g.mkfs("ext4", "/dev/sda")
    g.mkfs("ext2", "/dev/sdb")
    for _ in range(2):  # a second round: the watch must notice changes again
        with pytest.raises(guestbox.Error, match="exists: exists_stub: you must call 'mount'"):
            g.exists("/lost+found")
        g.mount("/dev/sda", "/")
        assert g.exists("/lost+found")
        g.mkdir_p("/sub")
        g.mount("/dev/sdb", "/sub")  # a mount below: the root stays mounted
        assert g.exists("/sub/lost+found")
        g.umount("/sub")
        assert g.exists("/sub") and not g.exists("/sub/lost+found")
        g.umount_all()
