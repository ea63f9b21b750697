"""`guestbox demo` works as a new user's first command and shows the demo guest."""

from __future__ import annotations

import subprocess
import sys


def test_demo_prints_devices_filesystems_and_etc() -> None:
    p = subprocess.run([sys.executable, "-m", "guestbox.cli.main", "demo"], capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "/dev/sda  256 MiB" in out
    assert "/dev/guestvg/root      ext4   label='root'" in out
    assert "/dev/sda1              ext4   label='boot'" in out
    assert "Debian GNU/Linux 12 (bookworm), hostname demo-guest" in out
    assert "os-release" in out and "mtab -> /proc/self/mounts" in out
