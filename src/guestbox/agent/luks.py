"""The agent's LUKS encrypted devices (libguestfs's daemon/luks.c and cryptsetup.ml).

Keys never touch a command line or a file: the first goes to cryptsetup on its
standard input (--key-file=-), a second (luks_add_key's new key) through a pipe
it reads as /dev/fd/N.  The appliance has no udev: cryptsetup (libdevmapper)
makes the /dev/mapper node itself, and volume groups inside an opened device
are activated here, as the udev rules of libguestfs's appliance do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Iterator, Sequence

from .block import blkid_tag
from .context import Ctx, capture, output_of
from .registry import AgentError, impl
from .system import activate_storage, device_has_lvm_label

MAPPER = "/dev/mapper/"
CRYPT_TYPES = {"crypto_LUKS": "luks", "BitLocker": "bitlk"}


@contextlib.contextmanager
def _pipe_from(data: bytes) -> Iterator[int]:
    """The read end of a pipe that a thread fills with data: a secret for a tool, in no file
    and on no command line.  The read end is closed, and the thread joined, on exit."""
    rfd, wfd = os.pipe()

    def feed() -> None:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(wfd, view) :]
        except OSError:
            pass  # the reader stopped reading: its own error says why
        finally:
            os.close(wfd)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        yield rfd
    finally:
        os.close(rfd)
        writer.join()


def _cryptsetup(args: Sequence[str], key: str | None, newkey: str | None = None,
                status: bool = False) -> str:
    """Run cryptsetup with key (if any) on its stdin, and newkey (if any) on a pipe named by
    the last argument, added here; its stdout, or AgentError in libguestfs's shape for the
    operation (see output_of: cryptsetup_open and _close say status)."""
    with contextlib.ExitStack() as stack:
        fds: tuple[int, ...] = ()
        if newkey is not None:
            rfd = stack.enter_context(_pipe_from(newkey.encode()))
            args = [*args, f"/dev/fd/{rfd}"]
            fds = (rfd,)
        p = capture(["cryptsetup", *args], input=None if key is None else key.encode(),
                    pass_fds=fds)
    return output_of(p, status=status)


def _check_keyslot(keyslot: int) -> None:
    if keyslot < 0:
        raise AgentError(f"keyslot must not be negative (was {keyslot})", errno.EINVAL)


# -- format ------------------------------------------------------------------
def _luks_format(device: str, key: str, keyslot: int, cipher: str | None) -> None:
    _check_keyslot(keyslot)
    args = ["-q", *(["--cipher", cipher] if cipher is not None else []),
            "--key-slot", str(keyslot), "--key-file=-", "luksFormat", device]
    _cryptsetup(args, key)


@impl
def luks_format(ctx: Ctx, device: str, key: str, keyslot: int) -> None:
    _luks_format(device, key, keyslot, None)


@impl
def luks_format_cipher(ctx: Ctx, device: str, key: str, keyslot: int, cipher: str) -> None:
    _luks_format(device, key, keyslot, cipher)


# -- open, close ---------------------------------------------------------------
def _open(ctx: Ctx, device: str, key: str, mapname: str, readonly: bool,
          crypttype: str | None) -> None:
    if not mapname or "/" in mapname or mapname in (".", "..", "control"):
        raise AgentError(f"{mapname!r}: invalid mapping name (it names /dev/mapper/MAPNAME: "
                         "not empty, no '/', not 'control')", errno.EINVAL)
    mapper = MAPPER + mapname
    if os.path.exists(mapper):
        raise AgentError(f"{mapper}: device already exists", errno.EEXIST)
    if crypttype is None:
        found = blkid_tag(ctx, device, "TYPE")
        crypttype = CRYPT_TYPES.get(found)
        if crypttype is None:
            raise AgentError(f"{device}: unknown encrypted device type"
                             + (f" ({found})" if found else ""), errno.EINVAL)
    args = ["--key-file=-", *(["--readonly"] if readonly else []),
            "open", device, mapname, "--type", crypttype]
    _cryptsetup(args, key, status=True)
    if device_has_lvm_label(mapper):
        activate_storage()


@impl
def cryptsetup_open(ctx: Ctx, device: str, key: str, mapname: str,
                    readonly: bool | None = None, crypttype: str | None = None) -> None:
    _open(ctx, device, key, mapname, bool(readonly), crypttype)


@impl
def luks_open(ctx: Ctx, device: str, key: str, mapname: str) -> None:
    _open(ctx, device, key, mapname, False, "luks")


@impl
def luks_open_ro(ctx: Ctx, device: str, key: str, mapname: str) -> None:
    _open(ctx, device, key, mapname, True, "luks")


def _holders(device: str) -> list[str]:
    """The devices built on device (an LV on a PV, ...), from sysfs."""
    rdev = os.stat(device).st_rdev
    try:
        return os.listdir(f"/sys/dev/block/{os.major(rdev)}:{os.minor(rdev)}/holders")
    except OSError:
        return []


def _deactivate_vgs_on(ctx: Ctx, device: str) -> None:
    """Deactivate the volume groups with a physical volume on device, if any is active."""
    if not (_holders(device) and device_has_lvm_label(device)):
        return
    out = ctx.run(["lvm", "pvs", "--noheadings", "-o", "vg_name", device])
    vgs = sorted({line.strip() for line in out.splitlines() if line.strip()})
    if vgs:
        ctx.run(["lvm", "vgchange", "-an", *vgs])


@impl
def cryptsetup_close(ctx: Ctx, device: str) -> None:
    if not device.startswith(MAPPER):
        raise AgentError(f"{device}: you must call this on the /dev/mapper device created "
                         "by cryptsetup-open", errno.EINVAL)
    _deactivate_vgs_on(ctx, device)
    _cryptsetup(["close", device[len(MAPPER):]], None, status=True)


# -- keys ----------------------------------------------------------------------
@impl
def luks_add_key(ctx: Ctx, device: str, key: str, newkey: str, keyslot: int) -> None:
    _check_keyslot(keyslot)
    _cryptsetup(["-q", "--key-file=-", "--key-slot", str(keyslot), "luksAddKey", device],
                key, newkey)


@impl
def luks_kill_slot(ctx: Ctx, device: str, key: str, keyslot: int) -> None:
    _check_keyslot(keyslot)
    _cryptsetup(["-q", "--key-file=-", "luksKillSlot", device, str(keyslot)], key)


@impl
def luks_uuid(ctx: Ctx, device: str) -> str:
    try:
        return _cryptsetup(["luksUUID", device], None).strip()
    except AgentError as e:
        if e.message.startswith("cryptsetup exited"):  # it says nothing of a non-LUKS device
            raise AgentError(f"{device}: not a LUKS device", errno.EINVAL) from None
        raise
