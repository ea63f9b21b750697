"""Where a cold boot's time goes: QEMU and firmware, kernel, initramfs unpacking, Python,
module loading, the agent's imports.  Kernel timestamps come from the console (so this
boots verbosely, a little slower than a quiet boot), the agent's from its hello."""

from __future__ import annotations

import re
import statistics
import time

from common import MiB  # noqa: F401 - puts the project on the path like the other benchmarks

from guestbox.appliance import builder
from guestbox.launch.vm import VM, VMConfig

RUNS = 3
STAMP = re.compile(r"^\[\s*(\d+\.\d+)\]")


def one(quiet: bool) -> dict[str, float]:
    lines: list[tuple[float, str]] = []
    vm = VM(builder.ensure(), [], VMConfig(verbose=not quiet),
            lambda line: lines.append((time.monotonic(), line)))
    t0 = time.monotonic()
    try:
        vm.start()
        t_hello = time.monotonic()
    finally:
        vm.kill()
    if quiet:
        return {"total": t_hello - t0}

    def kernel(text: str) -> tuple[float, float]:
        for host, line in lines:
            m = STAMP.match(line)
            if m and text in line:
                return float(m.group(1)), host
        raise LookupError(text)

    run_init, host_init = kernel("Run /init")
    kstart = host_init - run_init  # host clock when the kernel started
    unpack, _ = kernel("Trying to unpack rootfs")
    unpacked, _ = kernel("Freeing initrd memory")
    marks = vm.hello["marks"]
    assert isinstance(marks, dict)
    return {
        "QEMU start and firmware": kstart - t0,
        "kernel until initramfs": unpack,
        "initramfs unpack": unpacked - unpack,
        "kernel until /init": run_init - unpacked,
        "python start": marks["python"] - run_init,
        "mounts": marks["mounted"] - marks["python"],
        "module loading": marks["modules"] - marks["mounted"],
        "agent imports": marks["imports"] - marks["modules"],
        "virtio-serial port": marks["port"] - marks["imports"],
        "hello reaches host": t_hello - kstart - marks["port"],
        "total": t_hello - t0,
    }


def main() -> None:
    runs = [one(quiet=False) for _ in range(RUNS)]
    quiet = statistics.median(one(quiet=True)["total"] for _ in range(RUNS))
    print(f"## cold boot breakdown (median of {RUNS} verbose boots)\n")
    print("| phase | seconds |\n|---|---|")
    for key in runs[0]:
        print(f"| {key} | {statistics.median(r[key] for r in runs):.3f} |")
    print(f"\nquiet cold boot to hello (median of {RUNS}): {quiet:.3f} s")


if __name__ == "__main__":
    main()
