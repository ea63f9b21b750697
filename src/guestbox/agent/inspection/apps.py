"""Installed applications, from the guest's package database or registry.

As in libguestfs the guest must be mounted under the sysroot (the user mounts it
as inspect_get_mountpoints says).  The deb, pacman and apk databases are text
files parsed here with libguestfs's rules; rpm databases are read by the
appliance's rpm from a private copy, so the guest is never written (rpm and
SQLite like to create lock and journal files).  Every guest path is resolved
inside the sysroot, every read is size-limited, and damaged entries are left
out rather than failing the call.

Differences from libguestfs 1.48, deliberate: a missing database gives an empty
list (libguestfs fails on its internal download); the last entry of a file that
does not end with a blank line is kept; a dpkg entry whose status is
"not-installed" is left out (libguestfs looks for the substring "installed");
long dpkg lines are not cut at 1023 bytes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator

from ..dispatch import need_root
from ..fs import tool
from ..paths import resolve
from ..registry import AgentError
from . import windows
from .root import Root

MAX_DB_SIZE = 50_000_000
"""Largest dpkg status, apk installed or rpm database file read (libguestfs's limit)."""
MAX_PACMAN_DESC = 8192
"""Largest pacman desc file read; larger ones are skipped, as in libguestfs."""
RPM_DB_DIRS = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
"""Where rpm databases live (the second since rpm 4.16; Fedora 36 links the first to it)."""
RPM_BACKENDS = {"rpmdb.sqlite": "sqlite", "Packages": "bdb_ro"}
"""Database file -> the backend of the appliance's rpm that reads it (Debian's rpm has no
ndb: openSUSE's Packages.db cannot be read)."""
DPKG_FIELDS = ("Package", "Status", "Version", "Architecture", "Homepage", "Source",
               "Description")
RPM_FIELDS = ("NAME", "VERSION", "RELEASE", "ARCH", "URL", "SUMMARY", "DESCRIPTION",
              "EPOCHNUM")

App = dict[str, object]


def application(name: str, *, epoch: int = 0, version: str = "", release: str = "",
                arch: str = "", url: str = "", source: str = "", summary: str = "",
                description: str = "", display_name: str = "", install_path: str = "",
                publisher: str = "") -> App:
    """An Application2 dict, its fields in libguestfs's order, unknown ones empty."""
    return {"app2_name": name, "app2_display_name": display_name, "app2_epoch": epoch,
            "app2_version": version, "app2_release": release, "app2_arch": arch,
            "app2_install_path": install_path, "app2_trans_path": "",
            "app2_publisher": publisher, "app2_url": url, "app2_source_package": source,
            "app2_summary": summary, "app2_description": description, "app2_spare1": "",
            "app2_spare2": "", "app2_spare3": "", "app2_spare4": ""}


def parse_epoch(text: str) -> int:
    """An epoch as libguestfs's parse_unsigned_int reads it (strtol, whole string); -1 if
    it is not a number that fits."""
    m = re.fullmatch(r"[ \t\n\v\f\r]*([+-]?[0-9]+)", text)
    if m is None:
        return -1
    value = int(m.group(1))
    return value if 0 <= value <= 0x7FFFFFFF else -1


def split_version(text: str, strip_r: bool = False) -> tuple[int, str, str | None]:
    """(epoch, version, release) of "[epoch:]version[-release]", split at the first ':'
    and the first '-' after it, as libguestfs does; release None if there is no '-'."""
    epoch = 0
    head, colon, rest = text.partition(":")
    if colon:
        epoch = parse_epoch(head)
        text = rest
    version, dash, release = text.partition("-")
    if not dash:
        return epoch, version, None
    if strip_r and release.startswith("r"):
        release = release[1:]
    return epoch, version, release


def _installed(status: str) -> bool:
    """Whether a dpkg Status value says the package is (at least partly) installed:
    libguestfs's substring test, without the "not-installed" state."""
    return "installed" in status.replace("not-installed", "")


def parse_dpkg_status(text: str) -> list[App]:
    """The installed packages of a dpkg status file."""
    apps: list[App] = []
    fields: dict[str, str] = {}
    description: list[str] = []
    in_description = False
    for line in _paragraphs(text.split("\n")):
        if line is None:
            _dpkg_entry(fields, description, apps)
            fields, description, in_description = {}, [], False
        elif line.startswith(" "):
            if in_description:
                description.append(line[1:])
        else:
            in_description = False
            key, sep, value = line.partition(": ")
            if sep and key in DPKG_FIELDS:
                fields[key] = value
                if key == "Description":
                    description, in_description = [], True
    return apps


def _paragraphs(lines: Iterable[str]) -> Iterator[str | None]:
    """The lines, with None for each blank line and once more at the end (a final entry
    not followed by a blank line still counts)."""
    last = None
    for line in lines:
        last = line
        yield None if line == "" else line
    if last != "":
        yield None


def _dpkg_entry(fields: dict[str, str], description: list[str],
                apps: list[App]) -> None:
    """Append the package of one status paragraph if it is installed and complete."""
    name, version = fields.get("Package"), fields.get("Version")
    if name is None or version is None or not _installed(fields.get("Status", "")):
        return
    epoch, ver, release = split_version(version)
    if epoch < 0:
        return
    apps.append(application(
        name, epoch=epoch, version=ver, release=release or "",
        arch=fields.get("Architecture", ""), url=fields.get("Homepage", ""),
        source=fields.get("Source", "").split(" ", 1)[0],
        summary=fields.get("Description", ""),
        description="\n".join(description)))


def parse_pacman_desc(text: str) -> App | None:
    """The package of one pacman local-database desc file; None if it is incomplete."""
    values: dict[str, str] = {}
    key = None
    for line in text.split("\n"):
        if line == "":
            key = None
        elif key is not None:
            values[key] = line
            key = None
        elif line in ("%NAME%", "%VERSION%", "%DESC%", "%URL%", "%ARCH%"):
            key = line
    name, version, arch = values.get("%NAME%"), values.get("%VERSION%"), values.get("%ARCH%")
    if name is None or version is None or arch is None:
        return None
    epoch, ver, release = split_version(version)
    if epoch < 0 or not ver or not release:
        return None
    return application(name, epoch=epoch, version=ver, release=release, arch=arch,
                       url=values.get("%URL%", ""), description=values.get("%DESC%", ""))


def parse_apk_installed(text: str) -> list[App]:
    """The packages of an apk database (lib/apk/db/installed)."""
    apps: list[App] = []
    fields: dict[str, str] = {}
    for line in _paragraphs(text.split("\n")):
        if line is None:
            name, version = fields.get("P"), fields.get("V")
            if name is not None and version is not None:
                epoch, ver, release = split_version(version, strip_r=True)
                if epoch >= 0:
                    apps.append(application(
                        name, epoch=epoch, version=ver, release=release or "",
                        arch=fields.get("A", ""), url=fields.get("U", ""),
                        description=fields.get("T", "")))
            fields = {}
        elif len(line) == 1 or line[1] == ":":
            if line[0] in "APTUV":
                fields[line[0]] = line[2:]
    return apps


def parse_rpm_query(text: str) -> list[App]:
    """The packages of `rpm -qa` with a query format of RPM_FIELDS, each :shescape'd
    (a missing tag comes out as a bare "(none)", as libguestfs's headerFormat gives)."""
    tokens = [t[1:-1].replace("'\\''", "'") if t.startswith("'") else t
              for t in re.findall(r"'(?:[^']|'\\'')*'|\S+", text)]
    apps = []
    n = len(RPM_FIELDS)
    for i in range(0, len(tokens) - n + 1, n):
        name, version, release, arch, url, summary, description, epoch = tokens[i:i + n]
        apps.append(application(name, epoch=max(parse_epoch(epoch), 0), version=version,
                                release=release, arch=arch, url=url, summary=summary,
                                description=description))
    return apps


def _read(path: str, limit: int) -> str | None:
    """The text of guest file path (symlinks followed inside the guest); None if it is
    missing or not a regular file; AgentError if it is larger than limit."""
    try:
        fd = os.open(resolve(path), os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = f.read(limit + 1)
    if len(data) > limit:
        raise AgentError(f"{path}: file is too large for the download limit ({limit} bytes)",
                         errno.EFBIG)
    return data.decode("utf-8", "replace")


def _deb() -> list[App]:
    text = _read("/var/lib/dpkg/status", MAX_DB_SIZE)
    return parse_dpkg_status(text) if text is not None else []


def _apk() -> list[App]:
    text = _read("/lib/apk/db/installed", MAX_DB_SIZE)
    return parse_apk_installed(text) if text is not None else []


def _pacman() -> list[App]:
    try:
        entries = list(os.scandir(resolve("/var/lib/pacman/local")))
    except OSError:
        return []
    apps = []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        try:
            text = _read(f"/var/lib/pacman/local/{entry.name}/desc", MAX_PACMAN_DESC)
        except AgentError:  # too large: a damaged entry, skipped as libguestfs does
            continue
        app = parse_pacman_desc(text) if text is not None else None
        if app is not None:
            apps.append(app)
    return apps


def _rpm_database() -> tuple[str, str, str] | None:
    """(appliance directory, database file name, rpm backend) of the guest's rpm database."""
    for guest_dir in RPM_DB_DIRS:
        directory = resolve(guest_dir)
        for name, backend in RPM_BACKENDS.items():
            with contextlib.suppress(OSError):
                if stat.S_ISREG(os.lstat(f"{directory}/{name}").st_mode):
                    return directory, name, backend
    return None


def _copy_limited(src: str, dst: str, limit: int) -> None:
    """Copy regular file src (not followed if a link) to dst; AgentError past limit."""
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fin, open(dst, "wb") as fout:
        if os.fstat(fin.fileno()).st_size > limit:
            raise AgentError(f"{src}: rpm database is too large ({limit} bytes at most)",
                             errno.EFBIG)
        shutil.copyfileobj(fin, fout, 1 << 20)


def _rpm() -> list[App]:
    found = _rpm_database()
    if found is None:
        return []
    directory, name, backend = found
    with tempfile.TemporaryDirectory(prefix="guestbox-rpmdb-") as tmp:
        # The database and, for SQLite, its write-ahead log (not yet checkpointed rows).
        for part in (name, f"{name}-wal") if backend == "sqlite" else (name,):
            with contextlib.suppress(FileNotFoundError):
                _copy_limited(f"{directory}/{part}", f"{tmp}/{part}", MAX_DB_SIZE)
        fmt = " ".join(f"%{{{f}:shescape}}" if f != "EPOCHNUM" else f"%{{{f}}}"
                       for f in RPM_FIELDS) + "\\n"
        rc, out, err = tool(["rpm", "--dbpath", tmp, "--define", f"_db_backend {backend}",
                             "--nosignature", "--nodigest", "-qa", "--qf", fmt])
    if rc != 0 and not out:
        raise AgentError(f"rpm: {err.strip() or f'exited with status {rc}'}")
    # libguestfs's daemon collects the packages last first: packages of the same name
    # (gpg-pubkey) come out in reverse database order after the sort by name.
    return parse_rpm_query(out)[::-1]


READERS = {"deb": _deb, "rpm": _rpm, "pacman": _pacman, "apk": _apk}


def list_applications(r: Root) -> list[App]:
    """Application2 dicts for the OS of r, read from the guest mounted under the sysroot,
    sorted by name (packages of the same name stay in database order)."""
    need_root()
    apps: list[App] = []
    if r.type in ("linux", "hurd"):
        reader = READERS.get(r.package_format)
        if reader is not None:
            apps = reader()
    elif r.type == "windows":
        apps = windows.applications(r)
    return sorted(apps, key=lambda a: str(a["app2_name"]).encode())
