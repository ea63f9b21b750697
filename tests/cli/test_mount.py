"""`guestbox mount` and `guestbox unmount` run as programs, through the real kernel FUSE.

Scratch disks made with the API (-m) and the phony Debian guest (-i) are mounted,
read and written with ordinary programs (cat, ls, sh), unmounted with `guestbox
unmount --wait`, and reopened with the API to find what was written.  Read-only
mounts refuse writes with EROFS and leave the image byte-identical.  The serving
process ends cleanly on SIGINT and SIGTERM (--no-fork), and if it is SIGKILLed
its mount and its QEMU go too.  Errors: guestmount's and guestunmount's texts and
statuses.  Every process a test starts carries a tag in its environment (QEMU
inherits it): after each test, no tagged process and no FUSE mount may be left.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox
from guestbox.cli import mountreg
from guestbox.cli.toolmount import no_os_message
from guestbox.cli.unmount import mount_type
from tests import phony
from tests.ctrl_c import sigint_as_on_a_terminal

SRC = str(Path(__file__).resolve().parents[2] / "src")
TAG = "GUESTBOX_TEST_MOUNT_TAG"
MiB = 1024 * 1024


# -- what a test leaves behind --------------------------------------------------------
def tagged(tag: str) -> dict[int, str]:
    """Live processes (pid: name) whose environment holds TAG=tag."""
    found = {}
    mark = f"{TAG}={tag}".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if mark in env and state not in ("Z", "X"):
            found[int(pid)] = comm
    return found


def fuse_mounts(under: Path) -> list[str]:
    """FUSE mounts at or below the directory under."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            kind = fields[fields.index("-") + 1]
            if kind.startswith("fuse") and (fields[4] + "/").startswith(f"{under}/"):
                out.append(fields[4])
    return out


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of the programs a test runs (tagged); afterwards, nothing of
    theirs may be left: no process (QEMU included), no FUSE mount (cleaned up anyway)."""
    tag = uuid.uuid4().hex
    yield dict(os.environ, PYTHONPATH=SRC, **{TAG: tag})
    deadline = time.monotonic() + 15
    while (procs := tagged(tag)) or (mounts := fuse_mounts(tmp_path)):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    else:
        return
    for mp in mounts:
        subprocess.run(["fusermount3", "-uz", mp], check=False)
    for pid in procs:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    pytest.fail(f"left behind: processes {procs}, FUSE mounts {mounts}")


@pytest.fixture
def mnt(tmp_path: Path) -> Path:
    d = tmp_path / "mnt"
    d.mkdir()
    return d


def guestbox_cmd(env: dict[str, str], *args: str, stdin: str = "",
                 timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=timeout)


def mounted(path: Path) -> bool:
    return (mount_type(str(path)) or "").startswith("fuse")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(MiB):
            h.update(chunk)
    return h.hexdigest()


# -- disks -----------------------------------------------------------------------------
@pytest.fixture
def disk(tmp_path: Path) -> Path:
    """A raw scratch disk: /dev/sda1 ext4 holding /hello.txt and /dir."""
    path = tmp_path / "disk.img"
    with guestbox.GuestFS() as g:
        g.disk_create(str(path), "raw", 128 * MiB)
        g.add_drive_opts(str(path), format="raw")
        g.launch()
        g.part_disk("/dev/sda", "mbr")
        g.mkfs("ext4", "/dev/sda1")
        g.mount("/dev/sda1", "/")
        g.write("/hello.txt", b"hello\n")
        g.mkdir("/dir")
        g.shutdown()
    return path


@pytest.fixture
def debian(tmp_path: Path) -> Path:
    """A copy of the phony Debian guest (its LVM: root, usr, var, home; /boot)."""
    path = tmp_path / "debian.img"
    subprocess.run(["cp", "--sparse=always", str(phony.image("debian")), str(path)],
                   check=True)
    return path


def read_back(image: Path, device: str, *paths: str) -> dict[str, bytes]:
    """The files at paths of device in image, read with the API (read-only)."""
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(image), format="raw", readonly=True)
        g.launch()
        g.mount_ro(device, "/")
        return {p: g.read_file(p) for p in paths}


def run(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    """An ordinary program on the mount."""
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=60)


# -- mounting, reading, writing --------------------------------------------------------
def test_m_read_write_unmount_wait(env: dict[str, str], disk: Path, mnt: Path,
                                   tmp_path: Path) -> None:
    pid_file = tmp_path / "mount.pid"
    p = guestbox_cmd(env, "mount", "--format=raw", "-a", str(disk), "-m", "/dev/sda1",
                     "--pid-file", str(pid_file), "-o", "allow_other", str(mnt))
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")
    assert mounted(mnt)
    pid = int(pid_file.read_text())
    server = mountreg.server_of(os.path.realpath(mnt))
    assert server is not None and server.pid == pid and pid in tagged(env[TAG])
    assert "allow_other" in run("findmnt", "-no", "OPTIONS", mnt).stdout
    assert run("cat", mnt / "hello.txt").stdout == "hello\n"
    assert run("ls", mnt).stdout.split() == ["dir", "hello.txt", "lost+found"]
    big = tmp_path / "big"
    big.write_bytes(os.urandom(32 * MiB))  # its sync makes the server's exit take a while
    w = run("sh", "-c", f"echo written > {mnt}/dir/new.txt && cp {mnt}/hello.txt {mnt}/copy "
            f"&& cp {big} {mnt}/dir/big")
    assert w.returncode == 0, w.stderr

    u = guestbox_cmd(env, "unmount", "--wait", str(mnt))
    assert (u.returncode, u.stdout, u.stderr) == (0, "", "")
    assert not mounted(mnt)
    assert mountreg.start_time(pid) is None  # --wait: the server has exited
    assert not pid_file.exists()
    assert tagged(env[TAG]) == {}  # its QEMU too
    assert read_back(disk, "/dev/sda1", "/dir/new.txt", "/copy", "/dir/big") == {
        "/dir/new.txt": b"written\n", "/copy": b"hello\n", "/dir/big": big.read_bytes()}


def test_i_read_write(env: dict[str, str], debian: Path, mnt: Path) -> None:
    p = guestbox_cmd(env, "mount", "--format=raw", "-a", str(debian), "-i", str(mnt))
    assert (p.returncode, p.stderr) == (0, "")
    assert run("cat", mnt / "etc/hostname").stdout == "debian.invalid"
    assert "status" in run("ls", mnt / "var/lib/dpkg").stdout.split()  # /var is mounted
    assert "grub" in run("ls", mnt / "boot").stdout.split()  # and /boot
    w = run("sh", "-c", f"echo root > {mnt}/etc/motd && echo var > {mnt}/var/log/new.log")
    assert w.returncode == 0, w.stderr
    assert guestbox_cmd(env, "unmount", "--wait", str(mnt)).returncode == 0
    assert not mounted(mnt)
    assert read_back(debian, "/dev/debian/root", "/etc/motd") == {"/etc/motd": b"root\n"}
    assert read_back(debian, "/dev/debian/var", "/log/new.log") == {"/log/new.log": b"var\n"}


def test_m_on_luks_with_key(env: dict[str, str], mnt: Path) -> None:
    """--key opens the LUKS device for -m too (no -i): the LVM inside it is then seen."""
    p = guestbox_cmd(env, "mount", "--ro", "--format=raw", "-a",
                     str(phony.image("fedora-lvm-on-luks")), "--key", "/dev/sda2:key:FEDORA",
                     "-m", "/dev/VG/Root", "-m", "/dev/sda1:/boot", str(mnt))
    assert (p.returncode, p.stderr) == (0, "")
    assert run("cat", mnt / "etc/redhat-release").stdout == "Fedora release 14 (Phony)"
    assert "grub" in run("ls", mnt / "boot").stdout.split()
    st = os.stat(mnt / "etc/test3")
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (10, 11, 0o600)
    assert run("readlink", mnt / "bin/test5").stdout == "/bin/test1\n"
    assert guestbox_cmd(env, "unmount", "--wait", str(mnt)).returncode == 0


def test_ro_refuses_writes_image_unchanged(env: dict[str, str], mnt: Path) -> None:
    image = phony.image("debian")
    before = sha256(image)
    p = guestbox_cmd(env, "mount", "--ro", "--format=raw", "-a", str(image), "-i", str(mnt))
    assert (p.returncode, p.stderr) == (0, "")
    assert run("cat", mnt / "etc/debian_version").stdout == "5.0.1"
    w = run("sh", "-c", f"echo x > {mnt}/etc/new")
    assert w.returncode != 0 and "Read-only file system" in w.stderr
    with pytest.raises(OSError) as e:
        os.open(mnt / "etc/hostname", os.O_WRONLY)
    assert e.value.errno == errno.EROFS
    assert run("mkdir", mnt / "newdir").returncode != 0
    assert guestbox_cmd(env, "unmount", "--wait", str(mnt)).returncode == 0
    assert sha256(image) == before


# -- ending the serving process ----------------------------------------------------------
def wait_mounted(proc: subprocess.Popen[str], path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not mounted(path):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the mount never came"
        time.sleep(0.1)


def serve_no_fork(env: dict[str, str], disk: Path, mnt: Path,
                  preexec: Callable[[], None]) -> subprocess.Popen[str]:
    """`guestbox mount --no-fork` of disk's /dev/sda1 on mnt, preexec run in the child."""
    return subprocess.Popen([sys.executable, "-m", "guestbox.cli.main", "mount", "--no-fork",
                             "--format=raw", "-a", str(disk), "-m", "/dev/sda1", str(mnt)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=preexec)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_no_fork_ends_on_signal(env: dict[str, str], disk: Path, mnt: Path,
                                sig: signal.Signals) -> None:
    proc = serve_no_fork(env, disk, mnt, sigint_as_on_a_terminal)
    try:
        wait_mounted(proc, mnt)
        server = mountreg.server_of(os.path.realpath(mnt))
        assert server is not None and server.pid == proc.pid
        w = run("sh", "-c", f"echo {sig.name} > {mnt}/signal.txt")
        assert w.returncode == 0, w.stderr
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        assert (proc.returncode, out, err) == (0, "", "")
        assert not mounted(mnt)
        assert mountreg.server_of(os.path.realpath(mnt)) is None
    finally:
        proc.kill()
        proc.wait()
    assert read_back(disk, "/dev/sda1", "/signal.txt") == {"/signal.txt": f"{sig.name}\n".encode()}


def test_a_signal_inherited_as_ignored_stays_ignored(env: dict[str, str], disk: Path,
                                                    mnt: Path) -> None:
    def as_nohup() -> None:
        sigint_as_on_a_terminal()
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    proc = serve_no_fork(env, disk, mnt, as_nohup)
    try:
        wait_mounted(proc, mnt)
        proc.send_signal(signal.SIGHUP)  # the terminal of a nohup'd server went away
        time.sleep(2)
        assert proc.poll() is None and mounted(mnt)
        assert run("ls", str(mnt)).returncode == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
        assert not mounted(mnt)
    finally:
        proc.kill()
        proc.communicate()


def test_sigkill_takes_mount_and_qemu_away(env: dict[str, str], disk: Path, mnt: Path,
                                           tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    p = guestbox_cmd(env, "mount", "--format=raw", "-a", str(disk), "-m", "/dev/sda1",
                     "--pid-file", str(pid_file), str(mnt))
    assert p.returncode == 0, p.stderr
    pid = int(pid_file.read_text())
    assert any(name.startswith("qemu") for name in tagged(env[TAG]).values())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30  # QEMU frees its memory as it dies: slow under load
    while (mounted(mnt) or tagged(env[TAG])) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not mounted(mnt), "auto_unmount did not take the mount away"
    assert tagged(env[TAG]) == {}, "QEMU (or the fusermount3 helper) outlived the server"
    u = guestbox_cmd(env, "unmount", "--wait", str(mnt))
    assert (u.returncode, u.stderr) == (3, f"guestunmount: {mnt} is not mounted\n")


def test_busy_mount_is_retried_then_told(env: dict[str, str], disk: Path, mnt: Path) -> None:
    assert guestbox_cmd(env, "mount", "--format=raw", "-a", str(disk), "-m", "/dev/sda1",
                        str(mnt)).returncode == 0
    holder = subprocess.Popen(["sleep", "600"], cwd=mnt)
    try:
        started = time.monotonic()
        u = guestbox_cmd(env, "unmount", "--retry=1", str(mnt))
        assert u.returncode == 2
        assert time.monotonic() - started >= 1  # one retry, a second later
        assert u.stderr.startswith(f"guestunmount: failed to unmount {mnt}: ")
        assert "Device or resource busy" in u.stderr.splitlines()[0]
        assert mounted(mnt)
    finally:
        holder.kill()
        holder.wait()
    u = guestbox_cmd(env, "unmount", "--wait", str(mnt))
    assert (u.returncode, u.stderr) == (0, "")


# -- stopped before the mount is ready ----------------------------------------------------
def start_waiting_for_key(env: dict[str, str], mnt: Path, *options: str
                          ) -> subprocess.Popen[str]:
    """guestbox mount -i on the LUKS guest, asking for its passphrase on a stdin that
    stays open: it waits with QEMU running (returned once QEMU is there)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "guestbox.cli.main", "mount", *options, "--ro", "--format=raw",
         "-a", str(phony.image("fedora-lvm-on-luks")), "-i", "--keys-from-stdin", str(mnt)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, preexec_fn=sigint_as_on_a_terminal)  # Ctrl-C taken whatever ours is
    deadline = time.monotonic() + 120
    while not any(n.startswith("qemu") for n in tagged(env[TAG]).values()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "QEMU never started"
        time.sleep(0.1)
    return proc


def gone(env: dict[str, str], timeout: float = 10) -> None:
    """Wait until no process of the test is left (QEMU included); fail if one stays."""
    deadline = time.monotonic() + timeout
    while (left := tagged(env[TAG])) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == {}


def test_sigterm_while_setting_up_closes_the_appliance(env: dict[str, str], mnt: Path) -> None:
    proc = start_waiting_for_key(env, mnt, "--no-fork")
    try:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        gone(env)  # stdin still open: nothing may be waiting on it
    finally:
        proc.kill()
        proc.communicate()
    assert not mounted(mnt)


def test_ctrl_c_while_setting_up_stops_the_child(env: dict[str, str], mnt: Path) -> None:
    proc = start_waiting_for_key(env, mnt)
    try:
        proc.send_signal(signal.SIGINT)  # to the waiting parent only: it ends the child
        assert proc.wait(timeout=60) == 130
        gone(env)  # stdin still open: the child did not end by reading its end
    finally:
        proc.kill()
        proc.communicate()
    assert not mounted(mnt)


# -- errors ---------------------------------------------------------------------------------
def test_missing_disk(env: dict[str, str], mnt: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.img"
    p = guestbox_cmd(env, "mount", "-a", str(missing), "-m", "/dev/sda1", str(mnt))
    assert (p.returncode, p.stdout, p.stderr) == (
        1, "", f"guestmount: access: {missing}: No such file or directory\n")


def test_bad_m_device(env: dict[str, str], disk: Path, mnt: Path) -> None:
    p = guestbox_cmd(env, "mount", "--format=raw", "-a", str(disk), "-m", "/dev/sdb1",
                     str(mnt))
    assert (p.returncode, p.stdout) == (1, "")
    first, *rest = p.stderr.splitlines()
    assert first.startswith("libguestfs: error: mount_options: ") and "/dev/sdb1" in first
    assert rest == ["guestmount: ‘/dev/sdb1’ could not be mounted.",
                    "guestmount: Did you mean to mount one of these filesystems?",
                    "guestmount: \t/dev/sda1 (ext4)"]
    assert not mounted(mnt)


def test_bad_m_options(env: dict[str, str], disk: Path, mnt: Path) -> None:
    p = guestbox_cmd(env, "mount", "--format=raw", "-a", str(disk), "-m",
                     "/dev/sda1:/:nosuchoption", str(mnt))
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr.startswith("libguestfs: error: mount_options: ")
    assert p.stderr.endswith(
        "guestmount: ‘/dev/sda1’ could not be mounted.\n"
        "guestmount: Check mount(8) man page to ensure options ‘nosuchoption’\n"
        "guestmount: are supported by the filesystem that is being mounted.\n"
        "guestmount: Did you mean to mount one of these filesystems?\n"
        "guestmount: \t/dev/sda1 (ext4)\n")


def test_i_without_os(env: dict[str, str], mnt: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.img"
    with open(empty, "wb") as f:
        f.truncate(64 * MiB)
    p = guestbox_cmd(env, "mount", "--format=raw", "-a", str(empty), "-i", str(mnt))
    assert (p.returncode, p.stdout, p.stderr) == (1, "", no_os_message("guestmount"))


def test_mountpoint_missing(env: dict[str, str], disk: Path, tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    p = guestbox_cmd(env, "mount", "--format=raw", "-a", str(disk), "-m", "/dev/sda1",
                     str(nowhere))
    assert (p.returncode, p.stdout, p.stderr) == (
        1, "", f"guestmount: failed to access mountpoint {nowhere}: No such file or directory\n")


@pytest.mark.parametrize(("args", "message"), [
    ([], "guestmount: error: you must specify at least one -a or -d option.\n"
         "Try ‘guestbox mount --help’ for more information.\n"),
    (["-a", "{disk}", "{mnt}"], "guestmount: error: you must specify either -i at least one "
     "-m option.\nTry ‘guestbox mount --help’ for more information.\n"),
    (["-a", "{disk}", "-i"], "guestmount: you must specify a mountpoint in the host "
     "filesystem\n"),
    (["-a", "{disk}", "--format=raw", "-i", "{mnt}"],
     "guestmount: --format parameter must appear before -a parameter\n"),
    (["--ro", "-w", "-a", "{disk}", "-i", "{mnt}"],
     "guestmount: cannot mix --ro and --rw options\n"),
    (["--key", "sda2", "-a", "{disk}", "-i", "{mnt}"],
     "guestmount: selector 'sda2': missing TYPE\n"),
])
def test_option_errors(env: dict[str, str], disk: Path, mnt: Path, args: list[str],
                       message: str) -> None:
    argv = [a.format(disk=disk, mnt=mnt) for a in args]
    p = guestbox_cmd(env, "mount", *argv)
    assert (p.returncode, p.stdout, p.stderr) == (1, "", message)


def test_unmount_errors(env: dict[str, str], tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    u = guestbox_cmd(env, "unmount", str(plain))
    assert (u.returncode, u.stdout, u.stderr) == (3, "", f"guestunmount: {plain} is not mounted\n")
    assert guestbox_cmd(env, "unmount", "-q", str(plain)).stderr == ""
    u = guestbox_cmd(env, "unmount")
    assert (u.returncode, u.stderr) == (
        1, "guestunmount: you must specify a mountpoint in the host filesystem\n")
    u = guestbox_cmd(env, "unmount", "--retry=64", str(plain))
    assert (u.returncode, u.stderr) == (
        1, "guestunmount: cannot parse retries option or value is too large ‘64’\n")


def test_unmount_refuses_other_filesystems(env: dict[str, str], tmp_path: Path) -> None:
    """fusermount3 run as root unmounts whatever it is given: only FUSE mounts are passed."""
    other = tmp_path / "tmpfs"
    other.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "none", str(other)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        u = guestbox_cmd(env, "unmount", str(other))
        assert (u.returncode, u.stderr) == (
            1, f"guestunmount: {other} is not a FUSE mount (tmpfs): not unmounted\n")
        assert mount_type(str(other)) == "tmpfs"
    finally:
        subprocess.run(["umount", str(other)], check=False)
