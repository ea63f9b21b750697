"""`guestbox sysprep` (virt-sysprep) on a qcow2 overlay of the debootstrap Debian 12,
with the traces of a used machine planted first: what the default operations remove,
what they keep, their order and messages; --operations and --enable; the customize
options; user accounts; --list-operations as virt-sysprep prints it; errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.tools.customizing import sysprep_ops
from tests import debootstrap

from .guests import inspected_ro, messages, overlay, run_tool

PROG = "guestbox sysprep"
HINT = (f"\n\nIf reporting bugs, run {PROG} with debugging enabled and include the complete "
        f"output:\n\n  {PROG} -v -x [...]\n")
PLANTED = {
    "/etc/machine-id": b"0123456789abcdef0123456789abcdef\n",
    "/etc/ssh/ssh_host_ed25519_key": b"private", "/etc/ssh/ssh_host_ed25519_key.pub": b"pub",
    "/etc/ssh/sshd_config": b"kept\n",
    "/root/.bash_history": b"ls\n", "/home/alice/.bash_history": b"rm -rf /\n",
    "/home/alice/notes": b"kept\n", "/root/.ssh/authorized_keys": b"ssh-rsa AAAA\n",
    "/tmp/x": b"x", "/tmp/.hidden": b"h", "/var/tmp/y": b"y",
    "/var/lib/dhcp/dhclient.eth0.leases": b"lease",
    "/etc/udev/rules.d/70-persistent-net.rules": b"SUBSYSTEM==net\n",
    "/var/log/syslog": b"log", "/var/log/apt/history.log": b"apt",
    "/var/cache/apt/archives/hello.deb": b"deb", "/etc/fstab~": b"backup",
    "/etc/passwd-": b"old", "/var/spool/cron/crontabs/root": b"* * * * * true\n",
}
GONE = set(PLANTED) - {"/etc/machine-id", "/etc/ssh/sshd_config", "/home/alice/notes"}


@pytest.fixture(scope="module")
def used_guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Debian 12 guest with PLANTED written (and a user, alice), as a raw-backed
    qcow2 overlay that each test takes an overlay of."""
    directory = tmp_path_factory.mktemp("sysprep")
    disk = overlay(debootstrap.image(), directory, "used")
    g = guestbox.GuestFS()
    try:
        g.add_drive_opts(str(disk), format="qcow2")
        g.launch()
        g.mount("/dev/sda1", "/")
        for path, content in PLANTED.items():
            g.mkdir_p(path.rsplit("/", 1)[0])
            g.write(path, content)
        g.write_append("/etc/passwd", b"alice:x:1001:1001:Alice:/home/alice:/bin/sh\n"
                                      b"bob:x:1002:1002:Bob:/home/bob:/bin/sh\n")
        g.write_append("/etc/shadow", b"alice:*:19000:0:99999:7:::\nbob:*:19000:0:99999:7:::\n")
        g.write_append("/etc/group", b"alice:x:1001:\nbob:x:1002:\n")
        g.mkdir_p("/home/bob")
        g.shutdown()
    finally:
        g.close()
    return disk


def guest_copy(used: Path, tmp_path: Path) -> Path:
    path = tmp_path / "guest.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", str(used),
                    str(path)], check=True)
    return path


