"""Agent side of the btrfs family (libguestfs's daemon/btrfs.c and btrfs.ml).

Errors have libguestfs's shape, `op: PATH: <what btrfs said>`, with the guest's
paths shown instead of the appliance's.  Operations that take a device (or a
btrfsvol: mountable) where btrfs wants a directory mount it on a private
temporary directory for the duration of the call, outside the guest's tree.
The appliance has no udev: the devices of the btrfs filesystems are made known
to the kernel at launch (scan_devices), else a filesystem spanning several
devices would not mount.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from .context import Ctx
from .dispatch import check_device
from .fs import blkid_tag, guest_text, split_mountable, tool, wipe_before_mkfs
from .paths import to_guest
from .registry import AgentError, impl

TOP_LEVEL = 5
"""The subvolume ID of the top of every btrfs filesystem."""
PROFILES = ("raid0", "raid1", "raid10", "single")
COMPRESSORS = ("zlib", "lzo", "zstd")

_ERRNOS = (
    ("No such file or directory", errno.ENOENT),
    ("already exists", errno.EEXIST),
    ("Read-only file system", errno.EROFS),
    ("Device or resource busy", errno.EBUSY),
)


# -- running btrfs -------------------------------------------------------------
def _run(what: str, argv: Sequence[str], ok: Sequence[int] = (0,),
         shown: tuple[str, str] | None = None) -> str:
    """Run a btrfs tool; its stdout, or AgentError `what: <its message>`.

    shown (a temporary mountpoint, the name the caller gave) is replaced in messages.
    """
    rc, out, err = tool(argv)
    if rc in ok:
        return out
    text = err.strip() or out.strip()
    if shown is not None:
        text = text.replace(shown[0], shown[1])
    text = guest_text(text) or f"{argv[0]} exited with status {rc}"
    eno = next((e for phrase, e in _ERRNOS if phrase in text), None)
    raise AgentError(f"{what}: {text}", eno)


def _devices(devices: list[str]) -> list[str]:
    """devices, each checked to be a block device."""
    return [check_device(d) for d in devices]


@contextlib.contextmanager
def _mounted(fs: str, options: str = "ro") -> Iterator[str]:
    """The directory of fs, a resolved guest path, a device or a btrfsvol: mountable.

    A device is mounted (its top level, subvolid=5) and a btrfsvol: (its subvolume)
    with options on a private temporary directory, unmounted when the block ends.
    """
    if not fs.startswith(("/dev/", "btrfsvol:")):
        yield fs
        return
    device, volume = split_mountable(fs)
    opts = f"{options},subvol={volume}" if volume is not None else f"{options},subvolid=5"
    mp = tempfile.mkdtemp(prefix="btrfs.")
    try:
        rc, out, err = tool(["mount", "-t", "btrfs", "-o", opts, device, mp])
        if rc != 0:
            _not_btrfs(fs, device)
            raise AgentError(f"{fs}: {(err or out).strip().replace(mp, fs)}")
        try:
            yield mp
        finally:
            tool(["umount", mp])
    finally:
        os.rmdir(mp)


def _not_btrfs(fs: str, device: str) -> None:
    """AgentError (EINVAL) if device holds no btrfs: a clearer reason than mount's."""
    try:
        fstype = blkid_tag(device, "TYPE")
    except AgentError:
        return
    if fstype != "btrfs":
        raise AgentError(f"{fs}: not a btrfs filesystem", errno.EINVAL)


def _shown(fs: str, mp: str) -> tuple[str, str] | None:
    """What to show for the temporary mountpoint mp in messages about fs."""
    return (mp, fs) if mp != fs else None


def _name(fs: str) -> str:
    """How errors name fs: its guest path, or the device / mountable as given."""
    return fs if fs.startswith(("/dev/", "btrfsvol:")) else to_guest(fs)


# -- making --------------------------------------------------------------------
def _power_of_2(name: str, value: int) -> str:
    if value <= 0 or value & (value - 1):
        raise AgentError(f"{name} must be > 0 and a power of two", errno.EINVAL)
    return str(value)


def _profile(name: str, value: str) -> str:
    if value not in PROFILES:
        raise AgentError(f"{name} not one of the allowed values", errno.EINVAL)
    return value


