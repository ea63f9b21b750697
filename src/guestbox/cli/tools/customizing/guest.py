"""Opening the guest for virt-customize and virt-sysprep: `Examining the guest ...`, the
disks added (through throwaway overlays with --dry-run), LUKS opened, every operating
system found by inspection mounted in turn (customize_main.ml, sysprep's main.ml).

Failures come out as the OCaml tools tell them: `PROG: error: libguestfs error: ...`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from ....errors import Error
from ....handle import GuestFS
from ... import toolopts
from ...shell.keys import KeyProblem
from ...toolmount import decrypt
from .messages import Messages


def libguestfs_mount_order(mountpoints: dict[str, str]) -> list[tuple[str, str]]:
    """(mountpoint, device) in the order the tools mount and print them: shortest
    mountpoint first, ties in the order inspect_get_mountpoints lists them (a stable
    sort, as the tools' List.sort and qsort)."""
    return sorted(mountpoints.items(), key=lambda kv: len(kv[0]))


def mount_root(g: Any, root: str, msgs: Messages, options: Callable[[str], str] | None = None
               ) -> None:
    """Mount root's filesystems (inspect_mount_root); a failure is a warning."""
    for mp, dev in libguestfs_mount_order(g.inspect_get_mountpoints(root)):
        try:
            g.mount_options(options(mp) if options else "", dev, mp)
        except Error as e:
            msgs.warning(f"{e} (ignored)")


@contextlib.contextmanager
def dry_run_drives(drives: list[tuple[str, str | None]]) -> Iterator[list[tuple[str, str]]]:
    """For --dry-run: each drive behind a qcow2 overlay in a temporary directory (the
    image itself is only read; the overlays go when the block ends)."""
    probe = GuestFS(close_on_exit=False)
    with tempfile.TemporaryDirectory(prefix="guestbox-dryrun-") as tmp:
        out = []
        for i, (path, fmt) in enumerate(drives):
            probe.add_drive_opts(path, readonly=True, format=fmt)  # its checks, its errors
            base = fmt or probe.disk_format(path)
            overlay = os.path.join(tmp, f"overlay{i}.qcow2")
            p = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", base, "-b",
                                os.path.abspath(path), overlay], capture_output=True, text=True)
            if p.returncode != 0:
                raise Error(f"{path}: cannot make the dry run's overlay: {p.stderr.strip()}")
            out.append((overlay, "qcow2"))
        probe.close()
        yield out


@contextlib.contextmanager
def inspected(ns: argparse.Namespace, msgs: Messages, setup: toolopts.Setup,
              finish: bool = True) -> Iterator[tuple[GuestFS, list[str]]]:
    """The launched handle and the roots inspection found (an error if none); the
    appliance is shut down (`Finishing off` first if finish) when the block ends well.

    setup(g) configures the handle before launch (memory, network ...).
    """
    msgs.message("Examining the guest ...")
    with contextlib.ExitStack() as stack:
        if ns.dry_run:
            ns.drives = stack.enter_context(dry_run_drives(ns.drives or []))
        g = stack.enter_context(toolopts.opened(ns, msgs.prog, readonly=False, setup=setup))
        decrypt(g, list(ns.keys or []))
        roots = [str(r) for r in g.inspect_os()]
        if not roots:
            raise msgs.error("no operating systems were found in the guest image")
        yield g, roots
        if finish:
            msgs.message("Finishing off")
        g.shutdown()


def tool_errors(msgs: Messages) -> contextlib.AbstractContextManager[None]:
    """Library and key errors raised in the block, told as the OCaml tools tell them."""
    return _ToolErrors(msgs)


class _ToolErrors(contextlib.AbstractContextManager[None]):
    def __init__(self, msgs: Messages) -> None:
        self.msgs = msgs

    def __exit__(self, kind: object, e: BaseException | None, tb: object) -> None:
        if isinstance(e, Error):
            raise self.msgs.error(f"libguestfs error: {e}") from None
        if isinstance(e, KeyProblem):
            raise self.msgs.error(str(e).removeprefix("guestfish: ")) from None
