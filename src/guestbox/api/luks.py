# mypy: disable-error-code="empty-body"
"""LUKS encrypted devices: format, open, close, keys.

Keys are of the `Key` kind: traces show *** instead, and the agent hands them to
cryptsetup on its standard input or through a pipe, never on a command line or
in a file.
"""

from __future__ import annotations

from .table import alias, op
from .types import Device, Key


class LuksOps:
    """LUKS encrypted devices: format, open, close, keys."""

    @op(writes=True, group="luks")
    def luks_format(self, device: Device, key: Key, keyslot: int) -> None:
        """Erase device and format it as a LUKS encrypted device, with key in keyslot.

        LUKS2 (cryptsetup's default) has key slots 0 to 31, LUKS1 0 to 7.
        """
        ...

    @op(writes=True, group="luks")
    def luks_format_cipher(self, device: Device, key: Key, keyslot: int, cipher: str) -> None:
        """As luks_format, with the cipher to use (such as "aes-xts-plain64")."""
        ...

    @op(group="luks")
    def cryptsetup_open(self, device: Device, key: Key, mapname: str,
                        readonly: bool | None = None, crypttype: str | None = None) -> None:
        """Open the encrypted device (LUKS or BitLocker) with key as /dev/mapper/MAPNAME.

        Reads and writes of /dev/mapper/MAPNAME are decrypted from and encrypted to
        device.  crypttype is "luks" or "bitlk"; if it is not given, the type is
        guessed from the device's signature.  readonly=True makes a read-only
        mapping.  Volume groups inside the opened device are activated at once,
        so their logical volumes can be used without an lvm scan (as libguestfs,
        whose appliance does it through udev).  mapname may not be "control"
        or contain "/" (libguestfs lets "control" through to a confusing failure).
        """
        ...

    @op(group="luks")
    def cryptsetup_close(self, device: Device) -> None:
        """Close the encrypted mapping device (/dev/mapper/MAPNAME, not the underlying device).

        Volume groups inside it are deactivated first (cryptsetup_open activated
        them); libguestfs fails instead, the mapping being in use.  A mounted
        filesystem still keeps it busy.
        """
        ...

    @op(group="luks", deprecated_by="cryptsetup_open")
    def luks_open(self, device: Device, key: Key, mapname: str) -> None:
        """Open the LUKS device with key as /dev/mapper/MAPNAME (cryptsetup_open, type LUKS)."""
        ...

    @op(group="luks", deprecated_by="cryptsetup_open")
    def luks_open_ro(self, device: Device, key: Key, mapname: str) -> None:
        """As luks_open, but the mapping is read-only."""
        ...

    luks_close = alias(
        "luks_close", cryptsetup_close,
        "Close a LUKS mapping device (/dev/mapper/MAPNAME). Deprecated: use cryptsetup_close.\n\n"
        "Another name of cryptsetup_close: its errors are reported as cryptsetup_close's.")

    @op(writes=True, group="luks")
    def luks_add_key(self, device: Device, key: Key, newkey: Key, keyslot: int) -> None:
        """Add newkey to the LUKS device in keyslot, which must be empty; key is an existing key.

        To replace the key of a full slot, luks_kill_slot it first.
        """
        ...

    @op(writes=True, group="luks")
    def luks_kill_slot(self, device: Device, key: Key, keyslot: int) -> None:
        """Remove the key in keyslot of the LUKS device; key must be one of the other keys."""
        ...

    @op(group="luks")
    def luks_uuid(self, device: Device) -> str:
        """The UUID of the LUKS device."""
        ...

    # -- keys for inspection (guestbox additions) ------------------------------------
    @op(local=True)
    def set_luks_key(self, id: str, key: Key) -> None:  # noqa: A002 - guestfs-tools' word
        """Remember key for the encrypted device id, for inspect_decrypt (and inspection).

        id is a device name (/dev/sda2, /dev/VG/LV), a LUKS UUID, or "all" for any
        device; the shell's and tools' `--key ID:key:KEY` end here.  A guestbox
        addition: libguestfs leaves this to each tool.
        """
        ...

    @op(local=True, group="luks")
    def inspect_decrypt(self) -> list[str]:
        """Open every LUKS device for which a key is known, as /dev/mapper/luks-UUID.

        Devices inside opened ones (LVM on LUKS, LUKS on LVM) are tried in turn.  Keys
        come from set_luks_key and add_drive's `key`: those naming the device or its
        UUID first, then those for "all", each until one opens it.  Returns the
        mappings opened.  A guestbox addition: guestfs-tools' tools do this before
        inspecting (inspect_os calls it).
        """
        ...
