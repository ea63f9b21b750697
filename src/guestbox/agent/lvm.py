"""Agent side of the lvm family (libguestfs's daemon/lvm.c, lvm.ml and lvm-filter.c).

The appliance has no udev: lvm.conf (appliance/builder.py) makes LVM create the
device nodes itself, and `lvm vgmknodes` after each change makes sure that
/dev/VG/LV exists.  Error texts are LVM's own, without the blanks LVM puts
before each line (libguestfs keeps them).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
import tempfile
import typing
from typing import Any

from ..api.types import LV, PV, VG
from .context import TOOL_ENV, Ctx
from .dispatch import check_device
from .registry import AgentError, impl

LVM_CONF = "/etc/lvm/lvm.conf"
LVM_CONF_DEFAULT = "/etc/lvm/lvm.conf.guestbox-default"
"""The appliance's own lvm.conf, kept aside the first time lvm_set_filter changes it."""


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


def _lvm_about(name: str, *args: str) -> str:
    """_lvm, its error prefixed with name (libguestfs's "%s: %s", device, err)."""
    try:
        return _lvm(*args)
    except AgentError as e:
        raise AgentError(f"{name}: {e.message}", e.errno) from None


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


def _nonempty(what: str, physvols: list[str]) -> None:
    """AgentError unless physvols names at least one device, each a block device."""
    if not physvols:
        raise AgentError(f"{what}: the list of physical volumes is empty", errno.EINVAL)
    for dev in physvols:
        check_device(dev)


def _mbytes(mbytes: int) -> str:
    if mbytes < 1:
        raise AgentError(f"size must be at least 1 megabyte (was {mbytes})", errno.EINVAL)
    return str(mbytes)


def _percent(percent: int) -> int:
    if percent < 0 or percent > 100:
        raise AgentError(f"percentage must be [0..100] (was {percent})", errno.EINVAL)
    return percent


# -- listing -------------------------------------------------------------------
def lvs_paths() -> list[str]:
    """The public logical volumes as /dev/VG/LV, sorted, active or not (libguestfs's lvs):
    thin pools, their hidden parts and volumes that skip activation left out."""
    return _lines(_lvm("lvs", "-o", "vg_name,lv_name",
                       "-S", "lv_role=public && lv_skip_activation!=yes",
                       "--noheadings", "--separator", "/"), "/dev/")


@impl
def pvs(ctx: Ctx) -> list[str]:
    return _lines(_lvm("pvs", "-o", "pv_name", "--noheadings"))


@impl
def vgs(ctx: Ctx) -> list[str]:
    return _vgs()


def _vgs() -> list[str]:
    return _lines(_lvm("vgs", "-o", "vg_name", "--noheadings"))


@impl
def lvs(ctx: Ctx) -> list[str]:
    return lvs_paths()


# -- the *_full structs --------------------------------------------------------
def _column_parsers(struct: Any) -> dict[str, Any]:
    """{LVM column: parser} for a struct of api/types.py, in its field order.

    The struct's field types say how: str as it is (a UUID without its dashes),
    int as an integer, float | None as a percentage that may be blank.
    """
    parsers: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(struct).items():
        if hint is str:
            parsers[name] = (lambda s: s.replace("-", "")) if name.endswith("_uuid") else str
        elif hint is int:
            parsers[name] = int
        else:
            parsers[name] = lambda s: float(s) if s else None
    return parsers


_FULL = {"pvs": _column_parsers(PV), "vgs": _column_parsers(VG), "lvs": _column_parsers(LV)}


def _full(cmd: str) -> list[dict[str, Any]]:
    """`lvm CMD` with every column of its struct, one dict per line (libguestfs's
    parse_command_line_pvs ...: bytes as units, \\r between fields)."""
    parsers = _FULL[cmd]
    out = _lvm(cmd, "-o", ",".join(parsers), "--unbuffered", "--noheadings",
               "--nosuffix", "--separator", "\r", "--units", "b")
    rows = []
    for line in out.split("\n"):
        line = line.lstrip()
        if not line:
            continue
        fields = line.split("\r")
        if len(fields) != len(parsers):
            raise AgentError(f"{cmd}: unexpected output from lvm: {line!r}")
        try:
            rows.append({name: parse(field) for (name, parse), field
                         in zip(parsers.items(), fields, strict=True)})
        except ValueError as e:
            raise AgentError(f"{cmd}: unexpected output from lvm: {line!r}: {e}") from None
    return rows


