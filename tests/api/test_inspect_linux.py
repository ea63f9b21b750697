"""Linux inspection on the phony guests, compared field by field with virt-inspector's
expected XML (../shared/testdata/expected-inspector), and on a hostile scratch guest."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import guestbox
from tests import phony

FIELDS = ("arch", "distro", "product_name", "major_version", "minor_version", "package_format",
          "package_management", "hostname", "osinfo")
LUKS_KEYS = {"fedora-lvm-on-luks": ["FEDORA"],
             "fedora-luks-on-lvm": ["FEDORA-Root", "FEDORA-LV1", "FEDORA-LV2", "FEDORA-LV3"]}
XML_OF = {"debian": "debian", "ubuntu": "ubuntu", "archlinux": "archlinux", "fedora": "fedora",
          "fedora-md": "fedora", "fedora-btrfs": "fedora", "fedora-lvm-on-luks": "fedora",
          "fedora-luks-on-lvm": "fedora"}


def expected(testdata: Path, name: str) -> dict[str, Any]:
    """The fields, mountpoints {mp: dev} and filesystems of the XML's one OS."""
    os_ = ET.parse(testdata / "expected-inspector" / f"expected-{name}.img.xml").getroot()[0]
    out: dict[str, Any] = {"root": os_.findtext("root"), "type": "linux"}
    for f in FIELDS:
        text = os_.findtext(f)
        out[f] = "unknown" if text is None else int(text) if f.endswith("_version") else text
    out["mountpoints"] = {m.text: m.get("dev") for m in os_.iter("mountpoint")}
    out["filesystems"] = sorted(str(f.get("dev")) for f in os_.iter("filesystem"))
    return out


def adapt(name: str, want: dict[str, Any], g: guestbox.GuestFS) -> dict[str, Any]:
    """The fedora XML changed as PHONY-GUESTS.md says for each variant."""
    def rename(old: str, new: str) -> None:
        want["root"] = new if want["root"] == old else want["root"]
        want["mountpoints"] = {mp: new if d == old else d for mp, d in want["mountpoints"].items()}
        want["filesystems"] = sorted(new if d == old else d for d in want["filesystems"])
    if name == "fedora-md":
        boot = [md for md in g.list_md_devices() if g.vfs_label(md) == "BOOT"]
        assert len(boot) == 1
        rename("/dev/sda1", boot[0])
    elif name == "fedora-btrfs":
        rename("/dev/VG/Root", "btrfsvol:/dev/sda2/root")
        want["mountpoints"]["/home"] = "btrfsvol:/dev/sda2/home"
        want["filesystems"] = sorted([*want["filesystems"], "btrfsvol:/dev/sda2/home"])
    elif name == "fedora-luks-on-lvm":
        rename("/dev/VG/Root", f"/dev/mapper/luks-{g.luks_uuid('/dev/Volume-Group/Root')}")
    return want


@pytest.fixture(scope="module")
def opened() -> Iterator[Callable[[str], guestbox.GuestFS]]:
    """A factory: the phony guest name launched read-only, its LUKS opened (one at a time)."""
    current: list[guestbox.GuestFS] = []

    def open_(name: str) -> guestbox.GuestFS:
        for h in current:
            h.close()
        current.clear()
        g = guestbox.GuestFS()
        current.append(g)
        for path in phony.images(name):
            g.add_drive_opts(str(path), readonly=True, format="raw")
        g.launch()
        for key in LUKS_KEYS.get(name, []):
            g.set_luks_key("all", key)
        if name in LUKS_KEYS:
            assert g.inspect_decrypt()
        return g

    yield open_
    for h in current:
        h.close()


@pytest.mark.parametrize("name", list(XML_OF))
def test_phony_guest_matches_virt_inspector(opened: Callable[[str], guestbox.GuestFS],
                                            testdata: Path, name: str) -> None:
    g = opened(name)
    roots = g.inspect_os()
    want = adapt(name, expected(testdata, XML_OF[name]), g)
    assert roots == [want["root"]]
    assert g.inspect_get_roots() == roots
    root = roots[0]
    got = {f: getattr(g, f"inspect_get_{f}")(root) for f in ("type", *FIELDS)}
    assert got == {f: want[f] for f in ("type", *FIELDS)}
    assert g.inspect_get_mountpoints(root) == want["mountpoints"]
    assert sorted(g.inspect_get_filesystems(root)) == want["filesystems"]
    assert g.inspect_get_format(root) == "installed"
    assert g.inspect_get_product_variant(root) == "unknown"
    assert g.inspect_get_build_id(root) == "unknown"
    assert not g.inspect_is_live(root)


def test_debian_orders_as_libguestfs(opened: Callable[[str], guestbox.GuestFS]) -> None:
    """libguestfs 1.48 returns debian.img's fstab in reverse order (measured with it)."""
    g = opened("debian")
    (root,) = g.inspect_os()
    assert list(g.inspect_get_mountpoints(root)) == ["/home", "/var", "/usr", "/", "/boot"]
    assert g.inspect_get_filesystems(root) == [
        "/dev/debian/home", "/dev/debian/var", "/dev/debian/usr", "/dev/debian/root",
        "/dev/sda1"]


