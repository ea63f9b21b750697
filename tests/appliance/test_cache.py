"""The appliance cache: an appliance a QEMU still uses is not removed under it."""

from __future__ import annotations

from pathlib import Path

from guestbox.appliance.cache import hold_in_use, remove_unused


def test_an_appliance_in_use_is_kept_until_released(tmp_path: Path) -> None:
    old = tmp_path / "appliance-old"
    old.mkdir()
    (old / "initrd").write_bytes(b"x")
    held = hold_in_use(old)
    assert held is not None
    assert not remove_unused(old) and (old / "initrd").exists()
    other = hold_in_use(old)  # several QEMUs may share one appliance
    assert other is not None
    held.close()
    assert not remove_unused(old)
    other.close()
    assert remove_unused(old) and not old.exists()


def test_a_directory_gone_is_nothing_to_hold(tmp_path: Path) -> None:
    assert hold_in_use(tmp_path / "gone") is None
    assert remove_unused(tmp_path / "gone")
