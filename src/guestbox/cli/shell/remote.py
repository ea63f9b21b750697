"""`--listen` and `--remote`: a shell in the background serving commands over a unix socket.

As guestfish (fish/rc.c): `guestbox shell --listen [-a ... -m ...]` starts a
listener in the background and prints `GUESTFISH_PID=NNN; export
GUESTFISH_PID` (`--csh`: `setenv GUESTFISH_PID NNN`); `guestbox shell
--remote[=PID] cmd args [: cmd ...]` runs each command in that listener, its
output on the caller's stdout, and exits 1 at the first failure; a failure
also ends the listener unless the command was written `-cmd` (guestfish's
exit_on_error); `--remote exit` (or quit) ends it.

Protocol (ours; guestfish's is XDR and neither talks to the other).  The
socket is /tmp/.guestbox-shell-EUID/socket-PID, in a directory of mode 0700
owned by the user (checked by both sides; the listener also checks the
peer's uid).  One command per connection:

1. The client sends one byte, b"G", with its stdin, stdout and stderr
   attached as SCM_RIGHTS descriptors (guestfish passes only stdout; passing
   all three shows errors and key prompts on the caller's terminal, not the
   listener's).
2. Then one line of UTF-8 JSON, at most 1 MiB:
   `{"version": 1, "cmd": NAME, "args": [WORD, ...], "exit_on_error": BOOL}`.
3. The listener runs the command with the three descriptors as its own 0, 1
   and 2, and replies with one JSON line: `{"status": 0}` (or 1 if it failed).

The listener forks before it creates its handle, so QEMU is its child and is
killed with it (the launcher's PR_SET_PDEATHSIG), even by SIGKILL; SIGTERM and
SIGINT close the handle cleanly.  The parent prints the PID line only once the
listener has added its drives, done its -m mounts and bound its socket (guestfish
prints it at once, racing with the socket's creation), and exits 1 if that failed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .words import PROG, Line, SyntaxProblem, parse_line

VERSION = 1
MAX_REQUEST = 1 << 20


class RemoteError(Exception):
    """A remote-control failure: the message is ready to print."""


# -- the socket's place --------------------------------------------------------
def socket_dir() -> str:
    """The per-user directory of the sockets (created 0700; refused if anyone else's)."""
    euid = os.geteuid()
    d = f"/tmp/.guestbox-shell-{euid}"
    with contextlib.suppress(FileExistsError):
        os.mkdir(d, 0o700)
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o700 or st.st_uid != euid:
        raise RemoteError(f"‘{d}’ is not a directory or has insecure owner or permissions")
    return d


def socket_path(pid: int) -> str:
    """The socket of the listener with process id pid."""
    return f"{socket_dir()}/socket-{pid}"


def remote_pid(value: str | None) -> int:
    """The listener's PID from --remote=PID, else from $GUESTFISH_PID (RemoteError if neither)."""
    if value is not None:
        try:
            return int(value)
        except ValueError:
            raise RemoteError(f"--listen=PID: PID was not a number: {value}") from None
    try:
        return int(os.environ.get("GUESTFISH_PID", ""))
    except ValueError:
        raise RemoteError("remote: $GUESTFISH_PID must be set to the PID of the "
                          "remote process") from None


# -- the listener --------------------------------------------------------------
def daemonize(csh: bool) -> Callable[[bool], None] | int:
    """Fork.  The parent gets the exit status to return (after printing the PID line);
    the child gets the function to call once it is ready (True) or failed (False)."""
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid > 0:
        os.close(w)
        with os.fdopen(r, "rb") as f:
            ok = f.read() == b"ok"
        if not ok:
            os.waitpid(pid, 0)
            return 1
        print(f"setenv GUESTFISH_PID {pid}" if csh else
              f"GUESTFISH_PID={pid}; export GUESTFISH_PID", flush=True)
        return 0
    os.close(r)
    os.setsid()  # no terminal: Ctrl-C and hang-ups of the caller's session do not reach it

    def ready(ok: bool) -> None:
        os.write(w, b"ok" if ok else b"no")
        os.close(w)
        if ok:  # as guestfish: stdout to /dev/null, so `eval $(... --listen)` returns
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.close(null)

    return ready


def listening_socket() -> tuple[socket.socket, str]:
    """The listener's bound socket and its path."""
    path = socket_path(os.getpid())
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(4)
    return sock, path


Runner = Callable[[list[str]], "tuple[int, bool]"]
"""Runs one command's words: (status 0 or 1, True if the shell should quit)."""


def serve(sock: socket.socket, path: str, run: Runner) -> int:
    """Accept and run commands until quit, or a failure with exit_on_error; the exit status."""
    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(1)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        while True:
            conn, _ = sock.accept()
            with conn:
                try:
                    status, quit_, exit_on_error = _serve_one(conn, run)
                except (OSError, RemoteError, ValueError):
                    continue  # a broken client: ignore it, keep serving
            if quit_:
                return 0
            if status and exit_on_error:
                return 1
    finally:
        sock.close()
        with contextlib.suppress(OSError):
            os.unlink(path)


def _serve_one(conn: socket.socket, run: Runner) -> tuple[int, bool, bool]:
    uid = _peer_uid(conn)
    if uid != os.geteuid():
        raise RemoteError("connection from another user")
    _, fds, _, _ = socket.recv_fds(conn, 1, 3)
    try:
        if len(fds) != 3:
            raise RemoteError("the client did not send its stdin, stdout and stderr")
        request = _read_request(conn)
        words = [request["cmd"], *request["args"]]
        if not all(isinstance(w, str) for w in words):
            raise RemoteError("bad request")
        with _stdio(fds):
            status, quit_ = run(words)
    finally:
        for fd in fds:
            os.close(fd)
    conn.sendall(json.dumps({"status": status}).encode() + b"\n")
    return status, quit_, bool(request.get("exit_on_error", True))


def _peer_uid(conn: socket.socket) -> int:
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _read_request(conn: socket.socket) -> dict[str, Any]:
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise RemoteError("request too long")
    request = json.loads(data)
    if not isinstance(request, dict) or request.get("version") != VERSION:
        raise RemoteError("protocol version mismatch")
    return request


@contextlib.contextmanager
def _stdio(fds: list[int]) -> Iterator[None]:
    """The client's stdin, stdout and stderr as this process's own, for one command."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        yield
    finally:
        with contextlib.suppress(OSError):
            sys.stdout.flush()
        with contextlib.suppress(OSError):
            sys.stderr.flush()
        for target, fd in enumerate(saved):
            os.dup2(fd, target)
            os.close(fd)


# -- the client ----------------------------------------------------------------
def call(pid: int, words: list[str], exit_on_error: bool, stdout: int = 1) -> int:
    """Run words in listener pid, with this process's stdin/stderr and stdout; its status."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise RemoteError(f"{PROG}: remote: looks like the server is not running") from None
    except PermissionError:
        pass  # someone else's process: connecting will fail below
    path = socket_path(pid)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(path)
        except OSError as e:
            raise RemoteError(f"{path}: {e.strerror}\n"
                              f"{PROG}: remote: looks like the server is not running") from None
        sys.stdout.flush()
        with _std_fds(stdout) as fds:
            socket.send_fds(sock, [b"G"], fds)
        request = {"version": VERSION, "cmd": words[0], "args": words[1:],
                   "exit_on_error": exit_on_error}
        sock.sendall(json.dumps(request).encode() + b"\n")
        reply = sock.makefile("rb").readline()
    try:
        return int(json.loads(reply)["status"])
    except (ValueError, KeyError, TypeError):
        raise RemoteError(f"{PROG}: protocol error: could not decode reply from server") from None


@contextlib.contextmanager
def _std_fds(stdout: int) -> Iterator[list[int]]:
    """Descriptors 0, stdout and 2, with /dev/null standing in for any that is closed."""
    null = -1
    fds = []
    for fd in (0, stdout, 2):
        try:
            os.fstat(fd)
        except OSError:
            if null < 0:
                null = os.open(os.devnull, os.O_RDWR)
            fd = null
        fds.append(fd)
    try:
        yield fds
    finally:
        if null >= 0:
            os.close(null)


def run_commands(pid: int, commands: list[list[str]]) -> int:
    """`--remote cmd args : cmd ...`: each in the listener; 1 at the first failure."""
    for words in commands:
        exit_on_error = not words[0].startswith("-")
        if not exit_on_error:
            words = [words[0][1:], *words[1:]]
        try:
            status = call(pid, words, exit_on_error)
        except RemoteError as e:
            print(e, file=sys.stderr)
            return 1
        if status and exit_on_error:
            return 1
    return 0


def run_script(pid: int, lines: Iterator[str]) -> int:
    """A script's lines (stdin or -f) run in the listener; host commands and pipes run here."""
    for text in lines:
        try:
            line = parse_line(text)
        except SyntaxProblem as e:
            print(e, file=sys.stderr)
            return 1
        if line.kind == "empty":
            continue
        if line.kind != "command":
            sys.stdout.flush()
            subprocess.run(line.host, shell=True, check=False)
            continue
        try:
            status = _call_line(pid, line)
        except RemoteError as e:
            print(e, file=sys.stderr)
            return 1
        if status and not line.ignore_error:
            return 1
    return 0


def _call_line(pid: int, line: Line) -> int:
    words = list(line.words)
    if line.pipe is None:
        return call(pid, words, not line.ignore_error)
    sys.stdout.flush()
    p = subprocess.Popen(line.pipe, shell=True, stdin=subprocess.PIPE)
    assert p.stdin is not None
    try:
        return call(pid, words, not line.ignore_error, stdout=p.stdin.fileno())
    finally:
        p.stdin.close()
        p.wait()
