"""Inspection figures for each library on the phony debian and fedora guests: launch,
inspect_os, and the applications listed (the guest mounted read-only as inspect_get_mountpoints
says, as virt-inspector does), each the median of a few runs; and what was found, so that
the figures compare the same work."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # tests.phony

import time  # noqa: E402
from typing import Any  # noqa: E402

from common import handle, libraries, report  # noqa: E402

from guestbox.cli.inspect_report import mount_root  # noqa: E402
from tests import phony  # noqa: E402

GUESTS = ("debian", "fedora")
RUNS = 3


def once(lib: Any, disk: Path) -> tuple[float, float, float, str]:
    """Seconds of launch, inspect_os and the applications; what was found."""
    g = handle(lib)
    try:
        g.add_drive_opts(str(disk), readonly=True, format="raw")
        t0 = time.perf_counter()
        g.launch()
        t1 = time.perf_counter()
        roots = g.inspect_os()
        t2 = time.perf_counter()
        apps = 0
        for root in roots:
            mount_root(g, root, readonly=True)
            apps += len(g.inspect_list_applications2(root))
            g.umount_all()
        t3 = time.perf_counter()
    finally:
        g.close()
    return t1 - t0, t2 - t1, t3 - t2, f"{len(roots)} root(s), {apps} applications"


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main() -> None:
    rows: list[tuple[str, str, dict[str, float]]] = []
    found: list[str] = []
    for guest in GUESTS:
        disk = phony.image(guest)
        launch: tuple[str, str, dict[str, float]] = (f"{guest}: launch", "s", {})
        inspect = (f"{guest}: inspect_os", "s", {})
        apps = (f"{guest}: mount + applications", "s", {})
        total = (f"{guest}: all three", "s", {})
        for name, lib in libraries():
            runs = [once(lib, disk) for _ in range(RUNS)]
            for row, i in ((launch, 0), (inspect, 1), (apps, 2)):
                if row is not apps or not runs[-1][3].startswith("0 "):  # no root: no apps
                    row[2][name] = median([r[i] for r in runs])
            total[2][name] = median([r[0] + r[1] + r[2] for r in runs])
            found.append(f"{guest}, {name}: {runs[-1][3]}")
        rows += [launch, inspect, apps, total]
    report(f"inspection (median of {RUNS})", rows)
    print("\n".join(found))


if __name__ == "__main__":
    main()
