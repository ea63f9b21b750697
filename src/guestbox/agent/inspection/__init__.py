"""Inspection in the appliance: which operating systems are on the disks, and what they are.

inspect_os mounts each filesystem read-only at a private directory (never the
sysroot), asks each OS family's detector (linux.py, windows.py ...) whether
it holds an OS root, and keeps a Root for each one found (root.py); the
inspect_get_* calls read those.  Listing applications and finding icons read
the guest as the user has mounted it under the sysroot, as in libguestfs.
"""

from __future__ import annotations

import errno

from ..block import list_filesystems
from ..context import Ctx
from ..registry import AgentError, impl
from . import apps, bsd, icons, linux, osinfo, windows
from .mounts import looking_at
from .root import INSPECTED, ROOTS, UNKNOWN, Root, root_of

DETECTORS = (bsd.detect, linux.detect, windows.detect)
"""Each takes (mountable, the directory it is mounted at) and returns a Root or None;
in libguestfs's order (a BSD root would also pass the Linux test)."""

NOT_OS = {"swap", "unknown", "crypto_LUKS", "LVM2_member", "linux_raid_member", "zfs_member"}


@impl
def inspect_os(ctx: Ctx) -> list[str]:
    ROOTS.clear()
    INSPECTED[0] = False
    usrs: list[Root] = []
    for mountable, fstype in list_filesystems(ctx).items():
        if fstype == "swap":
            INSPECTED[0] = True
        if fstype in NOT_OS:
            continue
        with looking_at(mountable, fstype) as path:
            if path is None:
                continue
            INSPECTED[0] = True
            for detect in DETECTORS:
                found = detect(mountable, path)
                if found is not None:
                    if found.role == "usr":
                        usrs.append(found)
                    else:
                        ROOTS[mountable] = found
                    break
    bsd.drop_shadow_root(ROOTS)
    for r in ROOTS.values():
        linux.resolve_fstab(ctx, r)
        bsd.resolve_fstab(ctx, r)
        linux.merge_usr(r, usrs)
    return list(ROOTS)


@impl
def inspect_get_roots(ctx: Ctx) -> list[str]:
    return list(ROOTS)


def _getter(field: str) -> None:
    """Register inspect_get_FIELD, returning Root.FIELD."""
    def get(ctx: Ctx, root: str) -> object:
        return getattr(root_of(root), field)
    get.__name__ = f"inspect_get_{field}"
    impl(get)


for _field in ("type", "distro", "product_name", "product_variant", "major_version",
               "minor_version", "arch", "hostname", "build_id", "package_format",
               "package_management", "format", "drive_mappings"):
    _getter(_field)


@impl
def inspect_get_osinfo(ctx: Ctx, root: str) -> str:
    r = root_of(root)
    return r.osinfo if r.osinfo != UNKNOWN else osinfo.short_id(r)


def _windows_getter(field: str, missing: str) -> None:
    """Register inspect_get_windows_FIELD: libguestfs's error for a root that is not Windows."""
    def get(ctx: Ctx, root: str) -> str:
        value = getattr(root_of(root), f"windows_{field}")
        if value is None:
            raise AgentError(f"not a Windows guest, or {missing}", errno.EINVAL)
        return str(value)
    get.__name__ = f"inspect_get_windows_{field}"
    impl(get)


for _field, _missing in (("systemroot", "systemroot could not be determined"),
                         ("current_control_set", "CurrentControlSet could not be determined"),
                         ("software_hive", "software hive not found"),
                         ("system_hive", "system hive not found")):
    _windows_getter(_field, _missing)


@impl
def inspect_get_mountpoints(ctx: Ctx, root: str) -> dict[str, str]:
    r = root_of(root)
    if not r.fstab:
        return {"/": r.root}
    return {mp: dev for dev, mp in r.fstab if mp.startswith("/")}


@impl
def inspect_get_filesystems(ctx: Ctx, root: str) -> list[str]:
    r = root_of(root)
    return [dev for dev, _ in r.fstab] or [r.root]


def _false(name: str) -> None:
    """Register inspect_is_NAME: always false since libguestfs 1.38 (install disks)."""
    def get(ctx: Ctx, root: str) -> bool:
        root_of(root)
        return False
    get.__name__ = f"inspect_is_{name}"
    impl(get)


for _name in ("live", "netinst", "multipart"):
    _false(_name)


@impl
def inspect_list_applications2(ctx: Ctx, root: str) -> list[dict[str, object]]:
    return apps.list_applications(root_of(root))


@impl
def inspect_list_applications(ctx: Ctx, root: str) -> list[dict[str, object]]:
    return [{k.replace("app2_", "app_"): v for k, v in a.items()
             if k not in ("app2_arch", "app2_spare1", "app2_spare2", "app2_spare3",
                          "app2_spare4")}
            for a in apps.list_applications(root_of(root))]


@impl
def inspect_get_icon(ctx: Ctx, root: str, favicon: bool | None = None,
                     highquality: bool | None = None) -> bytes:
    return icons.icon(root_of(root), favicon, bool(highquality))
