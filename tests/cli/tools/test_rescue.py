"""`guestbox rescue` (virt-rescue): the shell driven through a real pseudo-terminal (the
tool runs as a program on the pty's slave side), commands typed and their output read,
the escape sequences, writes that reach the disk; --suggest's text; errors."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
import uuid
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.tools.rescue_terminal import Escapes, help_text, parse_escape_key
from tests import phony
from tests.ctrl_c import sigint_as_on_a_terminal

from .guests import run_tool

SRC = str(Path(__file__).resolve().parents[3] / "src")
PROMPT = b"><rescue> "
TAG = "GUESTBOX_TEST_RESCUE_TAG"
MiB = 1024 * 1024


class Terminal:
    """`guestbox rescue ARGS` on a new pseudo-terminal: type into it, read what it shows."""

    def __init__(self, *args: str | Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the tool, its terminal the pty
            sigint_as_on_a_terminal()  # so that a ^C reaching the tool would be seen
            os.environ.update(PYTHONPATH=SRC, TERM="xterm")
            os.execv(sys.executable, [sys.executable, "-m", "guestbox.cli.main", "rescue",
                                      *map(str, args)])
        self.seen = b""
        self.status: int | None = None

    def close(self) -> None:
        """Stop the tool (SIGTERM: it closes its appliance) if it is still running."""
        if self.status is None:
            os.kill(self.pid, signal.SIGTERM)
            self.wait()

    def expect(self, token: bytes, timeout: float = 90) -> bytes:
        """Read until token shows (AssertionError after timeout); what came before it."""
        deadline = time.monotonic() + timeout
        while token not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"{token!r} not seen in {self.seen[-2000:]!r}"
            if select.select([self.fd], [], [], min(left, 0.5))[0]:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                assert data, f"the tool ended before {token!r}: {self.seen[-2000:]!r}"
                self.seen += data
        before, _, self.seen = self.seen.partition(token)
        return before

    def type(self, text: bytes) -> None:
        os.write(self.fd, text)

    def run(self, command: bytes) -> bytes:
        """Type command, return its output (up to the next prompt)."""
        self.type(command + b"\r")
        self.expect(b"\n")  # the echo of the command line
        out = self.expect(PROMPT).replace(b"\x1b[?2004l", b"").replace(b"\x1b[?2004h", b"")
        return out.lstrip(b"\r")

    def wait(self, timeout: float = 60) -> int:
        """The tool's exit status, once it is over."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            if select.select([self.fd], [], [], 0.2)[0]:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    pass
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.status = -9
        raise AssertionError(f"guestbox rescue did not end: {self.seen[-2000:]!r}")


def test_shell_with_inspection_and_escapes() -> None:
    t = Terminal("--ro", "--format=raw", "-a", phony.image("debian"), "-i")
    try:
        intro = t.expect(PROMPT)
        assert b"The virt-rescue escape key is \xe2\x80\x98^]\xe2\x80\x99." in intro
        assert b"Welcome to virt-rescue, the libguestfs rescue shell." in intro
        assert t.run(b"echo $((6 * 7)) $TERM") == b"42 xterm\r\n"
        fcntl.ioctl(t.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        assert t.run(b"stty size") == b"33 101\r\n"  # the window's size, followed
        assert t.run(b"cat /sysroot/etc/hostname; echo") == b"debian.invalid\r\n"
        assert t.run(b"cut -d' ' -f2 /proc/mounts | grep -c '^/sysroot'") == b"5\r\n"
        t.type(b"\x1dh")
        assert t.expect(b"type it twice\r\n") == b"^]h\r\n" + help_text(0x1D, True).encode()[
            :-len(b"type it twice\r\n")]
        t.type(b"\x1di")
        info = t.expect(b"distro: debian\r\n")
        assert b"root device: /dev/debian/root\r\n  product name: 5.0.1\r\n" in info
        t.type(b"echo READY; cat -v | sed s/Z/Q/\r")  # ^] ^] sends one ^] to the shell
        t.expect(b"READY\r\n")
        t.type(b"\x1d\x1dZ\r")
        t.expect(b"^]Q\r\n")  # cat's output (the terminal's echo is ^]Z): it is running
        t.type(b"\x03")  # ^C goes to the shell's program, not to guestbox rescue
        t.expect(PROMPT)
        t.type(b"\x1du")
        t.expect(b"unmounting filesystems ...\r\n")
        assert t.run(b"grep -c ' /sysroot' /proc/mounts") == b"0\r\n"
        t.type(b"exit\r")
        assert t.wait() == 0
    finally:
        t.close()


def test_writes_reach_the_disk(tmp_path: Path) -> None:
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    os.truncate(disk, 64 * MiB)
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(disk), format="raw")
        g.launch()
        g.part_disk("/dev/sda", "mbr")
        g.mkfs("ext4", "/dev/sda1")
    t = Terminal("--format=raw", "-a", disk, "-m", "/dev/sda1", "-e", "^a")
    t.expect(b"escape key is \xe2\x80\x98^A\xe2\x80\x99.")
    t.expect(PROMPT)
    assert t.run(b"echo written > /sysroot/hello && echo ok") == b"ok\r\n"
    t.type(b"\x01s")
    t.expect(b"attempting to sync filesystems ...\r\n")
    t.type(b"\x01q")  # quit at once: the appliance is still shut down cleanly
    t.expect(b"^Aq\r\n")
    try:
        assert t.wait() == 0
    finally:
        t.close()
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(disk), format="raw", readonly=True)
        g.launch()
        g.mount_ro("/dev/sda1", "/")
        assert g.read_file("/hello") == b"written\n"


