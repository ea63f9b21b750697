"""Builds the appliance (kernel + initramfs) from the host's installed packages, and caches it.

The cache key is a hash of what the appliance is made from: the kernel, the
state of the host's package database, the agent's sources and this
builder's version.  Building takes a lock, so two first launches don't race,
and writes into a temporary directory renamed into place when complete.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import shutil
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import closure
from .cache import cache_dir, locked, remove_unused
from .cpio import CpioWriter
from .elf import drop_data_object
from .kernel import unpack_for_pvh

log = logging.getLogger(__name__)
BUILDER_VERSION = "1"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # src/guestbox
AGENT_PARTS = ("api", "agent", "protocol")
AGENT_DIR = "/usr/lib/guestbox"
DPKG_STATUS = "/var/lib/dpkg/status"

INIT = f"""#!/usr/bin/python3 -IS
import sys
sys.path.insert(0, "{AGENT_DIR}")
from guestbox.agent.init import main
main()
"""

ETC_FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
    "etc/group": "root:x:0:\n",
    "etc/fstab": "",
    "etc/hostname": "guestbox\n",
    # mdadm scans only the guest's disks (never the appliance's virtio disks, such as the
    # mailbox) and assembles whatever arrays it finds there (md.assemble_arrays at launch).
    "etc/mdadm/mdadm.conf": "DEVICE /dev/sd*\nAUTO +all\n",
    "etc/lvm/lvm.conf": """\
