"""Big buffers go through the mailbox disk: same bytes, same errors, and no trace of it."""

from __future__ import annotations

import hashlib
import os

import pytest

import guestbox
from guestbox.protocol.bulk import MAILBOX_MIN

SIZES = [MAILBOX_MIN - 1, MAILBOX_MIN, MAILBOX_MIN + 1, 3 * 1024 * 1024 + 123]


@pytest.mark.parametrize("size", SIZES)
def test_buffers_of_every_size_arrive_unchanged(g: guestbox.GuestFS, gdir: str, size: int) -> None:
    data = os.urandom(size)
    g.write(f"{gdir}/f", data)
    assert g.filesize(f"{gdir}/f") == size
    assert g.checksum("sha256", f"{gdir}/f") == hashlib.sha256(data).hexdigest()
    assert g.read_file(f"{gdir}/f") == data
    assert g.pread(f"{gdir}/f", size, 0) == data
    patch = os.urandom(size // 2 + 1)
    assert g.pwrite(f"{gdir}/f", patch, 7) == len(patch)
    assert g.pread(f"{gdir}/f", len(patch), 7) == patch


def test_a_failing_call_with_a_big_buffer_reports_the_error(g: guestbox.GuestFS, gdir: str) -> None:
    with pytest.raises(guestbox.Error, match=f"open: {gdir}/missing/f: No such file"):
        g.write(f"{gdir}/missing/f", b"x" * MAILBOX_MIN * 2)
    g.write(f"{gdir}/after", b"ok")  # the handle goes on
    assert g.read_file(f"{gdir}/after") == b"ok"


def test_the_mailbox_is_not_a_guest_device(g: guestbox.GuestFS) -> None:
    assert all(d.startswith("/dev/sd") for d in g.list_devices())
    assert not any("vd" in p for p in g.list_partitions())
    assert "/dev/vda" not in g.list_filesystems()
