"""edit / vi / emacs and hexedit through `guestbox shell`, with scripted editors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[3] / "src")


def shell(*args: str, stdin: str = "", cwd: Path | None = None,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", "shell", *args],
                          input=stdin, capture_output=True, text=True, cwd=cwd, timeout=300,
                          env=dict(os.environ, PYTHONPATH=SRC, **(env or {})))


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ext4 disk with /f (mode 0640, owner 10:20, an xattr), links to it, a dir, a FIFO."""
    d = tmp_path_factory.mktemp("edit")
    r = shell("-N", "fs:ext4:32M", "-m", "/dev/sda1", stdin="""\
write /f "abc\\n"
chown 10 20 /f
chmod 04640 /f
setxattr user.note hello 5 /f
mkdir /sub
ln-s ../f /sub/link
mkfifo 0644 /fifo
mkdir /dir
write /g "same\\n"
""", cwd=d)
    assert (r.returncode, r.stderr) == (0, "")
    return d / "test1.img"


def stat_line(disk: Path, path: str) -> dict[str, str]:
    r = shell("--ro", "-a", str(disk), "-m", "/dev/sda1", "lstatns", path)
    assert r.returncode == 0, r.stderr
    return dict(line.split(": ", 1) for line in r.stdout.splitlines())


def test_edit_keeps_mode_owner_xattrs_and_follows_links_inside_the_guest(
        disk: Path, tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name, script in (("vi", 'sed -i s/b/V/ "$1"'),
                         ("emacs", '[ "$1" = -nw ] && sed -i s/c/E/ "$2"')):
        (bindir / name).write_text(f"#!/bin/sh\n{script}\n")
        (bindir / name).chmod(0o755)
    r = shell("-a", str(disk), "-m", "/dev/sda1", stdin="""\
setenv EDITOR "sed -i s/a/x/"
edit /f
vi /f
emacs /sub/link
cat /f
is-symlink /sub/link
readlink /sub/link
getxattr /f user.note
ls /
""", env={"PATH": f"{bindir}:{os.environ['PATH']}"})
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "xVE\n\ntrue\n../f\nhellodir\nf\nfifo\ng\nlost+found\nsub\n"
    st = stat_line(disk, "/f")
    assert (int(st["st_mode"]) & 0o7777, st["st_uid"], st["st_gid"]) == (0o4640, "10", "20")


def test_unchanged_or_failed_edits_write_nothing(disk: Path, tmp_path: Path) -> None:
    before = stat_line(disk, "/g")
    marker = tmp_path / "ran"
    r = shell("-a", str(disk), "-m", "/dev/sda1", stdin=f"""\
setenv EDITOR "touch {marker}; sed -i s/nothing/here/"
edit /g
setenv EDITOR "sh -c 'echo junk > \\"$1\\"; exit 3' sh"
-edit /g
cat /g
""")
    assert r.returncode == 0 and marker.exists()
    assert r.stdout == "same\n\n"
    assert r.stderr.startswith("edit: command failed (exit status 3): sh -c ")
    after = stat_line(disk, "/g")
    for field in ("st_ino", "st_mtime_sec", "st_mtime_nsec", "st_ctime_nsec"):
        assert after[field] == before[field], field


def test_edit_refusals(disk: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    env = {"EDITOR": f"touch {marker}; sed -i s/a/b/"}
    r = shell("--ro", "-a", str(disk), "-m", "/dev/sda1", "edit", "/f", env=env)
    assert r.returncode == 1 and not marker.exists()
    assert r.stderr == ("*stdin*:0: libguestfs: error: edit: /f: the handle is read-only "
                        "(every drive was added with readonly=True); add the drive read-write "
                        "to change it\n")
    r = shell("-a", str(disk), "-m", "/dev/sda1:/:ro", "edit", "/f", env=env)
    assert r.returncode == 1 and not marker.exists()
    assert r.stderr == "*stdin*:0: libguestfs: error: edit: /f: Read-only file system\n"
    r = shell("-a", str(disk), "-m", "/dev/sda1", env=env, stdin="""\
-edit /fifo
-edit /dir
-edit /nonexistent
-edit
-edit a b
-hexedit /dir
""")
    assert not marker.exists()
    lines = r.stderr.splitlines()
    assert lines[0] == "edit: /fifo: not a regular file"
    assert lines[1].startswith("*stdin*:2: libguestfs: error: download: /dir: ")
    assert lines[2] == ("*stdin*:3: libguestfs: error: download: /nonexistent: "
                        "No such file or directory")
    assert lines[3:5] == ["use 'edit filename' to edit a file"] * 2
    assert lines[5].startswith("*stdin*:6: libguestfs: error: download_offset: /dir: ")


def test_hexedit(disk: Path, tmp_path: Path) -> None:
    hexeditor = "sh -c 'printf Z | dd of=\"$1\" bs=1 seek=1 conv=notrunc 2>/dev/null' sh"
    r = shell("-a", str(disk), "-m", "/dev/sda1", env={"HEXEDITOR": hexeditor}, stdin="""\
write /h "0123456789"
hexedit /h
hexedit /h 4 2
cat /h
hexedit /dev/sda 1024 16
pread-device /dev/sda 4 1024
-hexedit /h 0 0
-hexedit /h 20 5
-hexedit /dev/sda
-hexedit /h 1Z
-hexedit
""")
    assert r.stdout == "0Z234Z6789\n" + "\0Z\0\0"
    assert r.stderr == (
        "hexedit: invalid range\nhexedit: invalid range\n"
        "hexedit: /dev/sda is larger than 16MB. You must supply a limit using\n"
        "  'hexedit /dev/sda <max>' (eg. 'hexedit /dev/sda 1M') or a range using\n"
        "  'hexedit /dev/sda <start> <max>'.\n"
        "parse_size: invalid integer parameter (xstrtoull returned 1)\n"
        "hexedit (device|filename) [max | start max]\n")
