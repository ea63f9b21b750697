"""Moving data: upload and download of 256 MiB, and 200 small writes, for each library."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from common import MiB, handle, libraries, report, timed

SIZE = 256 * MiB
SMALL_WRITES = 200


def measure(lib: Any, src: str, dst: str) -> dict[str, float]:
    g = handle(lib)
    g.add_drive_scratch(1024 * MiB)
    g.launch()
    g.mkfs("ext4", "/dev/sda")
    g.mount("/dev/sda", "/")
    out = {
        "upload": timed(lambda: g.upload(src, "/big")),
        "download": timed(lambda: g.download("/big", dst)),
    }
    g.mkdir("/small")
    out["writes"] = timed(
        lambda: [g.write(f"/small/f{i}", b"x" * 100) for i in range(SMALL_WRITES)])
    g.close()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
        with open(src, "wb") as f:
            for _ in range(SIZE // MiB):
                f.write(os.urandom(MiB))
        rows: list[tuple[str, str, dict[str, float]]] = [
            ("upload 256 MiB", "s", {}), ("download 256 MiB", "s", {}),
            (f"{SMALL_WRITES} small writes", "s", {}),
        ]
        for name, lib in libraries():
            m = measure(lib, src, dst)
            rows[0][2][name], rows[1][2][name], rows[2][2][name] = (
                m["upload"], m["download"], m["writes"])
        report("io", rows)
        for name in rows[0][2]:
            print(f"{name}: upload {SIZE / MiB / rows[0][2][name]:.0f} MiB/s, "
                  f"download {SIZE / MiB / rows[1][2][name]:.0f} MiB/s")


if __name__ == "__main__":
    main()
