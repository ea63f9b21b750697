"""What `guestbox inspect` reports about each OS: gathered once, written as XML or JSON.

`collect` asks a handle the questions virt-inspector (guestfs-tools 1.48) asks,
in its order, with its rules: "unknown" values and empty strings are left out,
devices are shown by their canonical names, mountpoints sorted by length then
name, filesystems by name, drive letters case-insensitively; the applications
and the icon are read with the guest mounted read-only as inspect_get_mountpoints
says.  The handle is duck-typed: a guestbox.GuestFS, or libguestfs's
`guestfs.GuestFS(python_return_dict=True)`, which has the same methods (that is
how this module was checked against virt-inspector).

`to_xml` writes virt-inspector's XML byte for byte as libxml2's writer does
(two-space indentation, `<e/>` for an empty element, its escaping, base64 icon
lines of 72 characters joined by CR LF); `to_json` the same content as JSON:

    {"operatingsystems": [
      {"root": "/dev/sda2", "name": "linux", "arch": "x86_64", "distro": "debian",
       "product_name": "...", "product_variant": "...",
       "major_version": 5, "minor_version": 0,
       "package_format": "deb", "package_management": "apt",
       "windows_systemroot": "/Windows", "windows_current_control_set": "ControlSet001",
       "hostname": "...", "osinfo": "debian5",
       "mountpoints": [{"dev": "/dev/sda2", "mountpoint": "/"}, ...],
       "filesystems": [{"dev": "/dev/sda1", "type": "ext2", "label": "BOOT",
                        "uuid": "..."}, ...],
       "drive_mappings": [{"name": "C", "dev": "/dev/sda2"}, ...],
       "applications": [{"name": "bash", "display_name": "...", "epoch": 1,
                         "version": "...", "release": "...", "arch": "...",
                         "install_path": "...", "publisher": "...", "url": "...",
                         "source_package": "...", "summary": "...",
                         "description": "..."}, ...],
       "icon": "<base64 of the PNG, no line breaks>"}]}

Every key is the XML element's (or attribute's) name, in the XML's order, and a
key is absent exactly where the XML leaves the element out (an "unknown" value,
an empty string, no drive mappings, --no-applications, no icon or --no-icon).
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

OS = dict[str, Any]
"""One operating system's report (the JSON object above)."""

_STRINGS_BEFORE_VERSIONS = ("name", "arch", "distro", "product_name", "product_variant")
_GETTER = {"name": "type"}  # the XML's <name> is inspect_get_type
_STRINGS_AFTER_VERSIONS = ("package_format", "package_management")
_WINDOWS = ("windows_systemroot", "windows_current_control_set")  # errors for other OSes
_STRINGS_LAST = ("hostname", "osinfo")
_APP_FIELDS = ("name", "display_name", "epoch", "version", "release", "arch", "install_path",
               "publisher", "url", "source_package", "summary", "description")


def collect(g: Any, roots: list[str], applications: bool = True, icon: bool = True,
            readonly: bool = True) -> list[OS]:
    """The report of each root (inspect_os's answer), in roots' order."""
    return [_one(g, root, applications, icon, readonly) for root in roots]


def _one(g: Any, root: str, applications: bool, icon: bool, readonly: bool) -> OS:
    os_: OS = {"root": g.canonical_device_name(root)}
    _strings(os_, g, root, _STRINGS_BEFORE_VERSIONS)
    os_["major_version"] = int(g.inspect_get_major_version(root))
    os_["minor_version"] = int(g.inspect_get_minor_version(root))
    _strings(os_, g, root, _STRINGS_AFTER_VERSIONS)
    for key in _WINDOWS:
        value = _quietly(getattr(g, f"inspect_get_{key}"), root)
        if value is not None:
            os_[key] = value
    _strings(os_, g, root, _STRINGS_LAST)
    os_["mountpoints"] = [{"dev": g.canonical_device_name(dev), "mountpoint": mp}
                          for mp, dev in sorted_mountpoints(g.inspect_get_mountpoints(root))]
    os_["filesystems"] = [_filesystem(g, fs) for fs in
                          sorted(g.inspect_get_filesystems(root), key=_c_order)]
    drives = _quietly(g.inspect_get_drive_mappings, root)
    if drives:
        os_["drive_mappings"] = [{"name": letter, "dev": g.canonical_device_name(dev)}
                                 for letter, dev in sorted(drives.items(),
                                                           key=lambda kv: kv[0].lower())]
    if applications or icon:
        with mounted(g, root, readonly):
            if applications:
                os_["applications"] = [_application(a)
                                       for a in g.inspect_list_applications2(root)]
            png = g.inspect_get_icon(root, favicon=False) if icon else b""
            if png:
                os_["icon"] = base64.b64encode(png).decode("ascii")
    return os_


def _strings(os_: OS, g: Any, root: str, keys: tuple[str, ...]) -> None:
    for key in keys:
        value = getattr(g, f"inspect_get_{_GETTER.get(key, key)}")(root)
        if value != "unknown":
            os_[key] = value


def _quietly(fn: Callable[[str], Any], root: str) -> Any:
    """fn(root), or None where it fails (virt-inspector silences these errors)."""
    try:
        return fn(root)
    except Exception:  # noqa: BLE001 - libguestfs raises RuntimeError, guestbox its Error
        return None


def _filesystem(g: Any, fs: str) -> dict[str, str]:
    out = {"dev": g.canonical_device_name(fs)}
    for key in ("type", "label", "uuid"):
        value = _quietly(getattr(g, f"vfs_{key}"), fs)
        if value:
            out[key] = value
    return out


