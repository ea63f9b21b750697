"""The handle: configuration, drives, lifecycle, errors, events (real appliance where launched)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import guestbox

MiB = 1024 * 1024
BUSY = 3  # get_state()'s value during a call


def qemu_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not qemu_alive(pid):
            return True
        time.sleep(0.1)
    return False


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- before launch -----------------------------------------------------------------

def test_calls_before_launch_are_state_errors() -> None:
    g = guestbox.GuestFS()
    with pytest.raises(guestbox.StateError, match="call launch before using this function"):
        g.ls("/")
    with pytest.raises(RuntimeError):  # what libguestfs programs catch
        g.list_devices()
    with pytest.raises(guestbox.StateError, match="add_drive"):
        g.launch()
    g.close()
    with pytest.raises(guestbox.StateError, match="closed"):
        g.ls("/")


def test_drive_errors_are_clear(tmp_path: Path) -> None:
    g = guestbox.GuestFS()
    with pytest.raises(FileNotFoundError, match="add_drive_opts: /nonexistent.img: No such file"):
        g.add_drive_opts("/nonexistent.img")
    raw = tmp_path / "raw.img"
    raw.write_bytes(b"\0" * MiB)
    with pytest.raises(guestbox.Error, match="not a qcow2 image"):
        g.add_drive_opts(str(raw), format="qcow2")
    with pytest.raises(guestbox.Error, match="unknown format 'qcow3'"):
        g.add_drive_opts(str(raw), format="qcow3")
    with pytest.raises(guestbox.Error, match="cachemode"):
        g.add_drive_opts(str(raw), format="raw", cachemode="none")
    with pytest.raises(TypeError, match="bogus"):
        g.add_drive_opts(str(raw), bogus=1)  # type: ignore[call-arg]


def test_format_guess_with_backing_file_is_refused(tmp_path: Path) -> None:
    g = guestbox.GuestFS()
    base = tmp_path / "base.raw"
    g.disk_create(str(base), "raw", 4 * MiB)
    top = tmp_path / "top.qcow2"
    g.disk_create(str(top), "qcow2", -1, backingfile=str(base), backingformat="raw")
    with pytest.raises(guestbox.Error, match="pass format= explicitly"):
        g.add_drive_opts(str(top))
    g.add_drive_opts(str(top), format="qcow2")  # explicit is fine


def test_configuration_round_trips() -> None:
    g = guestbox.GuestFS()
    g.set_memsize(600)
    g.set_smp(2)
    g.set_backend_settings(["force_tcg"])
    g.set_trace(True)
    assert (g.get_memsize(), g.get_smp(), g.get_backend_settings(), g.get_trace()) == (
        600, 2, ["force_tcg"], True)
    assert g.get_backend() == "direct"
    assert g.is_config() and not g.is_ready() and g.get_state() == 0
    with pytest.raises(guestbox.Error, match="unknown setting 'turbo'"):
        g.set_backend_settings(["turbo"])
    with pytest.raises(guestbox.Error, match="at least 256"):
        g.set_memsize(12)
    with pytest.raises(guestbox.Error, match="libvirt backend is not supported"):
        g.set_backend("libvirt")
    v = g.version()
    assert set(v) == {"major", "minor", "release", "extra"}
    assert f"{v['major']}.{v['minor']}.{v['release']}" == guestbox.__version__


def test_disk_images(tmp_path: Path) -> None:
    g = guestbox.GuestFS()
    raw, qcow = tmp_path / "a.img", tmp_path / "b.qcow2"
    g.disk_create(str(raw), "raw", 10 * MiB, preallocation="full")
    assert raw.stat().st_blocks * 512 >= 10 * MiB
    g.disk_create(str(qcow), "qcow2", 20 * MiB, preallocation="metadata", compat="1.1")
    assert g.disk_format(str(raw)) == "raw" and g.disk_format(str(qcow)) == "qcow2"
    assert g.disk_virtual_size(str(raw)) == 10 * MiB
    assert g.disk_virtual_size(str(qcow)) == 20 * MiB
    assert not g.disk_has_backing_file(str(qcow))
    top = tmp_path / "top.qcow2"
    g.disk_create(str(top), "qcow2", -1, backingfile=str(qcow), backingformat="qcow2")
    assert g.disk_has_backing_file(str(top)) and g.disk_virtual_size(str(top)) == 20 * MiB
    with pytest.raises(guestbox.Error, match="invalid preallocation 'metadata' for raw"):
        g.disk_create(str(raw), "raw", MiB, preallocation="metadata")
    with pytest.raises(guestbox.Error, match="unsupported format 'vmdk'"):
        g.disk_create(str(raw), "vmdk", MiB)
    with pytest.raises(FileNotFoundError):
        g.disk_format(str(tmp_path / "missing"))


# -- the example, end to end ---------------------------------------------------

def test_readme_example_then_reopen_read_only(tmp_path: Path) -> None:
    disk = tmp_path / "disk.qcow2"
    big = tmp_path / "big.iso"
    big.write_bytes(os.urandom(3 * MiB + 123))
    g = guestbox.GuestFS()
    g.disk_create(str(disk), "qcow2", 512 * MiB)
    g.add_drive_opts(str(disk), format="qcow2")
    g.launch()
    assert g.is_ready()
    g.part_disk("/dev/sda", "mbr")
    g.mkfs("ext4", "/dev/sda1", label="root")
    g.mount("/dev/sda1", "/")
    g.mkdir_p("/etc/app")
    g.write("/etc/app/conf", b"key=value\n")
    g.upload(str(big), "/big.iso")
    assert g.ls("/") == ["big.iso", "etc", "lost+found"]
    vfs = g.statvfs("/")
    assert 450 * MiB < vfs["blocks"] * vfs["frsize"] <= 512 * MiB
    assert g.list_filesystems() == {"/dev/sda1": "ext4"}
    g.shutdown()
    g.close()
    check = subprocess.run(["qemu-img", "check", str(disk)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    before = sha256(disk)
    with guestbox.GuestFS() as r:
        r.add_drive_opts(str(disk), format="qcow2", readonly=True)
        r.launch()
        r.mount("/dev/sda1", "/")
        assert r.cat("/etc/app/conf") == "key=value\n"
        r.download("/big.iso", str(tmp_path / "back.iso"))
        assert (tmp_path / "back.iso").read_bytes() == big.read_bytes()
        assert r.vfs_label("/dev/sda1") == "root"
        with pytest.raises(guestbox.ReadOnlyError) as e:
            r.write("/etc/app/conf", b"changed")
        assert e.value.errno == errno.EROFS and isinstance(e.value, OSError)
    assert sha256(disk) == before


# -- a launched handle -----------------------------------------------------------------

def test_events_trace_and_return_dict(tmp_path: Path) -> None:
    seen: list[tuple[int, bytes]] = []
    g = guestbox.GuestFS(python_return_dict=False)
    g.set_event_callback(lambda ev, eh, buf, arr: seen.append((ev, buf)),
                         guestbox.EVENT_ALL & ~guestbox.EVENT_APPLIANCE)
    g.add_drive_scratch(64 * MiB)
    g.launch()
    g.set_trace(True)
    g.mkfs("ext4", "/dev/sda")
    assert g.list_filesystems() == [("/dev/sda", "ext4")]
    g.close()
    kinds = [ev for ev, _ in seen]
    assert guestbox.EVENT_LAUNCH_DONE in kinds and kinds[-1] == guestbox.EVENT_CLOSE
    traces = [buf.decode() for ev, buf in seen if ev == guestbox.EVENT_TRACE]
    assert 'mkfs "ext4" "/dev/sda"' in traces  # libguestfs's trace format
    assert 'list_filesystems = ["/dev/sda", "ext4"]' in traces


def test_calls_from_two_threads_take_turns(g: guestbox.GuestFS) -> None:
    size = 256 * MiB
    errors: list[BaseException] = []

    def fill() -> None:
        try:
            g.fill(0x41, size, "/threads-big")
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    worker = threading.Thread(target=fill)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while g.get_state() != BUSY and worker.is_alive():
            assert time.monotonic() < deadline
            time.sleep(0.001)
        assert g.filesize("/threads-big") == size  # waited for the fill: not an error
    finally:
        worker.join()
        g.rm_f("/threads-big")
    assert errors == []


def test_dead_appliance_and_timeouts_are_clear_errors() -> None:
    g = guestbox.GuestFS()
    g.add_drive_scratch(256 * MiB)
    g.launch()
    assert g._vm is not None
    pid = g._vm.proc.pid  # type: ignore[union-attr]
    g.call_timeout = 0.3
    t0 = time.monotonic()
    with pytest.raises(guestbox.ApplianceError, match="timed out"):
        g.checksum_device("sha512", "/dev/sda")
    assert time.monotonic() - t0 < 10
    assert wait_gone(pid) and not g.is_ready()
    g.call_timeout = 600
    g.launch()  # the handle can be launched again
    pid = g._vm.proc.pid  # type: ignore[union-attr]
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(guestbox.ApplianceError, match="qemu exited"):
        g.list_devices()
    g.close()


CHILD = textwrap.dedent("""
    import signal, sys, time, guestbox
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as on a terminal
    g = guestbox.GuestFS()
    g.add_drive_scratch(64 * 1024 * 1024)
    g.launch()
    print(g._vm.proc.pid, flush=True)
    sys.stdin.readline()  # the parent has seen QEMU alive
    if sys.argv[1] == "gc":
        del g
        import gc; gc.collect()
        print("collected", flush=True)
        time.sleep(60)
    elif sys.argv[1] == "exit":
        sys.exit(0)
    else:
        while True:
            g.list_devices()
