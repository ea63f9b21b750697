"""Windows roots: the system root, and what the SOFTWARE and SYSTEM hives say.

The rules are libguestfs's (daemon/inspect_fs_windows.ml, lib/inspect-osinfo.c,
lib/inspect-apps.c).  Guest paths are matched case-insensitively and reported
as the guest spells them; no guest symlink is followed while looking (a
symlink is neither a directory nor a file here), so nothing outside the
filesystem is read.
"""

from __future__ import annotations

import errno
import os
import re
import stat

from ..paths import SYSROOT, resolve
from ..registry import AgentError
from . import hive, windevices
from .root import Root

SYSTEMROOTS = ("/windows", "/winnt", "/win32", "/win", "/reactos")
BOOT_INI_OS = re.compile(r"^(multi|scsi)\((\d+)\)disk\((\d+)\)rdisk\((\d+)\)partition\((\d+)\)"
                         r"([^=]+)=")
UNINSTALL = ("Microsoft", "Windows", "CurrentVersion", "Uninstall")
UNINSTALL_KEYS = (UNINSTALL, ("WOW6432node", *UNINSTALL))
PE_MACHINES = {0x14C: "i386", 0x8664: "x86_64", 0xAA64: "aarch64", 0x1C4: "arm",
               0x200: "ia64"}
SMALL_FILE = 64 * 1024


# -- guest paths, case-insensitively -----------------------------------------------
def nocase(top: str, guest: str) -> tuple[str, os.stat_result] | None:
    """(guest path as the guest spells it, its lstat) for a path matched
    case-insensitively under the directory top; None if it does not exist or a
    directory on the way is missing or is a symlink."""
    found = ""
    st = os.lstat(top)
    for part in (c for c in guest.split("/") if c):
        if not stat.S_ISDIR(st.st_mode):
            return None
        here = top + found
        match = None
        for name in dict.fromkeys((part, part.lower(), part.upper(), part.capitalize())):
            try:
                st = os.lstat(f"{here}/{name}")
                match = name
                break
            except OSError:
                continue
        if match is None:
            try:
                names = os.listdir(here)
            except OSError:
                return None
            match = next((n for n in names if n.lower() == part.lower()), None)
            if match is None:
                return None
            try:
                st = os.lstat(f"{here}/{match}")
            except OSError:
                return None
        found += "/" + match
    return found or "/", st


def _is(top: str, guest: str, kind: int) -> str | None:
    """The guest's spelling of guest if it is (not through a symlink) of kind."""
    got = nocase(top, guest)
    return got[0] if got is not None and stat.S_IFMT(got[1].st_mode) == kind else None


def is_systemroot(top: str, systemroot: str) -> bool:
    """libguestfs's test: system32, system32/config and system32/cmd.exe exist."""
    return (_is(top, f"{systemroot}/system32", stat.S_IFDIR) is not None
            and _is(top, f"{systemroot}/system32/config", stat.S_IFDIR) is not None
            and _is(top, f"{systemroot}/system32/cmd.exe", stat.S_IFREG) is not None)


