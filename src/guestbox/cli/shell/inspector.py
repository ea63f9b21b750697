"""The shell's -i/--inspector: inspect the disks and mount the one OS found, as guestfish.

As libguestfs-common's inspect_mount_handle (guestfish 1.48): LUKS devices are
opened (the --key keys, else a passphrase asked for each), inspect_os must find
exactly one root (guestfish's messages for none and for several), and its
filesystems are mounted as inspect_get_mountpoints says, shortest mountpoint
first (read-only with --ro).  A failure on / stops the shell; others are told
and counted (cli/toolmount.py, shared with the virt tools).  Nothing is printed
on success, except in an interactive session, where the OS and its mounts
follow the banner (print_inspect_prompt).
"""

from __future__ import annotations

from .. import toolmount
from .repl import Shell
from .words import PROG

NO_OS = toolmount.no_os_message(PROG)
MULTI_BOOT = toolmount.multi_boot_message(PROG)


def inspect_mount(sh: Shell, keys: list[tuple[str, str]], readonly: bool) -> str | None:
    """Inspect and mount (toolmount.inspect_mount, library errors told as the shell tells
    them); the root mounted, or None after telling what went wrong."""
    return toolmount.inspect_mount(sh.g, keys, readonly, PROG, sh.library_error)


def greeting(sh: Shell, root: str) -> str:
    """print_inspect_prompt's lines and the blank line after them (interactive sessions)."""
    g = sh.g
    lines = []
    name = g.inspect_get_product_name(root)
    if name != "unknown":
        lines.append(f"Operating system: {name}\n")
    for mp, dev in sorted(g.inspect_get_mountpoints(root).items(),
                          key=lambda kv: kv[0].lower()):
        try:
            dev = g.canonical_device_name(dev)
        except Exception:  # noqa: BLE001, S110 - as guestfish: the name as it is
            pass
        lines.append(f"{dev} mounted on {mp}\n")
    return "".join(lines) + "\n"
