"""Launch to first call, and the round trip of a small call (exists), for each library."""

from __future__ import annotations

from typing import Any

from common import MiB, handle, libraries, report, timed

LAUNCHES = 3
ROUND_TRIPS = 300


def launch_to_first_call(lib: Any) -> float:
    def once() -> None:
        g = handle(lib)
        g.add_drive_scratch(64 * MiB)
        g.launch()
        g.list_devices()
        g.close()

    return timed(once, LAUNCHES)


def round_trip(lib: Any) -> float:
    g = handle(lib)
    g.add_drive_scratch(64 * MiB)
    g.launch()
    g.mkfs("ext4", "/dev/sda")
    g.mount("/dev/sda", "/")
    g.exists("/lost+found")
    seconds = timed(lambda: [g.exists("/lost+found") for _ in range(ROUND_TRIPS)])
    g.close()
    return seconds / ROUND_TRIPS


def main() -> None:
    rows: list[tuple[str, str, dict[str, float]]] = [
        (f"launch to first call (median of {LAUNCHES})", "s", {}),
        ("round trip of exists", "ms", {}),
    ]
    for name, lib in libraries():
        rows[0][2][name] = launch_to_first_call(lib)
        rows[1][2][name] = round_trip(lib) * 1000
    report("launch", rows)


if __name__ == "__main__":
    main()