@impl
def mkfs_btrfs(ctx: Ctx, devices: list[str], allocstart: int | None = None,
               bytecount: int | None = None, datatype: str | None = None,
               leafsize: int | None = None, label: str | None = None,
               metadata: str | None = None, nodesize: int | None = None,
               sectorsize: int | None = None) -> None:
    if not devices:
        raise AgentError("list of devices must be non-empty", errno.EINVAL)
    argv = ["mkfs.btrfs", "-f"]
    # allocstart: --alloc-start left btrfs-progs in 4.14.1; ignored, as libguestfs does.
    if bytecount is not None:
        if bytecount <= 0:
            raise AgentError("bytecount must be > 0", errno.EINVAL)
        argv += ["--byte-count", str(bytecount)]
    if datatype is not None:
        argv += ["--data", _profile("datatype", datatype)]
    if leafsize is not None:
        _power_of_2("leafsize", leafsize)
        if nodesize is not None and nodesize != leafsize:
            raise AgentError("leafsize and nodesize differ (leafsize is the old name of "
                             "nodesize)", errno.EINVAL)
        nodesize = leafsize
    if label is not None:
        argv += ["--label", label]
    if metadata is not None:
        argv += ["--metadata", _profile("metadata", metadata)]
    if nodesize is not None:
        argv += ["--nodesize", _power_of_2("nodesize", nodesize)]
    if sectorsize is not None:
        argv += ["--sectorsize", _power_of_2("sectorsize", sectorsize)]
    devs = _devices(devices)
    for dev in devs:
        wipe_before_mkfs(dev)
    _run(devs[0], [*argv, *devs])
    os.sync()


# -- subvolumes ------------------------------------------------------------------
def _qgroup_opt(qgroupid: str | None) -> list[str]:
    return [] if qgroupid is None else ["-i", qgroupid]


@impl
def btrfs_subvolume_create(ctx: Ctx, dest: str, qgroupid: str | None = None) -> None:
    _run(to_guest(dest), ["btrfs", "subvolume", "create", *_qgroup_opt(qgroupid), dest])


@impl
def btrfs_subvolume_delete(ctx: Ctx, subvolume: str) -> None:
    _run(to_guest(subvolume), ["btrfs", "subvolume", "delete", subvolume])


@impl
def btrfs_subvolume_snapshot(ctx: Ctx, source: str, dest: str, ro: bool | None = None,
                             qgroupid: str | None = None) -> None:
    argv = ["btrfs", "subvolume", "snapshot", *(["-r"] if ro else []), *_qgroup_opt(qgroupid)]
    _run(f"{to_guest(source)}: {to_guest(dest)}", [*argv, source, dest])


_SUBVOLUME_LINE = re.compile(r"ID\s+(\d+).*\stop level\s+(\d+).*\spath\s(.*)")


def subvolumes(fs: str, mp: str) -> list[dict[str, Any]]:
    """`btrfs subvolume list` of the filesystem mounted at mp, as btrfssubvolume structs."""
    out = _run(_name(fs), ["btrfs", "subvolume", "list", mp], shown=_shown(fs, mp))
    vols = []
    for line in filter(None, out.split("\n")):
        m = _SUBVOLUME_LINE.match(line)
        if m is None:
            raise AgentError(f"unexpected output from 'btrfs subvolume list' command: {line}")
        vols.append({"btrfssubvolume_id": int(m.group(1)),
                     "btrfssubvolume_top_level_id": int(m.group(2)),
                     "btrfssubvolume_path": m.group(3)})
    return vols


def default_subvolume(fs: str, mp: str) -> int:
    """The default subvolume ID of the filesystem mounted at mp."""
    out = _run(_name(fs), ["btrfs", "subvolume", "get-default", mp], shown=_shown(fs, mp))
    m = re.match(r"ID (\d+)", out)
    if m is None:
        raise AgentError(f"unexpected output from 'btrfs subvolume get-default': {out.strip()}")
    return int(m.group(1))


@impl
def btrfs_subvolume_list(ctx: Ctx, fs: str) -> list[dict[str, Any]]:
    with _mounted(fs) as mp:
        return subvolumes(fs, mp)


@impl
def btrfs_subvolume_get_default(ctx: Ctx, fs: str) -> int:
    with _mounted(fs) as mp:
        return default_subvolume(fs, mp)


@impl
def btrfs_subvolume_set_default(ctx: Ctx, id: int, fs: str) -> None:  # noqa: A002
    _run(to_guest(fs), ["btrfs", "subvolume", "set-default", str(id), fs])


