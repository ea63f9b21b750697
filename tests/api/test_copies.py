"""Copies between devices and files: copy_{device,file}_to_{device,file}.

One handle for the module: /dev/sda (ext4 on sda1, mounted on /) holds the
files; /dev/sdb and /dev/sdc are blank 32 MiB disks to copy to and from.
"""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024
DEV_SIZE = 32 * MiB
PATTERN = b"0123456789" * 10  # 100 bytes
A_BLOCK = b"A" * 4096
# 4 KiB of data, 1 MiB of zeros, 10 bytes of data, 1 MiB of zeros (which end the file)
SPARSE = A_BLOCK + bytes(MiB) + b"B" * 10 + bytes(MiB)


@pytest.fixture(scope="module")
def h() -> Iterator[guestbox.GuestFS]:
    g = guestbox.GuestFS()
    g.add_drive_scratch(160 * MiB)
    g.add_drive_scratch(DEV_SIZE)
    g.add_drive_scratch(DEV_SIZE)
    g.launch()
    g.part_disk("/dev/sda", "mbr")
    g.mkfs("ext4", "/dev/sda1")
    g.mount("/dev/sda1", "/")
    g.write("/pattern", PATTERN)
    g.write("/sparse-src", SPARSE)
    yield g
    g.close()


@pytest.fixture
def d(h: guestbox.GuestFS, request: pytest.FixtureRequest) -> str:
    """A fresh directory for this test."""
    path = f"/{request.node.name.replace('[', '_').replace(']', '_')}"
    h.mkdir(path)
    return path


def blocks(h: guestbox.GuestFS, path: str) -> int:
    """512-byte blocks allocated to path."""
    return h.statns(path)["st_blocks"]


def device_bytes(h: guestbox.GuestFS, device: str, offset: int, size: int,
                 tmp_path: Path) -> bytes:
    out = tmp_path / "range"
    h.download_offset(device, str(out), offset, size)
    return out.read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- file to file ----------------------------------------------------------------
def test_file_to_file(h: guestbox.GuestFS, d: str) -> None:
    h.copy_file_to_file("/pattern", f"{d}/whole")
    assert h.read_file(f"{d}/whole") == PATTERN
    h.copy_file_to_file("/pattern", f"{d}/part", srcoffset=5, size=10)
    assert h.read_file(f"{d}/part") == PATTERN[5:15]
    # An existing destination is replaced: it ends with the copied bytes, zeros before them.
    h.write(f"{d}/old", b"X" * 200)
    h.copy_file_to_file("/pattern", f"{d}/old", srcoffset=90, destoffset=30)
    assert h.read_file(f"{d}/old") == bytes(30) + PATTERN[90:]
    h.copy_file_to_file("/pattern", f"{d}/old", size=0)
    assert h.read_file(f"{d}/old") == b""
    # Beyond the end of a source file, without size: nothing to copy.
    h.copy_file_to_file("/pattern", f"{d}/empty", srcoffset=1000)
    assert h.read_file(f"{d}/empty") == b""


def test_file_to_file_through_a_symlink(h: guestbox.GuestFS, d: str) -> None:
    h.ln_s("../pattern", f"{d}/link")
    h.copy_file_to_file(f"{d}/link", f"{d}/copy", size=20)
    assert h.read_file(f"{d}/copy") == PATTERN[:20]


def test_append(h: guestbox.GuestFS, d: str) -> None:
    h.write(f"{d}/log", b"Y" * 20)
    h.copy_file_to_file("/pattern", f"{d}/log", size=5, append=True)
    h.copy_file_to_file("/pattern", f"{d}/log", srcoffset=95, append=True)
    assert h.read_file(f"{d}/log") == b"Y" * 20 + PATTERN[:5] + PATTERN[95:]
    h.copy_file_to_file("/pattern", f"{d}/log", size=5, append=False)
    assert h.read_file(f"{d}/log") == PATTERN[:5]
    h.copy_device_to_file("/dev/sdb", f"{d}/new", size=512, append=True)  # creates it
    assert h.filesize(f"{d}/new") == 512


def test_copy_within_one_file(h: guestbox.GuestFS, d: str) -> None:
    """The same file as source and destination is not emptied first (libguestfs does)."""
    h.write(f"{d}/f", PATTERN)
    h.copy_file_to_file(f"{d}/f", f"{d}/f", destoffset=100, size=50)
    assert h.read_file(f"{d}/f") == PATTERN + PATTERN[:50]
    h.copy_file_to_file(f"{d}/f", f"{d}/f", srcoffset=140, destoffset=0, size=10)
    assert h.read_file(f"{d}/f") == PATTERN[40:50] + PATTERN[10:] + PATTERN[:50]


