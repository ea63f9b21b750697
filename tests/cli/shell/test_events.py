"""event / list-events / delete-event, and more / less / display / man, through `guestbox shell`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[3] / "src")


def shell(*args: str, stdin: str = "", env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", "shell", *args],
                          input=stdin, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=SRC, **(env or {})))


def test_event_handlers_run_host_commands(tmp_path: Path) -> None:
    disk = tmp_path / "d.img"
    with open(disk, "wb") as f:
        f.truncate(8 * 1024 * 1024)
    data = tmp_path / "data"
    data.write_bytes(os.urandom(300_000))
    r = shell("-a", str(disk), env={"SHELL": "/bin/sh"}, stdin=f"""\
-event a close,foo "echo x"
-event a nosuch,close "echo x"
-event a b
event a close "echo closed $EVENT $#"
event a cl,trace 'echo second "$EVENT"'
event a "" "echo never"
event p progress 'echo "$EVENT $1 $3/$4"'
event all * true
list-events
delete-event all
-delete-event all
list-events
run
upload {data} /dev/sda
delete-event p
upload {data} /dev/sda
event e enter 'echo "$EVENT $1"'
blockdev-getsize64 /dev/sda
delete-event e
""")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("unknown event name: foo\nunknown event name: nosuch,close\n"
                        "use 'event <name> <eventset> <script>' to register an event handler\n"
                        "delete-event: all: no such event handler\n")
    listing = ('"a" (0): close: echo closed $EVENT $#\n'
               '"a" (2): : echo never\n'
               '"a" (1): close,trace: echo second "$EVENT"\n'
               '"p" (3): progress: echo "$EVENT $1 $3/$4"\n')
    assert r.stdout.startswith(listing + '"all" (4): *: true\n' + listing)
    rest = r.stdout[len(listing) * 2 + len('"all" (4): *: true\n'):].splitlines()
    assert rest[-4:] == ["enter blockdev_getsize64", "8388608",
                         "closed close 0", "second close"]  # at exit, in registration order
    progress = rest[:-4]
    assert progress and progress[-1] == "progress 0 300000/300000"
    assert all(line.startswith("progress 0 ") and line.endswith("/300000") for line in progress)


def test_pagers_display_and_man(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "less").write_text('#!/bin/sh\necho "less sees:"; cat "$1"\n')
    (bindir / "less").chmod(0o755)
    disk = tmp_path / "d.img"
    with open(disk, "wb") as f:
        f.truncate(8 * 1024 * 1024)
    env = {"PATH": f"{bindir}:{os.environ['PATH']}", "PAGER": "sed s/^/paged:/",
           "GUESTFISH_DISPLAY_IMAGE": "wc -c <"}
    r = shell("-a", str(disk), env=env, stdin="""\
run
mkfs ext4 /dev/sda
mount /dev/sda /
write /t "one\\ntwo\\n"
more /t
less /t
display /t
-more
-less a b
-display
-man x
-more /nonexistent
setenv PAGER false
-more /t
""")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "paged:one\npaged:two\nless sees:\none\ntwo\n8\n"
    lines = r.stderr.splitlines()
    assert lines[:4] == ["use 'more filename' to page a file",
                         "use 'less filename' to page a file", "display filename",
                         "use ‘man’ without parameters to open the manual"]
    assert lines[4] == ("*stdin*:12: libguestfs: error: download: /nonexistent: "
                        "No such file or directory")
    assert lines[5].startswith("more: command failed (exit status 1): false /")
    r = shell("man", env={"PAGER": "cat"})
    assert r.returncode == 0
    assert "usage: guestbox shell" in r.stdout
    assert "\nedit                 edit a file\n" in r.stdout
    assert "\nevent                register a handler for an event or events\n" in r.stdout
