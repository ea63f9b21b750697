"""The agent's augeas: edit configuration files in the mounted guest as a tree.

libaugeas (the library libguestfs's daemon links) through ctypes, one handle
per appliance, kept between calls.  The handle's root is always "/": files are
read and written only inside a chroot into the guest directory given to
aug_init, so guest symlinks resolve inside the guest.  Lens modules are read
from the appliance, before entering the chroot.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import os
from collections.abc import Iterator
from ctypes import POINTER, byref, c_char_p, c_int, c_uint, c_void_p
from typing import Any

from . import clib
from .context import Ctx
from .dispatch import need_root
from .paths import to_guest
from .registry import AgentError, impl

LIBRARY = "libaugeas.so.0"
AUG_NO_LOAD = 32
AUG_NO_MODL_AUTOLOAD = 64
AUG_NO_ERR_CLOSE = 256
AUG_ALL_FLAGS = 1023  # AUG_SAVE_BACKUP (1) ... AUG_TRACE_MODULE_LOADING (512)
AUG_NOERROR, AUG_ENOMEM = 0, 1
NO_HANDLE = "you must call 'aug-init' first to initialize Augeas"

_SIGNATURES: clib.Signatures = {
    "aug_init": (c_void_p, [c_char_p, c_char_p, c_uint]),
    "aug_close": (None, [c_void_p]),
    "aug_defvar": (c_int, [c_void_p, c_char_p, c_char_p]),
    "aug_defnode": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p, POINTER(c_int)]),
    "aug_get": (c_int, [c_void_p, c_char_p, POINTER(c_char_p)]),
    "aug_label": (c_int, [c_void_p, c_char_p, POINTER(c_char_p)]),
    "aug_set": (c_int, [c_void_p, c_char_p, c_char_p]),
    "aug_setm": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p]),
    "aug_insert": (c_int, [c_void_p, c_char_p, c_char_p, c_int]),
    "aug_rm": (c_int, [c_void_p, c_char_p]),
    "aug_mv": (c_int, [c_void_p, c_char_p, c_char_p]),
    "aug_match": (c_int, [c_void_p, c_char_p, POINTER(POINTER(c_void_p))]),
    "aug_save": (c_int, [c_void_p]),
    "aug_load": (c_int, [c_void_p]),
    "aug_transform": (c_int, [c_void_p, c_char_p, c_char_p, c_int]),
    "aug_text_store": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p]),
    "aug_error": (c_int, [c_void_p]),
    "aug_error_message": (c_char_p, [c_void_p]),
    "aug_error_minor_message": (c_char_p, [c_void_p]),
    "aug_error_details": (c_char_p, [c_void_p]),
}


@dataclasses.dataclass
class _Handle:
    """The open Augeas handle and the guest directory it works in."""

    ptr: int
    root: str  # appliance path of the directory Augeas sees as /
    autoload: bool  # lens modules all loaded at aug_init (no AUG_NO_MODL_AUTOLOAD)


class _State:
    """libaugeas, loaded at the first aug_init, and the handle open now."""

    lib: Any = None
    handle: _Handle | None = None


def _lib() -> Any:
    if _State.lib is None:
        _State.lib = clib.load(LIBRARY, "Augeas", _SIGNATURES)
    return _State.lib


def _handle() -> _Handle:
    if _State.handle is None:
        raise AgentError(NO_HANDLE)
    return _State.handle


def _b(s: str | None) -> bytes | None:
    return None if s is None else s.encode("utf-8", "surrogateescape")


def _s(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _error(what: str, fallback: str = "") -> AgentError:
    """The handle's last error in libguestfs's shape: `what: message[: minor][: details]`.

    fallback replaces Augeas's "No error" when a call failed without saying why.
    """
    lib, ptr = _lib(), _handle().ptr
    code = lib.aug_error(ptr)
    if code == AUG_ENOMEM:
        return AgentError(f"{what}: augeas out of memory", errno.ENOMEM)
    if code == AUG_NOERROR and fallback:
        return AgentError(f"{what}: {fallback}")
    parts = [what, _s(lib.aug_error_message(ptr))]
    for extra in (lib.aug_error_minor_message(ptr), lib.aug_error_details(ptr)):
        if extra is not None:
            parts.append(_s(extra))
    return AgentError(": ".join(parts))


def _check(r: int, what: str, fallback: str = "") -> int:
    if r < 0:
        raise _error(what, fallback)
    return r


def _close() -> None:
    if _State.handle is not None:
        _lib().aug_close(_State.handle.ptr)
        _State.handle = None


@contextlib.contextmanager
def _inside(root: str) -> Iterator[None]:
    """Run the block with root as the process's root directory, as libguestfs's CHROOT_IN/OUT,
    so that Augeas opens and writes guest files only, whatever their symlinks say."""
    need_root()
    real = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    cwd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.chroot(root)
        os.chdir("/")
        yield
    finally:
        os.fchdir(real)
        os.chroot(".")
        os.fchdir(cwd)
        os.close(real)
        os.close(cwd)


def _match(ptr: int, path: str) -> list[str]:
    lib = _lib()
    arr = POINTER(c_void_p)()
    n = lib.aug_match(ptr, _b(path), byref(arr))
    if n < 0:
        raise _error(f"aug_match: {path}")
    out = []
    for i in range(n):
        out.append(_s(ctypes.string_at(arr[i])))
        clib.LIBC.free(arr[i])
    clib.LIBC.free(arr)
    return out


def _value(ptr: int, path: str) -> str | None:
    value = c_char_p()
    if _lib().aug_get(ptr, _b(path), byref(value)) != 1 or value.value is None:
        return None
    return _s(value.value)


_TEXT, _TREE = "/augeas/guestbox-text", "/augeas/guestbox-tree"


def _load_lens_modules(h: _Handle) -> None:
    """Load the modules of the lenses the transforms name, while the appliance's lens
    directory is visible: with AUG_NO_MODL_AUTOLOAD Augeas loads them only when it first
    needs them, which is inside the chroot.  Parsing an empty text with each lens does it;
    a lens that does not exist is reported by aug_load as Augeas reports it."""
    lib = _lib()
    for path in _match(h.ptr, "/augeas/load/*/lens"):
        lens = _value(h.ptr, path)
        if lens:
            lib.aug_set(h.ptr, _b(_TEXT), b"")
            lib.aug_text_store(h.ptr, _b(lens), _b(_TEXT), _b(_TREE))
    for scratch in (_TEXT, _TREE, "/augeas/text" + _TREE, "/augeas/text/augeas[count(*)=0]",
                    "/augeas/text[count(*)=0]"):
        lib.aug_rm(h.ptr, _b(scratch))


def _in_guest(h: _Handle, call: str) -> int:
    """Run aug_load or aug_save (the calls that read or write files) inside the guest root."""
    if not h.autoload:
        _load_lens_modules(h)
    with _inside(h.root):
        r: int = getattr(_lib(), call)(h.ptr)
    return r


def _file_errors(ptr: int) -> dict[str, str]:
    """What /augeas/files says went wrong, by error node: `FILE: message`."""
    out = {}
    for err in _match(ptr, "/augeas/files//error"):
        file = err[len("/augeas/files"):].rsplit("/error", 1)[0]
        why = _value(ptr, err + "/message") or _value(ptr, err) or "failed"
        out[err] = f"{file}: {why}"
    return out


@impl
def aug_init(ctx: Ctx, root: str, flags: int) -> None:
    if flags < 0 or flags & ~AUG_ALL_FLAGS:
        raise AgentError(f"flags {flags}: not a combination of the AUG_* flags (1 to 512)",
                         errno.EINVAL)
    if not os.path.isdir(root):
        code = errno.ENOTDIR if os.path.exists(root) else errno.ENOENT
        raise OSError(code, os.strerror(code), root)
    lib = _lib()
    _close()
    ptr = lib.aug_init(b"/", None, flags | AUG_NO_LOAD | AUG_NO_ERR_CLOSE)
    if not ptr:
        raise AgentError("augeas initialization failed")
    h = _State.handle = _Handle(ptr, root, not flags & AUG_NO_MODL_AUTOLOAD)
    what = f"aug_init: {to_guest(root)} (flags {flags})"
    try:
        if lib.aug_error(ptr) != AUG_NOERROR:
            raise _error(what)
        if not flags & AUG_NO_LOAD:
            _check(_in_guest(h, "aug_load"), what)
    except BaseException:
        _close()
        raise


@impl
def aug_close(ctx: Ctx) -> None:
    _handle()
    _close()


@impl
def aug_defvar(ctx: Ctx, name: str, expr: str | None = None) -> int:
    r = _lib().aug_defvar(_handle().ptr, _b(name), _b(expr))
    return _check(r, f"aug_defvar: {name}: {expr or '(null)'}")


@impl
def aug_defnode(ctx: Ctx, name: str, expr: str, val: str) -> dict[str, int]:
    created = c_int(0)
    r = _lib().aug_defnode(_handle().ptr, _b(name), _b(expr), _b(val), byref(created))
    n = _check(r, f"aug_defnode: {name}: {expr}: {val}")
    return {"i": n, "b": created.value}


@impl
def aug_get(ctx: Ctx, augpath: str) -> str:
    value = c_char_p()
    r = _lib().aug_get(_handle().ptr, _b(augpath), byref(value))
    if r == 0:
        raise AgentError(f"no matching node: {augpath}")
    if r != 1:
        raise _error(f"aug_get: {augpath}")
    if value.value is None:
        raise AgentError(f"{augpath}: the node has no value (Augeas returned NULL match)")
    return _s(value.value)


@impl
def aug_set(ctx: Ctx, augpath: str, val: str) -> None:
    _check(_lib().aug_set(_handle().ptr, _b(augpath), _b(val)), f"aug_set: {augpath}: {val}")


@impl
def aug_clear(ctx: Ctx, augpath: str) -> None:
    _check(_lib().aug_set(_handle().ptr, _b(augpath), None), f"aug_clear: {augpath}")


@impl
def aug_setm(ctx: Ctx, base: str, sub: str | None = None, val: str | None = None) -> int:
    if val is None:  # the host drops None arguments; only sub may be None
        raise AgentError("val must be a string, not None", errno.EINVAL)
    r = _lib().aug_setm(_handle().ptr, _b(base), _b(sub), _b(val))
    return _check(r, f"aug_setm: {base}: {sub or '(null)'}: {val}")


@impl
def aug_insert(ctx: Ctx, augpath: str, label: str, before: bool) -> None:
    r = _lib().aug_insert(_handle().ptr, _b(augpath), _b(label), int(before))
    _check(r, f"aug_insert: {augpath}: {label} [before={int(before)}]",
           "invalid label (a label must not contain /)")


@impl
def aug_rm(ctx: Ctx, augpath: str) -> int:
    return _check(_lib().aug_rm(_handle().ptr, _b(augpath)), f"aug_rm: {augpath}")


@impl
def aug_mv(ctx: Ctx, src: str, dest: str) -> None:
    _check(_lib().aug_mv(_handle().ptr, _b(src), _b(dest)), f"aug_mv: {src}: {dest}")


@impl
def aug_match(ctx: Ctx, augpath: str) -> list[str]:
    return _match(_handle().ptr, augpath)


@impl
def aug_ls(ctx: Ctx, augpath: str) -> list[str]:
    ptr = _handle().ptr
    if len(augpath) > 1 and augpath[-1] in "/]*":
        raise AgentError("don't use aug-ls with a path that ends with / ] *", errno.EINVAL)
    return sorted(_match(ptr, "/*" if augpath == "/" else augpath + "/*"))


@impl
def aug_label(ctx: Ctx, augpath: str) -> str:
    label = c_char_p()
    r = _check(_lib().aug_label(_handle().ptr, _b(augpath), byref(label)),
               f"aug_label: {augpath}")
    if r == 0 or label.value is None:
        raise AgentError(f"no matching nodes found: {augpath}")
    return _s(label.value)


@impl
def aug_save(ctx: Ctx) -> None:
    h = _handle()
    before = _file_errors(h.ptr)
    if _in_guest(h, "aug_save") < 0:
        after = _file_errors(h.ptr)
        new = [why for err, why in after.items() if before.get(err) != why]
        raise _error("aug_save", "; ".join(new or after.values()) or "Augeas gave no reason")


@impl
def aug_load(ctx: Ctx) -> None:
    _check(_in_guest(_handle(), "aug_load"), "aug_load")


@impl
def aug_transform(ctx: Ctx, lens: str, file: str, remove: bool | None = None) -> None:
    r = _lib().aug_transform(_handle().ptr, _b(lens), _b(file), int(bool(remove)))
    _check(r, f"aug_transform: {lens}: {file}: {'excl' if remove else 'incl'}")
