"""LUKS: format, open/close (and the older names), keys, UUID; LVM on LUKS and LUKS on LVM.

cryptsetup derives keys with a memory-hard function tuned to take about two
seconds: every format, open and key change costs that under emulation, so the
tests share their formats where they can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guestbox
from guestbox.events import EVENT_APPLIANCE, EVENT_LIBRARY, EVENT_TRACE
from tests import phony

MiB = 1024 * 1024
KEY = "correct horse battery staple"


@pytest.fixture(scope="module")
def lg() -> Iterator[guestbox.GuestFS]:
    """One handle for the module: /dev/sda (64 MiB, one partition), /dev/sdb (96 MiB, blank)."""
    h = guestbox.GuestFS()
    try:
        h.add_drive_scratch(64 * MiB)
        h.add_drive_scratch(96 * MiB)
        h.launch()
        h.part_disk("/dev/sda", "mbr")
        yield h
    finally:
        h.close()


def test_lvm_on_luks_reopened(tmp_path: Path,
                              launch_handle: Callable[..., guestbox.GuestFS]) -> None:
    """LUKS on a partition, a volume group inside, ext4 and files; then a fresh handle on
    the image opens it again and reads the files back."""
    img = tmp_path / "disk.img"
    with open(img, "wb") as f:
        f.truncate(128 * MiB)
    g = launch_handle(img, format="raw")
    g.part_disk("/dev/sda", "mbr")
    g.luks_format("/dev/sda1", KEY, 0)
    g.cryptsetup_open("/dev/sda1", KEY, "crypt")
    g.pvcreate("/dev/mapper/crypt")
    g.vgcreate("SecretVG", ["/dev/mapper/crypt"])
    g.lvcreate("data", "SecretVG", 32)
    g.mkfs("ext4", "/dev/SecretVG/data")
    g.mount("/dev/SecretVG/data", "/")
    g.mkdir("/docs")
    g.write("/docs/plan.txt", b"meet at noon\n")
    g.umount_all()
    g.cryptsetup_close("/dev/mapper/crypt")  # deactivates the volume group first
    assert g.lvs() == []
    with pytest.raises(FileNotFoundError, match="/dev/mapper/crypt"):
        g.cryptsetup_close("/dev/mapper/crypt")
    uuid = g.luks_uuid("/dev/sda1")
    g.shutdown()
    g.close()

    g = launch_handle(img, format="raw")
    assert g.vfs_type("/dev/sda1") == "crypto_LUKS"
    assert g.luks_uuid("/dev/sda1") == uuid == g.vfs_uuid("/dev/sda1")
    assert g.list_filesystems() == {}  # a LUKS container holds no filesystem itself
    with pytest.raises(guestbox.Error, match=r"^cryptsetup_open: cryptsetup exited with status 2:"
                                             r" No key available with this passphrase\.$"):
        g.cryptsetup_open("/dev/sda1", "wrong key", "crypt")
    g.cryptsetup_open("/dev/sda1", KEY, "crypt", readonly=True)
    assert g.lvs() == ["/dev/SecretVG/data"]  # visible at once, no lvm scan needed
    assert g.list_filesystems() == {"/dev/SecretVG/data": "ext4"}
    g.mount_ro("/dev/SecretVG/data", "/")
    assert g.cat("/docs/plan.txt") == "meet at noon\n"


def test_luks_on_lvm(lg: guestbox.GuestFS) -> None:
    g = lg
    g.pvcreate("/dev/sdb")
    g.vgcreate("VG", ["/dev/sdb"])
    g.lvcreate("enc", "VG", 32)
    g.luks_format("/dev/VG/enc", KEY, 0)
    assert g.vfs_type("/dev/VG/enc") == "crypto_LUKS"
    assert "/dev/VG/enc" not in g.list_filesystems()
    g.luks_open("/dev/VG/enc", KEY, "onlvm")
    try:
        g.mkfs("ext4", "/dev/mapper/onlvm")
        assert g.list_filesystems()["/dev/mapper/onlvm"] == "ext4"  # as libguestfs lists it
        g.mount("/dev/mapper/onlvm", "/")
        g.write("/f", b"on lvm")
        with pytest.raises(guestbox.Error, match="cryptsetup_close: cryptsetup exited with "
                                                 "status 5: Device onlvm is still in use"):
            g.cryptsetup_close("/dev/mapper/onlvm")  # mounted
        g.umount_all()
    finally:
        g.luks_close("/dev/mapper/onlvm")
    assert "/dev/mapper/onlvm" not in g.list_filesystems()
    g.luks_open_ro("/dev/VG/enc", KEY, "onlvm")
    try:
        g.mount_ro("/dev/mapper/onlvm", "/")
        assert g.cat("/f") == "on lvm"
        g.umount_all()
    finally:
        g.luks_close("/dev/mapper/onlvm")
    g.lvm_remove_all()


def test_keys_and_cipher(lg: guestbox.GuestFS, tmp_path: Path) -> None:
    """Format with a cipher, add and kill key slots; the keys appear in no trace, log or
    error message."""
    g = lg
    seen: list[bytes] = []
    cb = g.set_event_callback(lambda ev, eh, buf, arr: seen.append(buf),
                              EVENT_TRACE | EVENT_LIBRARY | EVENT_APPLIANCE)
    g.set_trace(True)
    try:
        _keys(g, tmp_path / "header")
    finally:
        g.set_trace(False)
        g.delete_event_callback(cb)
    text = b"".join(seen)
    assert b'luks_add_key "/dev/sda1" "***" "***" 1' in text  # the trace, with the keys hidden
    assert b'cryptsetup_open "/dev/sda1" "***" "k1" "crypttype:luks"' in text
    for secret in (b"zeroth-secret", b"first-secret", b"wrong-secret"):
        assert secret not in text


def _luks2_header(g: guestbox.GuestFS, device: str, host: Path) -> bytes:
    """The LUKS2 header of device with its JSON metadata (key slots, segments)."""
    g.download_offset(device, str(host), 0, 16384)
    return host.read_bytes()


def _keys(g: guestbox.GuestFS, host: Path) -> None:
    g.luks_format_cipher("/dev/sda1", "zeroth-secret", 0, "aes-cbc-essiv:sha256")
    header = _luks2_header(g, "/dev/sda1", host)
    assert b'"encryption":"aes-cbc-essiv:sha256"' in header
    assert b'"keyslots":{"0":{' in header
    g.luks_add_key("/dev/sda1", "zeroth-secret", "first-secret", 1)
    with pytest.raises(guestbox.Error, match="^luks_add_key: Key slot 1 is full"):
        g.luks_add_key("/dev/sda1", "zeroth-secret", "first-secret", 1)
    with pytest.raises(guestbox.Error, match="^luks_add_key: No key available with this "
                                             "passphrase"):
        g.luks_add_key("/dev/sda1", "wrong-secret", "first-secret", 2)
    with pytest.raises(guestbox.Error, match="^luks_kill_slot: Keyslot 5 is not active"):
        g.luks_kill_slot("/dev/sda1", "zeroth-secret", 5)
    g.luks_kill_slot("/dev/sda1", "first-secret", 0)
    assert b'"keyslots":{"1":{' in _luks2_header(g, "/dev/sda1", host)  # slot 0 is gone
    g.cryptsetup_open("/dev/sda1", "first-secret", "k1", crypttype="luks")
    g.cryptsetup_close("/dev/mapper/k1")


def test_errors(lg: guestbox.GuestFS) -> None:
    g = lg
    g.zero("/dev/sda1")
    with pytest.raises(guestbox.Error, match="^cryptsetup_open: /dev/sda1: unknown encrypted "
                                             "device type$"):
        g.cryptsetup_open("/dev/sda1", KEY, "x")
    with pytest.raises(guestbox.Error, match="^luks_uuid: /dev/sda1: not a LUKS device$"):
        g.luks_uuid("/dev/sda1")
    with pytest.raises(guestbox.Error, match="invalid mapping name"):
        g.cryptsetup_open("/dev/sda1", KEY, "control")
    with pytest.raises(guestbox.Error, match="invalid mapping name"):
        g.cryptsetup_open("/dev/sda1", KEY, "a/b")
    with pytest.raises(guestbox.Error, match="^cryptsetup_close: /dev/sda1: you must call this "
                                             "on the /dev/mapper device created by "
                                             "cryptsetup-open$"):
        g.cryptsetup_close("/dev/sda1")
    with pytest.raises(FileNotFoundError, match="^cryptsetup_close: /dev/mapper/nope: No such"):
        g.cryptsetup_close("/dev/mapper/nope")
    with pytest.raises(FileNotFoundError, match="^luks_format: /dev/sdz: No such file"):
        g.luks_format("/dev/sdz", KEY, 0)
    with pytest.raises(FileNotFoundError, match="^luks_open: /dev/sdz: No such file"):
        g.luks_open("/dev/sdz", KEY, "x")
    with pytest.raises(guestbox.Error, match="^luks_format: keyslot must not be negative"):
        g.luks_format("/dev/sda1", KEY, -1)
    with pytest.raises(guestbox.Error, match="^luks_add_key: keyslot must not be negative"):
        g.luks_add_key("/dev/sda1", KEY, "other", -1)
    with pytest.raises(guestbox.Error, match="(?s)^luks_format_cipher: .*Check that kernel "
                                             "supports nonsense-xyz cipher"):
        g.luks_format_cipher("/dev/sda1", KEY, 0, "nonsense-xyz")
    assert g.vfs_type("/dev/sda1") == ""  # nothing was half done


def test_inspect_decrypt_opens_lvm_on_luks_with_the_drive_key() -> None:
    g = guestbox.GuestFS()
    g.add_drive_opts(str(phony.image("fedora-lvm-on-luks")), readonly=True, format="raw",
                     key="FEDORA")
    g.launch()
    try:
        assert g.lvs() == []
        (mapper,) = g.inspect_decrypt()
        assert mapper == f"/dev/mapper/luks-{g.luks_uuid('/dev/sda2')}"
        assert "/dev/VG/Root" in g.lvs()
        g.mount_ro("/dev/VG/Root", "/")
        assert g.cat("/etc/redhat-release") == "Fedora release 14 (Phony)"
        assert g.inspect_decrypt() == []  # nothing more to open
    finally:
        g.close()


def test_inspect_decrypt_luks_on_lvm_with_keys_per_device(
    launch_handle: Callable[..., guestbox.GuestFS],
) -> None:
    g = launch_handle(phony.image("fedora-luks-on-lvm"), readonly=True)
    g.set_luks_key("all", "not the key")
    for short, lv in (("Root", "Root"), ("LV1", "Logical-Volume-1"), ("LV2", "Logical-Volume-2")):
        g.set_luks_key(f"/dev/Volume-Group/{lv}", f"FEDORA-{short}")
    uuid3 = g.luks_uuid("/dev/Volume-Group/Logical-Volume-3")
    g.set_luks_key(uuid3, "FEDORA-LV3")  # by UUID this time
    opened = g.inspect_decrypt()
    assert len(opened) == 4 and f"/dev/mapper/luks-{uuid3}" in opened
    fs = dict(g.list_filesystems())
    assert sorted(fs[m] for m in opened) == ["ext2"] * 4
    root = f"/dev/mapper/luks-{g.luks_uuid('/dev/Volume-Group/Root')}"
    assert g.vfs_label(root) == "ROOT"


def test_inspect_decrypt_without_a_working_key_opens_nothing(
    launch_handle: Callable[..., guestbox.GuestFS],
) -> None:
    g = launch_handle(phony.image("fedora-lvm-on-luks"), readonly=True)
    assert g.inspect_decrypt() == []
    g.set_luks_key("/dev/sda2", "wrong")
    assert g.inspect_decrypt() == []
    assert g.list_dm_devices() == []
    with pytest.raises(TypeError, match="set_luks_key: id must be"):
        g.set_luks_key("", "x")
