"""The appliance cache: built once per inputs, found again, cleaned, and `guestbox appliance`."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

from guestbox.appliance import builder, closure


def test_cache_key_is_stable_and_appliance_is_found() -> None:
    a = builder.ensure()
    assert builder.cache_key() == builder.cache_key() == a.key
    found = builder.find()
    assert found is not None and found.initrd == a.initrd
    assert a.kernel.stat().st_size > 1_000_000 and a.initrd.stat().st_size > 1_000_000
    info = a.info()
    assert info["modules"] and info["tools"] and info["kernel_version"]


def test_guestbox_appliance_info_command() -> None:
    builder.ensure()
    p = subprocess.run([sys.executable, "-m", "guestbox.cli.main", "appliance", "info", "--json"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["key"] == builder.cache_key()


def test_two_first_builds_do_not_race(tmp_path: object) -> None:
    import os

    env = {**os.environ, "GUESTBOX_CACHEDIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "guestbox.cli.main", "appliance", "build", "--quiet"]
    procs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    names = sorted(os.listdir(str(tmp_path)))
    assert [n for n in names if n.startswith("appliance-")] == [f"appliance-{builder.cache_key()}"]
    p = subprocess.run([sys.executable, "-m", "guestbox.cli.main", "appliance", "clean"], env=env,
                       capture_output=True, text=True)
    assert p.returncode == 0 and "removed" in p.stdout
    assert not [n for n in os.listdir(str(tmp_path)) if n.startswith("appliance-")]


def test_module_signatures_are_stripped_and_nothing_else() -> None:
    module = b"\x7fELF module body"
    sig = b"S" * 300
    signed = module + sig + bytes(8) + struct.pack(">I", len(sig)) + builder.MODULE_SIG_MAGIC
    assert builder.strip_module_signature(signed) == module
    assert builder.strip_module_signature(module) == module
    _, moddir = closure.kernel()
    real = (Path(moddir) / "kernel/fs/btrfs/btrfs.ko").read_bytes()
    stripped = builder.strip_module_signature(real)
    assert stripped.startswith(b"\x7fELF") and 0 < len(real) - len(stripped) < 4096
    assert not stripped.endswith(builder.MODULE_SIG_MAGIC)
