"""Snapshot launch: restore, hot-plug, fresh randomness, fallback to a cold boot, concurrency."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import guestbox
from guestbox.appliance import builder
from guestbox.launch import snapshot
from guestbox.launch.vm import VM, VMConfig

MiB = 1024 * 1024


def state_file() -> Path:
    return snapshot.state_path(VM(builder.ensure(), [], VMConfig()))


def launched(*drives: tuple[str, str, bool]) -> guestbox.GuestFS:
    g = guestbox.GuestFS()
    for path, fmt, ro in drives:
        g.add_drive_opts(path, format=fmt, readonly=ro)
    g.launch()
    return g


def test_restored_launch_attaches_drives_in_order(tmp_path: Path) -> None:
    paths = []
    for i, fmt in enumerate(("raw", "qcow2", "raw", "qcow2")):
        p = tmp_path / f"d{i}.{fmt}"
        guestbox.GuestFS().disk_create(str(p), fmt, (32 + 8 * i) * MiB)
        paths.append((str(p), fmt, i >= 2))  # the last two read-only
    with launched(*paths[:2]) as g:  # write a label on the two that will be read-only later
        g.mkfs("ext4", "/dev/sda", label="zero")
        g.mkfs("ext4", "/dev/sdb", label="one")
    before = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p, _, _ in paths[2:]]
    assert state_file().exists()
    with launched(*paths) as g:
        assert g.list_devices() == ["/dev/sda", "/dev/sdb", "/dev/sdc", "/dev/sdd"]
        sizes = [g.blockdev_getsize64(d) // MiB for d in g.list_devices()]
        assert sizes == [32, 40, 48, 56]  # each disk where it was added
        assert [g.vfs_label(d) for d in ("/dev/sda", "/dev/sdb")] == ["zero", "one"]
        assert g.blockdev_getro("/dev/sdc") is False  # overlay: writable in the appliance
        g.mkfs("ext4", "/dev/sdc")  # lands in the throwaway overlay, not in the image
        assert g._vm is not None and "-incoming" in " ".join(g._vm.proc.args)  # type: ignore
    after = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p, _, _ in paths[2:]]
    assert before == after


def test_restores_do_not_repeat_random_numbers() -> None:
    uuids, randoms, clocks = set(), set(), []
    for _ in range(3):
        with guestbox.GuestFS() as g:
            g.add_drive_scratch(16 * MiB)
            g.launch()
            g.mkfs("ext4", "/dev/sda")
            uuids.add(g.vfs_uuid("/dev/sda"))
            g.mount("/dev/sda", "/")
            randoms.add(g.mkdtemp("/tmpXXXXXX"))
            g.touch("/now")
            clocks.append(g.statns("/now")["st_mtime_sec"])
    assert len(uuids) == 3 and len(randoms) == 3
    import time

    assert all(abs(c - time.time()) < 120 for c in clocks)  # the guest has the host's time


def test_corrupt_state_falls_back_to_a_cold_boot_and_is_remade() -> None:
    path = state_file()
    with guestbox.GuestFS() as g:  # make sure it exists
        g.add_drive_scratch(8 * MiB)
        g.launch()
    data = bytearray(path.read_bytes()[: 1 << 20])
    data[100:200] = os.urandom(100)
    path.write_bytes(bytes(data))  # truncated and damaged
    messages: list[str] = []
    with guestbox.GuestFS() as g:  # the launch notices, makes a good state and uses it
        g.set_event_callback(lambda ev, eh, buf, arr: messages.append(buf.decode()),
                             guestbox.EVENT_LIBRARY)
        g.add_drive_scratch(8 * MiB)
        g.launch()
        assert g.list_devices() == ["/dev/sda"]
        assert "-incoming" in " ".join(g._vm.proc.args)  # type: ignore[union-attr]
    assert any("saved appliance state unusable, making it again" in m for m in messages)
    assert path.stat().st_size > (1 << 20)


def test_nosnapshot_boots(monkeypatch: pytest.MonkeyPatch) -> None:
    for how in ("setting", "env"):
        g = guestbox.GuestFS()
        if how == "setting":
            g.set_backend_settings(["nosnapshot"])
        else:
            monkeypatch.setenv(snapshot.ENV_OFF, "1")
        g.add_drive_scratch(8 * MiB)
        g.launch()
        assert "-incoming" not in " ".join(g._vm.proc.args)  # type: ignore[union-attr]
        assert g.list_devices() == ["/dev/sda"]
        g.close()


def test_concurrent_restores_in_threads_and_processes(tmp_path: Path) -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with guestbox.GuestFS() as g:
                g.add_drive_scratch(16 * MiB)
                g.launch()
                g.mkfs("ext4", "/dev/sda")
                results.append(g.vfs_uuid("/dev/sda"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    script = tmp_path / "child.py"
    script.write_text("import guestbox\ng = guestbox.GuestFS()\ng.add_drive_scratch(16 << 20)\n"
                      "g.launch()\ng.mkfs('ext4', '/dev/sda')\nprint(g.vfs_uuid('/dev/sda'))\n"
                      "g.close()\n")
    procs = [subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0
        results.append(out.strip())
    assert not errors, errors
    assert len(set(results)) == 4


def test_state_is_keyed_by_what_it_depends_on() -> None:
    a = builder.ensure()
    base = snapshot.state_path(VM(a, [], VMConfig()))
    assert snapshot.state_path(VM(a, [], VMConfig())) == base  # per-VM paths do not count
    assert snapshot.state_path(VM(a, [], VMConfig(memsize=1024))) != base
    assert snapshot.state_path(VM(a, [], VMConfig(smp=2))) != base
    assert snapshot.state_path(VM(a, [], VMConfig(network=True))) != base
    other = builder.Appliance(a.kernel, a.initrd, "0" * 16, a.directory)
    assert snapshot.state_path(VM(other, [], VMConfig())) != base
