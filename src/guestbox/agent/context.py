"""What an agent function gets besides its arguments: streams, progress, tools."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
from collections.abc import Iterator, Sequence

from ..protocol.frames import CHUNK_SIZE, Channel, FrameType
from .paths import SYSROOT
from .registry import AgentError
from .transfer import Transfer

TOOL_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "HOME": "/root",
    "LVM_SUPPRESS_FD_WARNINGS": "1",
}


class ToolError(AgentError):
    """A tool that failed: AgentError, plus its exit status and what it said."""

    def __init__(self, message: str, status: int, text: str) -> None:
        super().__init__(message)
        self.status = status
        self.text = text  # its stderr (or stdout if that was empty), stripped


def capture(
    args: Sequence[str],
    *,
    input: bytes | None = None,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    pass_fds: Sequence[int] = (),
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool with an argument list and capture its output, whatever its exit status;
    AgentError(ENOENT) if the appliance has no such tool."""
    try:
        return subprocess.run(
            list(args),
            input=input,
            capture_output=True,
            cwd=cwd,
            env={**TOOL_ENV, **(env or {})},
            stdin=None if input is not None else subprocess.DEVNULL,
            pass_fds=tuple(pass_fds),
        )
    except FileNotFoundError:
        raise AgentError(f"{args[0]}: tool not found in the appliance", 2) from None


def output_of(p: subprocess.CompletedProcess[bytes], *, status: bool = False) -> str:
    """The stdout of a tool that ran (capture), or AgentError with its error text: alone
    as libguestfs's C daemon reports it, or (status=True) as its OCaml daemon does,
    "TOOL exited with status N: text"."""
    if p.returncode == 0:
        return p.stdout.decode("utf-8", "surrogateescape")
    err = (p.stderr or p.stdout).decode("utf-8", "replace").strip()
    prog = os.path.basename(str(p.args[0]))
    if status or not err:
        raise ToolError(f"{prog} exited with status {p.returncode}" + (f": {err}" if err else ""),
                        p.returncode, err)
    raise ToolError(err, p.returncode, err)


def run(
    args: Sequence[str],
    *,
    input: bytes | None = None,
    ok_codes: Sequence[int] = (0,),
    cwd: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run a tool with an argument list; its stdout, or ToolError quoting its stderr."""
    p = capture(args, input=input, cwd=cwd, env=env)
    if p.returncode not in ok_codes:
        err = (p.stderr or p.stdout).decode("utf-8", "replace").strip()
        raise ToolError(f"{os.path.basename(args[0])}: {err}" if err else
                        f"{args[0]} exited with status {p.returncode}", p.returncode, err)
    return p.stdout.decode("utf-8", "surrogateescape")


class Ctx:
    """The call being served: its name, its channel and its streams."""

    def __init__(self, chan: Channel, serial: int, name: str, fd: int) -> None:
        self.chan = chan
        self.serial = serial
        self.name = name
        self.fd = fd
        self.sysroot = SYSROOT
        self.in_open = False  # a FileIn stream not yet read to its end
        self.transfer: Transfer | None = None  # bulk data on a transfer disk instead

    # -- FileIn ------------------------------------------------------------
    def chunks(self) -> Iterator[bytes | memoryview]:
        """The content of the FileIn stream, chunk by chunk; AgentError if the host cancels."""
        if self.transfer is not None and self.transfer.size is not None:
            yield from self.transfer.chunks()
            return
        while self.in_open:
            ftype, serial, body = self.chan.recv()
            if serial != self.serial:
                continue  # left over from an earlier, cancelled call
            if ftype == FrameType.CHUNK:
                yield body
            elif ftype == FrameType.END:
                self.in_open = False
            elif ftype == FrameType.CANCEL:
                self.in_open = False
                raise AgentError("operation cancelled by the host", 4)  # EINTR
            else:
                raise AgentError(f"unexpected frame {ftype.name} during upload")

    def receive_into(self, fd: int) -> bool:
        """Write the whole FileIn stream to fd the fastest way there is, if that is a
        transfer disk; False if not (then read chunks())."""
        t = self.transfer
        if t is None or t.size is None:
            return False
        size = t.size
        return t.receive_into(fd, lambda done: self._bulk_progress(done, size))

    def drain(self) -> None:
        """Discard the rest of a FileIn stream (after an error was reported)."""
        try:
            for _ in self.chunks():
                pass
        except AgentError:
            pass

    def feed(self, p: subprocess.Popen[bytes]) -> bool:
        """Write the FileIn stream to p's stdin, then close it; False if p stopped
        reading first (the rest of the stream is then discarded).  p is killed if the
        stream fails (the host cancelled)."""
        assert p.stdin is not None
        complete = True
        try:
            for chunk in self.chunks():
                try:
                    p.stdin.write(chunk)
                except BrokenPipeError:
                    self.drain()
                    complete = False
                    break
        except BaseException:
            p.kill()
            p.wait()
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                p.stdin.close()
        return complete

    # -- FileOut -----------------------------------------------------------
    def send_output(self, p: subprocess.Popen[bytes]) -> int:
        """Send p's stdout as the FileOut stream; p's exit status.  p is killed if the
        stream fails (the host cancelled)."""
        assert p.stdout is not None
        try:
            while data := p.stdout.read(CHUNK_SIZE):
                self.send_chunk(data)
        except BaseException:
            p.kill()
            p.wait()
            raise
        finally:
            p.stdout.close()
        return p.wait()

    def check_cancel(self) -> None:
        """AgentError if the host has sent CANCEL (looked for without waiting)."""
        if self.chan.pending() or select.select([self.fd], [], [], 0)[0]:
            ftype, _, _ = self.chan.recv()
            if ftype == FrameType.CANCEL:
                raise AgentError("operation cancelled by the host", 4)

    def _bulk_progress(self, done: int, total: int) -> None:
        """Progress of a transfer disk copy, which the host can also cancel."""
        self.progress(done, total)
        self.check_cancel()

    def send_chunk(self, data: bytes | memoryview) -> None:
        """Send part of the FileOut stream; AgentError if the host cancelled."""
        if self.transfer is not None and self.transfer.size is None:
            self.transfer.write(data)
            return
        self.check_cancel()
        for i in range(0, len(data), CHUNK_SIZE):
            self.chan.send(FrameType.CHUNK, self.serial, data[i : i + CHUNK_SIZE])

    def send_file(self, f: int, total: int | None = None) -> None:
        """Stream an open file descriptor to its end as the FileOut stream."""
        if self.transfer is not None and self.transfer.size is None:
            t = self.transfer
            t.send_fd(f, lambda done: self._bulk_progress(done, total or done))
            return
        pos = 0
        while True:
            data = os.read(f, CHUNK_SIZE)
            if not data:
                break
            self.send_chunk(data)
            pos += len(data)
            self.progress(pos, total or pos)

    def progress(self, position: int, total: int) -> None:
        self.chan.send_doc(FrameType.PROGRESS, self.serial, {"position": position, "total": total})

    # -- tools -------------------------------------------------------------
    run = staticmethod(run)

