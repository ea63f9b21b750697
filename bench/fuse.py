"""FUSE mounts of the same image by guestbox (mount_local, served by mount_local_run in a
thread) and by libguestfs's guestmount: sequential read and write of a 256 MiB file, and a
walk of a tree of 10,000 small files (find, then find with stat), each on a fresh mount so
that the data comes from the guest, not from the host's page or dentry cache.

`--quick`: 32 MiB, 1,000 files, one run of each (a smoke run); `--no-libguestfs`: guestbox
alone.  Everything made here (image, mounts, appliances) is removed on every path, Ctrl-C
and SIGTERM included.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from common import MiB, force_tcg, make_tree_tarball, report, tree_file

import guestbox

DEVICE = "/dev/sda1"
SERVE_STOP = 120.0  # seconds mount_local_run may take to return after umount_local
GONE = 60.0  # seconds guestmount may take to exit after guestunmount


class BenchError(Exception):
    """A mount, an unmount or a measure that did not do what it should."""


@dataclass(frozen=True)
class Sizes:
    """How much work: the full benchmark's, or --quick's."""

    big: int  # bytes of the file read, and of each file written
    files: int  # files in the tree, 100 a directory
    runs: int  # fresh mounts per measure and tool


FULL = Sizes(256 * MiB, 10_000, 3)
QUICK = Sizes(32 * MiB, 1_000, 1)


@dataclass(frozen=True)
class Setup:
    """What every run works on: the sizes, the image and the content of its big file."""

    sizes: Sizes
    image: str
    data: bytes  # the content of /big, and of every file written

    @property
    def tree_bytes(self) -> int:
        return sum(len(tree_file(i)[1]) for i in range(self.sizes.files))


# -- the two mounts ------------------------------------------------------------------------

class Tool:
    """A FUSE implementation: its mount of the image, and how long mounts and unmounts took."""

    name = ""  # the report's column

    def __init__(self) -> None:
        self.mounts: list[float] = []
        self.unmounts: list[float] = []

    @contextlib.contextmanager
    def mounted(self, image: str, mnt: str) -> Iterator[None]:
        """image's DEVICE mounted read-write on mnt, answering, until the block is left."""
        t0 = time.perf_counter()
        with self._mount(image, mnt):
            if not os.path.ismount(mnt):  # also waits for the first answer from the mount
                raise BenchError(f"{self.name}: {mnt} is not a mount point")
            self.mounts.append(time.perf_counter() - t0)
            yield
            t1 = time.perf_counter()
        self.unmounts.append(time.perf_counter() - t1)

    def _mount(self, image: str, mnt: str) -> contextlib.AbstractContextManager[None]:
        """The mount, made on entry; on a normal exit unmounted cleanly with its appliance
        gone, else torn down whatever state it is in."""
        raise NotImplementedError


class Guestbox(Tool):
    """g.mount_local, mount_local_run in a thread, umount_local, close."""

    name = "guestbox"

    @contextlib.contextmanager
    def _mount(self, image: str, mnt: str) -> Iterator[None]:
        g = guestbox.GuestFS(python_return_dict=True)
        server: threading.Thread | None = None
        failed: list[BaseException] = []

        def serve() -> None:
            try:
                g.mount_local_run()
            except BaseException as e:  # noqa: B036 - reported by the main thread
                failed.append(e)

        try:
            g.add_drive_opts(image, format="raw")
            g.launch()
            g.mount(DEVICE, "/")
            g.mount_local(mnt)
            server = threading.Thread(target=serve, name="mount_local_run", daemon=True)
            server.start()
            yield
            g.umount_local()
            server.join(SERVE_STOP)
            if server.is_alive():
                raise BenchError(f"mount_local_run still serving {SERVE_STOP:.0f} s "
                                 "after umount_local")
            if failed:
                raise BenchError(f"mount_local_run: {failed[0]!r}") from failed[0]
            g.close()
        finally:
            if server is not None and server.is_alive():
                with contextlib.suppress(Exception):
                    g.umount_local()
                server.join(30)
            g.close()


