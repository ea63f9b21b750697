"""Whether KVM really works here: a short probe boot, its verdict cached per host.

/dev/kvm that exists but hangs guests is common in nested VMs (it does on the
machines this project is built on), so its existence proves nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import tempfile
import time
from pathlib import Path

from ..appliance.cache import cache_dir
from .spawn import popen

log = logging.getLogger(__name__)
PROBE_SECONDS = 4.0


def _cache_file(qemu: str, kernel: Path) -> Path:
    st = os.stat(qemu)
    key = f"{qemu}-{st.st_size}-{int(st.st_mtime)}-{kernel.name}-{os.uname().release}"
    return cache_dir() / f"kvm-probe-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"


def kvm_works(qemu: str, kernel: Path) -> bool:
    """True if a KVM guest gets as far as printing its kernel banner within a few seconds."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    cache = _cache_file(qemu, kernel)
    try:
        return bool(json.loads(cache.read_text())["kvm"])
    except (OSError, ValueError, KeyError):
        pass
    verdict = _probe(qemu, kernel)
    cache.write_text(json.dumps({"kvm": verdict, "when": time.time()}))
    log.info("KVM probe: %s", "works" if verdict else "does not work, using TCG")
    return verdict


def _probe(qemu: str, kernel: Path) -> bool:
    with tempfile.TemporaryDirectory(prefix="guestbox-kvm-") as d:
        out = Path(d) / "console"
        p = popen(
            [qemu, "-nodefaults", "-no-user-config", "-display", "none", "-machine", "accel=kvm",
             "-cpu", "host", "-m", "256", "-kernel", str(kernel), "-append",
             "console=ttyS0 earlyprintk=ttyS0 panic=-1", "-no-reboot",
             "-serial", f"file:{out}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + PROBE_SECONDS
            while time.monotonic() < deadline and p.poll() is None:
                if out.exists() and b"Linux version" in out.read_bytes():
                    return True
                time.sleep(0.1)
            return False
        finally:
            p.kill()
            p.wait()