def mountables(device: str) -> dict[str, str]:
    """list_filesystems' entries for the btrfs filesystem on device: the device itself (which
    mounts the default subvolume), then btrfsvol:DEVICE/PATH for each other subvolume, by
    ID.  Just the device if its subvolumes cannot be read (a device missing ...)."""
    out = {device: "btrfs"}
    try:
        with _mounted(device) as mp:
            vols = subvolumes(device, mp)
            default = default_subvolume(device, mp)
    except AgentError:
        return out
    for v in vols:
        if v["btrfssubvolume_id"] != default:
            out[f"btrfsvol:{device}/{v['btrfssubvolume_path']}"] = "btrfs"
    return out


def _split_key(line: str) -> tuple[str, str | None]:
    """(key, value) of a `Key:   value` line (leading blanks dropped); value None if no ':'."""
    key, sep, value = line.strip().partition(":")
    return (key, value.strip()) if sep else (key, None)


def parse_show(out: str) -> dict[str, str]:
    """The hashtable of `btrfs subvolume show`, as libguestfs builds it: the first line is the
    path, "-" is "", and the lines after "Snapshot(s):" are joined with commas."""
    lines = [line for line in out.split("\n") if line.strip()]
    ret: dict[str, str] = {}
    if not lines:
        raise AgentError(f"truncated output: {out}")
    key, value = _split_key(lines[0])
    if value is None:
        ret["path"] = key
    else:
        ret[key] = value
    i = 1
    while i < len(lines):
        key, value = _split_key(lines[i])
        i += 1
        if key.startswith("Snapshot(s)"):
            snaps = []
            while i < len(lines) and _split_key(lines[i])[1] is None:
                snaps.append(lines[i].strip())
                i += 1
            ret[key] = ",".join(snaps)
        else:
            ret[key] = "" if value in (None, "-") else value
    return ret


@impl
def btrfs_subvolume_show(ctx: Ctx, subvolume: str) -> dict[str, str]:
    name = to_guest(subvolume)
    out = _run(name, ["btrfs", "subvolume", "show", subvolume])
    if "is btrfs root" in out or "is toplevel subvolume" in out:  # btrfs-progs < 5
        raise AgentError(f"{name} is btrfs root", errno.EINVAL)
    return parse_show(out)


# -- filesystem ------------------------------------------------------------------
@impl
def btrfs_filesystem_resize(ctx: Ctx, mountpoint: str, size: int | None = None) -> None:
    if size is not None and size <= 0:
        raise AgentError("size is zero or negative", errno.EINVAL)
    _run(to_guest(mountpoint),
         ["btrfs", "filesystem", "resize", "max" if size is None else str(size), mountpoint])


@impl
def btrfs_filesystem_sync(ctx: Ctx, fs: str) -> None:
    _run(to_guest(fs), ["btrfs", "filesystem", "sync", fs])


@impl
def btrfs_filesystem_balance(ctx: Ctx, fs: str) -> None:
    # --full-balance: else btrfs-progs warns and waits 10 s before a balance without filters.
    _run(to_guest(fs), ["btrfs", "balance", "start", "--full-balance", fs])


@impl
def btrfs_filesystem_defragment(ctx: Ctx, path: str, flush: bool | None = None,
                                compress: str | None = None) -> None:
    argv = ["btrfs", "filesystem", "defragment", "-r"]
    if flush:
        argv.append("-f")
    if compress is not None:
        if compress not in COMPRESSORS:
            raise AgentError(f"unknown compress method: {compress}", errno.EINVAL)
        argv.append(f"-c{compress}")
    _run(to_guest(path), [*argv, path])


@impl
def btrfs_filesystem_show(ctx: Ctx, device: str) -> list[str]:
    out = _run(device, ["btrfs", "filesystem", "show", device])
    devices = []
    for line in out.split("\n"):
        if "*** Some devices missing" in line:
            raise AgentError(f"{device}: missing devices", errno.ENODEV)
        m = re.match(r"\s*devid\s.*\spath (\S+)", line)
        if m is not None:
            devices.append(m.group(1))
    if not devices:
        raise AgentError(f"{device}: not a btrfs filesystem", errno.EINVAL)
    return devices


# -- devices ---------------------------------------------------------------------
@impl
def btrfs_device_add(ctx: Ctx, devices: list[str], fs: str) -> None:
    if devices:
        _run(to_guest(fs), ["btrfs", "device", "add", "-f", *_devices(devices), fs])


@impl
def btrfs_device_delete(ctx: Ctx, devices: list[str], fs: str) -> None:
    if devices:
        _run(to_guest(fs), ["btrfs", "device", "delete", *_devices(devices), fs])


