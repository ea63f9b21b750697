"""Windows inspection: the phony Windows guest against virt-inspector's XML and
libguestfs itself, hostile registries on a scratch NTFS disk, and the
table-driven rules (osinfo ids, PE machines, versions, boot.ini) as pure logic."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

import guestbox
from guestbox.agent.inspection import windevices, windows
from tests import phony

MiB = 1024 * 1024
DISTLIB = phony.PE32.parent
APP_FIELDS = {  # virt-inspector element: Application2 key
    "name": "app2_name", "display_name": "app2_display_name", "version": "app2_version",
    "url": "app2_url", "install_path": "app2_install_path", "publisher": "app2_publisher",
    "description": "app2_description",
}
LIBGUESTFS = """
import guestfs, json, sys
g = guestfs.GuestFS(python_return_dict=True)
g.add_drive_opts(sys.argv[1], readonly=True, format="raw")
g.launch()
out = {}
for r in g.inspect_os():
    out[r] = {f: getattr(g, "inspect_get_" + f)(r) for f in sys.argv[2:]}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def image() -> Path:
    return phony.image("windows")


@pytest.fixture(scope="module")
def win(image: Path) -> Iterator[guestbox.GuestFS]:
    """The phony Windows guest, read-only, inspected."""
    g = guestbox.GuestFS()
    g.add_drive_opts(str(image), readonly=True, format="raw")
    g.launch()
    g.inspect_os()
    yield g
    g.close()


@pytest.fixture(scope="module")
def expected() -> ET.Element:
    path = phony.TESTDATA / "expected-inspector/expected-windows.img.xml"
    if not path.exists():
        pytest.skip(f"{path} not present")
    (os_,) = ET.parse(path).getroot().findall("operatingsystem")
    return os_


def text(e: ET.Element, tag: str) -> str:
    return e.findtext(tag) or ""


def test_fields_equal_virt_inspectors(win: guestbox.GuestFS, expected: ET.Element) -> None:
    root = text(expected, "root")
    assert win.inspect_get_roots() == [root]
    assert win.inspect_get_type(root) == text(expected, "name")
    for field in ("arch", "distro", "product_name", "product_variant", "hostname", "osinfo",
                  "windows_systemroot", "windows_current_control_set"):
        assert getattr(win, f"inspect_get_{field}")(root) == text(expected, field), field
    assert win.inspect_get_major_version(root) == int(text(expected, "major_version"))
    assert win.inspect_get_minor_version(root) == int(text(expected, "minor_version"))
    assert win.inspect_get_mountpoints(root) == {
        m.text: m.get("dev") for m in expected.iterfind("mountpoints/mountpoint")}
    filesystems = expected.findall("filesystems/filesystem")
    assert win.inspect_get_filesystems(root) == [f.get("dev") for f in filesystems]
    for f in filesystems:
        assert win.vfs_type(str(f.get("dev"))) == text(f, "type")
    assert win.inspect_get_drive_mappings(root) == {
        m.get("name"): m.text for m in expected.iterfind("drive_mappings/drive_mapping")}
    assert win.inspect_get_package_format(root) == "unknown"
    assert win.inspect_get_package_management(root) == "unknown"
    assert win.inspect_get_build_id(root) == "unknown"  # the phony hive has no build number


def test_applications_equal_virt_inspectors(win: guestbox.GuestFS,
                                            expected: ET.Element) -> None:
    root = text(expected, "root")
    win.mount_ro(root, "/")
    try:
        apps = win.inspect_list_applications2(root)
        old = win.inspect_list_applications(root)
    finally:
        win.umount_all()
    want = expected.findall("applications/application")
    assert len(apps) == len(want) == 4
    for app, w in zip(apps, want, strict=True):
        for tag, key in APP_FIELDS.items():
            assert app[key] == text(w, tag), (tag, app)
        assert app["app2_epoch"] == 0 and app["app2_arch"] == app["app2_release"] == ""
    assert [a["app_name"] for a in old] == [a["app2_name"] for a in apps]
    assert "app_arch" not in old[0]


