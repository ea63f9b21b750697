"""The virt tools' common options, parsed (pure logic: no appliance).

toolopts' parser actions and checks, toolmount's -m syntax and its suggestions
(with a stand-in for the handle: the function only formats what it is told),
`guestbox mount`'s and `guestbox unmount`'s own option checks, and the record
of serving processes (mountreg).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from guestbox.cli import mount, mountreg, toolopts, unmount
from guestbox.cli.shell.inspector import MULTI_BOOT, NO_OS
from guestbox.cli.toolmount import MountSpec, _as_option, multi_boot_message, no_os_message
from guestbox.cli.toolopts import ToolError, ToolParser


def parse(*argv: str, **flags: bool) -> argparse.Namespace:
    p = ToolParser(prog="guestbox tool")
    toolopts.add_options(p, **flags)
    return p.parse_args(list(argv))


def error_of(*argv: str, **flags: bool) -> str | None:
    with pytest.raises(ToolError) as e:
        parse(*argv, **flags)
    return e.value.message


# -- -a and --format -----------------------------------------------------------------------
def test_format_applies_to_the_drives_after_it() -> None:
    ns = parse("-a", "a.img", "--format=qcow2", "-a", "b", "--add", "c", "--format", "-a", "d")
    assert ns.drives == [("a.img", None), ("b", "qcow2"), ("c", "qcow2"), ("d", None)]
    assert not ns.format_pending


def test_format_after_the_last_drive() -> None:
    ns = parse("-a", "a.img", "--format=raw")
    with pytest.raises(ToolError) as e:
        toolopts.check(ns, access=False)
    assert e.value.message == "--format parameter must appear before -a parameter"


def test_check_access(tmp_path: Path) -> None:
    ok = tmp_path / "ok.img"
    ok.write_bytes(b"")
    toolopts.check(parse("-a", str(ok)))
    missing = tmp_path / "missing.img"
    with pytest.raises(ToolError) as e:
        toolopts.check(parse("-a", str(ok), "-a", str(missing)))
    assert e.value.message == f"access: {missing}: No such file or directory"
    toolopts.check(parse("-a", str(missing)), access=False)


def test_defaults() -> None:
    ns = parse()
    assert (ns.drives, ns.mounts, ns.keys, ns.inspector, ns.readonly, ns.verbose, ns.trace,
            ns.keys_from_stdin, ns.echo_keys) == (None, None, None, False, False, False, False,
                                                  False, False)


# -- -i, -m, --ro/--rw, -v, -x --------------------------------------------------------------
def test_flags() -> None:
    ns = parse("-i", "-r", "-v", "-x", "--keys-from-stdin", "--echo-keys")
    assert (ns.inspector, ns.readonly, ns.verbose, ns.trace, ns.keys_from_stdin,
            ns.echo_keys) == (True, True, True, True, True, True)
    assert parse("--inspector", "--ro", "--verbose", "--trace").readonly


def test_mounts_in_order() -> None:
    ns = parse("-m", "/dev/sda2", "--mount", "/dev/sda1:/boot", "-m", "/dev/vg/lv:/var:noatime")
    assert ns.mounts == [MountSpec("/dev/sda2"), MountSpec("/dev/sda1", "/boot"),
                         MountSpec("/dev/vg/lv", "/var", "noatime")]


def test_ro_and_rw() -> None:
    assert not parse("-w").readonly
    assert parse("-w", "--ro").readonly  # as libguestfs-common: --ro after --rw wins
    assert error_of("--ro", "--rw") == "cannot mix --ro and --rw options"
    assert error_of("-r", "-w") == "cannot mix --ro and --rw options"


def test_options_a_tool_does_not_take() -> None:
    message = error_of("-i", inspector=False)
    assert message is not None and message.startswith("unrecognized arguments: -i\n")
    assert message.endswith("\nTry ‘guestbox tool --help’ for more information.")
    for option in ("-m", "--ro", "-w", "-x", "--key", "--keys-from-stdin"):
        with pytest.raises(ToolError):
            parse(option, "x", mount=False, readonly=False, verbose=False, keys=False)


def test_disks_as_arguments() -> None:
    """drives=False (virt-sparsify, virt-resize): no -a, --format is the disks' format."""
    ns = parse("--format", "qcow2", "-v", drives=False)
    assert (ns.format, ns.format_pending, ns.drives, ns.verbose) == ("qcow2", False, None, True)
    message = error_of("-a", "x.img", drives=False)
    assert message is not None and message.startswith("unrecognized arguments: -a x.img\n")