@impl
def btrfs_replace(ctx: Ctx, srcdev: str, targetdev: str, mntpoint: str) -> None:
    _run(to_guest(mntpoint),
         ["btrfs", "replace", "start", "-B", "-f", srcdev, targetdev, mntpoint])


def _seeding(device: str, seeding: bool) -> None:
    # Clearing the flag wants a confirmation that only -f gives.
    _run(device, ["btrfstune", "-S", "1" if seeding else "0", *([] if seeding else ["-f"]),
                  device])


@impl
def btrfs_set_seeding(ctx: Ctx, device: str, seeding: bool) -> None:
    _seeding(device, seeding)


@impl
def btrfstune_seeding(ctx: Ctx, device: str, seeding: bool) -> None:
    _seeding(device, seeding)


@impl
def btrfstune_enable_extended_inode_refs(ctx: Ctx, device: str) -> None:
    _run(device, ["btrfstune", "-r", device])


@impl
def btrfstune_enable_skinny_metadata_extent_refs(ctx: Ctx, device: str) -> None:
    _run(device, ["btrfstune", "-x", device])


# -- checking ------------------------------------------------------------------
@impl
def btrfs_fsck(ctx: Ctx, device: str, superblock: int | None = None,
               repair: bool | None = None) -> None:
    argv = ["btrfs", "check"]
    if superblock is not None:
        if superblock < 0:
            raise AgentError("super block offset must be >= 0", errno.EINVAL)
        argv += ["--super", str(superblock)]
    if repair:
        argv += ["--repair", "--force"]
    _run(device, [*argv, device])


@impl
def btrfs_rescue_chunk_recover(ctx: Ctx, device: str) -> None:
    _run(device, ["btrfs", "rescue", "chunk-recover", "-y", device])


@impl
def btrfs_rescue_super_recover(ctx: Ctx, device: str) -> None:
    _run(device, ["btrfs", "rescue", "super-recover", "-y", device])


@impl
def btrfs_image(ctx: Ctx, source: list[str], image: str,
                compresslevel: int | None = None) -> None:
    if not source:
        raise AgentError("list of sources must be non-empty", errno.EINVAL)
    argv = ["btrfs-image"]
    if compresslevel is not None and compresslevel >= 0:
        argv += ["-c", str(compresslevel)]
    devs = _devices(source)
    _run(f"{devs[0]} {to_guest(image)}", [*argv, *devs, image])


# -- scrub -----------------------------------------------------------------------
SCRUB_FIELDS = (
    "data_extents_scrubbed", "tree_extents_scrubbed", "data_bytes_scrubbed",
    "tree_bytes_scrubbed", "read_errors", "csum_errors", "verify_errors", "no_csum",
    "csum_discards", "super_errors", "malloc_errors", "uncorrectable_errors",
    "unverified_errors", "corrected_errors", "last_physical",
)


def _scrub(action: str, path: str) -> None:
    _run(to_guest(path), ["btrfs", "scrub", action, path])


@impl
def btrfs_scrub_start(ctx: Ctx, path: str) -> None:
    _scrub("start", path)


@impl
def btrfs_scrub_cancel(ctx: Ctx, path: str) -> None:
    _scrub("cancel", path)


@impl
def btrfs_scrub_resume(ctx: Ctx, path: str) -> None:
    _scrub("resume", path)


def parse_scrub_status(out: str) -> dict[str, int]:
    """The btrfsscrub struct of `btrfs scrub status -R`: all zero if no stats are available."""
    ret = {f"btrfsscrub_{f}": 0 for f in SCRUB_FIELDS}
    if "no stats available" in out:
        return ret
    seen = set()
    for line in out.split("\n"):
        key, value = _split_key(line)
        if key in SCRUB_FIELDS and value is not None and value.isdigit():
            ret[f"btrfsscrub_{key}"] = int(value)
            seen.add(key)
    if len(seen) < len(SCRUB_FIELDS):
        raise AgentError("truncated output from 'btrfs scrub status -R' command")
    return ret


@impl
def btrfs_scrub_status(ctx: Ctx, path: str) -> dict[str, int]:
    return parse_scrub_status(_run(to_guest(path), ["btrfs", "scrub", "status", "-R", path]))


# -- balance ---------------------------------------------------------------------
def _balance(action: str, path: str) -> None:
    _run(to_guest(path), ["btrfs", "balance", action, path])


