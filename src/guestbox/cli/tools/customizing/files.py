"""Helpers of the file operations of customize: appending a line, uploading, replacing a
file atomically, reading the host files the user named."""

from __future__ import annotations

import os
from typing import Any

from .messages import Messages


class LocalFileError(Exception):
    """A host file the user named cannot be read: the message after `PROG: error: `."""


def read_local(path: str) -> str:
    """A host file the user named (a script), as text."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()
    except OSError as e:
        raise LocalFileError(f"{path}: {e.strerror}") from None


def append_line(g: Any, root: str, path: str, line: str, msgs: Messages) -> None:
    """Append line with the file's own line ending (\\r\\n, \\n or \\r as its first 8 KiB
    show; else the guest's default), adding one first if the file does not end with it."""
    default = "\r\n" if g.inspect_get_type(root) == "windows" else "\n"
    if not g.exists(path):
        g.write(path, (line + default).encode("utf-8", "surrogateescape"))
        return
    st = g.statns(path)
    if (st["st_mode"] & 0o170000) != 0o100000:
        raise msgs.error(f"append_line: {path} is not a file")
    size = st["st_size"]
    head = bytes(g.pread(path, 8192, 0))
    newline = next((nl for nl in (b"\r\n", b"\n", b"\r") if nl in head), default.encode())
    if size <= 0:
        last = newline
    elif size >= len(newline):
        last = bytes(g.pread(path, len(newline), size - len(newline)))
    else:
        last = bytes(g.pread(path, len(newline), 0))
    data = line.encode("utf-8", "surrogateescape") + newline
    g.write_append(path, data if last == newline else newline + data)


def upload(g: Any, local: str, dest: str, msgs: Messages) -> None:
    """local uploaded to dest (into it if it is a directory), its mode and owner kept (an
    owner the appliance may not set is a warning)."""
    if g.is_dir(dest, followsymlinks=True):
        dest = f"{dest.rstrip('/')}/{os.path.basename(local)}"
    g.upload(local, dest)
    st = os.stat(local)
    g.chmod(st.st_mode & 0o7777, dest)
    try:
        g.chown(st.st_uid, st.st_gid, dest)
    except PermissionError as e:
        msgs.warning(str(e))


def replace_file(g: Any, path: str, data: bytes) -> None:
    """path's content replaced by data atomically: written beside it, its attributes
    copied, renamed over it (as virt-edit does)."""
    directory = os.path.dirname(path.rstrip("/")) or "/"
    tmp = f"{directory.rstrip('/')}/.guestbox-{os.urandom(4).hex()}"
    g.write(tmp, data)
    try:
        g.copy_attributes(path, tmp, all=True)
        g.mv(tmp, path)
    except BaseException:
        g.rm_f(tmp)
        raise
