"""Serves one CALL: applies argument kinds from the table, runs the agent function, replies."""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import select
import stat
import traceback
from collections.abc import Callable
from typing import IO, Any

from ..api import REGISTRY
from ..api.table import OpSpec
from ..protocol.bulk import MAILBOX_MIN
from ..protocol.frames import MAX_BUFFER, Channel, FrameType, encode_doc, encode_int_reply
from .context import Ctx
from .mailbox import MAILBOX, InMailbox
from .paths import SYSROOT, resolve, to_guest
from .registry import IMPLS, AgentError
from .transfer import Transfer

log = logging.getLogger(__name__)


def check_device(dev: str) -> str:
    """dev if it is a block device of the appliance; OSError(ENOENT) naming it if not.

    /dev/hdX and /dev/vdX mean /dev/sdX, as in libguestfs (old guests' fstabs use
    them); so the appliance's own /dev/vdX mailbox disk is out of the caller's reach.
    """
    if not dev.startswith("/dev/"):
        raise OSError(errno.EINVAL, "device name must start with /dev/", dev)
    name = "/dev/sd" + dev[7:] if dev.startswith(("/dev/hd", "/dev/vd")) else dev
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), dev) from None
    if not stat.S_ISBLK(st.st_mode):
        raise OSError(errno.EINVAL, "not a block device", dev)
    return name


def split_btrfsvol(mountable: str) -> tuple[str, str]:
    """(device, subvolume) of btrfsvol:/dev/DEVICE/SUBVOL; AgentError (EINVAL) if it is not one.

    The device is the shortest prefix that is a block device (/dev/sda1, /dev/VG/LV ...),
    and the subvolume, the rest, must not be empty: libguestfs's parse_btrfsvol.
    """
    rest = mountable.removeprefix("btrfsvol:")
    parts = rest.split("/")
    if rest.startswith("/dev/"):
        for i in range(3, len(parts)):
            try:
                if stat.S_ISBLK(os.stat("/".join(parts[:i])).st_mode):
                    if volume := "/".join(parts[i:]):
                        return "/".join(parts[:i]), volume
                    break
            except OSError:
                continue
    raise AgentError(f"{mountable}: expecting a btrfs volume", errno.EINVAL)


class _RootWatch:
    """Whether a guest filesystem is mounted on the sysroot, rechecked only when mounts change.

    The kernel marks /proc/self/mountinfo readable-with-priority after any mount
    or unmount (by us or by a tool the guest's commands ran), so the common case
    costs one poll instead of two stats.
    """

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._poll = select.poll()
        self._mounted = False

    def mounted(self) -> bool:
        if self._file is None:
            self._file = open("/proc/self/mountinfo", "rb")  # noqa: SIM115 - kept open
            self._poll.register(self._file, select.POLLPRI)
        elif not self._poll.poll(0):
            return self._mounted
        # First time, or the mount table changed: look (polling re-armed the event).
        self._mounted = os.stat(SYSROOT).st_dev != os.stat("/").st_dev
        return self._mounted


_ROOT = _RootWatch()


def need_root(where: str = "") -> None:
    """AgentError unless a guest filesystem is mounted on the sysroot.

    where: the daemon function libguestfs names in the message (`OP_stub` when the
    check is that of a Pathname parameter, as in guestfsd's generated stubs).
    """
    if not _ROOT.mounted():
        prefix = f"{where}: " if where else ""
        raise AgentError(f"{prefix}you must call 'mount' first to mount the root filesystem")


@dataclasses.dataclass(frozen=True)
class Plan:
    """What serving one operation needs from its table entry, worked out once."""

    spec: OpSpec
    fn: Callable[..., Any]
    kinds: tuple[tuple[str, str, bool], ...]  # (parameter, meaning, follow) to apply
    file_in: bool
    file_out: bool


_PLANS: dict[str, Plan] = {}


def plan(name: str) -> Plan:
    """The plan of operation name; AgentError(ENOSYS) if this agent does not serve it."""
    found = _PLANS.get(name)
    if found is not None:
        return found
    spec = REGISTRY.get(name)
    fn = IMPLS.get(name)
    if spec is None or fn is None or spec.local:
        raise AgentError(f"unknown operation {name}: the appliance is older than the library",
                         errno.ENOSYS)
    meanings = [p.meaning for p in spec.params]
    found = _PLANS[name] = Plan(
        spec, fn,
        tuple((p.name, p.meaning, p.name not in spec.nofollow)
              for p in spec.params if p.meaning is not None),
        "FileIn" in meanings, "FileOut" in meanings)
    return found