class Guestmount(Tool):
    """guestmount (it forks once the mount is ready), guestunmount, and the wait until its
    process, and so its QEMU, is gone."""

    name = "libguestfs"

    def __init__(self) -> None:
        super().__init__()
        self.env = dict(os.environ)
        if force_tcg():
            self.env["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg"

    @contextlib.contextmanager
    def _mount(self, image: str, mnt: str) -> Iterator[None]:
        pidfile = f"{mnt}.pid"
        try:
            run(["guestmount", "--format=raw", "-a", image, "-m", DEVICE,
                 "--pid-file", pidfile, mnt], self.env)
            yield
            run(["guestunmount", mnt], self.env)
            pid = read_pid(pidfile)
            if not wait_gone(pid, GONE):
                raise BenchError(f"guestmount (pid {pid}) still running {GONE:.0f} s "
                                 "after guestunmount")
        finally:
            with contextlib.suppress(FileNotFoundError, ValueError):
                pid = read_pid(pidfile)
                if alive(pid):
                    subprocess.run(["guestunmount", "--quiet", "--no-retry", mnt], env=self.env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for sig in (signal.SIGTERM, signal.SIGKILL):
                        if wait_gone(pid, 30):
                            break
                        os.kill(pid, sig)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(pidfile)


def run(argv: list[str], env: dict[str, str]) -> None:
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"{argv[0]} exited with {p.returncode}: {p.stderr.strip()}")


def read_pid(pidfile: str) -> int:
    with open(pidfile) as f:
        return int(f.read())


def alive(pid: int) -> bool:
    """Whether pid runs (a zombie does not: the daemon's new parent may never reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- the measures ---------------------------------------------------------------------------

def read_big(setup: Setup, mnt: str, tag: str) -> float:
    """Seconds to read /big with 1 MiB reads to end of file; then checks every byte."""
    buf = bytearray(setup.sizes.big + MiB)  # room for the read that finds the end
    view = memoryview(buf)
    n = 0
    t0 = time.perf_counter()
    with open(os.path.join(mnt, "big"), "rb", buffering=0) as f:
        while k := f.readinto(view[n:n + MiB]):
            n += k
    seconds = time.perf_counter() - t0
    if n != len(setup.data) or view[:n] != setup.data:
        raise BenchError(f"read of /big: {n} bytes, not the {len(setup.data)} uploaded")
    return seconds


def write_new(setup: Setup, mnt: str, tag: str) -> float:
    """Seconds to create a new file, write it with 1 MiB writes, fsync and close it."""
    view = memoryview(setup.data)
    t0 = time.perf_counter()
    fd = os.open(os.path.join(mnt, written(tag)), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        n = 0
        while n < len(view):
            n += os.write(fd, view[n:n + MiB])
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - t0


def find_files(setup: Setup, mnt: str, tag: str) -> float:
    """Seconds of `find tree -type f`; checks that every file was listed."""
    t0 = time.perf_counter()
    out = subprocess.run(["find", os.path.join(mnt, "tree"), "-type", "f"],
                         capture_output=True, check=True).stdout
    seconds = time.perf_counter() - t0
    if (listed := out.count(b"\n")) != setup.sizes.files:
        raise BenchError(f"find listed {listed} files, not {setup.sizes.files}")
    return seconds


def stat_files(setup: Setup, mnt: str, tag: str) -> float:
    """Seconds of `find tree -type f -exec stat --format=%s {} +`; checks the sizes' sum."""
    t0 = time.perf_counter()
    out = subprocess.run(["find", os.path.join(mnt, "tree"), "-type", "f", "-exec",
                          "stat", "--format=%s", "{}", "+"],
                         capture_output=True, check=True).stdout
    seconds = time.perf_counter() - t0
    sizes = [int(s) for s in out.split()]
    if len(sizes) != setup.sizes.files or sum(sizes) != setup.tree_bytes:
        raise BenchError(f"stat saw {len(sizes)} files of {sum(sizes)} bytes, "
                         f"not {setup.sizes.files} of {setup.tree_bytes}")
    return seconds


def written(tag: str) -> str:
    return f"written-{tag}"


Measure = Callable[[Setup, str, str], float]
MEASURES: list[tuple[str, Measure]] = [
    ("read", read_big), ("write", write_new), ("find", find_files), ("stat", stat_files)]


# -- preparation and checks -----------------------------------------------------------------

@contextlib.contextmanager
def scratch() -> Iterator[str]:
    """A temporary directory, removed with all in it once nothing is mounted there."""
    d = tempfile.mkdtemp(prefix="guestbox-bench-fuse-")
    try:
        yield d
    finally:
        for mnt in mounts_under(d):  # only if a mount's own clean-up failed
            print(f"(lazy unmount of {mnt}, left mounted)", file=sys.stderr)
            subprocess.run(["fusermount3", "-u", "-z", mnt])
        shutil.rmtree(d)


def mounts_under(d: str) -> list[str]:
    with open("/proc/self/mounts") as f:
        points = [line.split()[1].replace("\\040", " ") for line in f]
    return [p for p in points if p.startswith(d + "/")]


def prepare(d: str, sizes: Sizes) -> Setup:
    """The image: MBR, DEVICE ext4 with /big (random bytes) and /tree (small files), made with
    guestbox's API once for both tools; then read once so that both find it in the host's
    page cache."""
    data = os.urandom(sizes.big)
    src, tarball, image = (os.path.join(d, n) for n in ("big", "tree.tar", "disk.img"))
    with open(src, "wb") as f:
        f.write(data)
    make_tree_tarball(tarball, sizes.files)
    g = guestbox.GuestFS(python_return_dict=True)
    try:
        # /big, the files written (2 tools x runs) and the tree, with room to spare
        g.disk_create(image, "raw", sizes.big * (2 + 2 * sizes.runs) + sizes.files * 8192)
        g.add_drive_opts(image, format="raw")
        g.launch()
        g.part_disk("/dev/sda", "mbr")
        g.mkfs("ext4", DEVICE)
        g.mount(DEVICE, "/")
        g.upload(src, "/big")
        g.tar_in(tarball, "/")
        g.umount_all()
    finally:
        g.close()
    os.unlink(src)
    os.unlink(tarball)
    with open(image, "rb") as f:
        while f.read(16 * MiB):
            pass
    return Setup(sizes, image, data)


def check_written(setup: Setup, tags: list[str], d: str) -> None:
    """Every file the write measure made is in the image, whole (read back with the API)."""
    g = guestbox.GuestFS(python_return_dict=True)
    copy = os.path.join(d, "copy")
    try:
        g.add_drive_opts(setup.image, format="raw", readonly=True)
        g.launch()
        g.mount_ro(DEVICE, "/")
        for tag in tags:
            g.download(f"/{written(tag)}", copy)
            with open(copy, "rb") as f:
                if f.read() != setup.data:
                    raise BenchError(f"/{written(tag)} is not what was written")
    finally:
        g.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(copy)


# -- the run and its report -----------------------------------------------------------------

def fuse_missing() -> str | None:
    """Why this host cannot make FUSE mounts, or None."""
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse does not exist"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is not installed (apt-get install fuse3)"
    return None


def tools(no_libguestfs: bool) -> list[Tool]:
    found: list[Tool] = [Guestbox()]
    if no_libguestfs:
        return found
    if shutil.which("guestmount") and shutil.which("guestunmount"):
        found.append(Guestmount())
    else:
        print("(guestmount is not installed: apt-get install libguestfs-tools to compare)\n")
    return found


def bench(sizes: Sizes, chosen: list[Tool]) -> dict[str, dict[str, list[float]]]:
    """{tool: {measure: seconds of each run}}: each run on a fresh mount, the tools in turn."""
    times: dict[str, dict[str, list[float]]] = {t.name: {} for t in chosen}
    with scratch() as d:
        setup = prepare(d, sizes)
        for key, measure in MEASURES:
            for i in range(sizes.runs):
                for tool in chosen:
                    mnt = os.path.join(d, f"mnt-{tool.name}")
                    os.makedirs(mnt, exist_ok=True)
                    with tool.mounted(setup.image, mnt):
                        seconds = measure(setup, mnt, f"{tool.name}-{i}")
                    times[tool.name].setdefault(key, []).append(seconds)
        check_written(setup, [f"{t.name}-{i}" for t in chosen for i in range(sizes.runs)], d)
    for tool in chosen:
        times[tool.name] |= {"mount": tool.mounts, "unmount": tool.unmounts}
    return times


NOTE = """\
Each measure on a fresh mount (a new appliance: the guest's caches and the host's FUSE caches
are cold; the image file itself is in the host's page cache). Timed: read = open, 1 MiB reads
to end of file; write = open a new file, 1 MiB writes, fsync, close (the unmount is its own
line); find and stat = the commands over the tree. Launch + mount: from a new handle
(guestbox) or the start of guestmount until the mount answers a stat. Ranges: min-max.
Issue 7's targets: at least 3 x guestmount on read and write, 2 x on find and stat.
"""


def print_report(sizes: Sizes, times: dict[str, dict[str, list[float]]]) -> None:
    mib, files = sizes.big // MiB, f"{sizes.files:,}"
    rows = [
        ("mount", "launch + mount, until it answers"),
        ("read", f"sequential read, {mib} MiB"),
        ("write", f"sequential write, {mib} MiB + fsync"),
        ("find", f"find -type f, {files} files"),
        ("stat", f"find -exec stat, {files} files"),
        ("unmount", "unmount, appliance stopped"),
    ]
    report(f"FUSE mount: guestbox mount_local, libguestfs guestmount (median of {sizes.runs})",
           [(label, "s", {n: statistics.median(t[key]) for n, t in times.items()})
            for key, label in rows])
    print(NOTE)
    for name, t in times.items():
        speed = ", ".join(f"{key} {sizes.big / MiB / statistics.median(t[key]):.0f} MiB/s"
                          for key in ("read", "write"))
        walk = sizes.files / statistics.median(t["stat"])
        ranges = ", ".join(f"{key} {min(t[key]):.3f}-{max(t[key]):.3f}" for key, _ in rows)
        print(f"{name}: {speed}, stat {walk:.0f} files/s; ranges (s): {ranges}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="32 MiB, 1,000 files, one run of each: a smoke run")
    parser.add_argument("--no-libguestfs", action="store_true", help="guestbox alone")
    args = parser.parse_args()
    if why := fuse_missing():
        print(f"(no FUSE benchmark: {why})")
        return
    # SIGTERM unwinds like Ctrl-C: every mount, appliance and file is removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    sizes = QUICK if args.quick else FULL
    load = os.getloadavg()[0]
    times = bench(sizes, tools(args.no_libguestfs))
    print_report(sizes, times)
    print(f"(load average over the last minute: {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
