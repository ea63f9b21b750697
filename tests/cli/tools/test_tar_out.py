"""`guestbox tar-out`: a guest directory into a host tarball, and nothing else on the host.

The hostile image's /data (devices, a FIFO, links aimed at the host, names with a
newline and bytes that are not UTF-8) is packed; the directory around the tarball
(the image itself and the canaries included) must be unchanged but for the tarball.
Progress bars: drawn on a terminal only (a pty here), never in pipes.
"""

from __future__ import annotations

import fcntl
import gzip
import io
import lzma
import os
import pty
import stat
import struct
import tarfile
import termios
import time
from pathlib import Path

import pytest

from guestbox.cli.tools import TOOLS, transfer
from tests.cli.tools.hostile import (
    BYTES_NAME,
    ESCAPE_NAME,
    FIFO_NAME,
    NEWLINE_NAME,
    hostile_place,
    run,
    snapshot,
)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_place(tmp_path_factory)


def tar_out(place: Path, *args: str, cwd: Path | None = None) -> tuple[int, bytes, str]:
    """tar-out on the hostile image (-m /dev/sda1); (status, stdout, stderr)."""
    p = run("tar-out", "-a", str(place / "hostile.img"), "-m", "/dev/sda1", *args, cwd=cwd)
    return p.returncode, p.stdout, p.stderr.decode()


def test_hostile_directory(place: Path) -> None:
    tarball = place / "data.tar"
    before = snapshot(place, skip=tarball)
    assert tar_out(place, "/data", str(tarball)) == (0, b"", "")
    assert snapshot(place, skip=tarball) == before  # the tarball, nothing else
    with tarfile.open(tarball) as tf:
        members = {os.fsencode(m.name): m for m in tf.getmembers()}
        assert set(members) == {b".", b"./a.txt", b"./sub", b"./sub/b.txt",
                                b"./passwd-link", b"./up-link", b"./canary-link",
                                b"./etc-dir-link", b"./null-dev", b"./sda-dev",
                                b"./" + FIFO_NAME,
                                b"./..x"} | {b"./" + n for n in (NEWLINE_NAME, BYTES_NAME,
                                                                  ESCAPE_NAME)}
        assert members[b"./null-dev"].ischr() and members[b"./sda-dev"].isblk()
        assert members[b"./" + FIFO_NAME].isfifo()
        assert members[b"./passwd-link"].linkname == "/etc/passwd"
        assert members[b"./canary-link"].linkname == str(place / "world" / "canary")
        a = members[b"./a.txt"]
        assert (a.uid, a.gid) == (1234, 5678)  # an archive keeps what the guest has
        # numbers only, as virt-tar-out's (the appliance's names are not the guest's)
        assert {(m.uname, m.gname) for m in members.values()} == {("", "")}
        assert stat.S_IMODE(members[b"./sub/b.txt"].mode) == 0o4755
        f = tf.extractfile(members[b"./" + NEWLINE_NAME])
        assert f is not None and f.read() == NEWLINE_NAME + b"\n"


def test_stdout_and_compression(place: Path, tmp_path: Path) -> None:
    status, out, err = tar_out(place, "/clean", "-", "--gzip", cwd=tmp_path)
    assert (status, err) == (0, "")
    assert os.listdir(tmp_path) == []  # '-': nothing written on the host
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(out))) as tf:
        assert sorted(tf.getnames()) == [".", "./sub", "./sub/c.txt"]
    # guestfish's optional arguments, as virt-tar-out passes them on
    tarball = tmp_path / "clean.txz"
    assert tar_out(place, "/clean", str(tarball), "compress:xz", "excludes:*.txt") == \
        (0, b"", "")
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(tarball.read_bytes()))) as tf:
        assert sorted(tf.getnames()) == [".", "./sub"]


def test_a_failure_leaves_the_old_tarball(place: Path, tmp_path: Path) -> None:
    tarball = tmp_path / "old.tar"
    tarball.write_bytes(b"old")
    before = snapshot(tmp_path)
    status, out, err = tar_out(place, "/nonexistent", str(tarball))
    assert (status, out) == (1, b"")
    assert err == "libguestfs: error: tar_out: stat: /nonexistent: No such file or directory\n"
    assert snapshot(tmp_path) == before  # no partial file, no temporary left


@pytest.mark.parametrize(("args", "message"), [
    (["/etc"], "guestbox tar-out: error: incorrect number of arguments\nusage: tar-out "
     "directory tarfile [compress:..] [numericowner:true|false] [excludes:..] "
     "[xattrs:true|false] [selinux:true|false] [acls:true|false]\n"
     "Try ‘guestbox tar-out --help’ for more information.\n"),
    (["/etc", "x.tar", "level:9"], 'guestbox tar-out: tar-out: unknown optional argument '
     '"level:9"\n'),
    (["--gzip", "/etc", "x.tar", "compress:xz"],
     "guestbox tar-out: --gzip and compress:xz disagree\n"),
    (["/etc", "/nonexistent-dir/x.tar"],
     "libguestfs: error: /nonexistent-dir/x.tar: No such file or directory\n"),
])
def test_errors_before_launching(args: list[str], message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    assert TOOLS["tar-out"].main(["-a", str(disk), *args]) == 1
    assert capsys.readouterr().err == message
    assert os.listdir(tmp_path) == ["disk.img"]


def test_bars_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Meter draws on stderr once DELAY has passed, when stderr is a terminal."""
    monkeypatch.setattr(transfer, "DELAY", 0.2)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        with open(slave, "w", closefd=False) as tty:
            monkeypatch.setattr("sys.stderr", tty)
            with transfer.metered("/data", 1000) as meter:
                time.sleep(0.3)
                meter.add(500)
            os.set_blocking(master, False)
            drawn = os.read(master, 65536).decode()
        assert "/data" in drawn and "50%" in drawn
        with open(os.devnull, "w") as null:
            monkeypatch.setattr("sys.stderr", null)
            assert transfer.Meter("/data", 1000).bar.disable
    finally:
        os.close(master)
        os.close(slave)
