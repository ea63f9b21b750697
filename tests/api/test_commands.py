"""command, command_lines, sh, sh_lines: the guest's programs, chrooted into its root.

The guest root is made in the test: the host's dash (as /bin/sh) and the
libraries `ldd` lists for it, packed by Python's tarfile with their modes and
unpacked with tar_in (so no chmod is needed).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024


def dash_root_tarball() -> bytes:
    """A tarball of a tiny guest root: /bin/sh (the host's dash), its libraries, /dev ..."""
    dash = shutil.which("dash") or "/usr/bin/dash"
    if not os.path.exists(dash):
        pytest.skip("dash is not installed on this host (Debian package dash)")
    out = subprocess.run(["ldd", dash], capture_output=True, text=True, check=True).stdout
    libs = re.findall(r"(/\S+) \(0x", out)  # 'libc.so.6 => /lib/.../libc.so.6 (0x...)'
    files = {"bin/sh": os.path.realpath(dash)}
    for lib in libs:
        files[lib.lstrip("/")] = os.path.realpath(lib)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        dirs = {"dev", "proc", "sys", "tmp", "bin"}
        for name in files:
            parts = name.split("/")[:-1]
            dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        for d in sorted(dirs):  # real directories, even where the host merged /usr
            ti = tarfile.TarInfo(d)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            tf.addfile(ti)
        for name, src in files.items():
            data = Path(src).read_bytes()
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o755
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture(scope="module")
def cg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[guestbox.GuestFS]:
    """A handle with a small ext4 guest root holding /bin/sh; checks the unmounted error first."""
    tarball = tmp_path_factory.mktemp("guestroot") / "root.tar"
    tarball.write_bytes(dash_root_tarball())
    h = guestbox.GuestFS()
    h.add_drive_scratch(256 * MiB)
    h.launch()
    try:
        with pytest.raises(guestbox.Error, match="command: do_command: you must call"):
            h.command(["/bin/sh", "-c", "true"])
        h.mkfs("ext4", "/dev/sda")
        h.mount("/dev/sda", "/")
        h.tar_in(str(tarball), "/")
        yield h
    finally:
        h.close()


def test_sh_and_command(cg: guestbox.GuestFS) -> None:
    assert cg.sh("echo hello") == "hello\n"
    assert cg.command(["/bin/sh", "-c", "echo a; echo b"]) == "a\nb\n"
    assert cg.command(["sh", "-c", "echo found in PATH"]) == "found in PATH\n"
    assert cg.command_lines(["/bin/sh", "-c", "echo a; echo; echo b"]) == ["a", "", "b"]
    assert cg.sh_lines("printf 'x\\ny'") == ["x", "y"]
    assert cg.sh_lines("true") == []
    assert cg.sh("echo $0 $#; pwd") == "/bin/sh 0\n/\n"


def test_runs_chrooted_in_the_guest(cg: guestbox.GuestFS) -> None:
    assert cg.sh("test -e /sysroot || echo chrooted") == "chrooted\n"
    cg.sh("echo written by the guest > /tmp/out.txt")
    assert cg.cat("/tmp/out.txt") == "written by the guest\n"


def test_bind_mounts_during_the_run_only(cg: guestbox.GuestFS) -> None:
    out = cg.sh("test -d /proc/self && echo proc; test -b /dev/sda && echo dev;"
                " test -d /sys/block && echo sys")
    assert out == "proc\ndev\nsys\n"
    assert cg.ls("/proc") == []
    assert cg.ls("/dev") == []
    assert cg.ls("/sys") == []


def test_errors(cg: guestbox.GuestFS) -> None:
    with pytest.raises(guestbox.Error) as e:
        cg.sh("echo some output; echo oops >&2; exit 3")
    assert str(e.value) == "sh: oops"
    with pytest.raises(guestbox.Error) as e:
        cg.command(["/bin/sh", "-c", "echo bad >&2; echo worse >&2; exit 1"])
    assert str(e.value) == "command: bad\nworse"
    with pytest.raises(guestbox.Error, match="command: passed an empty list"):
        cg.command([])
    with pytest.raises(FileNotFoundError, match="command: /no/such/program: No such file"):
        cg.command(["/no/such/program"])
    with pytest.raises(guestbox.Error, match="sh_lines: /bin/sh: exited with status 4"):
        cg.sh_lines("exit 4")
    # After failures nothing is left mounted in the guest.
    assert cg.ls("/proc") == []
