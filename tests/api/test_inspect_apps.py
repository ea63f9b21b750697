"""inspect_list_applications2 (and the deprecated inspect_list_applications).

The phony guests' lists are compared field by field with virt-inspector's
expected XML; package databases written on a scratch disk check the apk reader,
damaged dpkg and pacman databases, symlinks kept inside the guest, and the
error when nothing is mounted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

import guestbox
from guestbox.agent.inspection import apps
from tests import phony

EXPECTED = phony.TESTDATA / "expected-inspector"
XML_FIELDS = {  # virt-inspector's element: Application2 field (absent elements are empty)
    "name": "app2_name", "display_name": "app2_display_name", "epoch": "app2_epoch",
    "version": "app2_version", "release": "app2_release", "arch": "app2_arch",
    "install_path": "app2_install_path", "publisher": "app2_publisher", "url": "app2_url",
    "source_package": "app2_source_package", "summary": "app2_summary",
    "description": "app2_description",
}
ALWAYS_EMPTY = ("app2_trans_path", "app2_spare1", "app2_spare2", "app2_spare3", "app2_spare4")


def expected_applications(name: str) -> list[dict[str, object]]:
    """The <applications> of expected-NAME.img.xml as Application2 dicts."""
    tree = ET.parse(EXPECTED / f"expected-{name}.img.xml")
    out = []
    for app in tree.iterfind("./operatingsystem/applications/application"):
        d: dict[str, object] = {f: "" for f in XML_FIELDS.values()} | {"app2_epoch": 0}
        for element in app:
            value = element.text or ""
            d[XML_FIELDS[element.tag]] = int(value) if element.tag == "epoch" else value
        out.append(d)
    return out


def mount_guest(g: guestbox.GuestFS, root: str) -> None:
    """Mount root's filesystems read-only as inspect_get_mountpoints says, shortest first."""
    mps = g.inspect_get_mountpoints(root)
    for mp in sorted(mps, key=len):
        g.mount_ro(mps[mp], mp)


@pytest.fixture(scope="module", params=["debian", "fedora", "archlinux"])
def phony_guest(request: pytest.FixtureRequest) -> Iterator[tuple[str, guestbox.GuestFS, str]]:
    name = request.param
    g = guestbox.GuestFS()
    try:
        for path in phony.images(name):
            g.add_drive_opts(str(path), readonly=True, format="raw")
        g.launch()
        roots = g.inspect_os()
        assert phony.ROOTS[name] in roots
        yield name, g, phony.ROOTS[name]
    finally:
        g.close()


def test_phony_guests_applications_equal_virt_inspector(phony_guest: tuple) -> None:
    name, g, root = phony_guest
    with pytest.raises(RuntimeError, match="you must call 'mount' first"):
        g.inspect_list_applications2(root)
    mount_guest(g, root)
    try:
        got = g.inspect_list_applications2(root)
        expected = expected_applications(name)
        assert [a["app2_name"] for a in got] == [a["app2_name"] for a in expected]
        for app, want in zip(got, expected, strict=True):
            assert {k: app[k] for k in want} == want
            assert all(app[k] == "" for k in ALWAYS_EMPTY)
        old = g.inspect_list_applications(root)
        assert old == [{k.replace("app2_", "app_"): v for k, v in a.items()
                        if k not in ("app2_arch",) + ALWAYS_EMPTY[1:]} for a in got]
    finally:
        g.umount_all()


# -- package databases written on a scratch disk ----------------------------------------
DPKG_STATUS = b"""\
Package: zlast
Status: install ok installed
Version: 2:1.0-3-4
Architecture: all
Description: no blank line after me

Package: gone
Status: deinstall ok config-files
Version: 1.0-1

Package: never
Status: purge ok not-installed
Version: 1.0-1

Package: badepoch
Status: install ok installed
Version: x:1.0-1

Package: \xff\xfebinary
Status: install ok installed
Version: 1.0
Source: src (1.0-1)
Architecture: amd64
Description: short
 first
 .
 second
Homepage: http://example.invalid/

Package: noversion
Status: install ok installed

\x00\x01\x02 garbage line without a colon
Package: zlast
Status: install ok half-installed
Version: 5
"""

APK_INSTALLED = b"""\
C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
T:the musl c library
U:https://musl.libc.org/
L:MIT

P:busybox
V:1:1.36.1-r5
A:x86_64
T:Size optimized toolbox
XX:ignored line
U:https://busybox.net/

P:noversion
A:x86_64
"""

PACMAN = {  # directory: desc file
    "good-1.0-1": "%NAME%\ngood\n\n%VERSION%\n1.0-1\n\n%DESC%\nA good one\nsecond line\n\n"
                  "%ARCH%\nany\n",
    "norel-1.0": "%NAME%\nnorel\n\n%VERSION%\n1.0\n\n%ARCH%\nany\n",
    "noarch-1-1": "%NAME%\nnoarch\n\n%VERSION%\n1-1\n",
    "huge-1-1": "%NAME%\nhuge\n\n%VERSION%\n1-1\n\n%ARCH%\nany\n\n%DESC%\n" + "x" * 9000 + "\n",
}


def _os_release(g: guestbox.GuestFS, distro: str) -> None:
    g.mkdir_p("/etc")
    g.write("/etc/os-release", f"ID={distro}\nVERSION_ID=1\n".encode())
    g.mkdir_p("/bin")  # a Linux root: /etc, /bin and an fstab
    g.write("/etc/fstab", b"")