def test_libvirt_refused() -> None:
    assert error_of("-d", "guest") == ("-d: libvirt guests are not supported by guestbox; "
                                       "add the disk images with -a")
    message = error_of("--connect", "qemu:///system", "-a", "x")
    assert message is not None and message.startswith("--connect: libvirt")


# -- --key -----------------------------------------------------------------------------------
def test_keys(tmp_path: Path) -> None:
    keyfile = tmp_path / "key"
    keyfile.write_text("from a file\nsecond line\n")
    ns = parse("--key", "/dev/sda2:key:secret", "--key", f"UUID-1:file:{keyfile}")
    assert ns.keys == [("/dev/sda2", "secret"), ("UUID-1", "from a file")]


@pytest.mark.parametrize(("selector", "message"), [
    ("sda2", "selector 'sda2': missing TYPE"),
    ("/dev/sda2:key:a:b", "selector '/dev/sda2:key:***': missing KEY_STRING, or too many fields"),
    ("/dev/sda2:tpm", "selector '/dev/sda2:tpm': invalid TYPE"),
    ("/dev/sda2:file:/nonexistent/key", "--key: /nonexistent/key: No such file or directory"),
])
def test_bad_keys(selector: str, message: str) -> None:
    assert error_of("--key", selector) == message


def test_a_plain_parser_errors_as_argparse() -> None:
    """guestbox inspect's parser is not a ToolParser: its errors stay argparse's (status 2)."""
    p = argparse.ArgumentParser(prog="guestbox inspect")
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, verbose=False)
    with pytest.raises(SystemExit) as e:
        p.parse_args(["--key", "sda2"])
    assert e.value.code == 2


# -- -m's syntax and what a failed -m suggests ----------------------------------------------
@pytest.mark.parametrize(("text", "spec"), [
    ("/dev/sda1", MountSpec("/dev/sda1", "/", None, None)),
    ("/dev/sda1:/boot", MountSpec("/dev/sda1", "/boot", None, None)),
    ("/dev/sda1:/:ro,noatime", MountSpec("/dev/sda1", "/", "ro,noatime", None)),
    ("/dev/sda1:/::ext4", MountSpec("/dev/sda1", "/", "", "ext4")),
    ("/dev/sda1:", MountSpec("/dev/sda1", "", None, None)),  # as OPTION_m: empty, not "/"
    ("/dev/sda1:/:subvol=a:b:c", MountSpec("/dev/sda1", "/", "subvol=a", "b:c")),
])
def test_mount_spec(text: str, spec: MountSpec) -> None:
    assert MountSpec.parse(text) == spec


def test_mount_options_with_ro() -> None:
    """mount_mps: the options given, else "ro" with --ro; given options are never added to."""
    assert MountSpec("d").mount_options(readonly=False) == ""
    assert MountSpec("d").mount_options(readonly=True) == "ro"
    assert MountSpec("d", "/", "noatime").mount_options(readonly=True) == "noatime"
    assert MountSpec("d", "/", "").mount_options(readonly=True) == ""


class Names:
    """The one call _as_option makes of a handle, for devices: their canonical names."""

    def canonical_device_name(self, device: str) -> str:
        return device.replace("/dev/vd", "/dev/sd")


def test_suggestions_as_m_options() -> None:
    fses = {"/dev/vda1": "ext4", "/dev/sdb": "btrfs", "btrfsvol:/dev/sdb/root": "btrfs",
            "btrfsvol:/dev/sdb/home/user": "btrfs", "/dev/vg/lv": "xfs",
            "btrfsvol:/dev/vg/lv/x": "btrfs"}
    got = {fs: _as_option(Names(), fs, fses) for fs in fses}
    assert got == {"/dev/vda1": "/dev/sda1", "/dev/sdb": "/dev/sdb",
                   "btrfsvol:/dev/sdb/root": "/dev/sdb:/:subvol=root",
                   "btrfsvol:/dev/sdb/home/user": "/dev/sdb:/:subvol=home/user",
                   "/dev/vg/lv": "/dev/vg/lv", "btrfsvol:/dev/vg/lv/x": "/dev/vg/lv:/:subvol=x"}


def test_inspection_texts_are_the_shells_with_the_tools_name() -> None:
    assert no_os_message("guestfish") == NO_OS
    assert multi_boot_message("guestfish") == MULTI_BOOT
    assert no_os_message("guestmount").startswith(
        "guestmount: no operating system was found on this disk\n\n")
    assert "If using guestmount ‘-i’, remove this option" in no_os_message("guestmount")


