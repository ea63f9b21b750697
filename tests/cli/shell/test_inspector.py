"""`guestbox shell -i` and `win:` paths on the phony guests, as guestfish 1.48 behaves.

-i mounts the one OS's filesystems where virt-inspector's expected XML says,
prints nothing itself, and refuses disks with no OS or with several (guestfish's
texts).  `win:` paths are resolved through the drive mappings and the guest's
own case.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from guestbox.cli.shell.inspector import MULTI_BOOT, NO_OS
from tests import phony

SRC = str(Path(__file__).resolve().parents[3] / "src")


def shell(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", "shell", *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=600)


def drives(name: str) -> list[str]:
    return ["--format=raw", *(a for p in phony.images(name) for a in ("-a", str(p)))]


def expected_mountpoints(name: str) -> dict[str, str]:
    """device -> mountpoint, from virt-inspector's expected XML."""
    xml = ET.parse(phony.TESTDATA / "expected-inspector" / f"expected-{name}.img.xml")
    return {m.get("dev") or "": m.text or "" for m in xml.iter("mountpoint")}


@pytest.mark.parametrize("name", ["debian", "ubuntu", "archlinux", "fedora", "windows"])
def test_mounts_as_the_os_does(name: str) -> None:
    p = shell("--ro", *drives(name), "-i", "mountpoints")
    assert p.returncode == 0, p.stderr
    got = dict(line.split(": ", 1) for line in p.stdout.splitlines())
    assert got == expected_mountpoints(name)


def test_prints_nothing_else() -> None:
    p = shell("--ro", *drives("debian"), "-i")
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")


def test_ro_and_rw(tmp_path: Path) -> None:
    p = shell("--ro", *drives("debian"), "-i", "touch", "/var/new")
    assert p.returncode == 1 and "read-only" in p.stderr.lower()
    disk = tmp_path / "debian.img"
    subprocess.run(["cp", "--sparse=always", str(phony.image("debian")), str(disk)], check=True)
    p = shell("--format=raw", "-a", str(disk), "-i", "touch", "/var/new", ":",
              "is-file", "/var/new", ":", "cat", "/etc/hostname")
    assert (p.returncode, p.stdout) == (0, "true\ndebian.invalid\n"), p.stderr
    p = shell("--ro", "--format=raw", "-a", str(disk), "-m", "/dev/debian/var",
              "is-file", "/new")
    assert (p.returncode, p.stdout) == (0, "true\n"), p.stderr


def test_luks_key() -> None:
    p = shell("--ro", *drives("fedora-lvm-on-luks"), "--key", "/dev/sda2:key:FEDORA", "-i",
              "cat", "/etc/redhat-release")
    assert (p.returncode, p.stdout) == (0, "Fedora release 14 (Phony)\n"), p.stderr


def test_no_os(tmp_path: Path) -> None:
    disk = tmp_path / "empty.img"
    with open(disk, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    p = shell("--ro", "--format=raw", "-a", str(disk), "-i", "echo", "not reached")
    assert (p.returncode, p.stdout, p.stderr) == (1, "", NO_OS)


def test_several_oses() -> None:
    p = shell("--ro", *drives("debian"), *drives("ubuntu")[1:], "-i", "echo", "not reached")
    assert (p.returncode, p.stdout, p.stderr) == (1, "", MULTI_BOOT)


# -- win: paths ------------------------------------------------------------------------
def test_win_paths() -> None:
    p = shell("--ro", *drives("windows"), "-i",
              "is-file", r"win:c:\windows\SYSTEM32\cmd.EXE", ":",
              "is-file", "/windows/system32/cmd.exe", ":",
              "is-dir", r"WIN:C:\WINDOWS\System32\drivers", ":",
              "is-file", r"win:\AUTOEXEC.BAT", ":",
              "is-dir", "win:", ":",
              "exists", r"win:c:\Windows\no such file")
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout.split() == ["true", "false", "true", "true", "true", "false"]


def test_win_drive_not_mounted() -> None:
    p = shell("--ro", *drives("windows"), "-i", "umount-all", ":",
              "is-file", r"win:c:\autoexec.bat")
    assert p.returncode == 1
    assert p.stderr.endswith("guestfish: to access 'c:', mount /dev/sda2 first.  One way to "
                             "do this is:\n  umount-all\n  mount /dev/sda2 /\n")


@pytest.mark.parametrize(("name", "inspect", "message"), [
    ("windows", False, 'guestfish: to use Windows drive letters, you must inspect the guest '
                       '("-i" option or run "inspect-os" command)\n'),
    ("debian", True, "guestfish: to use Windows drive letters, this must be a Windows guest\n"),
    ("windows", True, "guestfish: drive 'd:' not found.  To list available drives do:\n"
                      "  inspect-get-drive-mappings /dev/sda2\n"),
])
def test_win_drive_errors(name: str, inspect: bool, message: str) -> None:
    first = ["-i"] if inspect else ["run", ":"]
    drive = "d" if name == "windows" and inspect else "c"
    p = shell("--ro", *drives(name), *first, "is-file", f"win:{drive}:\\x")
    assert (p.returncode, p.stdout, p.stderr) == (1, "", message)


def test_win_without_prefix_is_untouched() -> None:
    p = shell("--ro", *drives("windows"), "-i", "exists", "/win:c:", ":", "is-file", "win")
    assert (p.returncode, p.stdout) == (1, "false\n")
    assert "path must start with a / character" in p.stderr


def test_win_paths_without_a_drive_letter() -> None:
    """No inspection needed: backslashes and the guest's case, under the mounted root."""
    p = shell("--ro", *drives("windows"), "-m", "/dev/sda2",
              "is-file", r"win:\AUTOEXEC.BAT", ":",
              "is-file", "/AUTOEXEC.BAT", ":",
              "is-dir", r"win:\WINDOWS\system32\DRIVERS", ":",
              "exists", r"win:\windows\nosuch", ":",
              "exists", r"win:\windows\nosuch\deeper", ":",
              "exists", "win:/program files")
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout.split() == ["true", "false", "true", "false", "false", "true"]
