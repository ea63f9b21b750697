"""Moving data, for each library: upload and download of 256 MiB, a copy of 100 MiB inside
the guest, tar-in and tar-out of a tree of 10,000 small files, 200 small writes,
pread/pwrite of 4 KiB and of 1 MiB pieces."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from common import MiB, handle, libraries, make_tree_tarball, report, timed

SIZE = 256 * MiB
SMALL_WRITES = 200
TREE_FILES = 10_000
PIO = 200
BIG_PIO = 32  # calls of 1 MiB
COPY = 100 * MiB


def measure(lib: Any, src: str, dst: str, tarball: str) -> dict[str, float]:
    g = handle(lib)
    g.add_drive_scratch(1024 * MiB)
    g.launch()
    g.mkfs("ext4", "/dev/sda")
    g.mount("/dev/sda", "/")
    out = {
        "upload": timed(lambda: g.upload(src, "/big")),
        "download": timed(lambda: g.download("/big", dst)),
    }
    out["copy"] = timed(lambda: g.copy_file_to_file("/big", "/big2", size=COPY))
    g.rm("/big2")
    g.mkdir("/tree")
    out["tar_in"] = timed(lambda: g.tar_in(tarball, "/tree"))
    out["tar_out"] = timed(lambda: g.tar_out("/tree", dst))
    g.sync()  # let the guest write the tree back now, not during the next measures
    g.mkdir("/small")
    out["writes"] = timed(
        lambda: [g.write(f"/small/f{i}", b"x" * 100) for i in range(SMALL_WRITES)])
    # pread and pwrite on a new file: /big came by upload, which guestbox writes with
    # O_DIRECT (not in the guest's page cache) and libguestfs through the page cache, so
    # working on it would measure that, not the calls.
    g.touch("/pio")
    g.truncate_size("/pio", BIG_PIO * MiB)
    block = b"y" * 4096
    out["pwrite"] = timed(lambda: [g.pwrite("/pio", block, i * 8192) for i in range(PIO)]) / PIO
    out["pread"] = timed(lambda: [g.pread("/pio", 4096, i * 8192) for i in range(PIO)]) / PIO
    block = b"z" * MiB
    out["pwrite_big"] = timed(lambda: [g.pwrite("/pio", block, i * MiB) for i in range(BIG_PIO)])
    out["pread_big"] = timed(lambda: [g.pread("/pio", MiB, i * MiB) for i in range(BIG_PIO)])
    g.close()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        src, dst, tarball = (os.path.join(d, n) for n in ("src", "dst", "tree.tar"))
        with open(src, "wb") as f:
            for _ in range(SIZE // MiB):
                f.write(os.urandom(MiB))
        make_tree_tarball(tarball, TREE_FILES)
        results = {name: measure(lib, src, dst, tarball) for name, lib in libraries()}
    rows = [
        ("upload 256 MiB", "s", "upload", 1.0), ("download 256 MiB", "s", "download", 1.0),
        (f"copy_file_to_file of {COPY // MiB} MiB", "s", "copy", 1.0),
        (f"tar-in of {TREE_FILES} small files", "s", "tar_in", 1.0),
        (f"{SMALL_WRITES} small writes", "s", "writes", 1.0),
        (f"tar-out of {TREE_FILES} small files", "s", "tar_out", 1.0),
        ("pwrite of 4 KiB", "ms", "pwrite", 1000.0), ("pread of 4 KiB", "ms", "pread", 1000.0),
        (f"pwrite of {BIG_PIO} MiB, 1 MiB a call", "s", "pwrite_big", 1.0),
        (f"pread of {BIG_PIO} MiB, 1 MiB a call", "s", "pread_big", 1.0),
    ]
    report("io", [(m, unit, {n: r[key] * scale for n, r in results.items()})
                  for m, unit, key, scale in rows])
    for name, r in results.items():
        print(f"{name}: upload {SIZE / MiB / r['upload']:.0f} MiB/s, "
              f"download {SIZE / MiB / r['download']:.0f} MiB/s")


if __name__ == "__main__":
    main()
