"""`guestbox log` on the phony guests: the journal, a text log, Windows; usage errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from guestbox import GuestFS
from guestbox.api.types import XAttr
from guestbox.cli.tools.log import line
from tests import phony

from .cli_run import guestbox, run

FIRST = (b" systemd-journal[78] info: Runtime journal is using 360.0K (max 99.3M, leaving "
         b"149.0M of free 993.3M, current limit 99.3M).")


@pytest.fixture(scope="module")
def guests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the phony Arch Linux guest (quick to inspect): "journal" with the test
    data's systemd journal in /var/log/journal, "messages" with a text log in
    /var/log/messages (the second name virt-log looks for)."""
    if not phony.TESTDATA.is_dir():
        pytest.skip("the test data is not present")
    out = {}
    g = GuestFS()
    try:
        for name in ("journal", "messages"):
            out[name] = tmp_path_factory.mktemp("log") / f"{name}.img"
            subprocess.run(["cp", "--sparse=always", str(phony.image("archlinux")),
                            str(out[name])], check=True)
            g.add_drive_opts(str(out[name]), format="raw")
        g.launch()
        g.mount("/dev/sda1", "/")
        g.mkdir_p("/var/log/journal")
        g.tar_in(str(phony.TESTDATA / "packages/fedora-journal.tar.xz"), "/var/log/journal",
                 compress="xz")
        g.umount_all()
        g.mount("/dev/sdb1", "/")
        g.mkdir_p("/var/log")
        g.upload(str(phony.TESTDATA / "packages/debian-syslog"), "/var/log/messages")
        g.shutdown()
    finally:
        g.close()
    return out


def test_the_journal_in_short_format_in_local_time(
        guests: dict[str, Path], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    local_time("Europe/Paris")
    r = run(capfdbinary, "log", "--format=raw", "-a", str(guests["journal"]))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 2475  # 2459 entries, some messages of several lines
    assert lines[0] == b"Jul 19 12:52:58" + FIRST  # 10:52:58 UTC
    assert (b"Jul 19 12:52:58 kernel notice: Linux version 3.11.0-0.rc1.git1.1.fc20.x86_64 "
            b"(mockbuild@bkernel01.phx2.fedoraproject.org)") in r.stdout
    assert lines[-1] == b"Jul 22 14:04:03 systemd-journal[324] info: Journal stopped"
    assert r.stderr == b""


def test_a_text_log_is_copied_as_it_is(guests: dict[str, Path], testdata: Path,
                                       capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "log", "--format=raw", "-a", str(guests["messages"]))
    assert r.returncode == 0, r.stderr
    assert r.stdout == (testdata / "packages" / "debian-syslog").read_bytes()


@pytest.mark.skipif(shutil.which("evtxdump.py") is not None, reason="python-evtx installed")
def test_windows_event_logs_need_evtxdump(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "log", "-a", str(phony.image("windows")))
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.startswith(b"guestbox log: you need to install \xe2\x80\x98evtxdump.py"
                               b"\xe2\x80\x99 (from the python-evtx package)\n")


def test_usage_errors(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = guestbox("log")  # the command itself, in a process of its own
    assert r.returncode == 1
    assert r.stderr == ("guestbox log: error: you must specify at least one -a or -d option.\n"
                        "Try ‘guestbox log --help’ for more information.\n").encode()
    r = run(capfdbinary, "log", "-a", "/dev/null", "raw")
    assert r.returncode == 1
    assert "extra argument ‘raw’ on command line.\nMake sure to specify the argument for " \
           "--format like '--format=raw'." in r.stderr.decode()
    r = run(capfdbinary, "log", "-a", "/nonexistent.img")
    assert (r.returncode, r.stderr) == (
        1, b"guestbox log: access: /nonexistent.img: No such file or directory\n")


def fields(**kw: bytes) -> list[XAttr]:
    return [{"attrname": k, "attrval": v} for k, v in kw.items()]


def test_an_entry_as_virt_log_prints_it() -> None:
    assert line(-1, fields(_COMM=b"cron", MESSAGE=b"x")) == b" cron info: x\n"
    assert line(0, fields(SYSLOG_IDENTIFIER=b"sshd", _COMM=b"ignored", _PID=b"7",
                          PRIORITY=b"3", MESSAGE=b"no\0more")) \
        == b"Jan 01 00:00:00 sshd[7] err: no\n"  # local time: UTC (_utc)
    assert line(-1, fields(PRIORITY=b"9")) == b" info:\n"  # out of range: info, no message
    first = fields(MESSAGE=b"first") + fields(MESSAGE=b"second")
    assert line(-1, first) == b" info: first\n"


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    """Local time is UTC in this process during each test (unless local_time changes it),
    and what it was afterwards."""
    saved = os.environ.get("TZ")
    local_time("UTC")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def local_time(zone: str) -> None:
    os.environ["TZ"] = zone
    time.tzset()