@impl
def btrfs_balance_pause(ctx: Ctx, path: str) -> None:
    _balance("pause", path)


@impl
def btrfs_balance_cancel(ctx: Ctx, path: str) -> None:
    _balance("cancel", path)


@impl
def btrfs_balance_resume(ctx: Ctx, path: str) -> None:
    _balance("resume", path)


_BALANCE_STATE = re.compile(r"Balance on '.*' is (\w+)")
_BALANCE_COUNTS = re.compile(
    r"(\d+) out of about (\d+) chunks balanced \((\d+) considered\),\s+(\d+)% left")


def parse_balance_status(out: str) -> dict[str, Any]:
    """The btrfsbalance struct of `btrfs balance status`."""
    ret: dict[str, Any] = {"btrfsbalance_status": "none", "btrfsbalance_total": 0,
                           "btrfsbalance_balanced": 0, "btrfsbalance_considered": 0,
                           "btrfsbalance_left": 0}
    lines = [line.strip() for line in out.split("\n") if line.strip()]
    if not lines:
        raise AgentError("no balance status output")
    if lines[0].lower().startswith("no balance found on"):
        return ret
    state = _BALANCE_STATE.match(lines[0])
    counts = _BALANCE_COUNTS.match(lines[1]) if len(lines) > 1 else None
    if state is None or counts is None:
        raise AgentError(f"unexpected output from 'btrfs balance status' command: {lines[0]}")
    ret.update(btrfsbalance_status=state.group(1),
               btrfsbalance_balanced=int(counts.group(1)), btrfsbalance_total=int(counts.group(2)),
               btrfsbalance_considered=int(counts.group(3)), btrfsbalance_left=int(counts.group(4)))
    return ret


@impl
def btrfs_balance_status(ctx: Ctx, path: str) -> dict[str, Any]:
    # btrfs exits 1 when it has found a balance (running or paused), 0 when there is none.
    return parse_balance_status(
        _run(to_guest(path), ["btrfs", "balance", "status", path], ok=(0, 1)))


# -- quotas ------------------------------------------------------------------------
@impl
def btrfs_quota_enable(ctx: Ctx, fs: str, enable: bool) -> None:
    with _mounted(fs, "rw") as mp:
        _run(_name(fs), ["btrfs", "quota", "enable" if enable else "disable", mp],
             shown=_shown(fs, mp))


@impl
def btrfs_quota_rescan(ctx: Ctx, fs: str) -> None:
    with _mounted(fs, "rw") as mp:
        _run(_name(fs), ["btrfs", "quota", "rescan", "-w", mp], shown=_shown(fs, mp))


@impl
def btrfs_qgroup_create(ctx: Ctx, qgroupid: str, subvolume: str) -> None:
    _run(to_guest(subvolume), ["btrfs", "qgroup", "create", qgroupid, subvolume])


@impl
def btrfs_qgroup_destroy(ctx: Ctx, qgroupid: str, subvolume: str) -> None:
    _run(to_guest(subvolume), ["btrfs", "qgroup", "destroy", qgroupid, subvolume])


@impl
def btrfs_qgroup_limit(ctx: Ctx, subvolume: str, size: int) -> None:
    _run(to_guest(subvolume), ["btrfs", "qgroup", "limit", str(size), subvolume])


@impl
def btrfs_qgroup_assign(ctx: Ctx, src: str, dst: str, path: str) -> None:
    _run(to_guest(path), ["btrfs", "qgroup", "assign", src, dst, path])


@impl
def btrfs_qgroup_remove(ctx: Ctx, src: str, dst: str, path: str) -> None:
    _run(to_guest(path), ["btrfs", "qgroup", "remove", src, dst, path])


_QGROUP_LINE = re.compile(r"\s*(\d+/\d+)\s+(\d+)\s+(\d+)")


@impl
def btrfs_qgroup_show(ctx: Ctx, path: str) -> list[dict[str, Any]]:
    out = _run(to_guest(path), ["btrfs", "qgroup", "show", "--raw", path])
    groups = []
    for line in out.split("\n")[2:]:  # a heading and a ---- line first
        if not line.strip():
            continue
        m = _QGROUP_LINE.match(line)
        if m is None:
            raise AgentError(f"cannot parse output of qgroup show command: {line}")
        groups.append({"btrfsqgroup_id": m.group(1), "btrfsqgroup_rfer": int(m.group(2)),
                       "btrfsqgroup_excl": int(m.group(3))})
    return groups