@impl
def pvs_full(ctx: Ctx) -> list[dict[str, Any]]:
    return _full("pvs")


@impl
def vgs_full(ctx: Ctx) -> list[dict[str, Any]]:
    return _full("vgs")


@impl
def lvs_full(ctx: Ctx) -> list[dict[str, Any]]:
    return _full("lvs")


# -- UUIDs and metadata --------------------------------------------------------
def _fields(cmd: str, field: str, name: str) -> list[str]:
    """The values of one column for one PV, VG or LV: `lvm CMD -o FIELD NAME`."""
    out = _lvm_about(name, cmd, "--unbuffered", "--noheadings", "-o", field, name)
    return [line.strip() for line in out.split("\n") if line.strip()]


def _field(cmd: str, field: str, name: str) -> str:
    values = _fields(cmd, field, name)
    return values[0] if values else ""


@impl
def pvuuid(ctx: Ctx, device: str) -> str:
    return _field("pvs", "pv_uuid", device)


@impl
def vguuid(ctx: Ctx, vgname: str) -> str:
    return _field("vgs", "vg_uuid", vgname)


@impl
def lvuuid(ctx: Ctx, device: str) -> str:
    return _field("lvs", "lv_uuid", device)


@impl
def vgpvuuids(ctx: Ctx, vgname: str) -> list[str]:
    return _fields("vgs", "pv_uuid", vgname)


@impl
def vglvuuids(ctx: Ctx, vgname: str) -> list[str]:
    return _fields("vgs", "lv_uuid", vgname)


@impl
def vgmeta(ctx: Ctx, vgname: str) -> bytes:
    fd, tmp = tempfile.mkstemp(prefix="vgmeta")
    os.close(fd)
    try:
        _lvm_about("vgcfgbackup", "vgcfgbackup", "-f", tmp, vgname)
        with open(tmp, "rb") as f:
            return f.read()
    finally:
        os.unlink(tmp)


# -- physical volumes ----------------------------------------------------------
@impl
def pvcreate(ctx: Ctx, device: str) -> None:
    # --force, as libguestfs: LVM would ask before wiping an old signature, and with
    # no terminal the answer is no.
    _lvm("pvcreate", "--force", device)


@impl
def pvremove(ctx: Ctx, device: str) -> None:
    _lvm("pvremove", "-ff", device)


@impl
def pvresize(ctx: Ctx, device: str) -> None:
    _lvm_about(device, "pvresize", device)


def _device_size(device: str) -> int:
    fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.lseek(fd, 0, os.SEEK_END)
    finally:
        os.close(fd)


@impl
def pvresize_size(ctx: Ctx, device: str, size: int) -> None:
    if size < 0:
        raise AgentError(f"{device}: size must not be negative (was {size})", errno.EINVAL)
    devsize = _device_size(device)
    if size > devsize:
        raise AgentError(f"{device}: size {size} is larger than the device ({devsize} bytes)",
                         errno.EINVAL)
    _lvm_about(device, "pvresize", "--yes", "--setphysicalvolumesize", f"{size}b", device)


@impl
def pvchange_uuid(ctx: Ctx, device: str) -> None:
    _lvm_about(device, "pvchange", "-u", device)


@impl
def pvchange_uuid_all(ctx: Ctx) -> None:
    _lvm("pvchange", "-u", "-a")


# -- volume groups ---------------------------------------------------------------
@impl
def vgcreate(ctx: Ctx, volgroup: str, physvols: list[str]) -> None:
    _nonempty(volgroup, physvols)
    _lvm("vgcreate", volgroup, *physvols)
    _mknodes()


@impl
def vgextend(ctx: Ctx, volgroup: str, physvols: list[str]) -> None:
    _nonempty(volgroup, physvols)
    _lvm("vgextend", volgroup, *physvols)


@impl
def vgreduce(ctx: Ctx, volgroup: str, physvols: list[str]) -> None:
    _nonempty(volgroup, physvols)
    _lvm("vgreduce", volgroup, *physvols)


@impl
def vgremove(ctx: Ctx, vgname: str) -> None:
    _lvm("vgremove", "-f", vgname)
    _mknodes()


@impl
def vgrename(ctx: Ctx, volgroup: str, newvolgroup: str) -> None:
    _lvm_about(f"{volgroup} -> {newvolgroup}", "vgrename", volgroup, newvolgroup)
    _mknodes()


