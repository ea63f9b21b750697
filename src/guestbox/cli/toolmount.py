"""Mounting a guest as the virt tools' -i and -m options do (libguestfs-common's options.c,
inspect.c and keys.c, as in guestfs-tools 1.48).

-i: LUKS devices are opened with the --key keys (else a passphrase is asked for
each), inspect_os must find exactly one root (the tools' texts for none and for
several), and its filesystems are mounted shortest mountpoint first, read-only
with --ro; a failure on / stops, others are told and counted.
-m DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]: mounted in command-line order; a failure
is told with the filesystems that could have been meant.
The shell (`-i`), `guestbox inspect` and the tools built on toolopts share these.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any

from ..errors import Error
from .inspect_report import MOUNT_WARNING, mount_root
from .shell.keys import KeyProblem, read_key

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

LibraryError = Callable[[str], None]
"""Tells a library error (its message) as the tool does: `libguestfs: error: MESSAGE`."""


def no_os_message(prog: str) -> str:
    """What the tools print when -i finds no operating system."""
    return (f"{prog}: no operating system was found on this disk\n"
            + _HINTS.format(what="this disk image"))


def multi_boot_message(prog: str) -> str:
    """What the tools print when -i finds several operating systems."""
    return (f"{prog}: multi-boot operating systems are not supported\n"
            + _HINTS.format(what="multi-boot operating systems"))


def library_error(message: str) -> None:
    """libguestfs's default error handler: `libguestfs: error: MESSAGE` on stderr."""
    print(f"libguestfs: error: {message}", file=sys.stderr, flush=True)


def key_problem(prog: str, e: KeyProblem) -> str:
    """A KeyProblem's message with prog before it (once: read_key's carry guestfish's name)."""
    return f"{prog}: {str(e).removeprefix('guestfish: ')}"


# -- -i ------------------------------------------------------------------------------
def inspect_mount(g: Any, keys: list[tuple[str, str]], readonly: bool, prog: str,
                  tell: LibraryError = library_error) -> str | None:
    """Decrypt, inspect and mount the one OS; its root, or None once what went wrong is told."""
    try:
        decrypt(g, list(keys))
        roots = g.inspect_os()
    except KeyProblem as e:
        print(key_problem(prog, e), file=sys.stderr)
        return None
    except Error as e:
        tell(str(e))
        return None
    if len(roots) != 1:
        sys.stderr.write(multi_boot_message(prog) if roots else no_os_message(prog))
        return None
    try:
        failed = mount_root(g, roots[0], readonly, on_error=lambda e: tell(str(e)))
    except Error:
        return None  # / could not be mounted: told already
    if failed:
        print(f"{prog}: {MOUNT_WARNING}", file=sys.stderr)
    return str(roots[0])


def decrypt(g: Any, keys: list[tuple[str, str]]) -> None:
    """Open the LUKS devices with the keys given to g.set_luks_key (keys: their (id, key));
    a device without one is asked for one (keys.read_key).

    As guestfs-tools' inspect_do_decrypt: a device that no key opens is an error
    (without it, inspection would silently miss what it holds).
    """
    asked: set[str] = set()
    while True:
        g.inspect_decrypt()
        mapped = set(g.list_dm_devices())
        closed = [(d, u) for d, u in _luks(g) if f"/dev/mapper/luks-{u}" not in mapped]
        ask = [d for d, u in closed if d not in asked and not _has_key(keys, d, u)]
        if not ask:
            if closed:
                raise KeyProblem(f"could not find key to open LUKS encrypted {closed[0][0]}.\n\n"
                                 "Try using --key on the command line.")
            return
        for dev in ask:
            asked.add(dev)
            key = read_key(dev)
            keys.append((dev, key))
            g.set_luks_key(dev, key)


def _luks(g: Any) -> list[tuple[str, str]]:
    """(device, LUKS UUID) of every LUKS device seen now."""
    out = []
    for dev in [*g.list_devices(), *g.list_partitions(), *g.lvs(), *g.list_md_devices()]:
        try:
            if g.vfs_type(dev) == "crypto_LUKS":
                out.append((dev, g.luks_uuid(dev)))
        except Error:
            continue  # nothing readable there
    return out


def _has_key(keys: list[tuple[str, str]], dev: str, uuid: str) -> bool:
    return any(id_ in (dev, uuid, "all") for id_, _ in keys)


# -- -m ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MountSpec:
    """One -m DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]; None where the part was not given."""

    device: str
    mountpoint: str = "/"
    options: str | None = None
    fstype: str | None = None

    @classmethod
    def parse(cls, text: str) -> MountSpec:
        """Split at the first three colons, as libguestfs-common's OPTION_m (so an
        empty part stays empty: `dev:` is mountpoint "")."""
        device, *rest = text.split(":", 3)
        return cls(device, *rest)

    def mount_options(self, readonly: bool) -> str:
        """The options the mount gets: OPTIONS as given, else "ro" with --ro (mount_mps)."""
        if self.options is not None:
            return self.options
        return "ro" if readonly else ""


def mount_specs(g: Any, specs: list[MountSpec], readonly: bool, prog: str,
                tell: LibraryError = library_error) -> bool:
    """Mount each -m in order; False at the first failure, once it is told (mount_mps)."""
    for m in specs:
        try:
            if m.fstype is not None:
                g.mount_vfs(m.mount_options(readonly), m.fstype, m.device, m.mountpoint)
            else:
                g.mount_options(m.mount_options(readonly), m.device, m.mountpoint)
        except Error as e:
            tell(str(e))
            _suggest(g, m, prog)
            return False
    return True


def _suggest(g: Any, m: MountSpec, prog: str) -> None:
    """display_mountpoints_on_failure: the filesystems there are, as -m would name them."""
    try:
        fses: dict[str, str] = dict(g.list_filesystems())
    except Error:
        return
    if not fses:
        return
    lines = [f"‘{m.device}’ could not be mounted."]
    if m.options is not None:
        lines += [f"Check mount(8) man page to ensure options ‘{m.options}’",
                  "are supported by the filesystem that is being mounted."]
    lines.append("Did you mean to mount one of these filesystems?")
    lines += [f"\t{_as_option(g, fs, fses)} ({kind})" for fs, kind in fses.items()]
    sys.stderr.write("".join(f"{prog}: {line}\n" for line in lines))


def _as_option(g: Any, fs: str, fses: dict[str, str]) -> str:
    """A filesystem as -m takes it: btrfsvol:DEV/SUB as DEV:/:subvol=SUB, devices canonical."""
    if fs.startswith("btrfsvol:"):
        path = fs.removeprefix("btrfsvol:")
        devices = [d for d in fses if not d.startswith("btrfsvol:") and path.startswith(d + "/")]
        if devices:
            dev = max(devices, key=len)
            return f"{dev}:/:subvol={path[len(dev) + 1:]}"
        return fs
    try:
        return str(g.canonical_device_name(fs))
    except Error:
        return fs