def _read_small(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(SMALL_FILE)
    except OSError:
        return b""


def boot_ini_systemroots(text: str) -> list[str]:
    """The system roots boot.ini's [operating systems] section names (backslashes
    made slashes), in order."""
    lines = text.splitlines()
    try:
        first = next(i for i, line in enumerate(lines) if line.startswith("[operating systems]"))
    except StopIteration:
        return []
    out = []
    for line in lines[first + 1:]:
        if not line.startswith(("multi(", "scsi(")):
            break
        m = BOOT_INI_OS.match(line)
        if m:
            out.append(m.group(6).replace("\\", "/"))
    return out


def systemroot(top: str) -> str | None:
    """The Windows system root of the filesystem mounted at top, as a guest path."""
    for candidate in SYSTEMROOTS:
        got = nocase(top, candidate)
        if got is not None and is_systemroot(top, got[0]):
            return got[0]
    boot_ini = _is(top, "/boot.ini", stat.S_IFREG)
    if boot_ini is None:
        return None
    text = _read_small(top + boot_ini).decode("latin-1")
    return next((p for p in boot_ini_systemroots(text)
                 if p.startswith("/") and is_systemroot(top, p)), None)


# -- facts ---------------------------------------------------------------------------
def pe_arch(header: bytes) -> str:
    """The architecture of a PE executable from its COFF Machine field; "unknown" if
    header (the file's first bytes) is not one or the machine is not known."""
    if len(header) < 0x40 or header[:2] != b"MZ":
        return "unknown"
    pe = int.from_bytes(header[0x3C:0x40], "little")
    if header[pe:pe + 4] != b"PE\0\0" or len(header) < pe + 6:
        return "unknown"
    return PE_MACHINES.get(int.from_bytes(header[pe + 4:pe + 6], "little"), "unknown")


def parse_version(text: str) -> tuple[int, int] | None:
    """(major, minor) from "6.1" or "10" anywhere in text, as libguestfs parses
    CurrentVersion; None if there is no number."""
    m = re.search(r"(\d+)\.(\d+)", text) or re.search(r"(\d+)", text)
    if m is None or len(m.group(0)) > 18:
        return None
    return int(m.group(1)), int(m.group(2)) if m.lastindex == 2 else 0


def osinfo(major: int, minor: int, product_name: str, variant: str, build_id: str) -> str:
    """The libosinfo short id of a Windows version, by libguestfs's rules."""
    server = "Server" in variant
    if (major, minor) == (5, 1):
        return "winxp"
    if (major, minor) == (5, 2):
        return ("winxp" if "XP" in product_name else "win2k3r2" if "R2" in product_name
                else "win2k3")
    six = {0: ("win2k8", "winvista"), 1: ("win2k8r2", "win7"), 2: ("win2k12", "win8"),
           3: ("win2k12r2", "win8.1")}
    if major == 6 and minor in six:
        return six[minor][0 if server else 1]
    if (major, minor) == (10, 0):
        if server:
            return next((f"win2k{year[2:]}" for year in ("2025", "2022", "2019")
                         if year in product_name), "win2k16")
        if not build_id.isdigit():
            return "unknown"
        return "win11" if int(build_id) >= 22000 else "win10"
    return "unknown"


def _software(r: Root, values: hive.Answer) -> None:
    """Product name, version, variant and build from SOFTWARE's CurrentVersion key
    (value names matched exactly, as libguestfs does)."""
    name = hive.string(hive.get(values, "ProductName"))
    if name is not None:
        r.product_name = name
    major = hive.dword(hive.get(values, "CurrentMajorVersionNumber"))
    minor = hive.dword(hive.get(values, "CurrentMinorVersionNumber"))
    if major is not None and minor is not None:
        r.major_version, r.minor_version = major, minor
    else:
        version = parse_version(hive.string(hive.get(values, "CurrentVersion")) or "")
        if version is not None:
            r.major_version, r.minor_version = version
    variant = hive.string(hive.get(values, "InstallationType"))
    if variant is not None:
        r.product_variant = variant
    build = hive.string(hive.get(values, "CurrentBuildNumber"))
    if build is not None:
        r.build_id = build


def _tcpip(control_set: str) -> hive.Request:
    return ((control_set, "Services", "Tcpip", "Parameters"), "lsval")


def _system(r: Root, path: str) -> None:
    """Drive mappings, current control set and hostname from the SYSTEM hive at path.
    ControlSet001's hostname is asked in the same run, as it is nearly always current."""
    guess = "ControlSet001"
    select, mounted, tcpip = hive.query(path, [
        (("Select",), "lsval"), (("MountedDevices",), "lsval"), _tcpip(guess)])
    r.drive_mappings = windevices.drive_mappings(
        [v for v in mounted or () if isinstance(v, tuple)])
    current = hive.dword(hive.get(select, "Current", nocase=True))
    if current is None:
        return
    r.windows_current_control_set = f"ControlSet{current:03d}"
    if r.windows_current_control_set != guess:
        tcpip = hive.query(path, [_tcpip(r.windows_current_control_set)])[0]
    hostname = hive.string(hive.get(tcpip, "Hostname"))
    if hostname is not None:
        r.hostname = hostname


def detect(mountable: str, path: str) -> Root | None:
    """A Root if the filesystem at path holds a Windows system root."""
    sysroot = systemroot(path)
    if sysroot is None:
        return None
    r = Root(mountable, type="windows", distro="windows", windows_systemroot=sysroot)
    cmd = _is(path, f"{sysroot}/system32/cmd.exe", stat.S_IFREG)
    r.arch = pe_arch(_read_small(path + cmd)) if cmd else "unknown"
    r.windows_software_hive = _is(path, f"{sysroot}/system32/config/software", stat.S_IFREG)
    r.windows_system_hive = _is(path, f"{sysroot}/system32/config/system", stat.S_IFREG)
    if r.windows_software_hive is not None and r.windows_system_hive is not None:
        key = ("Microsoft", "Windows NT", "CurrentVersion")
        _software(r, hive.query(path + r.windows_software_hive, [(key, "lsval")])[0])
        _system(r, path + r.windows_system_hive)
    r.osinfo = osinfo(r.major_version, r.minor_version, r.product_name, r.product_variant,
                      r.build_id)
    return r


# -- applications --------------------------------------------------------------------
def application(name: str, values: hive.Answer) -> dict[str, object] | None:
    """The Application2 of one Uninstall subkey; None if it has no DisplayName string."""
    def text(key: str) -> str:
        return hive.string(hive.get(values, key, nocase=True)) or ""
    if hive.string(hive.get(values, "DisplayName", nocase=True)) is None:
        return None
    return {
        "app2_name": name, "app2_display_name": text("DisplayName"), "app2_epoch": 0,
        "app2_version": text("DisplayVersion"), "app2_release": "", "app2_arch": "",
        "app2_install_path": text("InstallLocation"), "app2_trans_path": "",
        "app2_publisher": text("Publisher"), "app2_url": text("URLInfoAbout"),
        "app2_source_package": "", "app2_summary": "", "app2_description": text("Comments"),
        "app2_spare1": "", "app2_spare2": "", "app2_spare3": "", "app2_spare4": "",
    }


def applications(r: Root) -> list[dict[str, object]]:
    """Application2 dicts from both Uninstall keys (native and WOW6432Node) of the
    SOFTWARE hive, read where the guest is mounted under the sysroot; sorted by name."""
    if r.windows_software_hive is None:
        raise AgentError("not a Windows guest, or software hive could not be determined",
                         errno.EINVAL)
    try:
        path = resolve(r.windows_software_hive, sysroot=SYSROOT)
        os.stat(path)
    except OSError as e:
        raise AgentError(f"hivex_open: {r.windows_software_hive}: {e.strerror}",
                         e.errno) from None
    lists = hive.query(path, [(key, "ls") for key in UNINSTALL_KEYS], unsafe=True)
    subkeys = [(*key, name) for key, names in zip(UNINSTALL_KEYS, lists, strict=True)
               for name in names or () if isinstance(name, str)]
    answers = hive.query(path, [(key, "lsval") for key in subkeys], unsafe=True)
    apps = [application(key[-1], values) for key, values in zip(subkeys, answers, strict=True)]
    return sorted((a for a in apps if a is not None), key=lambda a: str(a["app2_name"]))
