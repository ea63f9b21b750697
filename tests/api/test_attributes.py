"""copy_attributes, scrub_file, selinux_relabel and set_network (added for guestbox
customize and sysprep) against the real appliance, on the shared scratch filesystem."""

from __future__ import annotations

import errno
import stat

import pytest

import guestbox


def test_copy_attributes(g: guestbox.GuestFS, gdir: str) -> None:
    src, dest, other = f"{gdir}/src", f"{gdir}/dest", f"{gdir}/other"
    for path in (src, dest, other):
        g.write(path, b"x")
    g.chown(10, 20, src)
    g.chmod(0o4750, src)
    g.setxattr("user.label", b"red", 3, src)
    g.chmod(0o600, dest)
    g.copy_attributes(src, dest)  # nothing asked: nothing copied
    assert stat.S_IMODE(g.statns(dest)["st_mode"]) == 0o600
    g.copy_attributes(src, dest, mode=True)
    st = g.statns(dest)
    assert (stat.S_IMODE(st["st_mode"]), st["st_uid"]) == (0o4750, 0)
    assert g.getxattrs(dest) == []
    g.copy_attributes(src, other, all=True)
    st = g.statns(other)
    assert (stat.S_IMODE(st["st_mode"]), st["st_uid"], st["st_gid"]) == (0o4750, 10, 20)
    assert g.getxattr(other, "user.label") == b"red"
    with pytest.raises(FileNotFoundError) as e:
        g.copy_attributes(f"{gdir}/none", dest, all=True)
    assert str(e.value) == f"copy_attributes: stat: {gdir}/none: No such file or directory"


def test_scrub_file(g: guestbox.GuestFS, gdir: str) -> None:
    if not g.feature_available(["scrub"]):
        pytest.skip("no scrub(1) in the appliance")
    g.write(f"{gdir}/secret", b"password\n" * 1000)
    g.scrub_file(f"{gdir}/secret")
    assert not g.exists(f"{gdir}/secret")
    with pytest.raises(guestbox.Error) as e:
        g.scrub_file(gdir)
    assert e.value.errno == errno.EINVAL and "not a regular file" in str(e.value)


def test_selinux_relabel_is_a_feature(g: guestbox.GuestFS, gdir: str) -> None:
    """setfiles(8) is optional in the appliance: the feature group says whether it is."""
    if g.feature_available(["selinuxrelabel"]):
        g.write(f"{gdir}/file_contexts", f"{gdir}(/.*)? system_u:object_r:etc_t:s0\n".encode())
        g.write(f"{gdir}/f", b"")
        g.selinux_relabel(f"{gdir}/file_contexts", gdir, force=True)
        assert g.getxattr(f"{gdir}/f", "security.selinux").rstrip(b"\0") == \
            b"system_u:object_r:etc_t:s0"
    else:
        with pytest.raises(guestbox.Error):
            g.available(["selinuxrelabel"])


def test_network_setting() -> None:
    h = guestbox.GuestFS(close_on_exit=False)
    assert h.get_network() is False
    h.set_network(True)
    h.set_backend_settings(["force_tcg"])  # the backend settings do not turn it off
    assert h.get_network() is True
    h.set_network(False)
    assert h.get_network() is False
    h.set_backend_settings(["network"])  # guestbox's older spelling of the same
    assert h.get_network() is True
    h.close()
