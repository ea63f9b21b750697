"""The rescue shell (`guestbox rescue`): bash on a pty in the appliance, relayed to the
host over the agent's own channel for as long as the session lasts.

The host opens the session with the internal call `_rescue` {term, rows, cols, bind};
then both sides exchange CHUNK frames of that call's serial: from the agent, what the
shell writes (raw bytes); from the host, messages of protocol/rescue.py (keyboard input,
a new window size, sync, unmount).  END or CANCEL from the host ends the session (the
shell's session is hung up); when the shell exits the agent sends END and replies OK
with its exit status.  The agent serves nothing else meanwhile: the session is the call.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import signal
import struct
import subprocess
import termios
import time
from typing import Any

from ..protocol import rescue as msg
from ..protocol.frames import Channel, FrameType
from .context import run
from .paths import SYSROOT, resolve
from .registry import AgentError
from .system import umount_everything

log = logging.getLogger(__name__)
READ_SIZE = 65536
BANNER = (
    "\r\n------------------------------------------------------------\r\n\r\n"
    "Welcome to virt-rescue, the libguestfs rescue shell.\r\n\r\n"
    "Note: The contents of / (root) are the rescue appliance.\r\n"
    "You have to mount the guest’s partitions under /sysroot\r\n"
    "before you can examine them.\r\n\r\n"
)
BIND = ("/dev", "/proc", "/sys")
"""Bound (recursively) into the guest's root when asked, so that `chroot /sysroot` works."""


def set_window(fd: int, rows: int, cols: int) -> None:
    if rows > 0 and cols > 0:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _bind_guest() -> list[str]:
    """/dev, /proc and /sys bound into the mounted guest (its directories that exist)."""
    done = []
    for src in BIND:
        target = resolve(src)
        if target != SYSROOT and os.path.isdir(target) and not os.path.islink(target):
            try:
                run(["mount", "--rbind", src, target])
                done.append(target)
            except AgentError as e:
                log.warning("rescue: %s", e)
    return done


def _unbind(targets: list[str]) -> None:
    for target in reversed(targets):
        try:
            run(["umount", "-R", "-l", target])
        except AgentError:
            pass  # already gone (^] u unmounts everything)


def _spawn(term: str, slave: int) -> subprocess.Popen[bytes]:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "TERM": term or "linux",
           "PS1": "><rescue> ", "LC_ALL": "C", "SHELL": "/bin/bash"}

    def controlling_tty() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    shell = "bash" if any(os.path.exists(f"{d}/bash") for d in env["PATH"].split(":")) else "sh"
    os.makedirs("/root", exist_ok=True)
    return subprocess.Popen([shell, "--norc", "--noprofile", "-i"] if shell == "bash" else
                            [shell, "-i"], stdin=slave, stdout=slave, stderr=slave, env=env,
                            cwd="/", start_new_session=True, preexec_fn=controlling_tty)


class Session:
    """One rescue session on the channel: the shell, its pty, and what is left to write."""

    def __init__(self, chan: Channel, serial: int, fd: int) -> None:
        self.chan = chan
        self.serial = serial
        self.fd = fd
        self.pending = b""  # keyboard input the pty has not taken yet
        self.hung_up = False

    def serve(self, master: int, proc: subprocess.Popen[bytes]) -> None:
        """Relay until the shell is gone (or the host ends the session)."""
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        while True:
            if self.chan.pending():
                ready = [(self.fd, select.POLLIN)]
            else:
                poller.register(master, select.POLLIN | (select.POLLOUT if self.pending else 0))
                ready = poller.poll(1000)
            for fd, events in ready:
                if fd == self.fd:
                    self._from_host(master, proc)
                elif events & (select.POLLIN | select.POLLHUP | select.POLLERR):
                    if not self._from_shell(master):
                        return
                elif events & select.POLLOUT:
                    self._flush(master)
            if self.hung_up or (proc.poll() is not None and not self._drain(master)):
                return

    def _from_shell(self, master: int) -> bool:
        """Send what the shell wrote; False once the pty is closed (the shell is gone)."""
        try:
            data = os.read(master, READ_SIZE)
        except OSError as e:
            if e.errno == errno.EIO:
                return False
            raise
        if not data:
            return False
        self.chan.send(FrameType.CHUNK, self.serial, data)
        return True

    def _drain(self, master: int) -> bool:
        """After the shell exited: send what is left in the pty; always False (done)."""
        while select.select([master], [], [], 0)[0] and self._from_shell(master):
            pass
        return False

    def _from_host(self, master: int, proc: subprocess.Popen[bytes]) -> None:
        ftype, serial, body = self.chan.recv()
        if serial != self.serial:
            return
        if ftype in (FrameType.END, FrameType.CANCEL):
            self.hung_up = True
            return
        if ftype != FrameType.CHUNK or not body:
            return
        kind, data = msg.decode(body)
        if kind == msg.INPUT:
            self.pending += data
            self._flush(master)
        elif kind == msg.WINDOW:
            set_window(master, *msg.window_size(data))
        elif kind == msg.SYNC:
            os.sync()
        elif kind == msg.UMOUNT:
            umount_everything()

    def _flush(self, master: int) -> None:
        try:
            n = os.write(master, self.pending)
        except BlockingIOError:
            return
        self.pending = self.pending[n:]


def _hang_up(proc: subprocess.Popen[bytes]) -> None:
    """End the shell's session: SIGHUP, then SIGKILL if it lingers."""
    for sig in (signal.SIGHUP, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 2
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is not None:
            break
    proc.wait()


def serve(chan: Channel, serial: int, args: dict[str, Any], fd: int) -> None:
    """Run one rescue session for the call serial (see the module's docstring)."""
    binds = _bind_guest() if args.get("bind") else []
    try:
        try:
            master, slave = os.openpty()
        except OSError as e:
            chan.send_doc(FrameType.ERR, serial, {"errno": e.errno, "message": f"rescue: {e}"})
            return
        try:
            set_window(slave, int(args.get("rows") or 0), int(args.get("cols") or 0))
            os.set_blocking(master, False)
            chan.send(FrameType.CHUNK, serial, BANNER.encode())
            try:
                proc = _spawn(str(args.get("term") or ""), slave)
            except OSError as e:
                chan.send_doc(FrameType.ERR, serial,
                              {"errno": e.errno, "message": f"rescue: cannot start a shell: {e}"})
                return
            os.close(slave)
            slave = -1
            session = Session(chan, serial, fd)
            try:
                session.serve(master, proc)
            finally:
                _hang_up(proc)
            chan.send(FrameType.END, serial)
            chan.send_doc(FrameType.OK, serial, {"ret": proc.returncode})
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)
    finally:
        _unbind(binds)
