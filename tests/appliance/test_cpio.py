"""The initramfs writer produces archives that cpio itself reads back."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from guestbox.appliance.cpio import CpioWriter


def test_cpio_round_trip(tmp_path: Path) -> None:
    buf = io.BytesIO()
    w = CpioWriter(buf)
    w.directory("usr")
    w.directory("usr/bin")
    w.file("usr/bin/tool", b"#!/bin/sh\necho hi\n", 0o755)
    w.file("usr/bin/tool", b"second copy is ignored")
    w.symlink("bin", "usr/bin")
    w.file("odd", b"abc")  # a length that needs padding
    w.close()
    subprocess.run(["cpio", "-id", "--quiet"], input=buf.getvalue(), cwd=tmp_path, check=True)
    assert (tmp_path / "usr/bin/tool").read_bytes() == b"#!/bin/sh\necho hi\n"
    assert (tmp_path / "usr/bin/tool").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "bin").is_symlink() and str((tmp_path / "bin").readlink()) == "usr/bin"
    assert (tmp_path / "odd").read_bytes() == b"abc"