# -- sparse ------------------------------------------------------------------------
def test_sparse_file_to_file(h: guestbox.GuestFS, d: str) -> None:
    full = blocks(h, "/sparse-src")
    assert full >= len(SPARSE) // 512  # written out: every block allocated
    h.copy_file_to_file("/sparse-src", f"{d}/sparse", sparse=True)
    h.copy_file_to_file("/sparse-src", f"{d}/dense", sparse=False)
    # Same size and bytes (the zeros at the end still count), but only two 4 KiB blocks.
    for name in ("sparse", "dense"):
        assert h.filesize(f"{d}/{name}") == len(SPARSE)
        assert h.checksum("sha256", f"{d}/{name}") == sha256(SPARSE)
    assert blocks(h, f"{d}/sparse") == 16
    assert blocks(h, f"{d}/dense") == full
    # Onto an existing file full of data: it is emptied first, so the copy is right.
    h.write(f"{d}/busy", b"Q" * (3 * MiB))
    h.copy_file_to_file("/sparse-src", f"{d}/busy", sparse=True)
    assert h.checksum("sha256", f"{d}/busy") == sha256(SPARSE)
    assert blocks(h, f"{d}/busy") == 16


def test_sparse_source_file_with_holes(h: guestbox.GuestFS, d: str) -> None:
    """A sparse source's holes are skipped, and the copy is as sparse."""
    h.touch(f"{d}/holes")
    h.truncate_size(f"{d}/holes", 64 * MiB)
    h.pwrite(f"{d}/holes", b"middle", 40 * MiB + 3)
    h.copy_file_to_file(f"{d}/holes", f"{d}/copy", sparse=True)
    assert h.filesize(f"{d}/copy") == 64 * MiB
    assert blocks(h, f"{d}/copy") == 8
    assert h.pread(f"{d}/copy", 12, 40 * MiB) == b"\0\0\0middle\0\0\0"
    assert h.checksum("sha256", f"{d}/copy") == h.checksum("sha256", f"{d}/holes")


def test_sparse_append(h: guestbox.GuestFS, d: str) -> None:
    h.write(f"{d}/log", b"Y" * 20)
    h.copy_file_to_file("/sparse-src", f"{d}/log", sparse=True, append=True)
    assert h.filesize(f"{d}/log") == 20 + len(SPARSE)
    assert h.checksum("sha256", f"{d}/log") == sha256(b"Y" * 20 + SPARSE)
    assert blocks(h, f"{d}/log") <= 24  # the first block, "A"s (two blocks), the "B"s


def test_sparse_device_to_file(h: guestbox.GuestFS, d: str, tmp_path: Path) -> None:
    h.copy_file_to_device("/pattern", "/dev/sdc", destoffset=5 * MiB)
    h.copy_device_to_file("/dev/sdc", f"{d}/image", sparse=True)
    assert h.filesize(f"{d}/image") == DEV_SIZE
    assert blocks(h, f"{d}/image") == 8
    assert h.checksum("sha256", f"{d}/image") == h.checksum_device("sha256", "/dev/sdc")
    h.copy_file_to_device(f"{d}/image", "/dev/sdb", sparse=True)
    assert device_bytes(h, "/dev/sdb", 5 * MiB - 1, 102, tmp_path) == b"\0" + PATTERN + b"\0"


# -- devices -------------------------------------------------------------------------
@pytest.mark.parametrize("offset", [4096, 1000], ids=["aligned", "unaligned"])
def test_file_and_device(h: guestbox.GuestFS, d: str, tmp_path: Path, offset: int) -> None:
    """Aligned copies use direct I/O on the device, unaligned ones the page cache: the
    same bytes either way."""
    h.copy_file_to_device("/sparse-src", "/dev/sdb", destoffset=offset)
    assert device_bytes(h, "/dev/sdb", offset, len(SPARSE), tmp_path) == SPARSE
    h.copy_device_to_file("/dev/sdb", f"{d}/back", srcoffset=offset, size=len(SPARSE))
    assert h.checksum("sha256", f"{d}/back") == sha256(SPARSE)
    h.copy_device_to_device("/dev/sdb", "/dev/sdc", srcoffset=offset + 4096,
                            destoffset=2 * offset, size=MiB + 10)
    assert device_bytes(h, "/dev/sdc", 2 * offset, MiB + 10, tmp_path) == \
        SPARSE[4096 : 4096 + MiB + 10]


def test_whole_devices_with_progress(h: guestbox.GuestFS, d: str) -> None:
    h.copy_file_to_device("/pattern", "/dev/sdb", destoffset=DEV_SIZE - 100)
    events: list[tuple[int, int]] = []
    eh = h.set_event_callback(lambda ev, e, buf, arr: events.append((arr[2], arr[3])),
                              guestbox.EVENT_PROGRESS)
    try:
        h.copy_device_to_device("/dev/sdb", "/dev/sdc")
        h.copy_device_to_file("/dev/sdb", f"{d}/disk")
    finally:
        h.delete_event_callback(eh)
    want = h.checksum_device("sha256", "/dev/sdb")
    assert h.checksum_device("sha256", "/dev/sdc") == want
    assert h.checksum("sha256", f"{d}/disk") == want
    assert events and events[-1] == (DEV_SIZE, DEV_SIZE)
    assert all(total == DEV_SIZE for _, total in events)