devices {
    obtain_device_list_from_udev = 0
    external_device_info_source = "none"
    use_devicesfile = 0
    filter = [ "a|^/dev/sd|", "a|^/dev/md|", "a|^/dev/mapper/|",
               "a|^/dev/loop|", "r|.*|" ]
}
activation {
    udev_sync = 0
    udev_rules = 0
    verify_udev_operations = 1
    monitoring = 0
}
global {
    use_lvmpolld = 0
    locking_dir = "/run/lock/lvm"
}
backup {
    backup = 0
    archive = 0
}
""",
}


@dataclasses.dataclass(frozen=True)
class Appliance:
    """A built appliance: its kernel, its initramfs and the key it was built for."""

    kernel: Path
    initrd: Path
    key: str
    directory: Path

    def info(self) -> dict[str, object]:
        manifest = self.directory / "manifest.json"
        data: dict[str, object] = json.loads(manifest.read_text()) if manifest.exists() else {}
        return {"directory": str(self.directory), "kernel": str(self.kernel),
                "initrd": str(self.initrd), "key": self.key,
                "initrd_size": self.initrd.stat().st_size, **data}


def _agent_sources() -> list[Path]:
    out = []
    for part in (*AGENT_PARTS, "appliance"):  # the builder's own code shapes the result too
        out.extend(sorted((PACKAGE_ROOT / part).rglob("*.py")))
    return out


def cache_key() -> str:
    """A hash of everything the appliance is built from; cheap enough for every launch."""
    vmlinuz, moddir = closure.kernel()
    h = hashlib.sha256(BUILDER_VERSION.encode())
    for p in (vmlinuz, DPKG_STATUS, closure.PYTHON):
        try:
            st = os.stat(p)
            h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        except FileNotFoundError:
            h.update(f"{p}:missing\n".encode())
    for src in _agent_sources():
        h.update(str(src.relative_to(PACKAGE_ROOT)).encode() + b"\0" + src.read_bytes())
    return h.hexdigest()[:16]


def find(key: str | None = None) -> Appliance | None:
    """The cached appliance for the current inputs, if it is built."""
    key = key or cache_key()
    d = cache_dir() / f"appliance-{key}"
    return _appliance(d, key) if (d / "manifest.json").exists() else None


def _appliance(d: Path, key: str) -> Appliance:
    """The appliance built in d: its kernel is vmlinux when it boots by PVH (see kernel.py)."""
    kernel = d / "vmlinux" if (d / "vmlinux").exists() else d / "vmlinuz"
    return Appliance(kernel, d / "initrd", key, d)


def ensure(quiet: bool = True) -> Appliance:
    """The appliance for the current inputs, building it first if needed."""
    key = cache_key()
    found = find(key)
    if found:
        return found
    with locked(cache_dir() / "appliance.lock"):
        found = find(key)  # another process may have built it while we waited
        if found:
            return found
        if not quiet:
            print("building the appliance from this host's packages (once) ...", flush=True)
        built = build(key)
        _remove_old(key)
        return built


def clean() -> list[Path]:
    """Remove every cached appliance; the directories removed."""
    removed = []
    with locked(cache_dir() / "appliance.lock"):
        for d in cache_dir().glob("appliance-*"):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def _remove_old(keep: str) -> None:
    """Remove the appliances of older inputs, except those a running QEMU still uses (the
    next build removes them)."""
    for d in cache_dir().glob("appliance-*"):
        if d.name != f"appliance-{keep}" and d.is_dir():
            remove_unused(d)


def build(key: str) -> Appliance:
    """Build the appliance into the cache (call with the lock held)."""
    t0 = time.monotonic()
    vmlinuz, moddir = closure.kernel()
    mods = closure.modules(moddir)
    tools = closure.tools()
    final = cache_dir() / f"appliance-{key}"
    tmp = Path(tempfile.mkdtemp(prefix="appliance-build-", dir=cache_dir()))
    try:
        agent_root = tmp / "agent"
        _stage_agent(agent_root)
        interp, pyfiles = closure.python_files(str(agent_root))
        exts = [f for f in pyfiles if f.endswith(".so")]
        loaded = closure.libraries()
        libs = closure.shared_libraries([*tools, interp, *exts, *loaded]) | set(loaded)
        data = closure.data_files()
        with open(tmp / "initrd", "wb") as f:
            w = CpioWriter(f)
            _base_layout(w)
            for path in [*tools, closure.PYTHON, interp, *pyfiles, *data]:
                _add_host_file(w, path)
            for lib in sorted(libs):
                _add_host_file(w, lib, drop_data_object if closure.dataless(lib) else None)
            for extra in closure.EXTRA_FILES:
                if os.path.exists(extra):
                    _add_host_file(w, extra)
            _add_pycs(w, pyfiles)
            _add_tree(w, agent_root, AGENT_DIR)
            for m in mods:
                _add_host_file(w, f"{moddir}/{m}", strip_module_signature)
            _add_dirs(w, "etc/guestbox/modules")
            w.file("etc/guestbox/modules", "".join(f"{moddir}/{m}\n" for m in mods).encode())
            for name, text in ETC_FILES.items():
                _add_dirs(w, name)
                w.file(name, text.encode())
            w.symlink("etc/mtab", "/proc/mounts")
            w.file("init", INIT.encode(), 0o755)
            w.close()
        pvh = unpack_for_pvh(Path(vmlinuz), tmp / "vmlinux")
        if not pvh:
            shutil.copyfile(vmlinuz, tmp / "vmlinuz")
        shutil.rmtree(agent_root)
        manifest = {"kernel_version": os.path.basename(moddir),
                    "kernel_boot": "pvh (uncompressed)" if pvh else "bzImage", "modules": len(mods),
                    "tools": len(tools), "libraries": len(libs), "python_files": len(pyfiles),
                    "data_files": len(data),
                    "built": time.strftime("%Y-%m-%d %H:%M:%S"),
                    "build_seconds": round(time.monotonic() - t0, 2)}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("appliance built in %.1fs", time.monotonic() - t0)
    return _appliance(final, key)


def _stage_agent(root: Path) -> None:
    """Copy the agent's packages into root, with an empty guestbox/__init__.py, and compile them."""
    pkg = root / "guestbox"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""guestbox, as the appliance sees it: the agent only."""\n')
    for part in AGENT_PARTS:
        shutil.copytree(PACKAGE_ROOT / part, pkg / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _compile(str(root))


def _compile(*paths: str) -> None:
    subprocess.run([closure.PYTHON, "-I", "-m", "compileall", "-q", "-j", "0",
                    "--invalidation-mode", "unchecked-hash", *paths], check=True,
                   stdout=subprocess.DEVNULL)


def _base_layout(w: CpioWriter) -> None:
    for d in ("usr", "usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "etc", "proc", "sys", "dev",
              "run", "tmp", "root", "sysroot", "var", "var/tmp", "mnt"):
        w.directory(d, 0o1777 if d in ("tmp", "var/tmp") else 0o755)
    for link in ("bin", "sbin", "lib", "lib64"):  # Debian 12 is merged-/usr
        w.symlink(link, f"usr/{link}")


def _add_dirs(w: CpioWriter, path: str) -> None:
    parts = path.strip("/").split("/")[:-1]
    for i in range(1, len(parts) + 1):
        d = "/".join(parts[:i])
        if not w.has(d) and d not in ("bin", "sbin", "lib", "lib64"):
            w.directory(d)


def _add_host_file(w: CpioWriter, path: str,
                   transform: Callable[[bytes], bytes] | None = None) -> None:
    """Add a host file at its real location, plus the symlink if path is one."""
    real = os.path.realpath(path)
    linkpath = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    if linkpath != real and os.path.islink(linkpath):
        _add_dirs(w, linkpath)
        w.symlink(linkpath, os.readlink(linkpath))
    if w.has(real):
        return
    st = os.stat(real)
    _add_dirs(w, real)
    with open(real, "rb") as f:
        data = f.read()
    w.file(real, transform(data) if transform else data, st.st_mode, int(st.st_mtime))


MODULE_SIG_MAGIC = b"~Module signature appended~\n"


def strip_module_signature(data: bytes) -> bytes:
    """A kernel module without its appended signature.

    The kernel then loads it as unsigned (allowed: signatures are not enforced
    without Secure Boot) instead of hashing and verifying every module, which
    under TCG was most of the 2.2 s spent loading modules at boot.
    """
    if not data.endswith(MODULE_SIG_MAGIC):
        return data
    end = len(data) - len(MODULE_SIG_MAGIC)
    (sig_len,) = struct.unpack_from(">I", data, end - 4)  # the last field of module_signature
    start = end - 12 - sig_len
    return data[:start] if start > 0 else data


def _add_pycs(w: CpioWriter, pyfiles: list[str]) -> None:
    """Add compiled stdlib modules, so the agent starts without compiling under emulation."""
    with tempfile.TemporaryDirectory() as d:
        sources = [f for f in pyfiles if f.endswith(".py")]
        for src in sources:
            dst = d + src
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
        _compile(d)
        for dirpath, _, names in os.walk(d):
            for n in names:
                if n.endswith(".pyc"):
                    full = os.path.join(dirpath, n)
                    target = full[len(d):]
                    _add_dirs(w, target)
                    w.file(target, Path(full).read_bytes())


def _add_tree(w: CpioWriter, src: Path, dest: str) -> None:
    _add_dirs(w, dest + "/x")
    for dirpath, dirnames, names in os.walk(src):
        dirnames.sort()
        rel = os.path.relpath(dirpath, src)
        target = dest if rel == "." else f"{dest}/{rel}"
        w.directory(target)
        for n in sorted(names):
            w.file(f"{target}/{n}", Path(dirpath, n).read_bytes())


def describe(a: Appliance) -> str:
    buf = io.StringIO()
    for k, v in a.info().items():
        print(f"{k}: {v}", file=buf)
    return buf.getvalue()