# -- guestbox mount's and unmount's own checks ------------------------------------------------
def mount_options(*argv: str) -> argparse.Namespace | str:
    try:
        ns = mount.TOOL.parser().parse_args(list(argv))
        mount._check(ns)
        return ns
    except ToolError as e:
        return e.message or ""


def test_mount_paths_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mnt").mkdir()
    (tmp_path / "d.img").write_bytes(b"")
    ns = mount_options("-a", "d.img", "-m", "/dev/sda1", "--pid-file", "pid", "mnt")
    assert isinstance(ns, argparse.Namespace)
    assert (ns.drives, ns.pid_file, ns.mountpoint, ns.fork) == (
        [(str(tmp_path / "d.img"), None)], str(tmp_path / "pid"), str(tmp_path / "mnt"), True)
    ns = mount_options("-a", "d.img", "-i", "-x", "mnt")
    assert isinstance(ns, argparse.Namespace) and (ns.trace, ns.fork) == (True, False)


def test_mount_options_collected(tmp_path: Path) -> None:
    (tmp_path / "d.img").write_bytes(b"")
    ns = mount_options("-a", str(tmp_path / "d.img"), "-i", "-o", "allow_other",
                       "--option=uid=1000,nonempty,gid=0", "-o", "nonempty",
                       "--dir-cache-timeout", "5", "--no-fork", "-n", "--selinux",
                       str(tmp_path))
    assert isinstance(ns, argparse.Namespace)
    assert (ns.fuse_options, ns.dir_cache_timeout, ns.fork) == (
        ["allow_other", "uid=1000", "gid=0"], 5, False)


def test_mountpoint_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "d.img").write_bytes(b"")
    assert mount_options("-a", str(tmp_path / "d.img"), "-i", str(tmp_path / "d.img")) == (
        f"failed to access mountpoint {tmp_path / 'd.img'}: Not a directory")


def test_unmount_retries() -> None:
    assert unmount._retries("0") == 0 and unmount._retries(63) == 63
    for bad in ("64", "-1", "many"):
        with pytest.raises(ToolError) as e:
            unmount._retries(bad)
        assert e.value.message == (
            f"cannot parse retries option or value is too large ‘{bad}’")
    assert unmount.TOOL.parser().parse_args(["--no-retry", "x"]).retries == 0
    assert unmount.TOOL.parser().parse_args(["x"]).retries == unmount.DEFAULT_RETRIES


def test_mount_type() -> None:
    assert unmount.mount_type("/proc") == "proc"
    assert unmount.mount_type("/proc/self") is None
    assert unmount._unescape(r"/tmp/a\040b\134c") == "/tmp/a b\\c"


# -- the record of serving processes -----------------------------------------------------------
@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    d = tmp_path / "run"
    d.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(d))
    yield d / "guestbox-mounts"


def test_record(runtime: Path) -> None:
    path = mountreg.register("/some/where")
    assert Path(path).parent == runtime and oct(runtime.stat().st_mode & 0o777) == "0o700"
    me = mountreg.server_of("/some/where")
    assert me is not None and me.pid == os.getpid() and me.alive()
    assert mountreg.server_of("/else/where") is None
    mountreg.unregister(path)
    assert mountreg.server_of("/some/where") is None and not os.path.exists(path)


def test_record_of_a_process_that_is_gone(runtime: Path) -> None:
    code = ("import sys; from guestbox.cli import mountreg; "
            "print(mountreg.register(sys.argv[1]))")
    env = dict(os.environ, PYTHONPATH=str(Path(mountreg.__file__).parents[2]))
    p = subprocess.run([sys.executable, "-c", code, "/gone"], capture_output=True, text=True,
                       env=env, check=True)
    record = p.stdout.strip()
    assert os.path.exists(record)  # a killed server leaves its record
    assert mountreg.server_of("/gone") is None  # ... which names no live process
    mountreg.register("/another")
    assert not os.path.exists(record)  # and is swept by the next registration


def test_wait(runtime: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "0.5"])
    try:
        start = mountreg.start_time(sleeper.pid)
        assert start is not None
        server = mountreg.Server(sleeper.pid, start)
        assert not server.wait(timeout=0.05)
        assert server.wait(timeout=30)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not server.alive()
    assert mountreg.Server(os.getpid(), 0).alive() is False  # same pid, another start time


def test_insecure_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "run"
    (d / "guestbox-mounts").mkdir(parents=True, mode=0o755)
    os.chmod(d / "guestbox-mounts", 0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(d))
    with pytest.raises(PermissionError):
        mountreg.directory()
