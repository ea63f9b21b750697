# mypy: disable-error-code="empty-body"
"""Inspection: which operating systems are on the disks, and what they are.

inspect_os looks at every filesystem (read-only, in the appliance, never on
the host) and keeps what it finds in the appliance; the inspect_get_* calls
return that data for one root (the filesystem holding the OS's / or, for
Windows, its system drive).  inspect_list_applications2 and inspect_get_icon
read the guest's mounted filesystems, so mount them first as
inspect_get_mountpoints says, as in libguestfs.
"""

from __future__ import annotations

from .table import op
from .types import Application, Application2, Mountable


class InspectOps:
    """Inspection of the guest operating systems on the disks."""

    @op()
    def inspect_os(self) -> list[str]:
        """Inspect the disks for operating systems; the root filesystem of each one found.

        An empty list if there is none (not an error).  Unmount everything first
        (umount_all): inspection mounts each filesystem read-only for a moment.
        The results are kept until the next inspect_os or the end of the appliance.
        """
        ...

    @op()
    def inspect_get_roots(self) -> list[str]:
        """The roots found by the last inspect_os (an empty list before any)."""
        ...

    @op()
    def inspect_get_type(self, root: Mountable) -> str:
        """The OS type: "linux", "windows", "freebsd", "netbsd", "openbsd", "hurd", "dos",
        "minix" or "unknown"."""
        ...

    @op()
    def inspect_get_distro(self, root: Mountable) -> str:
        """The distribution ("debian", "fedora", "ubuntu", "archlinux", "windows" ...), as
        libguestfs names them; "unknown" if it cannot be told."""
        ...

    @op()
    def inspect_get_product_name(self, root: Mountable) -> str:
        """The product name, as the OS writes it ("Fedora release 14 (Phony)"); "unknown"
        if there is none."""
        ...

    @op()
    def inspect_get_product_variant(self, root: Mountable) -> str:
        """The product variant (Windows: "Client" or "Server"; some Linux distros: their
        VARIANT); "unknown" if there is none."""
        ...

    @op()
    def inspect_get_major_version(self, root: Mountable) -> int:
        """The major version of the OS (0 if unknown)."""
        ...

    @op()
    def inspect_get_minor_version(self, root: Mountable) -> int:
        """The minor version of the OS (0 if unknown)."""
        ...

    @op()
    def inspect_get_arch(self, root: Mountable) -> str:
        """The architecture ("x86_64", "i386", "aarch64" ...), from a known binary's header;
        "unknown" if none was found."""
        ...

    @op()
    def inspect_get_hostname(self, root: Mountable) -> str:
        """The hostname the OS configures; "unknown" if none is set."""
        ...

    @op()
    def inspect_get_build_id(self, root: Mountable) -> str:
        """The build ID (Windows' build number, os-release's BUILD_ID); "unknown" if none.

        Newer than libguestfs 1.48 (it appeared in 1.49), with the same meaning.
        """
        ...

    @op()
    def inspect_get_osinfo(self, root: Mountable) -> str:
        """A libosinfo short ID for the OS ("debian5", "fedora14", "win7" ...); "unknown"
        if there is none."""
        ...

    @op()
    def inspect_get_package_format(self, root: Mountable) -> str:
        """The package format: "rpm", "deb", "pacman", "apk", "ebuild", "pisi", "pkgsrc",
        "xbps" or "unknown"."""
        ...

    @op()
    def inspect_get_package_management(self, root: Mountable) -> str:
        """The package management tool: "apt", "dnf", "yum", "zypper", "pacman", "apk",
        "portage" ... or "unknown"."""
        ...

    @op()
    def inspect_get_format(self, root: Mountable) -> str:
        """"installed" for an installed OS, "installer" for an install disk, "unknown"."""
        ...

    @op()
    def inspect_get_mountpoints(self, root: Mountable) -> dict[str, str]:
        """Where the OS mounts its filesystems: mountpoint -> mountable, from its fstab
        (Linux) or the root alone (Windows).  Swap and devices that do not exist are
        left out."""
        ...

    @op()
    def inspect_get_filesystems(self, root: Mountable) -> list[str]:
        """Every filesystem that belongs to the OS (its fstab entries that exist, swap
        included)."""
        ...

    @op()
    def inspect_get_windows_systemroot(self, root: Mountable) -> str:
        """Windows: the system root directory, as a guest path ("/Windows")."""
        ...

    @op()
    def inspect_get_windows_current_control_set(self, root: Mountable) -> str:
        """Windows: the registry's current control set ("ControlSet001")."""
        ...

    @op()
    def inspect_get_windows_software_hive(self, root: Mountable) -> str:
        """Windows: the guest path of the SOFTWARE registry hive."""
        ...

    @op()
    def inspect_get_windows_system_hive(self, root: Mountable) -> str:
        """Windows: the guest path of the SYSTEM registry hive."""
        ...

    @op()
    def inspect_get_drive_mappings(self, root: Mountable) -> dict[str, str]:
        """Windows: drive letter -> device ("C" -> "/dev/sda2"), from the registry; empty
        for other OSes."""
        ...

    @op()
    def inspect_get_icon(self, root: Mountable, favicon: bool | None = None,
                         highquality: bool | None = None) -> bytes:
        """The OS's icon as PNG data, from the mounted guest; empty if it has none.

        favicon (true unless given as false, as in libguestfs) tries the guest's
        /etc/favicon.png first; highquality=True only returns icons of at least
        256x256 (libguestfs returns smaller ones too).  Mount the guest's
        filesystems first.  No icon for Windows or CirrOS guests (libguestfs
        converts theirs with netpbm tools the appliance does not have).
        """
        ...

    @op()
    def inspect_is_live(self, root: Mountable) -> bool:
        """Always false: libguestfs 1.48 no longer detects live CDs."""
        ...

    @op()
    def inspect_is_netinst(self, root: Mountable) -> bool:
        """Always false: libguestfs 1.48 no longer detects network installers."""
        ...

    @op()
    def inspect_is_multipart(self, root: Mountable) -> bool:
        """Always false: libguestfs 1.48 no longer detects multipart install disks."""
        ...

    @op()
    def inspect_list_applications2(self, root: Mountable) -> list[Application2]:
        """The applications (packages) installed in the OS, from its package database or
        registry.  The guest's filesystems must be mounted (inspect_get_mountpoints);
        an empty list if none can be found."""
        ...

    @op()
    def inspect_list_applications(self, root: Mountable) -> list[Application]:
        """Deprecated: inspect_list_applications2 without the architecture."""
        ...
