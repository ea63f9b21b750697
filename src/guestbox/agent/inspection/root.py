"""What inspection found about one operating system, kept in the agent between calls."""

from __future__ import annotations

import dataclasses
import errno

from ..registry import AgentError

UNKNOWN = "unknown"


@dataclasses.dataclass
class Root:
    """One operating system: its root filesystem and what the inspect_get_* calls return."""

    root: str
    """The mountable of the filesystem holding the OS's / (Windows: its system drive)."""
    type: str = UNKNOWN
    distro: str = UNKNOWN
    product_name: str = UNKNOWN
    product_variant: str = UNKNOWN
    major_version: int = 0
    minor_version: int = 0
    arch: str = UNKNOWN
    hostname: str = UNKNOWN
    build_id: str = UNKNOWN
    osinfo: str = UNKNOWN
    """Set by a detector only to override osinfo.short_id's answer."""
    package_format: str = UNKNOWN
    package_management: str = UNKNOWN
    format: str = "installed"
    role: str = "root"
    """"root", or "usr" for a separate /usr (merged into its root by inspect_os)."""
    fstab_entries: list[tuple[str, str, str, str]] = dataclasses.field(default_factory=list)
    """The OS's fstab as written: (spec, mountpoint, vfstype, options) of each line."""
    fstab: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    """(mountable, mountpoint) of each filesystem the OS mounts, resolved to the appliance's
    names, in the order libguestfs 1.48 gives (the reverse of the fstab's); a swap keeps
    its fstab mountpoint ("none", "swap")."""
    mdadm_arrays: dict[str, str] = dataclasses.field(default_factory=dict)
    """{md device name in the guest: array UUID} from the guest's mdadm.conf."""
    windows_systemroot: str | None = None
    windows_current_control_set: str | None = None
    windows_software_hive: str | None = None
    windows_system_hive: str | None = None
    drive_mappings: dict[str, str] = dataclasses.field(default_factory=dict)


ROOTS: dict[str, Root] = {}
"""The roots found by the last inspect_os, by mountable, in the order found."""
INSPECTED: list[bool] = [False]
"""Whether the last inspect_os found any filesystem it could look at (libguestfs says
"no inspection data" otherwise, even after inspect_os)."""


def root_of(root: str) -> Root:
    """The inspection data of root; libguestfs's errors if inspect_os did not return it."""
    if not INSPECTED[0]:
        raise AgentError("no inspection data: call guestfs_inspect_os first", errno.EINVAL)
    try:
        return ROOTS[root]
    except KeyError:
        raise AgentError(f"{root}: root device not found: only call this function with a "
                         "root device previously returned by guestfs_inspect_os",
                         errno.EINVAL) from None
