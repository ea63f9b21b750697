"""What goes into the appliance, computed from the host (pure logic over the host's files)."""

from __future__ import annotations

import os

import pytest

from guestbox.appliance import closure


def test_modules_come_with_dependencies_first() -> None:
    _, moddir = closure.kernel()
    order = [os.path.basename(m).split(".ko")[0] for m in closure.modules(moddir)]
    for before, after in (("virtio_ring", "virtio_scsi"), ("virtio", "virtio_console"),
                          ("scsi_mod", "sd_mod"), ("jbd2", "ext4"), ("crc32c_generic", "libcrc32c"),
                          ("dm-mod", "dm-crypt")):
        assert order.index(before) < order.index(after), (before, after)
    assert len(order) == len(set(order))


def test_a_missing_tool_names_its_debian_package() -> None:
    with pytest.raises(closure.MissingPackage) as e:
        closure.tools({"no-such-tool-xyz": "xyz-utils", "mount": "mount"})
    assert "apt-get install xyz-utils" in str(e.value)
    assert e.value.package == "xyz-utils"
    assert closure.tools({"no-such-tool-xyz": "xyz-utils?"}) == []  # optional ones are skipped


def test_tools_bring_their_libraries() -> None:
    libs = closure.shared_libraries(closure.tools({"lvm": "lvm2"}))
    names = {os.path.basename(p) for p in libs}
    assert any(n.startswith("libc.so") for n in names)
    assert any(n.startswith("libdevmapper") for n in names)


def test_python_closure_is_small_and_has_no_third_party_code(tmp_path: os.PathLike[str]) -> None:
    from guestbox.appliance.builder import _stage_agent

    root = os.path.join(tmp_path, "agent")
    from pathlib import Path

    _stage_agent(Path(root))
    interp, files = closure.python_files(root)
    assert interp.startswith("/usr/bin/python3")
    assert all(f.startswith("/usr/lib/python3") for f in files), files
    assert not any("site-packages" in f or "dist-packages" in f for f in files)
    assert len(files) < 150


def test_libraries_loaded_by_the_agent_and_data_directories() -> None:
    assert [os.path.basename(p) for p in closure.libraries()] == list(closure.LIBRARIES)
    with pytest.raises(closure.MissingPackage, match="apt-get install libxyz0"):
        closure.libraries({"libxyz.so.0": "libxyz0"})
    lenses = closure.data_files({"/usr/share/augeas/lenses/dist": "augeas-lenses"})
    assert "/usr/share/augeas/lenses/dist/hosts.aug" in lenses and lenses == sorted(lenses)
    with pytest.raises(closure.MissingPackage, match="apt-get install xyz-data"):
        closure.data_files({"/usr/share/no-such-dir-xyz": "xyz-data"})
