# mypy: disable-error-code="empty-body"
"""The systemd journal of the guest, read with the appliance's libsystemd (sd-journal)."""

from __future__ import annotations

import struct
from typing import NamedTuple

from .query import _renamed, decode_xattrs
from .table import op
from .types import Pathname, XAttr

_ENTRY = struct.Struct("<qI")
"""internal_journal_read: each entry's realtime timestamp (µs, -1 if unknown) and the
length of its packed fields (the xattr packing of decode_xattrs), then the fields."""


class JournalEntry(NamedTuple):
    """One journal entry read in a batch: its timestamp (µs since the epoch, -1 if the
    journal has none) and its fields as journal_get gives them."""

    realtime_usec: int
    fields: list[XAttr]


def decode_entries(blob: bytes) -> list[JournalEntry]:
    """The entries internal_journal_read packs (untrusted: a malformed buffer is an
    ApplianceError)."""
    out = []
    pos = 0
    while pos < len(blob):
        try:
            usec, n = _ENTRY.unpack_from(blob, pos)
        except struct.error as e:
            from ..errors import ApplianceError  # host side only

            raise ApplianceError(f"internal_journal_read: malformed entry: {e}") from None
        pos += _ENTRY.size
        if pos + n > len(blob):
            from ..errors import ApplianceError

            raise ApplianceError("internal_journal_read: entry beyond the buffer")
        out.append(JournalEntry(usec, decode_xattrs("internal_journal_read",
                                                    blob[pos:pos + n])))
        pos += n
    return out


class JournalOps:
    """The systemd journal: open a journal directory, walk its entries, read their fields.

    The appliance holds one journal handle (sd-journal of libsystemd, as in
    libguestfs's daemon) between calls.  journal_open opens it, journal_next
    moves to the first and each following entry, journal_get reads the entry's
    fields; journal_close frees it.  Calls without a handle fail with "OP: you
    must call 'journal-open' first to initialize the journal handle".
    """

    @op(group="journal")
    def journal_open(self, directory: Pathname) -> None:
        """Open the systemd journal located in directory (its files, and those of its
        machine-ID subdirectories). Any previously opened journal handle is closed.

        Read the entries with journal_next and journal_get; close the handle
        with journal_close when done.
        """
        ...

    @op(group="journal")
    def journal_close(self) -> None:
        """Close the journal handle."""
        ...

    @op(group="journal")
    def journal_next(self) -> bool:
        """Move to the next journal entry: true if there is one to read (journal_get),
        false at the end of the journal.  Call it once after journal_open before
        reading the first entry."""
        ...

    @op(group="journal")
    def journal_skip(self, skip: int) -> int:
        """Skip forwards (skip ≥ 0) or backwards (skip < 0) in the journal.

        Returns the number of entries actually skipped (≥ 0); less than |skip|
        means the end or the start of the journal was reached.
        """
        ...

    @op(group="journal")
    def internal_journal_get(self) -> bytes:
        """Internal: the fields of the current entry, packed (journal_get decodes them)."""
        ...

    @op(local=True, group="journal")
    def journal_get(self) -> list[XAttr]:
        """The fields of the current journal entry, as (attrname, attrval) pairs.

        attrname is the field's name (MESSAGE, _PID, ...); attrval its value, a
        byte string (often but not always text).  Values may be truncated to
        the data threshold (journal_set_data_threshold).
        """
        with _renamed("internal_journal_get", "journal_get"):
            return decode_xattrs("journal_get", self.internal_journal_get())

    @op(group="journal")
    def journal_get_data_threshold(self) -> int:
        """The data threshold for reading entries: a hint that fields may be truncated to
        this size (0: unlimited).  See journal_set_data_threshold."""
        ...

    @op(group="journal")
    def journal_set_data_threshold(self, threshold: int) -> None:
        """Set the data threshold for reading entries: a hint to the journal that it may
        truncate fields to this size (0: unlimited)."""
        ...

    @op(group="journal")
    def journal_get_realtime_usec(self) -> int:
        """The realtime (wallclock) timestamp of the current journal entry, in
        microseconds since the epoch."""
        ...

    @op(group="journal")
    def internal_journal_read(self, count: int) -> bytes:
        """Internal (guestbox): journal_next, then the entry's timestamp and fields, up to
        count times, packed (api/journal.py decode_entries); fewer entries than count
        means the end of the journal was reached.

        What `guestbox log` reads the journal with: one call per thousand
        entries instead of three per entry.
        """
        ...
