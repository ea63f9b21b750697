"""`guestbox cat` (virt-cat) on the phony guests and the scratch disk: files as bytes,
Windows paths, -m, the old syntax, errors and exit statuses."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from guestbox import __version__
from tests import phony
from tests.cli.tools import guestdisk
from tests.cli.tools.running import disk_args, run, spawn

FSTAB = (b"LABEL=BOOT /boot ext2 default 0 0\n/dev/debian/root / ext2 default 0 0\n"
         b"/dev/debian/usr /usr ext2 default 1 2\n/dev/debian/var /var ext2 default 1 2\n"
         b"/dev/debian/home /home ext2 default 1 2\n")
TRY = "Try ‘guestbox cat --help’ for more information.\n"


@pytest.fixture(scope="module")
def scratch() -> Path:
    return guestdisk.image()


def test_files_of_an_inspected_guest_and_a_missing_one(capfdbinary: pytest.CaptureFixture[bytes]
                                                       ) -> None:
    r = run(capfdbinary, "cat", *disk_args(phony.image("debian")), "/etc/fstab", "/nope",
            "/etc/hostname")
    assert r.out == FSTAB + b"debian.invalid"  # the others are still printed
    assert r.err == "libguestfs: error: download: /nope: No such file or directory\n"
    assert r.status == 1


def test_windows_paths(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """A drive letter, backslashes, any case; an unknown drive stops the tool."""
    r = run(capfdbinary, "cat", *disk_args(phony.image("windows")),
            "c:\\WINDOWS\\system32\\CMD.EXE", "x:\\boot.ini", "/autoexec.bat")
    assert r.out == phony.PE32.read_bytes()
    assert (r.status, r.err) == (1, "guestbox cat: drive 'x:' not found.\n")


def test_mounted_with_m(scratch: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """Binary content, a symbolic link followed, a name that is not UTF-8; a directory is an
    error (libguestfs's text)."""
    r = run(capfdbinary, "cat", *disk_args(scratch), "-m", "/dev/sda1", "/bytes",
            "/names/link", "/sizes", "/names/caf\udce9")
    assert r.out == bytes(range(256)) * 3 + b"with space" + b"caf\xe9"
    assert r.err == "libguestfs: error: download: /sizes: is a directory\n"
    assert r.status == 1


def test_old_syntax_without_a(scratch: Path, capfdbinary: pytest.CaptureFixture[bytes]
                              ) -> None:
    """virt-cat's first syntax: every argument but the last is a disk."""
    r = run(capfdbinary, "cat", "-m", "/dev/sda1:/:ro", scratch, "/names/plain")
    assert (r.status, r.out, r.err) == (0, b"plain\n", "")


def test_no_operating_system(scratch: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "cat", *disk_args(scratch), "/bytes")
    assert (r.status, r.out) == (1, b"")
    assert r.err.startswith("guestbox cat: no operating system was found on this disk\n")


def test_reader_gone(scratch: Path) -> None:
    """`| head`: the tool ends as SIGPIPE ends virt-cat, without a traceback."""
    p = spawn("cat", *disk_args(scratch), "-m", "/dev/sda1", "/sizes/1048064")
    assert p.stdout is not None and p.stderr is not None
    assert p.stdout.read(10) == bytes(10)
    p.stdout.close()
    assert p.wait(timeout=300) == 128 + signal.SIGPIPE
    assert p.stderr.read() == b""


@pytest.mark.parametrize(("args", "message"), [
    ([], TRY),
    (["/etc/fstab"], f"guestbox cat: error: you must specify at least one -a or -d option.\n"
                     f"{TRY}"),
    (["-a", "/nonexistent.img", "/etc/fstab"],
     "guestbox cat: access: /nonexistent.img: No such file or directory\n"),
    (["guest", "/etc/fstab"], "guestbox cat: guest: libvirt guests are not supported by "
                              "guestbox; add the disk images with -a\n"),
    (["-d", "guest", "/etc/fstab"], "guestbox cat: -d: libvirt guests are not supported by "
                                    "guestbox; add the disk images with -a\n"),
    (["-a", "x.img", "--format=raw", "/etc/fstab"],
     "guestbox cat: --format parameter must appear before -a parameter\n"),
    (["--format=raw", "/dev/null", "/etc/fstab"],  # as virt-cat: --format is for -a only
     "guestbox cat: --format parameter must appear before -a parameter\n"),
    (["--nope", "-a", "x.img", "/x"], f"guestbox cat: unrecognized arguments: --nope\n{TRY}"),
])
def test_usage_errors(args: list[str], message: str,
                      capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "cat", *args)
    assert (r.status, r.out, r.err) == (1, b"", message)


def test_help_and_version(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "cat", "--help")
    assert r.status == 0
    for option in ("-a DISK", "-m DEV", "--key", "--keys-from-stdin", "--format", "-V"):
        assert option in r.text
    r = run(capfdbinary, "cat", "-V")
    assert (r.status, r.text) == (0, f"guestbox cat {__version__}\n")