def test_applications_need_the_guest_mounted(win: guestbox.GuestFS) -> None:
    with pytest.raises(RuntimeError, match="^inspect_list_applications2: you must call 'mount' "
                                           "first"):
        win.inspect_list_applications2("/dev/sda2")


@pytest.mark.skipif(not os.environ.get("GUESTBOX_LIBGUESTFS")
                    or not os.path.exists("/usr/lib/python3/dist-packages/guestfs.py"),
                    reason="set GUESTBOX_LIBGUESTFS=1 to compare with libguestfs (slow)")
def test_windows_paths_equal_libguestfss(win: guestbox.GuestFS, image: Path) -> None:
    fields = ["windows_systemroot", "windows_current_control_set", "windows_software_hive",
              "windows_system_hive", "drive_mappings", "hostname", "osinfo", "arch"]
    p = subprocess.run(["/usr/bin/python3", "-c", LIBGUESTFS, str(image), *fields],
                       capture_output=True, text=True, timeout=600,
                       env={**os.environ, "LIBGUESTFS_BACKEND_SETTINGS": "force_tcg"})
    assert p.returncode == 0, p.stderr
    theirs = json.loads(p.stdout)
    assert list(theirs) == win.inspect_get_roots()
    for root, values in theirs.items():
        for field, value in values.items():
            assert getattr(win, f"inspect_get_{field}")(root) == value, field


# -- hostile and unusual registries ----------------------------------------------------
def _system_hive_with_control_set_2(tmp: Path) -> Path:
    """The phony SYSTEM hive with Select\\Current = 2, ControlSet002's hostname, and
    drives D: (this test disk's signature, p2's offset) and E: (no such disk)."""
    out = tmp / "SYSTEM2"
    script = "\n".join([
        "cd \\Select", "setval 1", "Current", "dword:2",
        "cd \\", "add ControlSet002", "cd ControlSet002", "add Services", "cd Services",
        "add Tcpip", "cd Tcpip", "add Parameters", "cd Parameters",
        "setval 1", "Hostname", "string:second.invalid",
        "cd \\MountedDevices", "setval 2",
        "\\DosDevices\\D:", "hex:3:31,32,33,34,00,00,00,10,00,00,00,00",
        "\\DosDevices\\E:", "hex:3:39,39,39,39,00,00,00,10,00,00,00,00",
        f"commit {out}", ""])
    subprocess.run(["hivexsh", "-w", str(phony.TESTDATA / "hives/windows-system")],
                   input=script.encode(), check=True)
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[guestbox.GuestFS]:
    """Three NTFS partitions: p1 /WINNT in lower case with a SYSTEM whose current control
    set is 2; p2 a garbage SOFTWARE hive; p3 a truncated SOFTWARE hive and no SYSTEM."""
    if shutil.which("hivexsh") is None:
        pytest.skip("hivexsh (libhivex-bin) is not installed")
    tmp = tmp_path_factory.mktemp("hives")
    system2 = _system_hive_with_control_set_2(tmp)
    garbage = tmp / "garbage"
    garbage.write_bytes(b"regf" + os.urandom(64 * 1024))
    truncated = tmp / "truncated"
    truncated.write_bytes((phony.TESTDATA / "hives/windows-software").read_bytes()[:6000])
    g = guestbox.GuestFS()
    g.add_drive_scratch(768 * MiB)
    g.launch()
    g.part_init("/dev/sda", "mbr")
    for start, end in ((2048, 524287), (524288, 1048575), (1048576, 1572800)):
        g.part_add("/dev/sda", "p", start, end)
    g.pwrite_device("/dev/sda", b"1234", 0x1B8)
    software = str(phony.TESTDATA / "hives/windows-software")
    system = str(phony.TESTDATA / "hives/windows-system")
    for part, top, files in (
            (1, "/WINNT/system32/config", {"software": software, "system": str(system2)}),
            (2, "/Windows/System32/Config", {"SOFTWARE": str(garbage), "SYSTEM": system}),
            (3, "/win32/System32/config", {"SOFTWARE": str(truncated)})):
        g.mkfs("ntfs", f"/dev/sda{part}")
        g.mount(f"/dev/sda{part}", "/")
        g.mkdir_p(top)
        for name, src in files.items():
            g.upload(src, f"{top}/{name}")
        g.upload(str(DISTLIB / "t64.exe"), f"{top}/../cmd.exe")
        g.umount_all()
    g.inspect_os()
    yield g
    g.close()


