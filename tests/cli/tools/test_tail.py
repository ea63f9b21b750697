"""`guestbox tail` following files while another appliance (the "running guest") writes them."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from guestbox import GuestFS
from tests import phony

from .cli_run import guestbox, popen

MiB = 1024 * 1024


class Output:
    """What a running tool prints, read by a thread, waited for with a deadline."""

    def __init__(self, p: subprocess.Popen[bytes]) -> None:
        self.p, self.data = p, b""
        self._chunks: queue.Queue[bytes] = queue.Queue()
        assert p.stdout is not None
        out = p.stdout
        threading.Thread(target=lambda: [self._chunks.put(c) for c in iter(
            lambda: out.read1(65536), b"")], daemon=True).start()

    def wait_for(self, text: bytes, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.data:
            if time.monotonic() > deadline or self.p.poll() is not None and self._chunks.empty():
                err = self.p.stderr.read() if self.p.poll() is not None and self.p.stderr else b""
                pytest.fail(f"{text!r} not printed; got {self.data!r} {err!r}")
            try:
                self.data += self._chunks.get(timeout=0.2)
            except queue.Empty:
                pass


@pytest.fixture
def guest(tmp_path: Path, launch_handle: Callable[..., GuestFS]) -> tuple[Path, GuestFS]:
    """A disk image with ext4 on /dev/sda1, and a handle writing to it (the running guest)."""
    img = tmp_path / "disk.img"
    with open(img, "wb") as f:
        f.truncate(64 * MiB)
    g = launch_handle(img, format="raw")
    g.part_disk("/dev/sda", "mbr")
    g.mkfs("ext4", "/dev/sda1")
    g.mount("/dev/sda1", "/")
    return img, g


def tail(img: Path, *files: str) -> subprocess.Popen[bytes]:
    return popen("tail", "--format=raw", "-a", str(img), "-m", "/dev/sda1",
                 "--interval", "0.2", *files)


def test_new_lines_and_files_are_shown_until_all_are_deleted(
        guest: tuple[Path, GuestFS]) -> None:
    img, g = guest
    g.write("/log", b"one\ntwo\n")
    g.sync()
    p = tail(img, "/log", "/other")
    try:
        out = Output(p)
        out.wait_for(b"two\n")
        g.write_append("/log", b"three\n")
        g.sync()
        out.wait_for(b"three\n")
        g.write("/other", b"".join(b"line %d\n" % i for i in range(3000)))  # grew a lot
        g.sync()
        out.wait_for(b"line 2999\n")
        g.rm("/log")
        g.rm("/other")
        g.sync()
        assert p.wait(timeout=120) == 0
        out.wait_for(b"exiting\n")
    finally:
        p.kill()
        p.wait()
    assert out.data == (b"\n\n--- /log ---\n\none\ntwo\nthree\n\n\n--- /other ---\n\n"
                        + b"".join(b"line %d\n" % i for i in range(2990, 3000))
                        + b"guestbox tail: all files deleted, exiting\n")


def test_windows_paths_and_ctrl_c() -> None:
    p = popen("tail", "-a", str(phony.image("windows")), "C:\\AUTOEXEC.BAT")
    try:
        Output(p).wait_for(b"\n\n--- /autoexec.bat ---\n\n")  # the drive, then the case
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=60) == 0  # as virt-tail: Ctrl-C is the way to end it
    finally:
        p.kill()
        p.wait()


def test_files_that_are_not_there(guest: tuple[Path, GuestFS]) -> None:
    img, _ = guest
    r = guestbox("tail", "/nope", "--format=raw", "-a", str(img), "-m", "/dev/sda1",
                 "/nope2")  # options among the files, as getopt allows
    assert (r.returncode, r.stdout) == (1, b"")
    assert r.stderr == b"guestbox tail: error: none of the files were found in the disk image\n"
    r = guestbox("tail", "-a", str(img))
    assert r.returncode == 1
    assert r.stderr.startswith(b"guestbox tail: error: missing filenames on command line.\n"
                               b"Please specify at least one file to follow.\n")
