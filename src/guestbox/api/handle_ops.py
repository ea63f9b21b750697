"""Operations the host library does itself: drives, launch, configuration, disk images.

Declared here like every operation (so the shell and docs know them); the
bodies live in `guestbox.handle.GuestFS`, which must define each of them
with the same signature (checked when the handle class is created).
"""

from __future__ import annotations

from .table import alias, op
from .types import HostPath, Key


class HandleOps:
    """Configuration, drives and lifecycle."""

    @op(local=True, config_only=True)
    def add_drive_opts(
        self,
        filename: HostPath,
        readonly: bool | None = None,
        format: str | None = None,
        iface: str | None = None,
        name: str | None = None,
        label: str | None = None,
        protocol: str | None = None,
        server: list[str] | None = None,
        username: str | None = None,
        secret: str | None = None,
        cachemode: str | None = None,
        discard: str | None = None,
        copyonread: bool | None = None,
        blocksize: int | None = None,
        key: Key | None = None,
    ) -> None:
        """Add a disk image (or host block device) to the handle.

        The image appears in the appliance as /dev/sda, /dev/sdb, ... in the order added.
        `format` is "raw", "qcow2", "vmdk", "vdi", "vhdx", ...; if not given it is
        detected with `qemu-img info` once, on the host, and then passed explicitly
        (guestbox never lets QEMU guess). `readonly=True` attaches the image through a
        throwaway overlay: the appliance can replay journals but the file is never written.
        `cachemode` is "writeback" (default) or "unsafe"; `discard` is "disable", "enable"
        or "besteffort"; `label` names the drive (/dev/disk/guestfs/LABEL in libguestfs).
        Only local files and block devices are supported (`protocol` "file").
        `key` (a guestbox addition) is a passphrase for the encrypted devices of the
        guest, tried by inspect_decrypt and inspection: set_luks_key("all", key).
        """
        ...

    add_drive = alias("add_drive", add_drive_opts,
                      "Add a disk image; the same as add_drive_opts.")

    @op(local=True, config_only=True)
    def add_drive_ro(self, filename: HostPath) -> None:
        """Add a disk image read-only; the same as add_drive_opts(filename, readonly=True)."""
        self.add_drive_opts(filename, readonly=True)

    @op(local=True, config_only=True)
    def add_drive_scratch(
        self, size: int, name: str | None = None, label: str | None = None,
        blocksize: int | None = None,
    ) -> None:
        """Add a temporary blank disk of size bytes, deleted when the handle closes."""
        ...

    @op(local=True, config_only=True)
    def launch(self) -> None:
        """Start the appliance with the drives added so far and wait until it answers."""
        ...

    @op(local=True)
    def shutdown(self) -> None:
        """Sync and unmount every filesystem, then stop the appliance cleanly.

        Data written before shutdown is on the disk images when it returns.
        """
        ...

    @op(local=True)
    def close(self) -> None:
        """Shut the appliance down if it runs and release everything the handle holds."""
        ...

    @op(local=True)
    def version(self) -> dict[str, int | str]:
        """The library's version as a dict: major, minor, release, extra."""
        ...

    @op(local=True)
    def disk_create(
        self,
        filename: HostPath,
        format: str,
        size: int,
        backingfile: HostPath | None = None,
        backingformat: str | None = None,
        preallocation: str | None = None,
        compat: str | None = None,
        clustersize: int | None = None,
    ) -> None:
        """Create a blank disk image of size bytes on the host.

        format is "raw" or "qcow2".  size -1 with a backingfile takes the backing file's
        size.  preallocation is "off"/"sparse" or "full" (raw); "off", "metadata" or "full"
        (qcow2).  compat ("1.1") and clustersize apply to qcow2.
        """
        ...

    @op(local=True)
    def disk_format(self, filename: HostPath) -> str:
        """Detect the format of a disk image ("raw", "qcow2", ...; "unknown" if not known)."""
        ...

    @op(local=True)
    def disk_virtual_size(self, filename: HostPath) -> int:
        """The virtual size in bytes of a disk image, as the guest would see it."""
        ...

    @op(local=True)
    def disk_has_backing_file(self, filename: HostPath) -> bool:
        """True if the disk image has a backing file."""
        ...

    @op(local=True, config_only=True)
    def set_memsize(self, memsize: int) -> None:
        """Set the appliance's memory in megabytes (before launch)."""
        ...

    @op(local=True)
    def get_memsize(self) -> int:
        """The appliance's memory in megabytes."""
        ...

    @op(local=True, config_only=True)
    def set_network(self, network: bool) -> None:
        """Give the appliance a network, or not (the default), before launch.

        QEMU's user networking: outgoing connections only, made by the host on the
        appliance's behalf (10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3); the guest's
        programs run by command and sh use it, with the appliance's resolv.conf put
        in place of the guest's while they run.
        """
        ...

    @op(local=True)
    def get_network(self) -> bool:
        """Whether the appliance has a network (set_network)."""
        ...

    @op(local=True, config_only=True)
    def set_smp(self, smp: int) -> None:
        """Set the number of virtual CPUs of the appliance (before launch)."""
        ...

    @op(local=True)
    def get_smp(self) -> int:
        """The number of virtual CPUs of the appliance."""
        ...

    @op(local=True)
    def set_trace(self, trace: bool) -> None:
        """Trace every call and its result as a 'trace' event (printed to stderr if no callback)."""
        ...

    @op(local=True)
    def get_trace(self) -> bool:
        """Whether calls are traced."""
        ...

    @op(local=True)
    def set_verbose(self, verbose: bool) -> None:
        """Send the appliance's console and the library's debug messages as events (stderr)."""
        ...

    @op(local=True)
    def get_verbose(self) -> bool:
        """Whether verbose messages are on."""
        ...

    @op(local=True, config_only=True)
    def set_backend(self, backend: str) -> None:
        """Choose the backend: "direct" (QEMU started by guestbox) is the only one."""
        ...

    @op(local=True)
    def get_backend(self) -> str:
        """The backend in use ("direct")."""
        ...

    @op(local=True, config_only=True)
    def set_backend_settings(self, settings: list[str]) -> None:
        """Backend settings: "force_tcg", "force_kvm", "nosnapshot", "network"."""
        ...

    @op(local=True)
    def get_backend_settings(self) -> list[str]:
        """The backend settings."""
        ...

    @op(local=True)
    def get_state(self) -> int:
        """The handle's state: 0 config, 1 launching, 2 ready, 3 busy, 4 closed."""
        ...

    @op(local=True)
    def is_config(self) -> bool:
        """True before launch."""
        ...

    @op(local=True)
    def is_launching(self) -> bool:
        """True while launching."""
        ...

    @op(local=True)
    def is_ready(self) -> bool:
        """True when the appliance answers calls."""
        ...

    @op(local=True)
    def is_busy(self) -> bool:
        """True while a call is in progress."""
        ...
