"""edit / vi / emacs FILE: edit a guest file with a host editor, as guestfish's edit.

As guestfish 1.48 (libguestfs-common's edit_file_editor): download the file,
run the editor on a host copy, and if it changed, upload it to a new file with a
random name beside the original, give it the original's mode, owner and
extended attributes (the SELinux label among them), then rename it over the
original, so that a failure never leaves a half-written file.

Symbolic links: the name is resolved in the guest (realpath; the appliance
confines it to the guest's filesystems) and the file it leads to is the one
edited and replaced, so a link stays a link, as guestfish does.  Unlike
guestfish, edit refuses when the name does not lead to a regular file (a
device, a FIFO, a socket), and never uploads through a name that already
exists, so nothing is ever written through a link to anything but the file
the user named.

Differences from guestfish, on purpose: 'changed' means the content changed
(guestfish compares ctime and size, so an editor that saves an identical file
triggers a rewrite); a read-only handle or filesystem is refused before the
editor starts, not after the user's work; a failing editor is reported with
its exit status.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import secrets
import string
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...handle import GuestFS
from .args import BadArgs
from .localfile import digest, downloaded, refuse_readonly, run_program

if TYPE_CHECKING:
    from .repl import Shell

_NAME_CHARS = string.ascii_letters + string.digits


def editor_for(cmd: str) -> str:
    """The editor command guestfish chooses for edit, vi and emacs."""
    if cmd == "vi":
        return "vi"
    if cmd == "emacs":
        return "emacs -nw"
    return os.environ.get("EDITOR", "vi")


def run_edit(sh: Shell, words: list[str], cmd: str) -> bytes:
    """edit FILE: download, edit with the host editor, and replace the file if it changed."""
    if len(words) != 1:
        raise BadArgs(f"use '{cmd} filename' to edit a file")
    editor = editor_for(cmd)
    edit_file(sh.g, cmd, words[0], lambda local: run_program(cmd, editor, local))
    return b""


def edit_file(g: GuestFS, cmd: str, path: str, change: Callable[[str], None],
              backup: str | None = None, always: bool = False) -> bool:
    """Change path through a host copy: change(LOCAL) edits the copy in place, then if
    its content changed (or always) the file path leads to is replaced with it; whether
    it was.  backup: a suffix; the original is kept under the file's name + suffix
    (virt-edit's -b).  Refused before change runs if the file cannot be written back."""
    _refuse_special(g, cmd, path)
    with downloaded(g, path) as local:  # the same errors as guestfish for missing files
        target = g.realpath(path)
        refuse_readonly(g, cmd, target)
        before = digest(local)
        change(local)
        if not always and digest(local) == before:
            return False
        replace(g, local, target, backup)
    return True


def _refuse_special(g: GuestFS, cmd: str, path: str) -> None:
    """BadArgs if path leads to something other than a regular file or a directory.

    Directories and missing files are left to download, for guestfish's messages.
    """
    if g.is_file(path, followsymlinks=True) or not g.exists(path):
        return
    if not g.is_dir(path, followsymlinks=True):
        raise BadArgs(f"{cmd}: {path}: not a regular file")


def replace(g: GuestFS, local: str, target: str, backup: str | None = None) -> None:
    """Upload local beside target, copy target's attributes onto it, rename it over target
    (after renaming target to target + backup, if backup: put back if the last step fails)."""
    newname = _unused_name(g, target)
    g.upload(local, newname)
    try:
        _copy_attributes(g, target, newname)
        if backup is None:
            g.rename(newname, target)
            return
        g.rename(target, target + backup)
        try:
            g.rename(newname, target)
        except BaseException:
            with contextlib.suppress(Exception):
                g.rename(target + backup, target)
            raise
    except BaseException:
        try:
            g.rm_f(newname)
        except Exception:  # noqa: BLE001 - the first failure is the one to report
            pass
        raise


def _unused_name(g: GuestFS, target: str) -> str:
    """A random name in target's directory that does not exist (not even as a dangling link)."""
    directory = posixpath.dirname(target)
    while True:
        name = "".join(secrets.choice(_NAME_CHARS) for _ in range(8))
        candidate = posixpath.join(directory, name)
        try:
            g.lstatns(candidate)
        except Exception:  # noqa: BLE001 - lstat failing means the name is free
            return candidate


def _copy_attributes(g: GuestFS, src: str, dest: str) -> None:
    """Mode (with set-id and sticky bits), owner and extended attributes of src onto dest."""
    old, new = g.lstatns(src), g.lstatns(dest)
    if (old["st_uid"], old["st_gid"]) != (new["st_uid"], new["st_gid"]):
        g.chown(old["st_uid"], old["st_gid"], dest)
    if old["st_mode"] & 0o7777 != new["st_mode"] & 0o7777 or old["st_mode"] & 0o7000:
        g.chmod(old["st_mode"] & 0o7777, dest)  # after chown, which clears set-id bits
    if g.feature_available(["linuxxattrs"]):
        for x in g.lgetxattrs(src):
            g.setxattr(x["attrname"], x["attrval"], len(x["attrval"]), dest)