def sysprep(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    return run_tool(capsys, "sysprep", *argv)


def test_default_operations(used_guest: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    disk = guest_copy(used_guest, tmp_path)
    status, out, err = sysprep(capsys, "--format=qcow2", "-a", disk, "--hostname", "clone")
    assert (status, err) == (0, ""), err
    performed = [m.removeprefix('Performing "').removesuffix('" ...') for m in messages(out)
                 if m.startswith("Performing")]
    defaults = sorted(op.name for op in sysprep_ops.OPERATIONS if op.default)
    assert performed == [n for n in defaults if n not in ("customize", "lvm-uuids",
                                                         "machine-id")] + [
        "customize", "machine-id", "lvm-uuids"]  # customize after the others, devices last
    assert messages(out)[0] == "Examining the guest ..."
    assert "Setting the hostname: clone" in messages(out)
    assert "Finishing off" not in messages(out)  # as virt-sysprep
    with inspected_ro(disk) as g:
        assert [p for p in sorted(GONE) if g.exists(p)] == []
        assert g.read_file("/etc/machine-id") == b""  # emptied: made anew at next boot
        assert g.read_file("/etc/ssh/sshd_config") == b"kept\n"
        assert g.read_file("/home/alice/notes") == b"kept\n"
        assert g.ls("/tmp") == [] and g.ls("/var/tmp") == []
        assert g.is_dir("/var/cache/apt/archives/partial")  # the cache's layout stays
        assert g.is_dir("/var/log/apt")
        assert g.read_file("/etc/hostname") == b"clone\n"
        assert g.is_file("/etc/passwd") and g.exists("/home/alice")  # user-account is off


def test_chosen_operations_dry_run_and_users(used_guest: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    disk = guest_copy(used_guest, tmp_path)
    before = disk.read_bytes()
    status, out, _ = sysprep(capsys, "-n", "--format=qcow2", "-a", disk,
                             "--enable", "tmp-files,machine-id")
    assert status == 0 and disk.read_bytes() == before
    assert [m for m in messages(out) if m.startswith("Performing")] == [
        'Performing "tmp-files" ...', 'Performing "machine-id" ...']
    status, out, err = sysprep(capsys, "--format=qcow2", "-a", disk, "--operations",
                               "defaults,-tmp-files,-customize", "--operations",
                               "user-account,-lvm-uuids", "--keep-user-accounts", "bob")
    assert (status, err) == (0, ""), err
    assert 'Performing "tmp-files" ...' not in messages(out)
    assert 'Performing "user-account" ...' in messages(out)
    with inspected_ro(disk) as g:
        assert g.exists("/tmp/x") and not g.exists("/root/.bash_history")
        passwd = g.read_file("/etc/passwd").decode()
        assert "\nalice:" not in passwd and "\nbob:" in passwd and passwd.startswith("root:")
        assert "alice:" not in g.read_file("/etc/shadow").decode()
        assert "alice:" not in g.read_file("/etc/group").decode()
        assert not g.exists("/home/alice") and g.is_dir("/home/bob")


@pytest.mark.skipif(not Path("/dev/fuse").exists(), reason="no FUSE here")
def test_script_operation(used_guest: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    disk = guest_copy(used_guest, tmp_path)
    status, out, err = sysprep(capsys, "--format=qcow2", "-a", disk, "--enable", "script",
                               "--script", "cat etc/hostname > root/seen; touch hello")
    assert (status, err) == (0, ""), err
    with inspected_ro(disk) as g:
        assert g.read_file("/root/seen") == g.read_file("/etc/hostname")
        assert g.is_file("/hello")


def test_list_operations() -> None:
    text = sysprep_ops.list_operations()
    assert "machine-id * Remove the local machine ID\n" in text
    assert "fs-uuids   Change filesystem UUIDs\n" in text
    assert text.splitlines() == sorted(text.splitlines())
    virt = shutil.which("virt-sysprep")
    if virt is not None:  # the same list as libguestfs 1.48's, byte for byte
        assert subprocess.run([virt, "--list-operations"], capture_output=True, text=True,
                              timeout=60).stdout == text


@pytest.mark.parametrize(("argv", "message"), [
    (["--enable", "utmp", "--enable", "tmp-files"], "--enable option can only be given once"),
    (["--enable", ""], "you cannot pass an empty argument to --enable"),
    (["--enable", "nope"], "--enable: ‘nope’ is not a known operation"),
    (["--operations", "defaults,,x"], "--operations: empty operation name"),
    (["--operations=-nope"], "--operations: ‘nope’ is not a known operation"),
    (["-a", "x", "--keep-user-accounts", "bob"],
     'user-accounts: --keep-user-accounts parameter was used, but the "user-account" '
     "operation is not enabled"),
    (["--remove-user-accounts", "a,,b"], "user-accounts: empty user name"),
    ([], "you must give either -a or -d options.  Read virt-sysprep(1) man page for further "
         "information."),
])
def test_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert sysprep(capsys, *argv) == (1, "", f"{PROG}: error: {message}{HINT}")


def test_operation_sets() -> None:
    assert sysprep_ops.operations("defaults,-tmp-files", None) == \
        sysprep_ops.defaults() - {"tmp-files"}
    assert sysprep_ops.operations("-all,fs-uuids", {"machine-id"}) == {"fs-uuids"}
    assert [op.name for op in sysprep_ops.selected({"customize", "abrt-data", "lvm-uuids"},
                                                   on_devices=False)] == [
        "abrt-data", "customize"]
