"""Windows paths in the tools that take guest file names (virt-cat, virt-edit ...), as
libguestfs-common's windows.c: `c:\\windows\\win.ini` -> /Windows/win.ini.

Once -i has mounted a Windows guest, a name with a drive letter remounts the
drive's filesystem on / (read-only for the read-only tools), backslashes become
slashes and the case of each element is the guest's (case_sensitive_path).
"""

from __future__ import annotations

from typing import Any

from ..toolopts import ToolError


def is_windows(g: Any, root: str) -> bool:
    """Whether the inspected root is a Windows installation."""
    return str(g.inspect_get_type(root)) == "windows"


def windows_path(g: Any, root: str, path: str, readonly: bool) -> str:
    """path resolved in the Windows guest root: ToolError for an unknown drive letter (as the
    tools, which stop there), guestbox.Error if case_sensitive_path fails."""
    if len(path) >= 2 and path[0].isascii() and path[0].isalpha() and path[1] == ":":
        _mount_drive(g, root, path[0].lower(), readonly)
        path = path[2:]
    return str(g.case_sensitive_path((path or "/").replace("\\", "/")))


def _mount_drive(g: Any, root: str, letter: str, readonly: bool) -> None:
    drives: dict[str, str] = dict(g.inspect_get_drive_mappings(root))
    if not drives:
        raise ToolError("to use Windows drive letters, this must be a Windows guest")
    device = next((dev for name, dev in drives.items() if name.lower() == letter), None)
    if device is None:
        raise ToolError(f"drive '{letter}:' not found.")
    g.umount_all()
    (g.mount_ro if readonly else g.mount)(device, "/")
