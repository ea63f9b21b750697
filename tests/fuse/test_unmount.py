"""Ending a mount: nothing written is lost, nothing is left behind.

umount_local while a file is open and holds unsent writes (refused while busy,
waits with retry), `fusermount3 -u` from outside, SIGTERM/SIGINT to a process
serving in its main thread, SIGKILL of that process (auto_unmount must take the
mount away and QEMU must not survive it), and the API's refusals.  Every test
makes its own mount: each ends it in its own way.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox
from tests.ctrl_c import sigint_as_on_a_terminal

from .conftest import MiB, mounted, mounted_paths, new_mountpoint, qemu_alive

pytestmark = pytest.mark.timeout(300)


def _reopened(image: Path, path: str) -> bytes:
    """The content of path in image, read with a new read-only handle."""
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(image), format="raw", readonly=True)
        g.launch()
        g.mount_ro("/dev/sda1", "/")
        return g.read_file(path)


def _wait_for(cond: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def image(fresh_image: Callable[[], Path]) -> Path:
    return fresh_image()


def test_umount_local_while_a_file_is_open(image: Path) -> None:
    data = os.urandom(5 * MiB + 3)
    with mounted(image) as m:
        fd = os.open(m.path / "open", os.O_CREAT | os.O_WRONLY, 0o644)
        try:
            os.write(fd, data)  # less than the write buffer: not sent yet
            with pytest.raises(guestbox.Error) as e:
                m.g.umount_local()
            assert e.value.errno == errno.EBUSY
            assert str(m.path) in mounted_paths()
            assert m.thread is not None and m.thread.is_alive()
            assert sorted(os.listdir(m.path)) == ["boot", "lost+found", "open"]  # still served
            closer = threading.Timer(1.5, os.close, (fd,))
            closer.start()
            t0 = time.monotonic()
            m.g.umount_local(retry=True)  # busy until the timer closes the file
            waited = time.monotonic() - t0
            closer.join()
        except BaseException:
            os.close(fd)
            raise
        assert waited >= 1.0
        m.thread.join(60)
        assert not m.thread.is_alive()
        assert str(m.path) not in mounted_paths()
    assert hashlib.sha256(_reopened(image, "/open")).digest() == hashlib.sha256(data).digest()


def test_fusermount_u_from_outside(image: Path) -> None:
    data = os.urandom(MiB + 1)
    with mounted(image) as m:
        (m.path / "f").write_bytes(data)
        subprocess.run(["fusermount3", "-u", str(m.path)], check=True)
        assert m.thread is not None
        m.thread.join(60)
        assert not m.thread.is_alive()
        assert str(m.path) not in mounted_paths()
    assert _reopened(image, "/f") == data


def test_api_refusals(image: Path, tmp_path: Path) -> None:
    with mounted(image) as m:
        with pytest.raises(guestbox.Error, match="already mounted"):
            m.g.mount_local(str(tmp_path))
        other = guestbox.GuestFS()
        try:
            other.add_drive_scratch(MiB)
            other.launch()
            with pytest.raises(guestbox.Error):
                other.mount_local(str(tmp_path))  # one mount per process
            with pytest.raises(guestbox.Error):
                other.umount_local()
            with pytest.raises(guestbox.Error):
                other.mount_local_run()
        finally:
            other.close()
        assert str(tmp_path) not in mounted_paths()
        (m.path / "still-served").write_bytes(b"yes")
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(image), format="raw", readonly=True)
        with pytest.raises(guestbox.Error):
            g.mount_local(str(tmp_path))  # not launched
        g.launch()
        g.mount_ro("/dev/sda1", "/")
        assert g.read_file("/still-served") == b"yes"
        with pytest.raises(guestbox.Error):
            g.mount_local(str(tmp_path / "missing"))
        with pytest.raises(guestbox.Error):
            g.mount_local(str(tmp_path), cachetimeout=-1)
        with pytest.raises(guestbox.Error):
            g.umount_local()


_SERVER = textwrap.dedent("""\
    import sys
    import guestbox
    image, mountpoint = sys.argv[1:3]
    g = guestbox.GuestFS()
    g.add_drive_opts(image, format="raw")
    g.launch()
    g.mount("/dev/sda1", "/")
    g.mount_local(mountpoint)
    print(g._vm.proc.pid, flush=True)
    g.mount_local_run()
    g.close()
    print("closed", flush=True)
""")


@pytest.fixture
def server(image: Path) -> Iterator[tuple[subprocess.Popen[str], Path, int]]:
    """A process serving image on a new directory in its main thread: (process, dir, QEMU pid)."""
    mp = new_mountpoint()
    p = subprocess.Popen([sys.executable, "-c", _SERVER, str(image), str(mp)],
                         stdout=subprocess.PIPE, text=True, preexec_fn=sigint_as_on_a_terminal)
    qemu = 0
    try:
        assert p.stdout is not None
        line = p.stdout.readline()
        assert line.strip().isdigit(), f"the server did not start: {line!r}"
        qemu = int(line)
        assert str(mp) in mounted_paths()
        yield p, mp, qemu
    finally:
        if p.poll() is None:
            p.kill()
        p.wait(30)
        if str(mp) in mounted_paths():
            subprocess.run(["fusermount3", "-u", "-z", str(mp)], check=False)
        if qemu and qemu_alive(qemu):
            os.kill(qemu, signal.SIGKILL)
        os.rmdir(mp)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_serving_cleanly(server: tuple[subprocess.Popen[str], Path, int],
                                      image: Path, sig: int) -> None:
    p, mp, qemu = server
    data = os.urandom(2 * MiB)
    (mp / "before-signal").write_bytes(data)
    p.send_signal(sig)
    assert p.wait(60) == 0
    assert p.stdout is not None and p.stdout.read() == "closed\n"
    assert str(mp) not in mounted_paths()
    assert not qemu_alive(qemu)
    assert _reopened(image, "/before-signal") == data


def test_sigterm_with_unsent_writes_in_an_open_file(
        server: tuple[subprocess.Popen[str], Path, int], image: Path) -> None:
    """The serving process is told to stop while another holds a file with writes not sent yet:
    they reach the image all the same (mount_local_run flushes before returning)."""
    p, mp, qemu = server
    data = os.urandom(3 * MiB)
    fd = os.open(mp / "still-open", os.O_CREAT | os.O_WRONLY, 0o644)
    try:
        os.write(fd, data)
        p.send_signal(signal.SIGTERM)
        assert p.wait(60) == 0
    finally:
        with contextlib.suppress(OSError):  # the mount is gone: ENOTCONN or ENODEV
            os.close(fd)
    assert str(mp) not in mounted_paths()
    assert not qemu_alive(qemu)
    assert _reopened(image, "/still-open") == data


def test_killed_server_leaves_nothing_behind(server: tuple[subprocess.Popen[str], Path, int],
                                             ) -> None:
    p, mp, qemu = server
    (mp / "f").write_bytes(b"x")
    p.kill()
    p.wait(30)
    assert _wait_for(lambda: str(mp) not in mounted_paths(), 10), "mount left behind"
    assert _wait_for(lambda: not qemu_alive(qemu), 10), "QEMU left behind"


def test_mount_is_gone_from_every_view(image: Path) -> None:
    """After umount_local the directory is an ordinary empty directory again."""
    with mounted(image) as m:
        (m.path / "x").write_bytes(b"x")
        path = m.path
        m.g.umount_local()
        assert m.thread is not None
        m.thread.join(60)
        assert str(path) not in mounted_paths()
        assert os.listdir(path) == []
        assert os.stat(path).st_dev == os.stat(path.parent).st_dev
