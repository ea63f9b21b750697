"""Inspection of a real Debian 12 guest (debootstrap minbase, tests/debootstrap.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import guestbox
from tests import debootstrap


@pytest.fixture(scope="module")
def debian() -> Iterator[tuple[guestbox.GuestFS, str]]:
    g = guestbox.GuestFS()
    try:
        g.add_drive_opts(str(debootstrap.image()), readonly=True, format="raw")
        g.launch()
        roots = g.inspect_os()
        assert roots == ["/dev/sda1"]
        yield g, roots[0]
    finally:
        g.close()


def test_os_facts(debian: tuple) -> None:
    g, root = debian
    assert g.inspect_get_type(root) == "linux"
    assert g.inspect_get_distro(root) == "debian"
    assert g.inspect_get_major_version(root) == 12
    assert g.inspect_get_hostname(root) == debootstrap.HOSTNAME
    assert g.inspect_get_package_format(root) == "deb"
    assert g.inspect_get_package_management(root) == "apt"


def test_fstab_mountpoints(debian: tuple) -> None:
    g, root = debian
    assert g.inspect_get_mountpoints(root) == {"/": "/dev/sda1"}
    assert g.inspect_get_filesystems(root) == ["/dev/sda1"]


def _libguestfs_split(version: str) -> tuple[int, str, str]:
    """epoch, version, release of a Debian version as libguestfs splits it: the epoch
    before the first ':', the release after the first '-' that follows."""
    epoch, colon, rest = version.partition(":")
    if not colon:
        epoch, rest = "0", version
    upstream, _, release = rest.partition("-")
    return int(epoch), upstream, release


def test_applications_are_what_dpkg_query_lists(debian: tuple) -> None:
    g, root = debian
    g.mount_ro(root, "/")
    try:
        apps = g.inspect_list_applications2(root)
    finally:
        g.umount_all()
    listed = debootstrap.packages()
    assert len(listed) > 50  # a minbase system, not an empty database
    expected = sorted((name, *_libguestfs_split(version), arch)
                      for name, version, arch in listed)
    got = [(a["app2_name"], a["app2_epoch"], a["app2_version"], a["app2_release"],
            a["app2_arch"]) for a in apps]
    assert got == expected
    by_name = {a["app2_name"]: a for a in apps}
    dpkg = by_name["dpkg"]
    assert dpkg["app2_summary"].startswith("Debian package management system")
    assert dpkg["app2_url"] == "https://wiki.debian.org/Teams/Dpkg"
    assert dpkg["app2_description"]
    assert by_name["libc6"]["app2_source_package"] == "glibc"


def test_icon_is_base_files_debian_logo(debian: tuple) -> None:
    g, root = debian
    g.mount_ro(root, "/")
    try:
        logo = g.read_file("/usr/share/pixmaps/debian-logo.png")
        assert logo.startswith(b"\x89PNG") and 0 < len(logo) <= 2048
        assert g.inspect_get_icon(root) == logo
        assert g.inspect_get_icon(root, highquality=True) == b""
    finally:
        g.umount_all()
