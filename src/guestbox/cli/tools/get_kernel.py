"""`guestbox get-kernel`: copy a Linux guest's latest kernel and initrd out, as virt-get-kernel.

The disk is opened read-only, inspected (LUKS opened with --key), its
filesystems mounted read-only, and the newest /boot/vmlinuz-* (else
/boot/vmlinux-*) and /boot/initramfs-* (else initrd-*, else initrd.img-*),
by virt-get-kernel's version order, are copied into the output directory (-o,
default the current one) under their own names, without the version with
--unversioned-names (`vmlinuz`, `initramfs` ...), after `PREFIX-` with
--prefix.  Each is written beside its destination and renamed into place, so
nothing is left half written, and only regular files of the guest are copied;
a symbolic link at a destination is replaced, never followed.  Messages are
those of virt-get-kernel (an OCaml tool): `error: ...` with its bug-report hint.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from ..shell.keys import KeyProblem
from ..toolmount import decrypt
from ..toolopts import ToolError
from .registry import Tool, register

NAME = "get-kernel"
PROG = f"guestbox {NAME}"
HINT = (f"\n\nIf reporting bugs, run {PROG} with debugging enabled and include the complete "
        f"output:\n\n  {PROG} -v -x [...]")


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False)
    p.add_argument("-o", "--output", metavar="DIRECTORY", default="",
                   help="the directory to write the files to (default: the current one)")
    p.add_argument("--unversioned-names", action="store_true",
                   help="name the files without their version (vmlinuz, initramfs ...)")
    p.add_argument("--prefix", action="append", metavar="PREFIX",
                   help="put PREFIX- before the files' names")
    p.add_argument("-q", "--quiet", action="store_true", help="do not say what is copied")
    p.add_argument("--machine-readable", action="store_true",
                   help="print what this tool supports and exit")


def run(ns: argparse.Namespace) -> int:
    if ns.machine_readable:
        print("virt-get-kernel")
        return 0
    if ns.format_pending and ns.drives:  # as the OCaml tools: --format anywhere
        ns.drives = [(path, ns.format) for path, _ in ns.drives]
        ns.format_pending = False
    hint = "" if ns.verbose and ns.trace else HINT  # as the OCaml tools: not with -v -x
    try:
        return _run(ns)
    except ToolError as e:
        if e.message is None:  # told already
            raise
        raise ToolError(f"error: {e.message}{hint}") from None
    except KeyProblem as e:
        raise ToolError(f"error: {e}{hint}") from None
    except Error as e:
        raise ToolError(f"error: libguestfs error: {e}{hint}") from None


def _run(ns: argparse.Namespace) -> int:
    if len(ns.drives or []) > 1:
        raise ToolError("--add option can only be given once")
    if len(ns.prefix or []) > 1:
        raise ToolError("--prefix option can only be given once")
    toolopts.check(ns)
    if not ns.drives:
        raise ToolError(f"you must give either -a or -d options.  Read {PROG} --help "
                        "for further information.")
    with toolopts.opened(ns, PROG, readonly=True) as g:  # no -i: decrypted and inspected here
        decrypt(g, list(ns.keys or []))
        roots = g.inspect_os()
        if not roots:
            raise ToolError("no operating system found")
        if len(roots) > 1:
            raise ToolError("dual/multi-boot images are not supported by this tool")
        root = roots[0]
        _mount_ro(g, root)
        if g.inspect_get_type(root) != "linux":
            raise ToolError(f"operating system ‘{g.inspect_get_type(root)}’ not supported")
        outdir = ns.output or "."
        for path in pick_files(g, root):
            dest = _join(outdir, _name(path, ns.unversioned_names, (ns.prefix or [None])[0]))
            if not ns.quiet:
                print(f"download: {path} -> {dest}", flush=True)
            _download(g, path, dest)
        g.umount_all()
    return 0


def _mount_ro(g: GuestFS, root: str) -> None:
    """inspect_mount_root_ro: every filesystem read-only, shortest mountpoint first; one
    that fails is told and left out."""
    mps: dict[str, str] = dict(g.inspect_get_mountpoints(root))
    for mp in sorted(mps, key=len):
        try:
            g.mount_ro(mps[mp], mp)
        except Error as e:
            print(f"{PROG}: warning: {e} (ignored)", file=sys.stderr)


def pick_files(g: GuestFS, root: str) -> list[str]:
    """The kernel and (if there is one) the initrd to copy: the latest of each."""
    def glob(pattern: str) -> list[str]:
        return [str(p) for p in g.glob_expand(pattern)]

    kernels = glob("/boot/vmlinuz-*") or glob("/boot/vmlinux-*")
    initrds = (glob("/boot/initramfs-*") or glob("/boot/initrd-*")
               or glob("/boot/initrd.img-*"))
    if not kernels:
        raise ToolError(f"no kernel found in {root}")
    return [max(kernels, key=version_key), *([max(initrds, key=version_key)] if initrds
                                             else [])]


_PART = re.compile(r"([0-9]+)|([a-zA-Z]+)|(.)", re.DOTALL)
_STRING, _NUMBER, _CHAR = 0, 1, 2
"""OCaml's order of the polymorphic variants `String < `Number < `Char (by their hashes)."""


def version_key(s: str) -> list[tuple[int, object]]:
    """Std_utils.compare_version's order: runs of digits compared as numbers, runs of
    letters as strings, anything else one character at a time."""
    out: list[tuple[int, object]] = []
    for digits, letters, other in _PART.findall(s):
        if digits:
            out.append((_NUMBER, int(digits)) if len(digits) < 19 else (_STRING, digits))
        elif letters:
            out.append((_STRING, letters))
        else:
            out.append((_CHAR, ord(other)))
    return out


def _name(path: str, unversioned: bool, prefix: str | None) -> str:
    name = path.rsplit("/", 1)[-1]
    if unversioned:
        name = name.split("-", 1)[0]
    return f"{prefix}-{name}" if prefix is not None else name


def _join(directory: str, name: str) -> str:
    """OCaml's Filename.concat."""
    return directory + name if directory.endswith("/") else f"{directory}/{name}"


def _download(g: GuestFS, path: str, dest: str) -> None:
    """Copy path out to dest: a regular file of the guest only; a symbolic link at dest is
    replaced, not written through (the copy is renamed into place)."""
    if not g.is_file(path, followsymlinks=True):
        raise ToolError(f"{path}: not a regular file")
    if os.path.islink(dest):
        os.unlink(dest)
    g.download(path, dest)


register(Tool(
    NAME, "virt-get-kernel", "copy the kernel and initrd out of a Linux guest",
    __doc__.split("\n\n", 1)[1], options, run))