""")


@pytest.mark.parametrize("how", ["sigkill", "sigint", "exit", "gc"])
def test_qemu_never_outlives_its_handle(how: str, tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen([sys.executable, str(script), how], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdin is not None
        pid = int(child.stdout.readline())
        assert qemu_alive(pid)
        child.stdin.write("go\n")
        child.stdin.flush()
        if how == "sigkill":
            child.send_signal(signal.SIGKILL)
        elif how == "sigint":
            time.sleep(0.5)
            child.send_signal(signal.SIGINT)
        elif how == "gc":
            assert child.stdout.readline().strip() == "collected"
        assert wait_gone(pid), f"qemu {pid} survived ({how})"
    finally:
        child.kill()
        child.wait()


def test_appliance_console_reaches_callbacks() -> None:
    lines: list[bytes] = []
    g = guestbox.GuestFS()
    g.set_verbose(True)
    g.set_backend_settings(["nosnapshot"])  # a restored appliance does not boot the kernel
    g.set_event_callback(lambda ev, eh, buf, arr: lines.append(buf), guestbox.EVENT_APPLIANCE)
    g.add_drive_scratch(16 * MiB)
    g.launch()
    g.close()
    assert any(b"Linux version" in line for line in lines)


def test_json_reply_types_are_checked() -> None:
    from guestbox.api.kinds import conforms
    from guestbox.api.types import Partition, StatVFS

    assert conforms(list[Partition], [{"part_num": 1, "part_start": 1, "part_end": 2,
                                       "part_size": 2}])
    assert not conforms(list[Partition], [{"part_num": "1", "part_start": 1, "part_end": 2,
                                           "part_size": 2}])
    assert not conforms(StatVFS, {"bsize": 1})
    assert not conforms(dict[str, str], {"a": 1})
    assert not conforms(bool, 1) and not conforms(int, True)
    assert json.dumps(guestbox.GuestFS().version())


INTERRUPTED = textwrap.dedent("""
    import os, signal, sys, guestbox
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as on a terminal
    g = guestbox.GuestFS()
    g.add_drive_scratch(4 * 1024**3)
    g.launch()
    g.mkfs("ext4", "/dev/sda")
    g.mount("/dev/sda", "/")
    pid = g._vm.proc.pid
    calls = {
        # streams over virtio-serial (neither end a regular file), long enough to interrupt
        "upload": lambda: g.upload("/dev/zero", "/big"),
        "download": lambda: g.download("/dev/sda", "/dev/null"),
        # a large download into a regular file goes through a transfer disk
        "bulk download": lambda: g.download("/dev/sda", sys.argv[1]),
    }
    for call, run in calls.items():
        print("start", call, flush=True)
        try:
            run()
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    assert g._vm.proc.pid == pid
    print("exists", g.exists("/big"), "leftover", os.listdir(os.path.dirname(sys.argv[1])),
          flush=True)
    g.close()
""")


def test_ctrl_c_cancels_a_stream_and_the_handle_stays_usable(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(INTERRUPTED)
    out = tmp_path / "out"
    out.mkdir()
    child = subprocess.Popen([sys.executable, str(script), str(out / "disk")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        for call in ("upload", "download", "bulk download"):
            assert child.stdout.readline().strip() == f"start {call}"
            time.sleep(0.3 if call == "bulk download" else 1)  # bulk copies ~0.6 GB/s
            child.send_signal(signal.SIGINT)
            line = child.stdout.readline().strip()
            assert line == "interrupted", child.stderr.read() if child.stderr else ""
        last = child.stdout.readline().strip()
        assert last == "exists True leftover []", child.stderr.read() if child.stderr else ""
        assert child.wait(60) == 0
    finally:
        child.kill()
        child.wait()
