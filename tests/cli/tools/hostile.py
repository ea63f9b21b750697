"""What the tests of copy-in, copy-out, tar-in, tar-out and edit share: running a tool
as a program, a hostile guest image, a scratch image to write in, handles to check
what a tool did, and snapshots of host directories.  The images are made once per
session (hostile_place, work_image).

The hostile image (built with the API, raw ext4, one partition: -m /dev/sda1) holds
what a guest could use against the host that copies out of it: symlinks to the
host's /etc/passwd, to a canary file and a canary directory of the test (absolute
names), one with '../../' in it, device nodes, a FIFO, a setuid file, names with a
newline, an escape sequence and bytes that are not UTF-8 (the FIFO's too), a top-level symlink to a
directory, and two directories both named x: the first holds symlinks named evil
and sub leading to the canaries, the second a file evil and a directory sub, so that
copying both into one LOCALDIR writes "through" the first's links if anything does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox

SRC = str(Path(__file__).resolve().parents[3] / "src")
MiB = 1024 * 1024
NEWLINE_NAME = b"new\nline"
BYTES_NAME = b"bad-\xff\xfe-name"
ESCAPE_NAME = b"\x1b[31mred"
FIFO_NAME = b"fifo\n\x1b[2J\xff"  # told on stderr when refused: escaped, on one line


def run(*args: str, input: bytes | None = None, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """`guestbox ARGS` as a program: its stdout, stderr (bytes) and exit status."""
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", *args], input=input,
                          capture_output=True, cwd=cwd, timeout=600,
                          env={**os.environ, "PYTHONPATH": SRC, **(env or {})})


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def snapshot(root: Path, skip: Path | None = None) -> dict[bytes, tuple[object, ...]]:
    """Everything under root (links not followed, skip and what is under it left out):
    kind, mode, owner, size, mtime, and the content's digest or the link's target."""
    out: dict[bytes, tuple[object, ...]] = {}
    for top, dirs, files in os.walk(os.fsencode(root)):
        for name in dirs + files:
            p = os.path.join(top, name)
            st = os.lstat(p)
            extra: object = ""
            if stat.S_ISLNK(st.st_mode):
                extra = os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                extra = sha256(Path(os.fsdecode(p)))
            out[p] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
                      st.st_size, st.st_mtime_ns, extra)
    if skip is not None:
        s = os.fsencode(skip)
        out = {p: v for p, v in out.items() if p != s and not p.startswith(s + b"/")}
    return out


def make_world(root: Path) -> Path:
    """A host directory standing for the rest of the host: a canary file and directory."""
    root.mkdir()
    (root / "canary").write_bytes(b"canary\n")
    (root / "canary-dir").mkdir()
    (root / "canary-dir" / "inside").write_bytes(b"inside\n")
    return root


@contextlib.contextmanager
def ext4_image(path: Path) -> Iterator[guestbox.GuestFS]:
    """A new 64 MiB raw disk at path, MBR, /dev/sda1 ext4 mounted on /: a handle on it, to
    fill; shut down cleanly at the end of the block."""
    g = guestbox.GuestFS()
    try:
        g.disk_create(str(path), "raw", 64 * MiB)
        g.add_drive_opts(str(path), format="raw")
        g.launch()
        g.part_disk("/dev/sda", "mbr")
        g.mkfs("ext4", "/dev/sda1")
        g.mount("/dev/sda1", "/")
        yield g
        g.shutdown()
    finally:
        g.close()


def build_hostile(path: Path, world: Path) -> Path:
    """The hostile image at path (see the module's doc); world: make_world's directory."""
    with ext4_image(path) as g:
        for d in ("/data/sub", "/clean/sub", "/pair/a/x", "/pair/b/x/sub", "/etc"):
            g.mkdir_p(d)
        g.write("/etc/passwd", b"root:x:0:0:guest:/root:/bin/sh\n")
        g.write("/data/a.txt", b"hello\n")
        g.chown(1234, 5678, "/data/a.txt")
        g.write("/data/sub/b.txt", b"bee\n")
        g.chmod(0o4755, "/data/sub/b.txt")
        g.ln_s("/etc/passwd", "/data/passwd-link")
        g.ln_s("../../../../../../../etc/shadow", "/data/up-link")
        g.ln_s(str(world / "canary"), "/data/canary-link")
        g.ln_s("/etc", "/data/etc-dir-link")
        g.mknod_c(0o666, 1, 3, "/data/null-dev")
        g.mknod_b(0o666, 8, 0, "/data/sda-dev")
        g.mkfifo(0o644, "/data/" + os.fsdecode(FIFO_NAME))
        for name in (NEWLINE_NAME, BYTES_NAME, ESCAPE_NAME):
            g.write("/data/" + os.fsdecode(name), name + b"\n")
        g.write("/data/..x", b"dots\n")
        g.write("/clean/sub/c.txt", b"sea\n")
        g.ln_s("/data/sub", "/dirlink")
        g.ln_s(str(world / "canary"), "/pair/a/x/evil")
        g.ln_s(str(world / "canary-dir"), "/pair/a/x/sub")
        g.write("/pair/b/x/evil", b"pwned\n")
        g.write("/pair/b/x/sub/inside", b"pwned\n")
    return path


_PLACE: list[Path] = []


def hostile_place(factory: pytest.TempPathFactory) -> Path:
    """A directory with the hostile image (hostile.img) and its world/, built once per
    session; tests put their targets in it and snapshot it whole (the image included)."""
    if not _PLACE:
        top = factory.mktemp("hostile")
        build_hostile(top / "hostile.img", make_world(top / "world"))
        _PLACE.append(top)
    return _PLACE[0]


_WORK: list[Path] = []


def work_image(factory: pytest.TempPathFactory) -> Path:
    """A 64 MiB raw disk, one partition, ext4 (-m /dev/sda1) with only /etc/passwd in it,
    made once per session for the tools that write (each test writes its own names)."""
    if not _WORK:
        _WORK.append(scratch_image(factory.mktemp("work") / "work.img"))
    return _WORK[0]


def scratch_image(path: Path) -> Path:
    """A blank 64 MiB raw disk: one partition, ext4 (-m /dev/sda1), nothing in it but /etc."""
    with ext4_image(path) as g:
        g.mkdir("/etc")
        g.write("/etc/passwd", b"root:x:0:0:guest:/root:/bin/sh\n")
    return path


def opened(path: Path) -> guestbox.GuestFS:
    """A read-only handle on path with /dev/sda1 mounted on / (to check what a tool did)."""
    g = guestbox.GuestFS()
    g.add_drive_opts(str(path), format="raw", readonly=True)
    g.launch()
    g.mount_ro("/dev/sda1", "/")
    return g
