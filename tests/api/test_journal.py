"""The journal_* operations on the phony Fedora guest's systemd journal (from the test data)."""

from __future__ import annotations

import errno
from collections.abc import Iterator

import pytest

import guestbox
from guestbox.api.journal import decode_entries
from tests import phony

FIRST_MESSAGE = (b"Runtime journal is using 360.0K (max 99.3M, leaving 149.0M of free 993.3M, "
                 b"current limit 99.3M).")
ENTRIES = 2459  # in the journal of the test data (journalctl --file ... | wc -l, by entry)


@pytest.fixture(scope="module")
def g() -> Iterator[guestbox.GuestFS]:
    """The phony Fedora guest, read-only, its root mounted, no journal open."""
    h = guestbox.GuestFS()
    h.add_drive_opts(str(phony.image("fedora")), readonly=True, format="raw")
    h.launch()
    h.mount_ro("/dev/VG/Root", "/")
    yield h
    h.close()


def fields(g: guestbox.GuestFS) -> dict[str, bytes]:
    return {f["attrname"]: f["attrval"] for f in g.journal_get()}


def test_the_entries_read_in_order_with_their_fields(g: guestbox.GuestFS) -> None:
    g.journal_open("/var/log/journal")
    try:
        assert g.journal_next() is True
        first = fields(g)
        assert first["MESSAGE"] == FIRST_MESSAGE
        assert first["_PID"] == b"78" and first["PRIORITY"] == b"6"
        assert g.journal_get_realtime_usec() == 1374231178725385  # 2013-07-19 10:52:58 UTC
        assert g.journal_next() is True
        assert fields(g)["MESSAGE"].startswith(b"Runtime journal is using 364.0K")
        assert g.journal_skip(-1) == 1  # back to the first
        assert fields(g)["MESSAGE"] == FIRST_MESSAGE
        assert g.journal_skip(-5) == 0  # nothing before it
        assert g.journal_skip(3) == 3
        assert g.journal_skip(0) == 0
    finally:
        g.journal_close()


def test_a_batch_read_gives_every_entry_then_stops(g: guestbox.GuestFS) -> None:
    g.journal_open("/var/log/journal")
    try:
        total, usecs = 0, []
        while batch := decode_entries(g.internal_journal_read(1000)):
            total += len(batch)
            usecs += [e.realtime_usec for e in batch]
        assert total == ENTRIES
        assert usecs[0] == 1374231178725385 and all(u > 0 for u in usecs)
        assert g.journal_next() is False  # at the end
    finally:
        g.journal_close()


def test_the_data_threshold_is_kept(g: guestbox.GuestFS) -> None:
    g.journal_open("/var/log/journal")
    try:
        assert g.journal_get_data_threshold() == 65536  # sd-journal's default
        g.journal_set_data_threshold(100)
        assert g.journal_get_data_threshold() == 100
    finally:
        g.journal_close()


def test_calls_without_a_journal_and_a_missing_directory_are_errors(
        g: guestbox.GuestFS) -> None:
    with pytest.raises(guestbox.Error, match="^journal_next: you must call 'journal-open' "
                       "first to initialize the journal handle$"):
        g.journal_next()
    with pytest.raises(FileNotFoundError, match="/var/log/nothing: No such file") as e:
        g.journal_open("/var/log/nothing")
    assert e.value.errno == errno.ENOENT
