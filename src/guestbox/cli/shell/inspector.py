"""The shell's -i/--inspector: inspect the disks and mount the one OS found, as guestfish.

As libguestfs-common's inspect_mount_handle (guestfish 1.48): LUKS devices are
opened (the --key keys, else a passphrase asked for each), inspect_os must find
exactly one root (guestfish's messages for none and for several), and its
filesystems are mounted as inspect_get_mountpoints says, shortest mountpoint
first (read-only with --ro).  A failure on / stops the shell; others are told
and counted.  Nothing is printed on success, except in an interactive session,
where the OS and its mounts follow the banner (print_inspect_prompt).
"""

from __future__ import annotations

import sys

from ..inspect import decrypt
from ..inspect_report import MOUNT_WARNING, sorted_mountpoints
from .keys import KeyProblem
from .repl import Shell
from .words import PROG

_HINTS = """\

If using guestfish ‘-i’ option, remove this option and instead
use the commands ‘run’ followed by ‘list-filesystems’.
You can then mount filesystems you want by hand using the
‘mount’ or ‘mount-ro’ command.

If using guestmount ‘-i’, remove this option and choose the
filesystem(s) you want to see by manually adding ‘-m’ option(s).
Use ‘virt-filesystems’ to see what filesystems are available.

If using other virt tools, {what} won’t work
with these tools.  Use the guestfish equivalent commands
(see the virt tool manual page).
"""
NO_OS = f"{PROG}: no operating system was found on this disk\n" + _HINTS.format(
    what="this disk image")
MULTI_BOOT = f"{PROG}: multi-boot operating systems are not supported\n" + _HINTS.format(
    what="multi-boot operating systems")


def inspect_mount(sh: Shell, keys: list[tuple[str, str]], readonly: bool) -> str | None:
    """Inspect and mount; the root mounted, or None after telling what went wrong."""
    g = sh.g
    try:
        decrypt(g, list(keys))
        roots = g.inspect_os()
    except KeyProblem as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return None
    except Exception as e:  # noqa: BLE001 - a library error, told as guestfish tells it
        sh.library_error(str(e))
        return None
    if len(roots) != 1:
        sys.stderr.write(MULTI_BOOT if roots else NO_OS)
        return None
    failed = 0
    for mp, dev in sorted_mountpoints(g.inspect_get_mountpoints(roots[0])):
        try:
            (g.mount_ro if readonly else g.mount)(dev, mp)
        except Exception as e:  # noqa: BLE001
            sh.library_error(str(e))
            if mp == "/":
                return None
            failed += 1
    if failed:
        print(f"{PROG}: {MOUNT_WARNING}", file=sys.stderr)
    return str(roots[0])


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