@impl
def vgchange_uuid(ctx: Ctx, vg: str) -> None:
    _lvm_about(vg, "vgchange", "-u", vg)


@impl
def vgchange_uuid_all(ctx: Ctx) -> None:
    _lvm("vgchange", "-u")


def _vg_activate(activate: bool, volgroups: list[str]) -> None:
    _lvm_about("vgchange", "vgchange", "-a", "y" if activate else "n", *volgroups)
    _mknodes()


@impl
def vg_activate_all(ctx: Ctx, activate: bool) -> None:
    _vg_activate(activate, [])


@impl
def vg_activate(ctx: Ctx, activate: bool, volgroups: list[str]) -> None:
    _vg_activate(activate, volgroups)


# -- logical volumes -------------------------------------------------------------
# --yes: the new volume may hold an old filesystem's signature (same extents as a removed
# volume); LVM would ask whether to wipe it, and with no terminal the answer is no and
# lvcreate fails.  A new volume starts blank, so wipe.


@impl
def lvcreate(ctx: Ctx, logvol: str, volgroup: str, mbytes: int) -> None:
    _lvm("lvcreate", "--yes", "-L", _mbytes(mbytes), "-n", logvol, volgroup)
    _mknodes()


@impl
def lvcreate_free(ctx: Ctx, logvol: str, volgroup: str, percent: int) -> None:
    _lvm("lvcreate", "--yes", "-l", f"{_percent(percent)}%FREE", "-n", logvol, volgroup)
    _mknodes()


@impl
def lvremove(ctx: Ctx, device: str) -> None:
    _lvm("lvremove", "-f", device)
    _mknodes()


@impl
def lvrename(ctx: Ctx, logvol: str, newlogvol: str) -> None:
    _lvm_about(f"{logvol} -> {newlogvol}", "lvrename", logvol, newlogvol)
    _mknodes()


def _lvresize(*args: str) -> None:
    """lvresize, where "the size is already that" is not an error (RHBZ#834712)."""
    try:
        _lvm("lvresize", *args)
    except AgentError as e:
        if not ("New size (" in e.message and "extents) matches existing size (" in e.message):
            raise


@impl
def lvresize(ctx: Ctx, device: str, mbytes: int) -> None:
    _lvresize("--force", "-L", _mbytes(mbytes), device)


@impl
def lvresize_free(ctx: Ctx, lv: str, percent: int) -> None:
    _lvresize("-l", f"+{_percent(percent)}%FREE", lv)


# -- names -----------------------------------------------------------------------
def _lv_rdevs() -> dict[int, str]:
    """{device number: /dev/VG/LV} of the active logical volumes."""
    out: dict[int, str] = {}
    for lv in lvs_paths():
        try:
            st = os.stat(lv)
        except OSError:
            continue  # inactive: no device node
        if stat.S_ISBLK(st.st_mode):
            out.setdefault(st.st_rdev, lv)
    return out


def lv_canonical(device: str) -> str | None:
    """/dev/VG/LV if device (any name of it) is a logical volume, else None.

    As libguestfs, by device number: device-mapper knows nothing of LVM's names.
    """
    try:
        st = os.stat(device)
    except OSError as e:
        raise AgentError(f"stat: {device}: {os.strerror(e.errno or 0)}", e.errno) from None
    if not stat.S_ISBLK(st.st_mode):
        return None
    return _lv_rdevs().get(st.st_rdev)


@impl
def is_lv(ctx: Ctx, mountable: str) -> bool:
    if mountable.startswith("btrfsvol:"):
        return False
    return lv_canonical(mountable) is not None


@impl
def lvm_canonical_lv_name(ctx: Ctx, lvname: str) -> str:
    if not lvname.startswith("/dev/"):
        raise AgentError(f"{lvname}: not a device name", errno.EINVAL)
    canonical = lv_canonical(lvname)
    if canonical is None:
        raise AgentError(f"{lvname}: not a logical volume", errno.EINVAL)
    return canonical


def dm_names() -> list[str]:
    """The device-mapper devices that are not LVM logical volumes (opened LUKS devices ...)
    as /dev/mapper/NAME, sorted: libguestfs's list_dm_devices."""
    out = []
    try:
        names = [n for n in os.listdir("/sys/block") if n.startswith("dm-")]
    except OSError:
        return []
    for n in names:
        try:
            with open(f"/sys/block/{n}/dm/uuid") as f:
                uuid = f.read().strip()
            with open(f"/sys/block/{n}/dm/name") as f:
                name = f.read().strip()
        except OSError:
            continue
        if not uuid.startswith("LVM-"):
            out.append(f"/dev/mapper/{name}")
    return sorted(out)


