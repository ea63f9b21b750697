"""The interactive shell through a pseudo-terminal: prompt, completion, history, key prompt."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[3] / "src")


class Terminal:
    """`guestbox shell ARGS` on a pseudo-terminal, HOME in a scratch directory."""

    def __init__(self, home: Path, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=SRC, HOME=str(home), TERM="dumb")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(sys.executable, [sys.executable, "-m", "guestbox.cli.main", "shell",
                                       *args], env)
        self.seen = b""

    def expect(self, text: bytes, timeout: float = 120) -> bytes:
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            assert left > 0, f"{text!r} not seen in {self.seen[-400:]!r}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    break
        assert text in self.seen, self.seen[-400:]
        before, _, self.seen = self.seen.partition(text)
        return before

    def send(self, text: bytes) -> None:
        os.write(self.fd, text)

    def close(self) -> int:
        """The shell's exit status; killed (status -9) if it has not ended within 60 s."""
        end = time.monotonic() + 60
        while (done := os.waitpid(self.pid, os.WNOHANG))[0] == 0:
            if time.monotonic() > end:
                os.kill(self.pid, 9)
                done = os.waitpid(self.pid, 0)
                break
            time.sleep(0.1)
        status = done[1]
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_completion_history_and_key_prompt(tmp_path: Path) -> None:
    disk = tmp_path / "d.img"
    with open(disk, "wb") as f:
        f.truncate(32 * 1024 * 1024)
    t = Terminal(tmp_path, "-a", str(disk))
    try:
        assert b"Welcome to" in t.expect(b"><fs> ")
        t.send(b"run\n")
        t.expect(b"><fs> ")
        t.send(b"mkfs ext4 /dev/sd\t")  # a device, looked up live
        t.expect(b"/dev/sda ")
        t.send(b"bl\t")  # an optional argument's name
        t.expect(b"blocksize:")
        t.send(b"1024\n")
        t.expect(b"><fs> ")
        t.send(b"mount /dev/sda /\ntouch /hello-file\n")
        t.expect(b"><fs> ")
        t.expect(b"><fs> ")
        t.send(b"is-fil\t")  # a command
        t.expect(b"is-file ")
        t.send(b"/hel\t")  # a guest path
        t.expect(b"/hello-file ")
        t.send(b"\n")
        assert b"true" in t.expect(b"><fs> ")
        # a key is asked for, and what is typed is not echoed
        t.send(b"luks-open /dev/sda x\n")
        t.expect(b'Enter key or passphrase ("key"): ')
        t.send(b"NotEchoed\n")
        after = t.expect(b"><fs> ")
        assert b"NotEchoed" not in after and b"luks_open" in after
        t.send(b"get-blocksize\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08quit\n")
    finally:
        status = t.close()
    assert status == 0
    history = (tmp_path / ".guestbox_shell_history").read_text()
    assert "mkfs ext4 /dev/sda blocksize:1024" in history and "NotEchoed" not in history
    t = Terminal(tmp_path)  # the history is there in the next run
    try:
        t.expect(b"><fs> ")
        t.send(b"\x1b[A")
        t.expect(b"quit")
        t.send(b"\n")
    finally:
        assert t.close() == 0
