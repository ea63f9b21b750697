"""Read extents and gathered writes of an open file."""

from __future__ import annotations

from guestbox.fuse.filedata import READ_MAX, READ_MIN, WRITE_MAX, FileData


def test_reads_are_served_from_the_fetched_extent() -> None:
    d = FileData()
    assert d.from_cache(0, 10) is None
    size = d.fetch_size(0, 4096)
    assert size == READ_MIN
    d.fetched(4096, bytes(range(256)) * (size // 256), size, 0.0)
    assert d.from_cache(4096 + 100, 4) == bytes([100, 101, 102, 103])
    assert d.from_cache(4096 + size - 2, 4) is None  # runs past what was fetched
    assert d.from_cache(4000, 10) is None  # starts before it


def test_the_end_of_the_file_is_known_from_a_short_fetch() -> None:
    d = FileData()
    d.fetched(0, b"abc", 1000, 0.0)
    assert d.from_cache(1, 10) == b"bc"
    assert d.from_cache(3, 10) == b""
    assert d.from_cache(4, 10) is None


def test_sequential_reads_fetch_more_each_time_up_to_the_maximum() -> None:
    d = FileData()
    sizes = []
    off = 0
    for _ in range(8):
        n = d.fetch_size(off, 4096)
        sizes.append(n)
        d.fetched(off, b"\0" * n, n, 0.0)
        off += n
    assert sizes[0] == READ_MIN and sizes[1] == 2 * READ_MIN and sizes[-1] == READ_MAX
    assert d.fetch_size(0, 4096) == READ_MIN  # a jump back starts small again


def test_requests_out_of_order_neither_reset_the_extent_nor_replace_it() -> None:
    d = FileData()
    mib = 1024 * 1024
    d.fetched(0, b"\0" * READ_MAX, READ_MAX, 0.0)
    d.next_read = READ_MAX
    # the kernel's requests at 8 MiB and 9 MiB run in parallel: 9 MiB is served first
    assert d.fetch_size(READ_MAX + mib, mib) == READ_MAX  # sequential still: full size
    d.fetched(READ_MAX + mib, b"\1" * READ_MAX, READ_MAX, 0.0)
    assert d.overtaken(READ_MAX)
    assert d.fetch_size(READ_MAX, mib) == mib  # just the gap, on its own
    assert not d.overtaken(READ_MAX + 2 * mib)
    assert d.from_cache(READ_MAX + 2 * mib, mib) == b"\1" * mib  # the extent stayed
    assert d.fetch_size(4 * READ_MAX, 4096) == READ_MIN  # far away: random access


def test_contiguous_writes_are_gathered_others_refused() -> None:
    d = FileData()
    d.fetched(0, b"old", 3, 0.0)
    assert d.add(10, b"ab") and d.add(12, b"cd")
    assert d.from_cache(0, 3) is None  # writing drops the read cache
    assert not d.add(20, b"x")  # not contiguous: the caller flushes first
    assert d.take() == (10, b"abcd") and not d.pending


def test_writes_stop_gathering_at_the_maximum() -> None:
    d = FileData()
    chunk = b"\0" * (1024 * 1024)
    off = 0
    while d.add(off, chunk):
        off += len(chunk)
        if d.full:
            break
    assert d.full and len(d.pending) == WRITE_MAX
    assert not d.add(off, chunk)