def test_ubuntu_keeps_missing_swap_device(opened: Callable[[str], guestbox.GuestFS]) -> None:
    g = opened("ubuntu")
    (root,) = g.inspect_os()
    assert g.inspect_get_filesystems(root) == ["/dev/mapper/cryptswap1", "/dev/sda2",
                                               "/dev/sda1"]
    assert "none" not in g.inspect_get_mountpoints(root)


def test_errors(launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    g = launch_handle(phony.image("archlinux"), readonly=True)
    with pytest.raises(RuntimeError, match="no inspection data: call guestfs_inspect_os first"):
        g.inspect_get_type("/dev/sda1")
    assert g.inspect_os() == ["/dev/sda1"]
    with pytest.raises(RuntimeError, match="/dev/sda: root device not found: only call this "
                       "function with a root device previously returned by guestfs_inspect_os"):
        g.inspect_get_distro("/dev/sda")
    with pytest.raises(RuntimeError, match="not a Windows guest, or systemroot could not be "
                       "determined"):
        g.inspect_get_windows_systemroot("/dev/sda1")


def aarch64_elf() -> bytes:
    """A 64-bit little-endian ELF header for aarch64 (e_machine 183), padded."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00" + (183).to_bytes(2, "little") \
        + bytes(44)


def test_hostile_guest(launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    """Garbage, huge files, loops, devices and links out of the guest: a partial answer."""
    g = launch_handle(256 * 1024 * 1024)
    g.part_disk("/dev/sda", "mbr")
    g.mkfs("ext4", "/dev/sda1")
    g.mount("/dev/sda1", "/")
    g.mkdir_p("/etc/sysconfig")
    g.mkdir_p("/bin")
    g.mkdir_p("/dev")
    g.write("/etc/os-release", b"\x00\xff\xfe\x80garbage\nID=\xff\xfe\nPRETTY_NAME\n")
    g.ln_s("oracle-b", "/etc/oracle-release")  # a loop: oracle-release -> oracle-b -> ...
    g.ln_s("oracle-release", "/etc/oracle-b")
    g.touch("/etc/lsb-release")
    g.truncate_size("/etc/lsb-release", 3 * 1024 * 1024)  # too big to read
    g.write("/etc/debian_version", b"7.3\n")
    g.mkfifo(0o644, "/etc/HOSTNAME")  # would block a reader
    g.mknod_c(0o666, 1, 5, "/dev/zero")
    g.ln_s("/dev/zero", "/etc/hostname")  # endless
    g.write("/etc/sysconfig/network", b'HOSTNAME="robust.example"\n')
    g.ln_s("/../../../../bin/bash", "/bin/bash")  # the appliance's bash if it escaped
    g.write("/bin/ls", aarch64_elf())
    g.write("/etc/fstab", b"/dev/sda1 / ext4 defaults 0 1\n"
            b"UUID=0000-nowhere /data ext4 defaults 0 0\n"
            b"tmpfs /tmp tmpfs defaults 0 0\nproc /proc proc defaults 0 0\n"
            b"/dev/sdz9 /z ext4 defaults 0 0\nbroken-line\n")
    g.umount_all()
    assert g.inspect_os() == ["/dev/sda1"]
    r = "/dev/sda1"
    assert (g.inspect_get_distro(r), g.inspect_get_product_name(r)) == ("debian", "7.3")
    assert (g.inspect_get_major_version(r), g.inspect_get_minor_version(r)) == (7, 3)
    assert g.inspect_get_osinfo(r) == "debian7"
    assert g.inspect_get_hostname(r) == "robust.example"
    assert g.inspect_get_arch(r) == "aarch64"
    assert g.inspect_get_mountpoints(r) == {"/z": "/dev/sdz9", "/": "/dev/sda1"}


def test_empty_disk_has_no_roots(launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    g = launch_handle(64 * 1024 * 1024)
    assert g.inspect_os() == []
    with pytest.raises(RuntimeError, match="no inspection data"):
        g.inspect_get_type("/dev/sda")


def test_pure_parsers() -> None:
    """The agent's parsing functions on their own (imported on the host)."""
    from guestbox.agent.inspection import fstab, linux, release
    assert linux.elf_arch(aarch64_elf()[:20]) == "aarch64"
    assert linux.elf_arch(b"\x7fELF\x01\x01" + bytes(12) + (3).to_bytes(2, "little")) == "i386"
    assert linux.elf_arch(b"MZ" + bytes(18)) is None
    assert fstab.md_uuid("0A1B2C3D:4e5f6071:8293a4b5:c6d7e8f9") == \
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert fstab.md_uuid("not-a-uuid") is None
    assert fstab.drive_index("a") == 0 and fstab.drive_index("aa") == 26
    assert fstab.canonical_path("///usr//local//") == "/usr/local"
    assert fstab.parse(["# c", "", "LABEL=a\\040b /x ext4 subvol=y 0 0", "one"]) == [
        ("LABEL=a b", "/x", "ext4", "subvol=y")]
    assert release.shell_unquote("\"a \\\"b\\\"\"'c d'e") == 'a "b"c de'
