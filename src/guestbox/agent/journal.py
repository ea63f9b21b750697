"""The agent's systemd journal: sd-journal of libsystemd through ctypes, as libguestfs's daemon.

One journal handle per appliance, kept between calls.  The directory is opened
with the process's root changed to the sysroot, so journal files that are
symbolic links resolve inside the guest; sd-journal opens (and maps) every
file then, and reads only those afterwards.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
from ctypes import POINTER, byref, c_char_p, c_int, c_size_t, c_uint64, c_void_p
from typing import Any

from ..protocol.frames import MAX_BUFFER
from . import clib
from .augeas import _inside as inside_root
from .context import Ctx
from .paths import SYSROOT, to_guest
from .registry import AgentError, impl

LIBRARY = "libsystemd.so.0"
NO_HANDLE = "you must call 'journal-open' first to initialize the journal handle"
_ENTRY = struct.Struct("<qI")  # as api/journal.py: realtime µs, length of the packed fields
_LEN = struct.Struct(">I")  # the xattr packing of api/query.py decode_xattrs

_SIGNATURES: clib.Signatures = {
    "sd_journal_open_directory": (c_int, [POINTER(c_void_p), c_char_p, c_int]),
    "sd_journal_close": (None, [c_void_p]),
    "sd_journal_next": (c_int, [c_void_p]),
    "sd_journal_next_skip": (c_int, [c_void_p, c_uint64]),
    "sd_journal_previous_skip": (c_int, [c_void_p, c_uint64]),
    "sd_journal_restart_data": (None, [c_void_p]),
    "sd_journal_enumerate_data": (c_int, [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]),
    "sd_journal_get_realtime_usec": (c_int, [c_void_p, POINTER(c_uint64)]),
    "sd_journal_get_data_threshold": (c_int, [c_void_p, POINTER(c_size_t)]),
    "sd_journal_set_data_threshold": (c_int, [c_void_p, c_size_t]),
}


class _State:
    lib: Any = None
    handle: int | None = None  # the sd_journal pointer


def _lib() -> Any:
    if _State.lib is None:
        _State.lib = clib.load(LIBRARY, "the journal", _SIGNATURES)
    return _State.lib


def _handle() -> int:
    if _State.handle is None:
        raise AgentError(NO_HANDLE)
    return _State.handle


def _check(r: int, what: str) -> int:
    """r, or the sd-journal error it stands for (a negative errno), as the daemon says it."""
    if r < 0:
        raise AgentError(f"{what}: {os.strerror(-r)}", -r)
    return r


def _close() -> None:
    if _State.handle is not None:
        _lib().sd_journal_close(_State.handle)
        _State.handle = None


@impl
def journal_open(ctx: Ctx, directory: str) -> None:
    lib = _lib()
    _close()
    if not os.path.isdir(directory):
        e = errno.ENOENT if not os.path.exists(directory) else errno.ENOTDIR
        raise AgentError(f"sd_journal_open_directory: {to_guest(directory)}: "
                         f"{os.strerror(e)}", e)
    inner = "/" + os.path.relpath(directory, SYSROOT) if directory != SYSROOT else "/"
    ptr = c_void_p()
    with inside_root(SYSROOT):
        r = lib.sd_journal_open_directory(byref(ptr), os.fsencode(os.path.normpath(inner)), 0)
    _check(r, f"sd_journal_open_directory: {to_guest(directory)}")
    _State.handle = ptr.value


@impl
def journal_close(ctx: Ctx) -> None:
    _handle()
    _close()


@impl
def journal_next(ctx: Ctx) -> bool:
    return _check(_lib().sd_journal_next(_handle()), "sd_journal_next") > 0


@impl
def journal_skip(ctx: Ctx, skip: int) -> int:
    j = _handle()
    if skip == 0:
        return 0
    lib = _lib()
    r = lib.sd_journal_next_skip(j, skip) if skip > 0 else lib.sd_journal_previous_skip(j, -skip)
    if r < 0:
        raise AgentError(f"failed to skip {skip} journal entries: {os.strerror(-r)}", -r)
    return int(r)


def _fields(j: int) -> bytes:
    """The current entry's fields, packed as decode_xattrs reads them."""
    lib = _lib()
    data, size = c_void_p(), c_size_t()
    out = bytearray()
    lib.sd_journal_restart_data(j)
    while True:
        r = _check(lib.sd_journal_enumerate_data(j, byref(data), byref(size)),
                   "sd_journal_enumerate_data")
        if r == 0:
            return bytes(out)
        field = ctypes.string_at(data.value or 0, size.value)
        name, eq, value = field.partition(b"=")
        if not eq:
            raise AgentError("journal field has no '=' character", errno.EINVAL)
        out += _LEN.pack(len(name)) + name + _LEN.pack(len(value)) + value
        if len(out) > MAX_BUFFER:
            raise AgentError("journal entry is too large (set a data threshold)",
                             errno.EOVERFLOW)


@impl
def internal_journal_get(ctx: Ctx) -> bytes:
    return _fields(_handle())


@impl
def journal_get_data_threshold(ctx: Ctx) -> int:
    size = c_size_t()
    _check(_lib().sd_journal_get_data_threshold(_handle(), byref(size)),
           "sd_journal_get_data_threshold")
    return int(size.value)


@impl
def journal_set_data_threshold(ctx: Ctx, threshold: int) -> None:
    if threshold < 0:
        raise AgentError("threshold must be ≥ 0", errno.EINVAL)
    _check(_lib().sd_journal_set_data_threshold(_handle(), threshold),
           "sd_journal_set_data_threshold")


def _realtime(j: int) -> int:
    usec = c_uint64()
    _check(_lib().sd_journal_get_realtime_usec(j, byref(usec)), "sd_journal_get_realtime_usec")
    return int(usec.value)


@impl
def journal_get_realtime_usec(ctx: Ctx) -> int:
    return _realtime(_handle())


@impl
def internal_journal_read(ctx: Ctx, count: int) -> bytes:
    j = _handle()
    lib = _lib()
    parts: list[bytes] = []
    total = 0
    for _ in range(max(count, 0)):
        if _check(lib.sd_journal_next(j), "sd_journal_next") == 0:
            break
        try:
            usec = _realtime(j)
        except AgentError:
            usec = -1
        fields = _fields(j)
        total += _ENTRY.size + len(fields)
        if total > MAX_BUFFER and parts:  # this one is read again by the next call
            lib.sd_journal_previous_skip(j, 1)
            break
        parts.append(_ENTRY.pack(usec, len(fields)) + fields)
    return b"".join(parts)
