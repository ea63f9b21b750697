"""Agent side of the lvm family (libguestfs's daemon/lvm.c and lvm.ml).

The appliance has no udev: lvm.conf (appliance/builder.py) makes LVM create the
device nodes itself, and `lvm vgmknodes` after each change makes sure that
/dev/VG/LV exists.
"""

from __future__ import annotations

import errno
import subprocess

from .context import TOOL_ENV, Ctx
from .dispatch import check_device
from .registry import AgentError, impl


def _lvm(*args: str) -> str:
    """Run `lvm ARGS...`; its stdout, or AgentError carrying its stderr (as libguestfs)."""
    try:
        p = subprocess.run(["lvm", *args], stdin=subprocess.DEVNULL, capture_output=True,
                           env=TOOL_ENV)
    except FileNotFoundError:
        raise AgentError("lvm: tool not found in the appliance", errno.ENOSYS) from None
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()
        raise AgentError(err or f"lvm {args[0]} exited with status {p.returncode}")
    return p.stdout.decode("utf-8", "surrogateescape")


def _mknodes() -> None:
    """Make /dev/VG/LV and /dev/mapper nodes match the active volumes (no udev here)."""
    try:
        _lvm("vgmknodes")
    except AgentError:
        pass


def _lines(out: str, prefix: str = "") -> list[str]:
    """libguestfs's convert_lvm_output: trimmed non-empty lines, prefixed, sorted."""
    lines = [line.strip() for line in out.split("\n")]
    return sorted(prefix + line for line in lines if line and line != "unknown device")


def _pvs() -> list[str]:
    return _lines(_lvm("pvs", "-o", "pv_name", "--noheadings"))


def _vgs() -> list[str]:
    return _lines(_lvm("vgs", "-o", "vg_name", "--noheadings"))


def _lvs() -> list[str]:
    return _lines(_lvm("lvs", "-o", "vg_name,lv_name",
                       "-S", "lv_role=public && lv_skip_activation!=yes",
                       "--noheadings", "--separator", "/"), "/dev/")


@impl
def pvcreate(ctx: Ctx, device: str) -> None:
    _lvm("pvcreate", device)


@impl
def vgcreate(ctx: Ctx, volgroup: str, physvols: list[str]) -> None:
    for dev in physvols:
        check_device(dev)
    _lvm("vgcreate", volgroup, *physvols)
    _mknodes()


# --yes: the new volume may hold an old filesystem's signature (same extents as a removed
# volume); LVM would ask whether to wipe it, and with no terminal the answer is no and
# lvcreate fails.  A new volume starts blank, so wipe.


@impl
def lvcreate(ctx: Ctx, logvol: str, volgroup: str, mbytes: int) -> None:
    _lvm("lvcreate", "--yes", "-L", str(mbytes), "-n", logvol, volgroup)
    _mknodes()


@impl
def lvcreate_free(ctx: Ctx, logvol: str, volgroup: str, percent: int) -> None:
    if percent < 0 or percent > 100:
        raise AgentError(f"percentage must be [0..100] (was {percent})", errno.EINVAL)
    _lvm("lvcreate", "--yes", "-l", f"{percent}%FREE", "-n", logvol, volgroup)
    _mknodes()


@impl
def pvs(ctx: Ctx) -> list[str]:
    return _pvs()


@impl
def vgs(ctx: Ctx) -> list[str]:
    return _vgs()


@impl
def lvs(ctx: Ctx) -> list[str]:
    return _lvs()


@impl
def lvremove(ctx: Ctx, device: str) -> None:
    _lvm("lvremove", "-f", device)
    _mknodes()


@impl
def vgremove(ctx: Ctx, vgname: str) -> None:
    _lvm("vgremove", "-f", vgname)
    _mknodes()


@impl
def pvremove(ctx: Ctx, device: str) -> None:
    _lvm("pvremove", "-ff", device)


def _remove_each(names: list[str], deactivate: str | None, remove: str) -> None:
    """Deactivate (if asked; lvremove -f does not always remove active volumes) and remove."""
    for name in names:
        if deactivate is not None:
            try:
                _lvm(deactivate, "-an", name)
            except AgentError:
                pass
        try:
            _lvm(remove, "-f", name)
        except AgentError as e:
            raise AgentError(f"{remove}: {name}: {e.message}") from None


@impl
def lvm_remove_all(ctx: Ctx) -> None:
    _remove_each(_lvs(), "lvchange", "lvremove")
    _remove_each(_vgs(), "vgchange", "vgremove")
    _remove_each(_pvs(), None, "pvremove")
    _mknodes()


def _vg_activate(activate: bool, volgroups: list[str]) -> None:
    try:
        _lvm("vgchange", "-a", "y" if activate else "n", *volgroups)
    except AgentError as e:
        raise AgentError(f"vgchange: {e.message}") from None
    _mknodes()


@impl
def vg_activate_all(ctx: Ctx, activate: bool) -> None:
    _vg_activate(activate, [])


@impl
def vg_activate(ctx: Ctx, activate: bool, volgroups: list[str]) -> None:
    _vg_activate(activate, volgroups)
