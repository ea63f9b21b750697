"""Shared pieces of the benchmarks: the libraries to compare, timing, the report table.

Each benchmark runs the same code on guestbox and, when python3-guestfs is
installed (apt-get install python3-guestfs libguestfs-tools), on libguestfs,
whose Python API is the same; it prints both figures and their ratio.
"""

from __future__ import annotations

import io
import statistics
import sys
import tarfile
import time
from collections.abc import Callable
from typing import Any

import guestbox
from guestbox.appliance import builder
from guestbox.launch.kvm import kvm_works
from guestbox.launch.vm import qemu_binary

MiB = 1024 * 1024


def libraries() -> list[tuple[str, Any]]:
    """(name, module) for guestbox and, if it is installed, libguestfs."""
    libs: list[tuple[str, Any]] = [("guestbox", guestbox)]
    try:
        import guestfs  # type: ignore[import-not-found]
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import guestfs
        except ImportError:
            print("(libguestfs is not installed: apt-get install python3-guestfs "
                  "libguestfs-tools to compare)\n")
            return libs
    libs.append(("libguestfs", guestfs))
    return libs


def force_tcg() -> bool:
    """Whether libguestfs must be told force_tcg: KVM does not really work here."""
    return not kvm_works(qemu_binary(), builder.ensure().kernel)


def handle(lib: Any) -> Any:
    """A new handle of lib; libguestfs gets force_tcg where KVM does not really work."""
    g = lib.GuestFS(python_return_dict=True)
    if lib is not guestbox and force_tcg():
        g.set_backend_settings(["force_tcg"])
    return g


def tree_file(i: int) -> tuple[str, bytes]:
    """Path and content of the i-th file of the benchmarks' tree: 100 files a directory."""
    return f"tree/d{i // 100:03d}/f{i:05d}", f"file {i}\n".encode() * 10


def make_tree_tarball(path: str, files: int) -> None:
    """A tar archive of the tree of files small files (tree_file) at path."""
    with tarfile.open(path, "w") as tf:
        for i in range(files):
            name, data = tree_file(i)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Median wall-clock seconds of fn over repeat runs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def report(title: str, rows: list[tuple[str, str, dict[str, float]]]) -> None:
    """Print rows of (measure, unit, {library: value}); lower is better for every value."""
    names = sorted({n for _, _, v in rows for n in v}, key=lambda n: n != "guestbox")
    print(f"## {title}\n")
    head = f"| {'measure':<34} | " + " | ".join(f"{n:>12}" for n in names)
    if len(names) > 1:
        head += " | libguestfs / guestbox"
    print(head + " |")
    print("|" + "---|" * (len(names) + 1 + (len(names) > 1)))
    for measure, unit, values in rows:
        cells = [f"{values[n]:>9.3f} {unit:<2}" if n in values else f"{'-':>12}" for n in names]
        line = f"| {measure:<34} | " + " | ".join(cells)
        if len(names) > 1:
            a, b = values.get("guestbox"), values.get("libguestfs")
            line += f" | {b / a:>8.1f} x" if a and b else " | -"
        print(line + " |")
    print()
