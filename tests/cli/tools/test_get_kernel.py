"""`guestbox get-kernel` on a copy of the phony Arch Linux guest given kernels to choose from."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from guestbox import GuestFS
from guestbox.cli.tools.get_kernel import version_key
from tests import phony

from .cli_run import run

BOOT = {  # /boot of the guest: the 1.10.0 files are the newest (a string sort says 1.2.3)
    "vmlinuz-1.2.3": b"old kernel", "vmlinuz-1.10.0": b"new kernel",
    "initramfs-1.2.3.img": b"old initrd", "initramfs-1.10.0.img": b"new initrd",
    "config-1.10.0": b"not copied",
}


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    img = tmp_path_factory.mktemp("kernel") / "guest.img"
    subprocess.run(["cp", "--sparse=always", str(phony.image("archlinux")), str(img)],
                   check=True)
    g = GuestFS()
    try:
        g.add_drive_opts(str(img), format="raw")
        g.launch()
        g.mount("/dev/sda1", "/")
        for name, content in BOOT.items():
            g.write(f"/boot/{name}", content)
        g.shutdown()
    finally:
        g.close()
    return img


def test_the_newest_kernel_and_initrd_are_copied(
        guest: Path, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "get-kernel", "--format=raw", "-a", str(guest), "-o", str(tmp_path))
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout.decode() == (
        f"download: /boot/vmlinuz-1.10.0 -> {tmp_path}/vmlinuz-1.10.0\n"
        f"download: /boot/initramfs-1.10.0.img -> {tmp_path}/initramfs-1.10.0.img\n")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        "vmlinuz-1.10.0": b"new kernel", "initramfs-1.10.0.img": b"new initrd"}


def test_names_without_versions_and_a_link_in_the_way(
        guest: Path, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    (out / "p-vmlinuz").symlink_to(victim)  # replaced, never written through
    r = run(capfdbinary, "get-kernel", "-q", "--unversioned-names", "--prefix", "p",
            "-a", str(guest), "--format=raw", "-o", f"{out}/")  # --format after -a: OCaml's
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    assert victim.read_bytes() == b"keep me"
    assert not (out / "p-vmlinuz").is_symlink()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "p-vmlinuz": b"new kernel", "p-initramfs": b"new initrd"}


def test_failures_leave_nothing_behind(
        guest: Path, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    missing = tmp_path / "missing"
    r = run(capfdbinary, "get-kernel", "--format=raw", "-a", str(guest), "-o", str(missing))
    assert r.returncode == 1
    assert r.stderr.startswith(b"guestbox get-kernel: error: libguestfs error: download: "
                               + str(missing).encode())
    assert b"If reporting bugs, run guestbox get-kernel with debugging enabled" in r.stderr
    assert list(tmp_path.iterdir()) == []
    r = run(capfdbinary, "get-kernel", "-a", "x.img", "-a", "y.img")
    assert r.returncode == 1
    assert r.stderr.startswith(b"guestbox get-kernel: error: --add option can only be given "
                               b"once\n")


def test_version_order_of_virt_get_kernel() -> None:
    names = ["vmlinuz-5.10.0", "vmlinuz-5.9.12", "vmlinuz-5.10.0-rc1", "vmlinuz-5.10.0a",
             "vmlinuz-4.99"]
    assert sorted(names, key=version_key) == [  # OCaml's variant order: `String < `Number
        "vmlinuz-4.99", "vmlinuz-5.9.12", "vmlinuz-5.10.0", "vmlinuz-5.10.0a",  # < `Char
        "vmlinuz-5.10.0-rc1"]
    assert max(names, key=version_key) == "vmlinuz-5.10.0-rc1"