def _application(app: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _APP_FIELDS:
        value = app.get(f"app2_{key}")
        if key == "epoch":
            if value:
                out[key] = int(value)
        elif value:
            out[key] = value
    return out


def _c_order(s: str) -> bytes:
    """strcmp's order."""
    return s.encode("utf-8", "surrogateescape")


def sorted_mountpoints(mountpoints: dict[str, str]) -> list[tuple[str, str]]:
    """(mountpoint, device) shortest mountpoint first, then by name: the order the
    guestfs-tools mount in (/ before /usr before /usr/local) and print."""
    return sorted(mountpoints.items(), key=lambda kv: (len(_c_order(kv[0])), _c_order(kv[0])))


def mount_root(g: Any, root: str, readonly: bool,
               on_error: Callable[[Exception], None] | None = None) -> int:
    """Mount root's filesystems as guestfs-tools' inspect_mount_root: the number that failed.

    Each failure is given to on_error (the tools print it); a failure on / is then
    raised, others are only counted (the caller warns).
    """
    failed = 0
    for mp, dev in sorted_mountpoints(g.inspect_get_mountpoints(root)):
        try:
            (g.mount_ro if readonly else g.mount)(dev, mp)
        except Exception as e:
            if on_error is not None:
                on_error(e)
            if mp == "/":
                raise
            failed += 1
    return failed


MOUNT_WARNING = "some filesystems could not be mounted (ignored)"


@contextmanager
def mounted(g: Any, root: str, readonly: bool, prog: str = "guestbox inspect"
            ) -> Iterator[None]:
    """The guest of root mounted for the applications and the icon, unmounted after."""
    def tell(e: Exception) -> None:  # as libguestfs's error handler in virt-inspector
        print(f"libguestfs: error: {e}", file=sys.stderr)

    try:
        if mount_root(g, root, readonly, on_error=tell):
            print(f"{prog}: {MOUNT_WARNING}", file=sys.stderr)
        yield
    finally:
        g.umount_all()


# -- XML ---------------------------------------------------------------------------
def to_xml(oses: list[OS]) -> str:
    """virt-inspector's XML for the reports."""
    w = _Writer()
    w.line('<?xml version="1.0"?>')
    with w.element("operatingsystems", empty=not oses):
        for os_ in oses:
            _os_xml(w, os_)
    return w.text()


def _os_xml(w: _Writer, os_: OS) -> None:
    with w.element("operatingsystem"):
        for key, value in os_.items():
            if key == "mountpoints":
                with w.element(key, empty=not value):
                    for m in value:
                        w.leaf("mountpoint", m["mountpoint"], {"dev": m["dev"]})
            elif key == "filesystems":
                with w.element(key, empty=not value):
                    for fs in value:
                        with w.element("filesystem", {"dev": fs["dev"]}, empty=len(fs) == 1):
                            for k in ("type", "label", "uuid"):
                                if k in fs:
                                    w.leaf(k, fs[k])
            elif key == "drive_mappings":
                with w.element(key):
                    for d in value:
                        w.leaf("drive_mapping", d["dev"], {"name": d["name"]})
            elif key == "applications":
                with w.element(key, empty=not value):
                    for app in value:
                        with w.element("application"):
                            for k, v in app.items():
                                w.leaf(k, str(v))
            elif key == "icon":
                w.leaf(key, _base64_lines(value), raw=True)
            else:
                w.leaf(key, str(value))


def _base64_lines(b64: str) -> str:
    """libxml2's xmlTextWriterWriteBase64 layout: lines of 72 characters, CR LF between."""
    return "\r\n".join(b64[i:i + 72] for i in range(0, len(b64), 72))


class _Writer:
    """Just enough of libxml2's indenting text writer for virt-inspector's output."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._depth = 0

    def line(self, text: str) -> None:
        self._parts.append("  " * self._depth + text + "\n")

    @contextmanager
    def element(self, name: str, attrs: dict[str, str] | None = None,
                empty: bool = False) -> Iterator[None]:
        start = f"<{name}{_attributes(attrs)}"
        if empty:
            self.line(start + "/>")
            yield
            return
        self.line(start + ">")
        self._depth += 1
        yield
        self._depth -= 1
        self.line(f"</{name}>")

    def leaf(self, name: str, text: str, attrs: dict[str, str] | None = None,
             raw: bool = False) -> None:
        self.line(f"<{name}{_attributes(attrs)}>{text if raw else _text(text)}</{name}>")

    def text(self) -> str:
        return "".join(self._parts)


def _text(s: str) -> str:
    """xmlEncodeSpecialChars: & < > " and CR escaped, the rest as it is."""
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;"))


_ATTR_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
                 "\r": "&#13;", "\t": "&#9;"}


def _attributes(attrs: dict[str, str] | None) -> str:
    """Attributes as libxml2 writes them without a document encoding: non-ASCII as &#xN;."""
    if not attrs:
        return ""
    return "".join(f' {k}="{_attribute(v)}"' for k, v in attrs.items())


def _attribute(s: str) -> str:
    return "".join(_ATTR_ESCAPES.get(c) or (c if ord(c) < 0x80 else f"&#x{ord(c):X};")
                   for c in s)


# -- JSON --------------------------------------------------------------------------
def to_json(oses: list[OS]) -> str:
    """The reports as JSON (the structure in this module's docstring)."""
    return json.dumps({"operatingsystems": oses}, indent=2, ensure_ascii=False) + "\n"
