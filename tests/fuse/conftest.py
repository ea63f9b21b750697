"""Fixtures of the FUSE tests: real images mounted through the real kernel FUSE.

Every image is a copy of one template made once per session: 512 MiB raw, MBR,
/dev/sda1 ext4 (the guest's /, with an empty /boot) and /dev/sda2 ext4 (mounted
on /boot: a second filesystem, for EXDEV and `mv` across filesystems).
`mounted(image, ...)` launches a handle on an image, mounts both filesystems,
calls mount_local on a new host directory and serves it with mount_local_run in
a background thread; on leaving, on every path, it unmounts, joins the thread,
closes the handle and checks that neither the mount nor QEMU is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024
IMAGE_SIZE = 512 * MiB
BOOT_SECTORS = 64 * MiB // 512
NOBODY = 65534
NOBODY_PYTHON = "/usr/bin/python3"
"""Debian's interpreter: the tests' own lives under /root, which nobody cannot reach."""


def mounted_paths() -> set[str]:
    """Mount points in this process's mount table (octal escapes decoded)."""
    with open("/proc/self/mounts") as f:
        return {line.split()[1].encode().decode("unicode_escape") for line in f}


def sha256_file(path: str | os.PathLike[str]) -> str:
    """sha256 of a host file (an image: read in large blocks)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def qemu_alive(pid: int) -> bool:
    """Whether pid is a QEMU process still running (not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            comm, rest = f.read().split(" (", 1)[1].rsplit(") ", 1)
    except (OSError, ValueError):
        return False
    return comm.startswith("qemu") and rest.split()[0] != "Z"


@dataclass
class Mount:
    """A guest mounted on a host directory, served in a background thread."""

    g: guestbox.GuestFS
    path: Path
    image: Path
    qemu_pid: int
    thread: threading.Thread | None = None
    run_errors: list[BaseException] = field(default_factory=list)
    closed: bool = False

    def serve(self) -> None:
        """Run mount_local_run in a background thread (its exception, if any, is kept)."""
        def run() -> None:
            try:
                self.g.mount_local_run()
            except BaseException as e:  # noqa: BLE001 - reported by close()
                self.run_errors.append(e)

        self.thread = threading.Thread(target=run, name="mount_local_run", daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Unmount, join the thread, close the handle; fail if anything is left behind.

        Whatever fails, everything is still cleaned up (a lazy fusermount3 and a
        kill as last resorts) before the failure is raised.  Idempotent.
        """
        if self.closed:
            return
        self.closed = True
        problems: list[str] = []
        mp = str(self.path)
        try:
            if mp in mounted_paths():
                self.g.umount_local(retry=True)
        except Exception as e:  # noqa: BLE001 - reported below, after the cleanup
            problems.append(f"umount_local: {e!r}")
        finally:
            if self.thread is not None:
                self.thread.join(60)
                if self.thread.is_alive():
                    problems.append("mount_local_run did not return within 60 s of unmounting")
            if mp in mounted_paths():
                problems.append(f"{mp} still mounted after umount_local")
                subprocess.run(["fusermount3", "-u", "-z", mp], check=False)
            if self.thread is not None and self.thread.is_alive():
                self.thread.join(30)
            self.g.close()
            if qemu_alive(self.qemu_pid):
                problems.append(f"QEMU {self.qemu_pid} still running after close")
                os.kill(self.qemu_pid, signal.SIGKILL)
            if mp in mounted_paths():
                problems.append(f"{mp} still mounted after close")
            elif os.listdir(mp):  # the mount went away early and tests wrote to the host
                problems.append(f"{mp} is not empty after unmounting: {os.listdir(mp)}")
                shutil.rmtree(mp)
            with contextlib.suppress(OSError):
                os.rmdir(mp)
        problems += [f"mount_local_run raised {e!r}" for e in self.run_errors]
        assert not problems, "; ".join(problems)


def new_mountpoint() -> Path:
    """An empty directory that every user can reach (for the allow_other tests)."""
    path = Path(tempfile.mkdtemp(prefix="guestbox-fuse-", dir="/tmp"))
    path.chmod(0o755)
    return path


@contextlib.contextmanager
def mounted(image: Path, *, readonly: bool = False, drive_readonly: bool = False,
            options: str | None = None, cachetimeout: int | None = None,
            debugcalls: bool = False,
            prepare: Callable[[guestbox.GuestFS], None] | None = None) -> Iterator[Mount]:
    """Launch a handle on image, mount / and /boot, run prepare(g), mount_local and serve."""
    g = guestbox.GuestFS()
    m: Mount | None = None
    try:
        g.add_drive_opts(str(image), format="raw", readonly=drive_readonly)
        g.launch()
        assert g._vm is not None and g._vm.proc is not None
        m = Mount(g, new_mountpoint(), image, g._vm.proc.pid)
        g.mount("/dev/sda1", "/")
        g.mount("/dev/sda2", "/boot")
        if prepare is not None:
            prepare(g)
        g.mount_local(str(m.path), readonly=readonly, options=options,
                      cachetimeout=cachetimeout, debugcalls=debugcalls)
        m.serve()
        yield m
    finally:
        if m is not None:
            m.close()
        else:
            g.close()


def make_template(path: Path) -> None:
    """The template image: MBR, sda1 ext4 (with /boot) and sda2 ext4 of 64 MiB, 4 KiB blocks.

    (mke2fs would choose 1 KiB blocks for filesystems this small: xattrs would not fit.)
    """
    with guestbox.GuestFS() as g:
        g.disk_create(str(path), "raw", IMAGE_SIZE)
        g.add_drive_opts(str(path), format="raw")
        g.launch()
        g.part_init("/dev/sda", "mbr")
        end = IMAGE_SIZE // 512 - BOOT_SECTORS - 1
        g.part_add("/dev/sda", "p", 2048, end)
        g.part_add("/dev/sda", "p", end + 1, IMAGE_SIZE // 512 - 1)
        g.mkfs("ext4", "/dev/sda1", blocksize=4096, inode=256, label="root")
        g.mkfs("ext4", "/dev/sda2", blocksize=4096, inode=256, label="boot")
        g.mount("/dev/sda1", "/")
        g.mkdir("/boot")
        g.shutdown()


@pytest.fixture(scope="session")
def template_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template image, made once per session."""
    path = tmp_path_factory.mktemp("fuse-template") / "template.img"
    make_template(path)
    return path


@pytest.fixture(scope="session")
def fresh_image(template_image: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> Callable[[], Path]:
    """A factory: a new copy of the template image (sparse), for one test or module."""
    def make() -> Path:
        path = tmp_path_factory.mktemp("fuse-image") / "disk.img"
        subprocess.run(["cp", "--sparse=always", str(template_image), str(path)], check=True)
        return path
    return make


@pytest.fixture(scope="module")
def hostdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A host directory for the module's trees and copies, removed at the end."""
    path = tmp_path_factory.mktemp("fuse-host")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def work(m: Mount, request: pytest.FixtureRequest) -> Path:
    """A new directory on the module's mount (its fixture m) for one test."""
    assert str(m.path) in mounted_paths(), "the mount is gone"
    path = m.path / str(request.node.name)
    path.mkdir()
    return path


def run(*argv: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None,
        stdin: str = "") -> str:
    """Run a program; its stdout (text); fails the test with its stderr if it fails."""
    p = subprocess.run([os.fspath(a) for a in argv], cwd=cwd, input=stdin, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, f"{argv} exited {p.returncode}: {p.stderr}"
    return p.stdout


_NOBODY_SCRIPT = textwrap.dedent("""\
    import errno, os, sys
    op, path = sys.argv[1], sys.argv[2]
    ops = {
        "read": lambda: open(path, "rb").read(),
        "list": lambda: os.listdir(path),
        "stat": lambda: os.stat(path),
        "create": lambda: os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)),
        "write": lambda: os.close(os.open(path, os.O_WRONLY)),
        "mkdir": lambda: os.mkdir(path),
        "unlink": lambda: os.unlink(path),
        "chmod": lambda: os.chmod(path, 0o777),
    }
    try:
        ops[op]()
    except OSError as e:
        print(errno.errorcode[e.errno])
    else:
        print("OK")
""")


def as_nobody(op: str, path: str | os.PathLike[str]) -> str:
    """Do op on path as uid/gid 65534 in a child process: "OK" or the errno's name."""
    p = subprocess.run([NOBODY_PYTHON, "-c", _NOBODY_SCRIPT, op, os.fspath(path)],
                       user=NOBODY, group=NOBODY, extra_groups=[], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()[-1]


def errno_of(fn: Callable[[], object]) -> str:
    """The errno name fn fails with, or "OK"."""
    try:
        fn()
    except OSError as e:
        assert e.errno is not None, e
        return errno.errorcode[e.errno]
    return "OK"