@pytest.fixture(scope="module")
def scratch() -> Iterator[tuple[guestbox.GuestFS, dict[str, str]]]:
    """Five ext4 roots: alpine, debian (a damaged status), arch, fedora (no rpm database)
    and debian whose status is a symlink leading out of the guest (kept inside)."""
    g = guestbox.GuestFS()
    try:
        g.add_drive_scratch(256 * 1024 * 1024)
        g.launch()
        g.part_init("/dev/sda", "mbr")
        for start in (2048, 100000, 200000):
            g.part_add("/dev/sda", "p", start, start + 90000)
        g.part_add("/dev/sda", "e", 300000, 500000)
        g.part_add("/dev/sda", "l", 302048, 390000)
        g.part_add("/dev/sda", "l", 392048, 490000)
        devs = {"alpine": "/dev/sda1", "debian": "/dev/sda2", "arch": "/dev/sda3",
                "fedora": "/dev/sda5", "symlink": "/dev/sda6"}
        for distro, dev in devs.items():
            g.mkfs("ext4", dev)
            g.mount(dev, "/")
            _os_release(g, "debian" if distro == "symlink" else distro)
            if distro == "alpine":
                g.mkdir_p("/lib/apk/db")
                g.write("/lib/apk/db/installed", APK_INSTALLED)
            elif distro == "debian":
                g.mkdir_p("/var/lib/dpkg")
                g.write("/var/lib/dpkg/status", DPKG_STATUS)
            elif distro == "arch":
                for d, desc in PACMAN.items():
                    g.mkdir_p(f"/var/lib/pacman/local/{d}")
                    g.write(f"/var/lib/pacman/local/{d}/desc", desc.encode())
                g.ln_s("good-1.0-1", "/var/lib/pacman/local/link-1-1")
            elif distro == "symlink":
                g.mkdir_p("/var/lib/dpkg")
                g.write("/inguest", b"Package: inside\nStatus: install ok installed\n"
                                    b"Version: 1-1\n\n")
                g.ln_s("../../../../../../../../inguest", "/var/lib/dpkg/status")
            g.umount("/")
        roots = g.inspect_os()
        assert sorted(roots) == sorted(devs.values())
        yield g, devs
    finally:
        g.close()


def _listing(g: guestbox.GuestFS, root: str) -> list[dict[str, object]]:
    g.mount_ro(root, "/")
    try:
        return g.inspect_list_applications2(root)
    finally:
        g.umount_all()


def _brief(apps_: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(a["app2_name"], a["app2_epoch"], a["app2_version"], a["app2_release"],
             a["app2_arch"]) for a in apps_]


def test_apk_database(scratch: tuple) -> None:
    g, devs = scratch
    got = _listing(g, devs["alpine"])
    assert _brief(got) == [("busybox", 1, "1.36.1", "5", "x86_64"),
                           ("musl", 0, "1.2.4", "2", "x86_64")]
    assert got[1]["app2_url"] == "https://musl.libc.org/"
    assert got[1]["app2_description"] == "the musl c library"
    assert got[1]["app2_summary"] == ""


def test_damaged_dpkg_status(scratch: tuple) -> None:
    """Removed, purged, unparsable and incomplete entries are left out; the last entry
    counts without a blank line after it; undecodable bytes become U+FFFD."""
    g, devs = scratch
    got = _listing(g, devs["debian"])
    assert _brief(got) == [("zlast", 2, "1.0", "3-4", "all"), ("zlast", 0, "5", "", ""),
                           ("\ufffd\ufffdbinary", 0, "1.0", "", "amd64")]
    assert got[0]["app2_summary"] == "no blank line after me"
    binary = got[2]
    assert (binary["app2_source_package"], binary["app2_summary"], binary["app2_description"],
            binary["app2_url"]) == ("src", "short", "first\n.\nsecond",
                                    "http://example.invalid/")


def test_pacman_database(scratch: tuple) -> None:
    g, devs = scratch
    got = _listing(g, devs["arch"])
    assert _brief(got) == [("good", 0, "1.0", "1", "any")]
    assert got[0]["app2_description"] == "A good one"


def test_symlinked_database_stays_in_the_guest(scratch: tuple) -> None:
    g, devs = scratch
    assert _brief(_listing(g, devs["symlink"])) == [("inside", 0, "1", "1", "")]


def test_no_rpm_database_is_an_empty_list(scratch: tuple) -> None:
    g, devs = scratch
    assert _listing(g, devs["fedora"]) == []


def test_nothing_mounted(scratch: tuple) -> None:
    g, devs = scratch
    g.umount_all()
    with pytest.raises(RuntimeError, match="you must call 'mount' first"):
        g.inspect_list_applications2(devs["alpine"])
    with pytest.raises(RuntimeError, match="you must call 'mount' first"):
        g.inspect_list_applications(devs["alpine"])


# -- pure parsing, on the host -----------------------------------------------------------
@pytest.mark.parametrize(("text", "split"), [
    ("1.2.3-1", (0, "1.2.3", "1")), ("1:2.3-4-5", (1, "2.3", "4-5")), ("7", (0, "7", None)),
    ("x:1-1", (-1, "1", "1")), (" 3:1", (3, "1", None)),
    ("99999999999:1", (-1, "1", None)),
])
def test_split_version(text: str, split: tuple) -> None:
    assert apps.split_version(text) == split


def test_rpm_query_quoting() -> None:
    out = ("'a' '1' '2' 'x86_64' (none) 'it'\\''s' 'two\nlines' 3\n"
           "'b' '1' '2' (none) (none) '' '' 0\n")
    got = apps.parse_rpm_query(out)
    assert [(a["app2_name"], a["app2_epoch"], a["app2_arch"], a["app2_url"],
             a["app2_summary"], a["app2_description"]) for a in got] == [
        ("a", 3, "x86_64", "(none)", "it's", "two\nlines"), ("b", 0, "(none)", "(none)", "", "")]