def apply_kinds(
    kinds: tuple[tuple[str, str, bool], ...], args: dict[str, Any],
    given: dict[str, str] | None = None, stub: str = "",
) -> dict[str, Any]:
    """args changed in place to what the agent function takes: paths resolved, devices checked.

    given, if passed, maps each resolved path back to the path the caller wrote,
    so that errors name what the caller asked for, not where a symlink led.
    stub: the name guestfsd's stub has (`OP_stub`), which its "mount first" error names.
    """
    for name, meaning, follow in kinds:
        if meaning in ("FileIn", "FileOut"):
            args[name] = None  # the content travels as a stream, see Ctx
            continue
        v = args.get(name)
        if v is None:
            continue
        if meaning == "DevOrPath":
            meaning = "Device" if v.startswith("/dev/") else "Pathname"
        elif meaning == "MountableOrPath":
            meaning = "Mountable" if v.startswith(("/dev/", "btrfsvol:")) else "Pathname"
        if meaning == "Pathname":
            if not v.startswith("/"):
                raise AgentError(f"{v}: path must start with a / character", errno.EINVAL)
            need_root(stub)
            args[name] = resolved = resolve(v, follow=follow)
            if given is not None:
                given.setdefault(resolved, v)
        elif meaning == "Mountable" and v.startswith("btrfsvol:"):
            split_btrfsvol(v)
        elif meaning in ("Device", "Mountable"):
            args[name] = check_device(v)
    return args


def error_message(
    name: str, e: BaseException, given: dict[str, str] | None = None
) -> tuple[str, int | None]:
    """libguestfs's message shape for an error: `op: [path: ]reason`."""
    if isinstance(e, AgentError):
        return f"{name}: {e.message}", e.errno
    if isinstance(e, OSError):
        parts = [name]
        for f in (e.filename, e.filename2):
            if f:
                f = os.fsdecode(f)
                parts.append((given or {}).get(f) or to_guest(f))
        parts.append(e.strerror or str(e))
        return ": ".join(parts), e.errno
    log.error("internal error in %s:\n%s", name, traceback.format_exc())
    return f"{name}: internal error: {type(e).__name__}: {e}", None


_REPLIES = {v: encode_doc({"ret": v}) for v in (True, False, None)}
_BLOB_REPLY = encode_doc({"blob": True})
"""Replies of the commonest results, encoded once."""


def serve_call(chan: Channel, serial: int, doc: dict[str, Any], fd: int) -> None:
    """Run one call (its decoded document) and send its reply (and its streams)."""
    name = str(doc.get("op"))
    args = doc.get("args") or {}
    ctx = Ctx(chan, serial, name, fd)
    given: dict[str, str] = {}
    try:
        p = plan(name)
        bulk = doc.get("bulk")
        if isinstance(bulk, dict):
            size = bulk.get("size")
            ctx.transfer = Transfer(int(bulk["target"]), None if size is None else int(size))
        ctx.in_open = p.file_in and (ctx.transfer is None or ctx.transfer.size is None)
        boxed = doc.get("mailbox")
        if isinstance(boxed, dict):
            args[str(boxed["arg"])] = MAILBOX.read(int(boxed["size"]))
        result = p.fn(ctx, **apply_kinds(p.kinds, args, given, f"{name}_stub"))
        if ctx.in_open:
            ctx.drain()
        if p.file_out:
            chan.send(FrameType.END, serial)
        if isinstance(result, InMailbox):
            MAILBOX.send(result.size)
            chan.send_doc(FrameType.OK, serial, {"mailbox": result.size})
        elif isinstance(result, (bytes, bytearray)):
            if len(result) > MAX_BUFFER:
                raise AgentError("result is too large for the message buffer; use download",
                                 errno.EFBIG)
            if len(result) >= MAILBOX_MIN:
                MAILBOX.write(result)
                chan.send_doc(FrameType.OK, serial, {"mailbox": len(result)})
            else:
                chan.send(FrameType.OK, serial, _BLOB_REPLY, result)
        elif ctx.transfer is not None and ctx.transfer.size is None:
            ctx.transfer.close()  # flushed: the host may now read the file
            chan.send_doc(FrameType.OK, serial, {"ret": result, "bulk_size": ctx.transfer.written})
        elif result is None or result is True or result is False:
            chan.send(FrameType.OK, serial, _REPLIES[result])
        elif type(result) is int:  # counts and sizes: no encoder needed
            chan.send(FrameType.OK, serial, encode_int_reply(result))
        else:
            chan.send_doc(FrameType.OK, serial, {"ret": result})
    except (EOFError, BrokenPipeError):
        raise
    except BaseException as e:  # noqa: B036 - every failure becomes a reply
        message, eno = error_message(name, e, given)
        if ctx.transfer is not None:
            ctx.transfer.abandon()  # before the reply: then the host unplugs the disk
        chan.send_doc(FrameType.ERR, serial, {"errno": eno, "message": message})
        if ctx.in_open:
            ctx.drain()
    finally:
        if ctx.transfer is not None:
            ctx.transfer.abandon()