@impl
def list_dm_devices(ctx: Ctx) -> list[str]:
    return dm_names()


# -- everything ------------------------------------------------------------------
def _remove_each(names: list[str], deactivate: str | None, remove: str) -> None:
    """Deactivate (if asked; lvremove -f does not always remove active volumes) and remove."""
    for name in names:
        if deactivate is not None:
            try:
                _lvm(deactivate, "-an", name)
            except AgentError:
                pass
        _lvm_about(f"{remove}: {name}", remove, "-f", name)


@impl
def lvm_remove_all(ctx: Ctx) -> None:
    _remove_each(lvs_paths(), "lvchange", "lvremove")
    _remove_each(_vgs(), "vgchange", "vgremove")
    _remove_each(pvs(ctx), None, "pvremove")
    _mknodes()


@impl
def lvm_scan(ctx: Ctx, activate: bool) -> None:
    _lvm("pvscan", "--cache", *(["--activate", "ay"] if activate else []))
    if activate:
        _mknodes()


@impl
def vgscan(ctx: Ctx) -> None:
    lvm_scan(ctx, False)


# -- the device filter -------------------------------------------------------------
APPLIANCE_DISKS = "r|^/dev/vd|"
"""The filter rule that hides the appliance's own disks (the mailbox is /dev/vdX)."""
_FILTER_RE = re.compile(r"^[ \t]*filter[ \t]*=[ \t]*\[[^\]]*\][ \t]*\n", re.M)
_SAFE_DEVICE = re.compile(r"/dev/[A-Za-z0-9_/.+:-]+")


def _filter_rules(devices: list[str]) -> list[str]:
    """libguestfs's filter: each partition exactly, each whole disk with its partitions,
    nothing else; the appliance's own disks refused first whatever the list says."""
    rules = [APPLIANCE_DISKS]
    for dev in devices:
        check_device(dev)
        if not _SAFE_DEVICE.fullmatch(dev):
            raise AgentError(f"{dev}: a device name LVM's filter cannot hold", errno.EINVAL)
        if dev.startswith("/dev/vd"):
            raise AgentError(f"{dev}: an appliance disk, not a guest device", errno.EINVAL)
        pattern = re.sub(r"([.+])", r"\\\1", dev)
        rules.append(f"a|^{pattern}$|")
        if not dev[-1].isdigit():
            rules.append(f"a|^{pattern}[0-9]|")
    rules.append("r|.*|")
    return rules


def _default_conf() -> str:
    """The appliance's own lvm.conf, saved aside the first time it is replaced."""
    if not os.path.exists(LVM_CONF_DEFAULT):
        with open(LVM_CONF) as f:
            text = f.read()
        _write(LVM_CONF_DEFAULT, text)
        return text
    with open(LVM_CONF_DEFAULT) as f:
        return f.read()


def _write(path: str, text: str) -> None:
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def _conf_with(rules: list[str] | None) -> str:
    """The default lvm.conf, its devices/filter replaced by rules (filter and
    global_filter, as libguestfs) unless rules is None."""
    text = _default_conf()
    if rules is None:
        return text
    quoted = ", ".join(f'"{r}"' for r in rules)
    new = f"    filter = [ {quoted} ]\n    global_filter = [ {quoted} ]\n"
    text, n = _FILTER_RE.subn(lambda m: new, text, count=1)
    if n != 1:
        raise AgentError(f"{LVM_CONF}: no devices/filter setting to replace")
    return text


def _set_filter(rules: list[str] | None) -> None:
    """libguestfs's order: deactivate everything, change the filter, rescan, activate."""
    text = _conf_with(rules)  # any error before anything changes
    _lvm_about("vgchange -an", "vgchange", "-an")
    _write(LVM_CONF, text)
    _lvm_about("vgscan", "vgscan")
    _lvm_about("vgchange -ay", "vgchange", "-ay")
    _mknodes()


@impl
def lvm_set_filter(ctx: Ctx, devices: list[str]) -> None:
    _set_filter(_filter_rules(devices))


@impl
def lvm_clear_filter(ctx: Ctx) -> None:
    _set_filter(None)
