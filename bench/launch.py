"""Launch figures for each library: first launch ever, cold boot, launch from a saved state,
round trip of a small call, QEMU's memory per appliance, eight appliances launched at once."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from common import MiB, handle, libraries, report, timed

import guestbox

LAUNCHES = 5
ROUND_TRIPS = 300
PARALLEL = 8

FIRST = """
import sys, time
sys.path.append("/usr/lib/python3/dist-packages")
lib = __import__(sys.argv[1])
t = time.perf_counter()
g = lib.GuestFS(python_return_dict=True)
if sys.argv[1] == "guestfs":
    g.set_backend_settings(["force_tcg"])
g.add_drive_scratch(64 << 20)
g.launch()
g.list_devices()
print(time.perf_counter() - t)
g.close()
"""


def first_launch_ever(lib: Any) -> float:
    """A launch with an empty cache: the appliance is built (and, for guestbox, the state saved)."""
    name = "guestbox" if lib is guestbox else "guestfs"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "GUESTBOX_CACHEDIR": cache, "LIBGUESTFS_CACHEDIR": cache}
        out = subprocess.run([sys.executable, "-c", FIRST, name], env=env, check=True,
                             capture_output=True, text=True).stdout
    return float(out.split()[-1])


def launch(lib: Any, settings: list[str] | None = None) -> float:
    def once() -> None:
        g = handle(lib)
        if settings:
            g.set_backend_settings(settings)
        g.add_drive_scratch(64 * MiB)
        g.launch()
        g.list_devices()
        g.close()

    once()  # the first one may make the saved state
    return timed(once, LAUNCHES)


def qemu_pid(g: Any) -> int:
    return int(g._vm.proc.pid) if isinstance(g, guestbox.GuestFS) else int(g.get_pid())


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def round_trip_and_rss(lib: Any) -> tuple[float, float]:
    g = handle(lib)
    g.add_drive_scratch(64 * MiB)
    g.launch()
    g.mkfs("ext4", "/dev/sda")
    g.mount("/dev/sda", "/")
    g.exists("/lost+found")
    seconds = timed(lambda: [g.exists("/lost+found") for _ in range(ROUND_TRIPS)], 5)
    rss = rss_mib(qemu_pid(g))
    g.close()
    return seconds / ROUND_TRIPS, rss


def parallel(lib: Any) -> float:
    """Wall time until PARALLEL handles, launched from as many threads, have all answered."""
    handles = [handle(lib) for _ in range(PARALLEL)]

    def go(g: Any) -> None:
        g.add_drive_scratch(64 * MiB)
        g.launch()
        g.list_devices()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=go, args=(g,)) for g in handles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    for g in handles:
        g.close()
    return seconds


def main() -> None:
    rows: list[tuple[str, str, dict[str, float]]] = [
        ("first launch ever (appliance build)", "s", {}),
        (f"launch, cold boot (median of {LAUNCHES})", "s", {}),
        (f"launch (median of {LAUNCHES})", "s", {}),
        ("round trip of exists (median of 5 x 300)", "ms", {}),
        ("QEMU RSS per appliance", "MB", {}),
        (f"{PARALLEL} launches at once", "s", {}),
    ]
    for name, lib in libraries():
        rows[0][2][name] = first_launch_ever(lib)
        if lib is guestbox:
            rows[1][2][name] = launch(lib, ["nosnapshot"])
        rows[2][2][name] = launch(lib)
        rt, rss = round_trip_and_rss(lib)
        rows[3][2][name], rows[4][2][name] = rt * 1000, rss
        rows[5][2][name] = parallel(lib)
    report("launch", rows)


if __name__ == "__main__":
    main()
