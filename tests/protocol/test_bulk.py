"""Large streams go through transfer disks: same bytes, progress, no trace left in the guest."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import guestbox
from guestbox.protocol.bulk import BULK_MIN

MiB = 1024 * 1024
SIZE = BULK_MIN + 5 * MiB + 333  # above the threshold, not a whole number of sectors


@pytest.fixture(scope="module")
def h() -> guestbox.GuestFS:
    g = guestbox.GuestFS()
    g.add_drive_scratch(512 * MiB)
    g.add_drive_scratch(128 * MiB)
    g.launch()
    g.mkfs("ext4", "/dev/sda")
    g.mount("/dev/sda", "/")
    yield g  # type: ignore[misc]
    g.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_with_progress_and_no_visible_transfer_disk(h: guestbox.GuestFS,
                                                              tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(os.urandom(SIZE))
    events: list[tuple[int, int]] = []
    eh = h.set_event_callback(lambda ev, e, buf, arr: events.append((arr[2], arr[3])),
                              guestbox.EVENT_PROGRESS)
    try:
        h.upload(str(src), "/big")
        up = list(events)
        events.clear()
        h.download("/big", str(tmp_path / "back"))
        down = list(events)
    finally:
        h.delete_event_callback(eh)
    assert digest(tmp_path / "back") == digest(src)
    assert h.filesize("/big") == SIZE
    assert h.checksum("sha256", "/big") == digest(src)
    for ev in (up, down):
        assert len(ev) >= 2 and ev[-1] == (SIZE, SIZE)
        assert [p for p, _ in ev] == sorted(p for p, _ in ev)
    assert h.list_devices() == ["/dev/sda", "/dev/sdb"]
    assert sorted(h.list_filesystems()) == ["/dev/sda", "/dev/sdb"]


def test_offsets_and_devices(h: guestbox.GuestFS, tmp_path: Path) -> None:
    src = tmp_path / "src"
    data = os.urandom(SIZE)
    src.write_bytes(data)
    h.write("/o", b"A" * 1000)
    h.upload_offset(str(src), "/o", 777)  # an offset that is not a whole sector
    assert h.filesize("/o") == 777 + SIZE
    assert h.pread("/o", 16, 777 + SIZE - 16) == data[-16:]
    assert h.pread("/o", 777, 0) == b"A" * 777
    h.upload(str(src), "/dev/sdb")  # to a device
    h.download_offset("/dev/sdb", str(tmp_path / "part"), 4096, SIZE - 4096)
    assert (tmp_path / "part").read_bytes() == data[4096:]
    h.download("/dev/sdb", str(tmp_path / "dev"))
    assert (tmp_path / "dev").stat().st_size == 128 * MiB
    assert (tmp_path / "dev").read_bytes()[:SIZE] == data


def test_failed_big_download_leaves_nothing(h: guestbox.GuestFS, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        h.download("/missing", str(tmp_path / "x"))
    h.mkdir_p("/d")
    with pytest.raises(IsADirectoryError):
        h.download("/d", str(tmp_path / "x"))
    assert os.listdir(tmp_path) == []
