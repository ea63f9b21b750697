"""`guestbox shell --listen` and `--remote`: a background shell, its commands, its end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[3] / "src")


def shell(*args: str, stdin: str = "", pid: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=SRC)
    if pid is not None:
        env["GUESTFISH_PID"] = str(pid)
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", "shell", *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=300)


def listen(*args: str) -> int:
    r = shell("--listen", *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("GUESTFISH_PID=") and r.stdout.endswith("; export GUESTFISH_PID\n")
    return int(r.stdout.split("=")[1].split(";")[0])


def qemus_of(listener: int) -> list[int]:
    """The QEMU processes the listener started (its children)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if b"qemu" in cmdline and int(stat.rsplit(")", 1)[1].split()[1]) == listener:
                found.append(int(entry))
    return found


def gone(pid: int, timeout: float = 30) -> bool:
    end = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.1)


def test_listen_remote_commands_errors_and_exit(tmp_path: Path) -> None:
    disk = tmp_path / "d.img"
    with open(disk, "wb") as f:
        f.truncate(32 * 1024 * 1024)
    pid = listen("-a", str(disk))
    try:
        r = shell("--remote", "run", ":", "part-disk", "/dev/sda", "mbr", ":",
                  "mkfs", "ext4", "/dev/sda1", ":", "mount", "/dev/sda1", "/", pid=pid)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
        qemus = qemus_of(pid)
        assert len(qemus) == 1
        r = shell(f"--remote={pid}", "write", "/f", "hello", ":", "cat", "/f")
        assert (r.returncode, r.stdout, r.stderr) == (0, "hello\n", "")
        # a script on stdin: pipes run here, the command there
        r = shell("--remote", stdin="cat /f | tr a-z A-Z\nls /\n", pid=pid)
        assert (r.returncode, r.stdout) == (0, "HELLO\nf\nlost+found\n")
        # -cmd: the error is told, the listener stays
        r = shell("--remote", "--", "-cat", "/nonexist", pid=pid)
        assert r.returncode == 0
        assert r.stderr == ("*stdin*:0: libguestfs: error: cat: /nonexist: No such file or "
                            "directory\n")
        r = shell("--remote", "nosuchcmd", pid=pid)
        assert r.returncode == 1 and r.stderr.startswith("nosuchcmd: unknown command\n")
        assert gone(pid)  # as guestfish: a failure without - ends the listener
    finally:
        if not gone(pid, 0):
            os.kill(pid, signal.SIGTERM)
    assert gone(pid) and all(gone(q) for q in qemus)
    r = shell("--remote", "echo", "hi", pid=pid)
    assert r.returncode == 1
    assert r.stderr.endswith("guestfish: remote: looks like the server is not running\n")


def test_remote_exit_and_errors_without_listener(tmp_path: Path) -> None:
    env_pid = os.environ.pop("GUESTFISH_PID", None)
    try:
        r = shell("--remote", "echo", "hi")
        assert (r.returncode, r.stderr) == (1, "guestbox shell: remote: $GUESTFISH_PID must be "
                                               "set to the PID of the remote process\n")
    finally:
        if env_pid is not None:
            os.environ["GUESTFISH_PID"] = env_pid
    r = shell("--remote=abc", "echo", "hi")
    assert (r.returncode, r.stderr) == (
        1, "guestbox shell: --listen=PID: PID was not a number: abc\n")
    r = shell("--listen", "--remote=1", "echo")
    assert (r.returncode, r.stderr) == (
        1, "guestfish: cannot use --listen and --remote options at the same time\n")
    r = shell("--listen", "echo", "hi")
    assert (r.returncode, r.stderr) == (
        1, "guestfish: extra parameters on the command line with --listen flag\n")
    r = shell("--listen", "-a", str(tmp_path / "missing.img"))
    assert r.returncode == 1 and r.stdout == "" and "missing.img" in r.stderr
    pid = listen()
    r = shell("--remote", "echo", "hi", ":", "exit", pid=pid)
    assert (r.returncode, r.stdout, r.stderr) == (0, "hi\n", "")
    assert gone(pid)


def test_killed_listener_takes_its_qemu_along(tmp_path: Path) -> None:
    pids = []
    try:
        for name in ("a.img", "b.img"):
            disk = tmp_path / name
            with open(disk, "wb") as f:
                f.truncate(8 * 1024 * 1024)
            pids.append(listen("-a", str(disk)))
            r = shell("--remote", "run", pid=pids[-1])
            assert r.returncode == 0, r.stderr
        qemus = [q for p in pids for q in qemus_of(p)]
        assert len(qemus) == 2
        os.kill(pids[0], signal.SIGTERM)
        os.kill(pids[1], signal.SIGKILL)
        assert all(gone(p) for p in pids + qemus)
    finally:
        for p in pids:
            if not gone(p, 0):
                os.kill(p, signal.SIGKILL)
