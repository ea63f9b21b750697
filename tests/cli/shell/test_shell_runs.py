"""`guestbox shell` run as a program against the appliance, stdout as guestfish prints it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[3] / "src")


def shell(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", "shell", *args],
                          input=stdin, capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("shell") / "d.img"
    with open(d, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    return d


def test_script_from_stdin(disk: Path) -> None:
    script = """\
# a comment
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /hello "hi\\nthere\\x41"
cat /hello
ls /
exists /hello
is-dir /hello
filesize /hello
part-list /dev/sda
-cat /nonexist
echo 'a  b' "c" | tr a-z A-Z
!echo from host
<! echo echo from-commands
read-file /hello
"""
    r = shell("-a", str(disk), stdin=script)
    assert r.stderr == ("*stdin*:13: libguestfs: error: cat: /nonexist: "
                        "No such file or directory\n")
    assert r.returncode == 0
    start = 65536
    assert r.stdout == (
        "hi\nthereA\nhello\nlost+found\ntrue\nfalse\n9\n"
        f"[0] = {{\n  part_num: 1\n  part_start: {start}\n  part_end: 67043839\n"
        "  part_size: 66978304\n}\n"
        "A  B C\nfrom host\nfrom-commands\nhi\nthereA")


def test_mount_option_and_command_line(disk: Path) -> None:
    r = shell("--ro", "-a", str(disk), "-m", "/dev/sda1", "cat", "/hello", ":",
              "stat", "/hello")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:2] == ["hi", "thereA"]
    assert lines[2].startswith("dev: ") and "size: 9" in lines
    r = shell("--ro", "-a", str(disk), "-m", "/dev/sda1", "touch", "/x", ":", "echo", "no")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("*stdin*:0: libguestfs: error: touch: ")


def test_first_error_stops_a_script(tmp_path: Path) -> None:
    script = tmp_path / "s.gf"
    script.write_text("echo one\nfoo\necho two\n")
    r = shell("-f", str(script))
    assert (r.returncode, r.stdout) == (1, "one\n")
    assert r.stderr.startswith("foo: unknown command\n")


def test_errors_before_launch_and_bad_options() -> None:
    r = shell(stdin="set-memsize 1Z\n")
    assert (r.returncode, r.stderr) == (
        1, "set-memsize: memsize: invalid integer parameter (xstrtoll returned 1)\n")
    r = shell(stdin="cat /x\n")
    assert r.returncode == 1
    assert r.stderr == ("*stdin*:1: libguestfs: error: cat: call launch before using this "
                        "function\n(in guestfish, don't forget to use the 'run' command)\n")
    for opt in ("-i", "-d", "-N"):
        r = shell(opt, "x") if opt != "-i" else shell(opt)
        assert r.returncode == 1 and "Traceback" not in r.stderr and r.stderr


def test_help() -> None:
    r = shell("help", "mkfs")
    assert r.returncode == 0
    assert r.stdout.startswith("NAME\n    mkfs - ")
    assert "     mkfs fstype device [blocksize:N]" in r.stdout
    r = shell("help", "-l")
    assert "add-drive " in r.stdout and "lvcreate " in r.stdout
    r = shell("help", "nosuch")
    assert (r.returncode, r.stderr) == (1, "nosuch: command not known: use -h to list all "
                                           "commands\n")


def test_sparse_and_quit(tmp_path: Path) -> None:
    r = shell(stdin="sparse new.img 1M\nquit\necho not here\n", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == ""
    assert (tmp_path / "new.img").stat().st_size == 1024 * 1024


def test_prepared_disks_with_format_and_mount(tmp_path: Path) -> None:
    """-N makes the image in the current directory, launches, prepares it, then -m."""
    r = shell("-N", "fs:ext4:64M", "-N", "two.img=disk:8M", "-m", "/dev/sda1",
              "write", "/f", "data", ":", "cat", "/f", ":", "list-filesystems", ":",
              "blockdev-getsize64", "/dev/sdb", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "data\n/dev/sdb: unknown\n/dev/sda1: ext4\n8388608\n"
    assert (tmp_path / "test1.img").stat().st_size == 64 * 1024 * 1024
    r = shell("--format=raw", "-a", str(tmp_path / "test1.img"), "--ro", "-m", "/dev/sda1",
              "cat", "/f")
    assert (r.returncode, r.stdout) == (0, "data\n")


def test_prepared_disk_help_and_errors(tmp_path: Path) -> None:
    r = shell("-N", "help")
    assert r.returncode == 0 and r.stdout.startswith("List of available prepared disk images:")
    r = shell("-N", "lv:bad", cwd=tmp_path)
    assert r.returncode == 1 and "incorrect format for LV name" in r.stderr
    assert not (tmp_path / "test1.img").exists()  # refused before anything was written