def test_sigterm_ends_the_tool_and_its_appliance() -> None:
    tag = uuid.uuid4().hex
    os.environ[TAG] = tag  # inherited by the tool and its QEMU
    try:
        t = Terminal("--ro", "--format=raw", "-a", phony.image("debian"))
    finally:
        del os.environ[TAG]
    try:
        t.expect(PROMPT)
        os.kill(t.pid, signal.SIGTERM)
        assert t.wait() == 128 + signal.SIGTERM
    finally:
        t.close()
    deadline = time.monotonic() + 10
    while tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert tagged(tag) == []


def tagged(tag: str) -> list[str]:
    """Live processes whose environment holds TAG=tag."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"{TAG}={tag}".encode() in env and state not in ("Z", "X"):
            found.append(pid)
    return found


# -- --suggest -------------------------------------------------------------------------
def test_suggest_for_an_operating_system(capsys: pytest.CaptureFixture[str]) -> None:
    image = phony.image("debian")
    before = image.stat()
    status, out, err = run_tool(capsys, "rescue", "--suggest", "--format=raw", "-a", image)
    assert (status, err) == (0, "")
    after = image.stat()  # opened read-only: not written
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert out == """\
Inspecting the virtual machine or disk image ...

This disk contains one or more operating systems.  You can use these mount
commands in virt-rescue (at the ><rescue> prompt) to mount the filesystems.

# /dev/debian/root is the root of a linux operating system
# type: linux, distro: debian, version: 5.0
# 5.0.1

mount /dev/debian/root /sysroot/
mount /dev/debian/var /sysroot/var
mount /dev/debian/usr /sysroot/usr
mount /dev/debian/home /sysroot/home
mount /dev/sda1 /sysroot/boot
mount --rbind /dev /sysroot/dev
mount --rbind /proc /sysroot/proc
mount --rbind /sys /sysroot/sys

cd /sysroot
chroot /sysroot

"""


def test_suggest_for_filesystems_and_blank_disks(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    disk, blank = tmp_path / "fs.img", tmp_path / "blank.img"
    for path in (disk, blank):
        path.write_bytes(b"")
        os.truncate(path, 64 * MiB)
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(disk), format="raw")
        g.launch()
        g.part_init("/dev/sda", "mbr")
        g.part_add("/dev/sda", "p", 2048, 65535)
        g.part_add("/dev/sda", "p", 65536, -2048)
        g.mkfs("ext4", "/dev/sda1")
        g.mkswap("/dev/sda2")
    status, out, _ = run_tool(capsys, "rescue", "--suggest", "--format=raw", "-a", disk)
    assert status == 0 and out.endswith("""\
This disk contains one or more filesystems, but we don’t recognize any
operating system.  You can use these mount commands in virt-rescue (at the
><rescue> prompt) to mount these filesystems.

# /dev/sda1 has type ‘ext4’
mount /dev/sda1 /sysroot

# /dev/sda2 has type ‘swap’

""")
    status, out, _ = run_tool(capsys, "rescue", "--suggest", blank)  # old style: no -a
    assert status == 0 and out == """\
Inspecting the virtual machine or disk image ...

This disk contains no mountable filesystems that we recognize.

However you can still use virt-rescue on the disk image, to try to mount
filesystems that are not recognized by libguestfs, or to create partitions,
logical volumes and filesystems on a blank disk.
"""


# -- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize(("argv", "message"), [
    (["-a", "/dev/null"], "tcgetattr: stdin: Inappropriate ioctl for device"),
    (["-a", "/dev/null", "-e", "x"], "unrecognized escape key: x"),
    (["--scratch=0"], "--scratch parameter ‘0’ should be >= 1"),
    (["--format=raw"], "--format parameter must appear before -a parameter"),
    ([], "error: you must specify at least one -a or -d option.\n"
         "Try ‘guestbox rescue --help’ for more information."),
])
def test_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Told before any appliance starts (stdin here is not a terminal)."""
    assert run_tool(capsys, "rescue", *argv) == (1, "", f"guestbox rescue: {message}\n")


def test_escape_keys() -> None:
    assert parse_escape_key("^]") == 0x1D and parse_escape_key("^a") == 1
    assert parse_escape_key("none") == 0
    for bad in ("x", "^", "^1", "^]]"):
        with pytest.raises(ValueError, match="unrecognized escape key"):
            parse_escape_key(bad)
    e = Escapes(0x1D)
    assert e.feed(b"ab\x1d") == [b"ab"] and e.in_escape  # split across reads
    assert e.feed(b"hcd\x1d\x1dx\x1d?") == ["h", b"cd\x1dx", "?"]
    assert Escapes(0).feed(b"\x1dq") == [b"\x1dq"]  # -e none: no escapes
