"""The packed listing of internal_readdirplus, both ways."""

from __future__ import annotations

import os
from pathlib import Path

from guestbox.protocol import dirents


def test_entries_round_trip_with_their_stat_and_link(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"12345")
    (tmp_path / "link").symlink_to("file")
    name = os.fsencode("caf\xe9 \udcff")  # not UTF-8: names are bytes
    (tmp_path / os.fsdecode(name)).mkdir()
    packed = b"".join(
        dirents.pack(n, os.lstat(tmp_path / os.fsdecode(n)),
                     os.fsencode(os.readlink(tmp_path / "link")) if n == b"link" else b"")
        for n in (b"file", b"link", name))
    got = {d.name: d for d in dirents.unpack(packed)}
    st = os.lstat(tmp_path / "file")
    f = got[b"file"]
    assert (f.ino, f.mode, f.size, f.mtime_ns, f.nlink) == \
        (st.st_ino, st.st_mode, 5, st.st_mtime_ns, 1)
    assert got[b"link"].link == b"file" and got[name].link == b""
    assert list(dirents.unpack(b"")) == []
