"""LVM basics: pvcreate, vgcreate, lvcreate(_free), pvs/vgs/lvs, removal, activation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import guestbox

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def lg() -> Iterator[guestbox.GuestFS]:
    """One handle for the module, two blank 128 MiB disks (/dev/sda, /dev/sdb)."""
    h = guestbox.GuestFS()
    try:
        h.add_drive_scratch(128 * MiB)
        h.add_drive_scratch(128 * MiB)
        h.launch()
        yield h
    finally:
        h.close()


@pytest.fixture
def clean(lg: guestbox.GuestFS) -> Iterator[guestbox.GuestFS]:
    """lg with no LVM on it, before and after the test."""
    lg.lvm_remove_all()
    yield lg
    lg.lvm_remove_all()


def test_create_list_remove(clean: guestbox.GuestFS) -> None:
    g = clean
    assert g.pvs() == [] and g.vgs() == [] and g.lvs() == []
    g.pvcreate("/dev/sda")
    g.pvcreate("/dev/sdb")
    assert g.pvs() == ["/dev/sda", "/dev/sdb"]
    g.vgcreate("VG", ["/dev/sda", "/dev/sdb"])
    assert g.vgs() == ["VG"]
    g.lvcreate("LV1", "VG", 16)
    g.lvcreate_free("LV2", "VG", 50)
    assert g.lvs() == ["/dev/VG/LV1", "/dev/VG/LV2"]
    # The device node exists (Device arguments are checked to be block devices).
    g.mkfs("ext4", "/dev/VG/LV1")
    g.lvremove("/dev/VG/LV2")
    assert g.lvs() == ["/dev/VG/LV1"]
    g.vgremove("VG")
    assert g.vgs() == [] and g.lvs() == []
    g.pvremove("/dev/sdb")
    assert g.pvs() == ["/dev/sda"]


def test_activation(clean: guestbox.GuestFS) -> None:
    g = clean
    g.pvcreate("/dev/sda")
    g.vgcreate("VGA", ["/dev/sda"])
    g.lvcreate("LV", "VGA", 8)
    g.pvcreate("/dev/sdb")
    g.vgcreate("VGB", ["/dev/sdb"])
    g.lvcreate_free("LV", "VGB", 100)
    g.vg_activate_all(False)
    assert g.lvs() == ["/dev/VGA/LV", "/dev/VGB/LV"]  # inactive volumes are listed
    with pytest.raises(FileNotFoundError, match="/dev/VGA/LV"):
        g.mkfs("ext4", "/dev/VGA/LV")
    g.vg_activate(True, ["VGA"])
    g.mkfs("ext4", "/dev/VGA/LV")
    with pytest.raises(FileNotFoundError):
        g.mkfs("ext4", "/dev/VGB/LV")
    g.vg_activate_all(True)
    g.mkfs("ext4", "/dev/VGB/LV")
    g.vg_activate(False, [])
    with pytest.raises(FileNotFoundError):
        g.mkfs("ext4", "/dev/VGB/LV")


def test_lvm_remove_all(clean: guestbox.GuestFS) -> None:
    g = clean
    g.pvcreate("/dev/sda")
    g.pvcreate("/dev/sdb")
    g.vgcreate("VG", ["/dev/sda"])
    g.lvcreate("A", "VG", 8)
    g.lvcreate("B", "VG", 8)
    g.lvm_remove_all()
    assert g.pvs() == [] and g.vgs() == [] and g.lvs() == []


def test_errors(clean: guestbox.GuestFS) -> None:
    g = clean
    with pytest.raises(guestbox.Error, match=r"lvcreate_free: percentage must be \[0..100\] "
                                             r"\(was 101\)"):
        g.lvcreate_free("LV", "VG", 101)
    with pytest.raises(FileNotFoundError, match="vgcreate: /dev/sdz: No such file"):
        g.vgcreate("VG", ["/dev/sdz"])
    with pytest.raises(guestbox.Error, match='lvcreate: .*Volume group "nope" not found'):
        g.lvcreate("LV", "nope", 8)
    with pytest.raises(guestbox.Error, match="vg_activate: vgchange: .*nope"):
        g.vg_activate(True, ["nope"])
    with pytest.raises(FileNotFoundError, match="pvcreate: /dev/sdz"):
        g.pvcreate("/dev/sdz")