def test_lower_case_root_and_second_control_set(hostile: guestbox.GuestFS) -> None:
    g, root = hostile, "/dev/sda1"
    assert g.inspect_get_roots() == ["/dev/sda1", "/dev/sda2", "/dev/sda3"]
    assert g.inspect_get_windows_systemroot(root) == "/WINNT"
    assert g.inspect_get_windows_software_hive(root) == "/WINNT/system32/config/software"
    assert g.inspect_get_windows_system_hive(root) == "/WINNT/system32/config/system"
    assert g.inspect_get_windows_current_control_set(root) == "ControlSet002"
    assert g.inspect_get_hostname(root) == "second.invalid"
    assert g.inspect_get_drive_mappings(root) == {"D": "/dev/sda2"}
    assert g.inspect_get_arch(root) == "x86_64"
    assert (g.inspect_get_product_name(root), g.inspect_get_osinfo(root)) == (
        "Microsoft Windows 7 Phony Edition", "win7")
    g.mount_ro(root, "/")
    try:
        names = [a["app2_name"] for a in g.inspect_list_applications2(root)]
    finally:
        g.umount_all()
    assert names == ["test1", "test2", "test3", "test4"]


def test_garbage_software_hive_gives_a_partial_answer(hostile: guestbox.GuestFS) -> None:
    g, root = hostile, "/dev/sda2"
    assert g.inspect_get_type(root) == "windows"
    assert (g.inspect_get_product_name(root), g.inspect_get_major_version(root),
            g.inspect_get_osinfo(root)) == ("unknown", 0, "unknown")
    assert g.inspect_get_hostname(root) == "windows.invalid"  # SYSTEM is fine
    g.mount_ro(root, "/")
    try:
        assert g.inspect_list_applications2(root) == []
    finally:
        g.umount_all()


def test_truncated_software_and_no_system_hive(hostile: guestbox.GuestFS) -> None:
    g, root = hostile, "/dev/sda3"
    assert g.inspect_get_windows_systemroot(root) == "/win32"
    assert g.inspect_get_windows_software_hive(root) == "/win32/System32/config/SOFTWARE"
    with pytest.raises(RuntimeError, match="system hive"):
        g.inspect_get_windows_system_hive(root)
    with pytest.raises(RuntimeError, match="^inspect_get_windows_current_control_set: not a "
                                           "Windows guest, or CurrentControlSet could not be "
                                           "determined$"):
        g.inspect_get_windows_current_control_set(root)
    assert (g.inspect_get_product_name(root), g.inspect_get_hostname(root)) == (
        "unknown", "unknown")
    assert g.inspect_get_drive_mappings(root) == {}


