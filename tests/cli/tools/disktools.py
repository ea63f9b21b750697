"""Shared by the tests of format, make-fs, sparsify and resize: running a tool in this
process (its exit status, stdout, stderr), reading back what is on an image."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.main import main

MiB = 1024 * 1024
SRC = str(Path(__file__).resolve().parents[3] / "src")
STAMP = re.compile(r"^\[ *\d+\.\d\] ", re.M)


def killed(argv: list[str], ready: Callable[[], bool], sig: int = signal.SIGTERM) -> int:
    """Run `guestbox ARGV` as a program, send it sig once ready(); its exit status."""
    env = dict(os.environ, PYTHONPATH=SRC)
    proc = subprocess.Popen([sys.executable, "-m", "guestbox.cli.main", *argv], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not ready() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready(), "the moment to send the signal never came"
        proc.send_signal(sig)
        return proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`guestbox ARGV`: (exit status, stdout, stderr)."""
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def unstamped(text: str) -> str:
    """text without the `[  12.3] ` elapsed times of the OCaml tools' messages."""
    return STAMP.sub("[] ", text)


@contextmanager
def opened(*images: str | Path, fmt: str | None = None) -> Iterator[guestbox.GuestFS]:
    """A read-only handle on images."""
    g = guestbox.GuestFS()
    try:
        for image in images:
            g.add_drive_opts(str(image), readonly=True, format=fmt)
        g.launch()
        yield g
    finally:
        g.close()


def checksums(g: guestbox.GuestFS, device: str) -> dict[str, str]:
    """{./path: sha256} of every regular file of the filesystem on device (never empty:
    the tests' filesystems all hold files)."""
    g.mount_ro(device, "/")
    try:
        with tempfile.TemporaryDirectory() as d:
            g.checksums_out("sha256", "/", f"{d}/sums")
            lines = Path(f"{d}/sums").read_text().splitlines()
    finally:
        g.umount_all()
    sums = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    assert sums, f"no files on {device}"
    return sums


def fill(g: guestbox.GuestFS, top: str, seed: int, count: int = 6) -> None:
    """Files of several sizes (some big, some of random content), a directory, a symlink."""
    g.mkdir_p(f"{top}/dir/sub")
    for i in range(count):
        size = (i * 37_001 + seed) % 300_000 + 1
        data = hashlib.sha256(f"{seed}-{i}".encode()).digest() * (size // 32 + 1)
        g.write(f"{top}/{'dir/' * (i % 2)}file{i}", data[:size])
    g.write(f"{top}/dir/sub/random", os.urandom(2 * MiB))
    g.ln_s("../file0", f"{top}/dir/link")


def allocated(path: str | Path) -> int:
    """Bytes the host file system has allocated for path."""
    return os.stat(path).st_blocks * 512


def digest(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MiB):
            h.update(chunk)
    return h.hexdigest()
