"""Serves one CALL: applies argument kinds from the table, runs the agent function, replies."""

from __future__ import annotations

import errno
import logging
import os
import stat
import traceback
from typing import Any

from ..api import REGISTRY
from ..api.table import OpSpec
from ..protocol.frames import MAX_BUFFER, Channel, FrameType
from .context import Ctx
from .paths import SYSROOT, resolve, to_guest
from .registry import IMPLS, AgentError
from .transfer import Transfer

log = logging.getLogger(__name__)


def check_device(dev: str) -> str:
    """dev if it is a block device of the appliance; OSError(ENOENT) naming it if not."""
    if not dev.startswith("/dev/"):
        raise OSError(errno.EINVAL, "device name must start with /dev/", dev)
    try:
        st = os.stat(dev)
    except FileNotFoundError:
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), dev) from None
    if not stat.S_ISBLK(st.st_mode):
        raise OSError(errno.EINVAL, "not a block device", dev)
    return dev


_APPLIANCE_DEV: list[int] = []


def need_root() -> None:
    """AgentError unless a guest filesystem is mounted on the sysroot.

    One stat per call (os.path.ismount makes two): the sysroot is a mount point
    exactly when it is on another device than the appliance's own root.
    """
    if not _APPLIANCE_DEV:
        _APPLIANCE_DEV.append(os.stat("/").st_dev)
    if os.stat(SYSROOT).st_dev == _APPLIANCE_DEV[0]:
        raise AgentError("you must call 'mount' first to mount the root filesystem")


def apply_kinds(
    spec: OpSpec, args: dict[str, Any], given: dict[str, str] | None = None
) -> dict[str, Any]:
    """Arguments as the agent function takes them: paths resolved, devices checked.

    given, if passed, maps each resolved path back to the path the caller wrote,
    so that errors name what the caller asked for, not where a symlink led.
    """
    out = dict(args)
    for p in spec.params:
        meaning = p.meaning
        if meaning is None:
            continue
        if meaning in ("FileIn", "FileOut"):
            out[p.name] = None  # the content travels as a stream, see Ctx
            continue
        v = args.get(p.name)
        if v is None:
            continue
        if meaning == "DevOrPath":
            meaning = "Device" if v.startswith("/dev/") else "Pathname"
        if meaning == "Pathname":
            if not v.startswith("/"):
                raise AgentError(f"{v}: path must start with a / character", errno.EINVAL)
            need_root()
            out[p.name] = resolve(v, follow=p.name not in spec.nofollow)
            if given is not None:
                given.setdefault(out[p.name], v)
        elif meaning == "Device" or (meaning == "Mountable" and not v.startswith("btrfsvol:")):
            out[p.name] = check_device(v)
    return out


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


def has_kind(spec: OpSpec, meaning: str) -> bool:
    return any(p.meaning == meaning for p in spec.params)


def serve_call(chan: Channel, serial: int, doc: dict[str, Any], blob: bytes, fd: int) -> None:
    """Run one call (its decoded document and blob) and send its reply (and its streams)."""
    name = str(doc.get("op"))
    args = doc.get("args") or {}
    if doc.get("blob"):
        args[doc["blob"]] = blob
    spec = REGISTRY.get(name)
    ctx = Ctx(chan, serial, name, fd)
    given: dict[str, str] = {}
    bulk = doc.get("bulk")
    try:
        if spec is not None:
            if isinstance(bulk, dict):
                size = bulk.get("size")
                ctx.transfer = Transfer(int(bulk["target"]), None if size is None else int(size))
            bulk_in = ctx.transfer is not None and ctx.transfer.size is not None
            ctx.in_open = has_kind(spec, "FileIn") and not bulk_in
        fn = IMPLS.get(name)
        if spec is None or fn is None or spec.local:
            raise AgentError(f"unknown operation {name}: the appliance is older than the library",
                             errno.ENOSYS)
        result = fn(ctx, **apply_kinds(spec, args, given))
        if ctx.in_open:
            ctx.drain()
        if has_kind(spec, "FileOut"):
            chan.send(FrameType.END, serial)
        if isinstance(result, (bytes, bytearray)):
            if len(result) > MAX_BUFFER:
                raise AgentError("result is too large for the message buffer; use download",
                                 errno.EFBIG)
            chan.send_doc(FrameType.OK, serial, {"blob": True}, bytes(result))
        else:
            reply: dict[str, Any] = {"ret": result}
            if ctx.transfer is not None and ctx.transfer.size is None:
                ctx.transfer.close()  # flushed: the host may now read the file
                reply["bulk_size"] = ctx.transfer.written
            chan.send_doc(FrameType.OK, serial, reply)
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