# -- the rules, as pure logic ----------------------------------------------------------
@pytest.mark.parametrize(("major", "minor", "name", "variant", "build", "want"), [
    (5, 1, "Microsoft Windows XP", "unknown", "2600", "winxp"),
    (5, 2, "Microsoft Windows XP Professional x64", "unknown", "", "winxp"),
    (5, 2, "Microsoft Windows Server 2003 R2", "unknown", "", "win2k3r2"),
    (5, 2, "Microsoft Windows Server 2003", "unknown", "", "win2k3"),
    (6, 0, "Windows Vista (TM) Business", "Client", "", "winvista"),
    (6, 0, "Windows Server (R) 2008 Standard", "Server", "", "win2k8"),
    (6, 1, "Windows 7 Professional", "Client", "", "win7"),
    (6, 1, "Windows Server 2008 R2 Standard", "Server Core", "", "win2k8r2"),
    (6, 2, "Windows 8", "Client", "", "win8"),
    (6, 2, "Windows Server 2012", "Server", "", "win2k12"),
    (6, 3, "Windows 8.1 Pro", "Client", "", "win8.1"),
    (6, 3, "Windows Server 2012 R2", "Server", "", "win2k12r2"),
    (10, 0, "Windows 10 Pro", "Client", "19045", "win10"),
    (10, 0, "Windows 10 Pro", "Client", "22631", "win11"),
    (10, 0, "Windows 10 Pro", "Client", "unknown", "unknown"),
    (10, 0, "Windows Server 2016 Datacenter", "Server", "14393", "win2k16"),
    (10, 0, "Windows Server 2019 Standard", "Server", "17763", "win2k19"),
    (10, 0, "Windows Server 2022 Standard", "Server", "20348", "win2k22"),
    (10, 0, "Windows Server 2025 Standard", "Server", "26100", "win2k25"),
    (0, 0, "unknown", "unknown", "unknown", "unknown"),
    (4, 0, "Windows NT", "unknown", "", "unknown"),
])
def test_osinfo(major: int, minor: int, name: str, variant: str, build: str,
                want: str) -> None:
    assert windows.osinfo(major, minor, name, variant, build) == want


@pytest.mark.parametrize(("exe", "arch"), [
    ("t32.exe", "i386"), ("t64.exe", "x86_64"), ("t64-arm.exe", "aarch64")])
def test_pe_arch(exe: str, arch: str) -> None:
    assert windows.pe_arch((DISTLIB / exe).read_bytes()[:65536]) == arch


@pytest.mark.parametrize("header", [b"", b"MZ" + bytes(100), b"\x7fELF" + bytes(100),
                                    b"MZ" + bytes(58) + b"\xff\xff\xff\x7f"])
def test_pe_arch_of_non_pe(header: bytes) -> None:
    assert windows.pe_arch(header) == "unknown"


@pytest.mark.parametrize(("text", "want"), [
    ("6.1", (6, 1)), ("10", (10, 0)), ("v5.2.3790", (5, 2)), ("none", None),
    ("9" * 40, None)])
def test_parse_version(text: str, want: tuple[int, int] | None) -> None:
    assert windows.parse_version(text) == want


def test_boot_ini_systemroots() -> None:
    ini = ("[boot loader]\ntimeout=30\n[operating systems]\n"
           'multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS="Windows XP" /fastdetect\n'
           "scsi(0)disk(1)rdisk(0)partition(2)\\WINNT=\"2000\"\nbogus(1)\\X=\"x\"\n"
           "multi(0)disk(0)rdisk(0)partition(1)\\LATER=\"after a non-OS line\"\n")
    assert windows.boot_ini_systemroots(ini) == ["/WINDOWS", "/WINNT"]
    assert windows.boot_ini_systemroots("[boot loader]\n") == []


def test_gpt_blob_guid_is_microsofts_mixed_endian() -> None:
    blob = b"DMIO:ID:" + bytes.fromhex("33221100554477668899aabbccddeeff")
    assert windevices.blob_guid(blob) == "00112233-4455-6677-8899-aabbccddeeff"


@pytest.mark.parametrize(("mbr", "want"), [
    (bytes(510) + b"\x55\xaa", True), (bytes(512), False),
    (bytes(446 + 4) + b"\xee" + bytes(59) + b"\x55\xaa", False)])
def test_is_msdos(mbr: bytes, want: bool) -> None:
    assert windevices.is_msdos(mbr) is want