# -- errors --------------------------------------------------------------------------
def test_bad_numbers(h: guestbox.GuestFS, d: str) -> None:
    for name in ("srcoffset", "destoffset", "size"):
        for op in (h.copy_file_to_file, h.copy_device_to_device):
            src, dest = ("/pattern", f"{d}/x") if op == h.copy_file_to_file else \
                ("/dev/sdb", "/dev/sdc")
            with pytest.raises(OSError, match=f"^{op.__name__}: {name} is negative$") as info:
                op(src, dest, **{name: -1})
            assert info.value.errno == errno.EINVAL
    assert not h.exists(f"{d}/x")


def test_append_errors(h: guestbox.GuestFS, d: str) -> None:
    for op, src in ((h.copy_device_to_device, "/dev/sdb"), (h.copy_file_to_device, "/pattern")):
        with pytest.raises(guestbox.Error, match=f"^{op.__name__}: the append flag cannot be "
                           "set for this call$"):
            op(src, "/dev/sdc", append=True)
    h.write(f"{d}/f", b"keep")
    with pytest.raises(guestbox.Error, match="^copy_file_to_file: destoffset cannot be used "
                       "with the append flag$"):
        h.copy_file_to_file("/pattern", f"{d}/f", append=True, destoffset=3)
    assert h.read_file(f"{d}/f") == b"keep"


def test_source_too_short(h: guestbox.GuestFS, d: str, tmp_path: Path) -> None:
    """Checked before anything is written (libguestfs writes what there is, then fails)."""
    with pytest.raises(guestbox.Error, match="^copy_file_to_file: /pattern: input too short$"):
        h.copy_file_to_file("/pattern", f"{d}/x", size=101)
    with pytest.raises(guestbox.Error, match="^copy_file_to_file: /pattern: input too short$"):
        h.copy_file_to_file("/pattern", f"{d}/x", srcoffset=1000, size=1)
    assert not h.exists(f"{d}/x")
    h.write(f"{d}/y", b"keep")
    with pytest.raises(guestbox.Error, match="^copy_device_to_file: /dev/sdb: input too short$"):
        h.copy_device_to_file("/dev/sdb", f"{d}/y", srcoffset=DEV_SIZE - 100, size=200)
    assert h.read_file(f"{d}/y") == b"keep"
    with pytest.raises(OSError, match="^copy_device_to_device: lseek: /dev/sdb: Invalid "
                       "argument$"):
        h.copy_device_to_device("/dev/sdb", "/dev/sdc", srcoffset=DEV_SIZE + 1)


def test_device_too_small(h: guestbox.GuestFS, tmp_path: Path) -> None:
    before = device_bytes(h, "/dev/sdc", DEV_SIZE - MiB, MiB, tmp_path)
    with pytest.raises(OSError, match="^copy_file_to_device: /dev/sdc: write: No space left "
                       "on device$") as info:
        h.copy_file_to_device("/sparse-src", "/dev/sdc", destoffset=DEV_SIZE - MiB)
    assert info.value.errno == errno.ENOSPC
    with pytest.raises(OSError, match="^copy_device_to_device: lseek: /dev/sdc: Invalid "
                       "argument$"):
        h.copy_device_to_device("/dev/sdb", "/dev/sdc", destoffset=DEV_SIZE + 1, size=1)
    assert device_bytes(h, "/dev/sdc", DEV_SIZE - MiB, MiB, tmp_path) == before


def test_paths_and_devices(h: guestbox.GuestFS, d: str) -> None:
    with pytest.raises(FileNotFoundError, match="^copy_file_to_file: /nope: No such file"):
        h.copy_file_to_file("/nope", f"{d}/x")
    with pytest.raises(FileNotFoundError, match=f"^copy_file_to_file: {d}/no/x: No such file"):
        h.copy_file_to_file("/pattern", f"{d}/no/x")
    with pytest.raises(IsADirectoryError, match="^copy_file_to_file: /lost\\+found: Is a "
                       "directory$"):
        h.copy_file_to_file("/lost+found", f"{d}/x")
    with pytest.raises(IsADirectoryError, match=f"^copy_device_to_file: {d}: Is a directory$"):
        h.copy_device_to_file("/dev/sdb", d)
    with pytest.raises(guestbox.Error, match="path must start with a / character"):
        h.copy_file_to_file("pattern", f"{d}/x")
    with pytest.raises(guestbox.Error, match="^copy_device_to_file: /pattern: device name must "
                       "start with /dev/$"):
        h.copy_device_to_file("/pattern", f"{d}/x")
    with pytest.raises(FileNotFoundError, match="^copy_file_to_device: /dev/sdz: No such file"):
        h.copy_file_to_device("/pattern", "/dev/sdz")
    # A FIFO is not waited on for ever: the file variants copy regular files only.
    h.mkfifo(0o644, f"{d}/fifo")
    with pytest.raises(OSError, match=f"^copy_file_to_file: {d}/fifo: not a regular file$"):
        h.copy_file_to_file(f"{d}/fifo", f"{d}/x")
    with pytest.raises(OSError, match=f"^copy_device_to_file: {d}/fifo: not a regular file$"):
        h.copy_device_to_file("/dev/sdb", f"{d}/fifo", size=1)
    assert not h.exists(f"{d}/x")

