"""The agent's filesystem tools: ext2/3/4, XFS, NTFS, swap, fsck, feature availability.

As libguestfs's daemon (ext2.c, xfs.c, ntfs.c, ntfsclone.c, swap.c, zerofree.c,
fs-min-size.c, available.c, dropcaches.c): each operation runs the filesystem's own
tool.  Messages name guest paths, never the sysroot, and lose the version banner
the e2fsprogs and ntfs-3g tools print first.
"""

from __future__ import annotations

import errno
import glob
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from typing import IO, Any

from ..api import REGISTRY
from .block import blkid_tag, mountable_device
from .context import TOOL_ENV, Ctx
from .fs import (
    EXT2_LABEL_MAX,
    EXTFS,
    XFS_LABEL_MAX,
    guest_text,
    have_tool,
    tool,
    wipe_before_mkfs,
)
from .fs import _set_uuid as set_fs_uuid
from .fs import _unescape as unescape_mount_field
from .fs import set_label as fs_set_label
from .paths import to_guest
from .registry import IMPLS, AgentError, impl

# -- helpers -------------------------------------------------------------------------

_BANNER = re.compile(
    r"^(?:mke2fs|tune2fs|resize2fs|e2fsck|e4defrag|ntfsresize|ntfsclone|ntfsfix)"
    r" v?\d[\w.-]* \(.*\)\n?", re.MULTILINE)


def _message(text: str) -> str:
    """A tool's output as an error message: guest paths, no version banner, trimmed."""
    return guest_text(_BANNER.sub("", text))


def _run(argv: Sequence[str], what: str, *, fold: bool = False,
         ok: Sequence[int] = (0,)) -> str:
    """Run a tool; its stdout, or AgentError "what: its message" (stdout too if fold)."""
    rc, out, err = tool(argv)
    if rc not in ok:
        text = _message(out + err) if fold else _message(err) or _message(out)
        text = text or f"{os.path.basename(argv[0])} exited with status {rc}"
        raise AgentError(f"{what}: {text}" if what else text)
    return out


def _not_negative(**values: int | None) -> None:
    """AgentError naming the first value that is negative (libguestfs's message)."""
    for name, value in values.items():
        if value is not None and value < 0:
            raise AgentError(f"{name} must be >= 0", errno.EINVAL)


def _same_device(path: str, rdev: int) -> bool:
    try:
        return path.startswith("/dev/") and os.stat(path).st_rdev == rdev
    except OSError:
        return False


def _mountpoint_of(device: str) -> str | None:
    """The appliance directory where device is mounted, if it is.

    Compared by device number, with the mount's source too: btrfs and FUSE (ntfs-3g)
    mounts have an anonymous device number of their own.
    """
    try:
        rdev = os.stat(device).st_rdev
    except OSError:
        return None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mine, _, theirs = line.partition(" - ")
            fields, source = mine.split(), theirs.split()[1:2]
            major, minor = fields[2].split(":")
            if (os.makedev(int(major), int(minor)) == rdev
                    or (source and _same_device(unescape_mount_field(source[0]), rdev))):
                return unescape_mount_field(fields[4])
    return None


# -- ext2/3/4: making ------------------------------------------------------------------

# (option, mke2fs switch, value format) for the numeric options, in libguestfs's order.
_MKE2FS_NUMBERS = (
    ("blocksize", "-b", "{}"), ("fragsize", "-f", "{}"), ("blockspergroup", "-g", "{}"),
    ("numberofgroups", "-G", "{}"), ("bytesperinode", "-i", "{}"), ("inodesize", "-I", "{}"),
    ("journalsize", "-J", "size={}"), ("reservedblockspercentage", "-m", "{}"),
    ("numberofinodes", "-N", "{}"), ("mmpupdateinterval", "-E", "mmp_update_interval={}"),
    ("stridesize", "-E", "stride={}"), ("stripewidth", "-E", "stripe_width={}"),
    ("maxonlineresize", "-E", "resize={}"),
)
# (option, -E or -O value when true, value when false; None: nothing when false)
_MKE2FS_FLAGS = (
    ("lazyitableinit", "-E", "lazy_itable_init=1", "lazy_itable_init=0"),
    ("lazyjournalinit", "-E", "lazy_journal_init=1", "lazy_journal_init=0"),
    ("testfs", "-E", "test_fs", None), ("discard", "-E", "discard", "nodiscard"),
    ("extent", "-O", "extent", "^extent"), ("filetype", "-O", "filetype", "^filetype"),
    ("flexbg", "-O", "flex_bg", "^flex_bg"), ("hasjournal", "-O", "has_journal", "^has_journal"),
    ("journaldev", "-O", "journal_dev", "^journal_dev"),
    ("largefile", "-O", "large_file", "^large_file"), ("quota", "-O", "quota", "^quota"),
    ("resizeinode", "-O", "resize_inode", "^resize_inode"),
    ("sparsesuper", "-O", "sparse_super", "^sparse_super"),
    ("uninitbg", "-O", "uninit_bg", "^uninit_bg"),
)


def _journal_device(journaldevice: str) -> str:
    """mke2fs's -J device= value: a device must exist; LABEL=/UUID= are passed as they are."""
    if journaldevice.startswith("/dev/") and not os.path.exists(journaldevice):
        raise AgentError(f"{journaldevice}: device not found", errno.ENOENT)
    return f"device={journaldevice}"


def _mke2fs_argv(device: str, opts: dict[str, Any]) -> list[str]:
    """mke2fs's command line for the operation's options (checked first, nothing run)."""
    _not_negative(blockscount=opts["blockscount"],
                  **{name: opts[name] for name, _, _ in _MKE2FS_NUMBERS})
    fstype, label = opts["fstype"], opts["label"]
    if fstype is not None and fstype not in EXTFS:
        raise AgentError(f"{fstype}: not a valid extended filesystem type", errno.EINVAL)
    if isinstance(label, str) and len(label.encode()) > EXT2_LABEL_MAX:
        raise AgentError(f"{label}: ext2/3/4 labels are limited to {EXT2_LABEL_MAX} bytes",
                         errno.EINVAL)
    argv = ["mke2fs"]
    if opts["forcecreate"]:
        argv.append("-F")
    for name, switch, fmt in _MKE2FS_NUMBERS:
        if opts[name] is not None:
            argv += [switch, fmt.format(opts[name])]
    if opts["journaldevice"] is not None:
        argv += ["-J", _journal_device(str(opts["journaldevice"]))]
    for name, switch in (("label", "-L"), ("lastmounteddir", "-M"), ("creatoros", "-o"),
                         ("fstype", "-t"), ("usagetype", "-T"), ("uuid", "-U")):
        if opts[name] is not None:
            argv += [switch, str(opts[name])]
    if opts["writesbandgrouponly"]:
        argv.append("-S")
    for name, switch, on, off in _MKE2FS_FLAGS:
        value = on if opts[name] else off
        if opts[name] is not None and value is not None:
            argv += [switch, value]
    argv.append(device)
    if opts["blockscount"] is not None:
        argv.append(str(opts["blockscount"]))
    return argv


@impl
def mke2fs(ctx: Ctx, device: str, blockscount: int | None = None, blocksize: int | None = None,
           fragsize: int | None = None, blockspergroup: int | None = None,
           numberofgroups: int | None = None, bytesperinode: int | None = None,
           inodesize: int | None = None, journalsize: int | None = None,
           numberofinodes: int | None = None, stridesize: int | None = None,
           stripewidth: int | None = None, maxonlineresize: int | None = None,
           reservedblockspercentage: int | None = None, mmpupdateinterval: int | None = None,
           journaldevice: str | None = None, label: str | None = None,
           lastmounteddir: str | None = None, creatoros: str | None = None,
           fstype: str | None = None, usagetype: str | None = None, uuid: str | None = None,
           forcecreate: bool | None = None, writesbandgrouponly: bool | None = None,
           lazyitableinit: bool | None = None, lazyjournalinit: bool | None = None,
           testfs: bool | None = None, discard: bool | None = None,
           quotatype: bool | None = None, extent: bool | None = None,
           filetype: bool | None = None, flexbg: bool | None = None,
           hasjournal: bool | None = None, journaldev: bool | None = None,
           largefile: bool | None = None, quota: bool | None = None,
           resizeinode: bool | None = None, sparsesuper: bool | None = None,
           uninitbg: bool | None = None) -> None:
    argv = _mke2fs_argv(device, dict(locals()))
    wipe_before_mkfs(device)
    _run(argv, device)
    os.sync()


# -- ext2/3/4: tuning ------------------------------------------------------------------

_ERROR_BEHAVIORS = ("continue", "remount-ro", "panic")


@impl
def tune2fs(ctx: Ctx, device: str, force: bool | None = None, maxmountcount: int | None = None,
            mountcount: int | None = None, errorbehavior: str | None = None,
            group: int | None = None, intervalbetweenchecks: int | None = None,
            reservedblockspercentage: int | None = None,
            lastmounteddirectory: str | None = None, reservedblockscount: int | None = None,
            user: int | None = None) -> None:
    if errorbehavior is not None and errorbehavior not in _ERROR_BEHAVIORS:
        raise AgentError(f"invalid errorbehavior parameter: {errorbehavior}", errno.EINVAL)
    numbers = (("maxmountcount", "-c", maxmountcount), ("mountcount", "-C", mountcount),
               ("group", "-g", group), ("intervalbetweenchecks", "-i", intervalbetweenchecks),
               ("reservedblockspercentage", "-m", reservedblockspercentage),
               ("reservedblockscount", "-r", reservedblockscount), ("user", "-u", user))
    argv = ["tune2fs", *(["-f"] if force else [])]
    if errorbehavior is not None:
        argv += ["-e", errorbehavior]
    for name, switch, value in numbers:
        if value is None:
            continue
        if value < 0:
            raise AgentError(f"{name} cannot be negative", errno.EINVAL)
        # -i takes seconds with an "s" (undocumented, but tune2fs has long known it).
        argv += [switch, f"{value}s" if switch == "-i" and value else str(value)]
    if lastmounteddirectory is not None:
        argv += ["-M", lastmounteddirectory]
    argv.append(device)
    _run(argv, device)


_EMPTY_VALUES = ("<none>", "<not available>", "(none)")


def _superblock(device: str) -> dict[str, str]:
    """tune2fs -l as a dict, parsed as libguestfs does."""
    out = _run(["tune2fs", "-l", device], "")
    lines = out.split("\n")
    if lines and lines[0].startswith("tune2fs "):
        lines = lines[1:]
    result: dict[str, str] = {}
    for line in lines:
        if not line:
            continue
        key, colon, value = line.partition(":")
        value = value.lstrip()
        result[key] = "" if not colon or value in _EMPTY_VALUES else value
    return result


@impl
def tune2fs_l(ctx: Ctx, device: str) -> dict[str, str]:
    return _superblock(device)


# -- ext2/3/4: resizing -----------------------------------------------------------------

def _check_if_unmounted(device: str) -> None:
    """e2fsck -fy before resize2fs, which wants a freshly checked unmounted filesystem."""
    if _mountpoint_of(device) is None:
        _run(["e2fsck", "-fy", device], "", fold=True, ok=(0, 1))


def _resize2fs(device: str, *args: str) -> None:
    _check_if_unmounted(device)
    _run(["resize2fs", *args], "")


@impl
def resize2fs(ctx: Ctx, device: str) -> None:
    _resize2fs(device, device)


@impl
def resize2fs_size(ctx: Ctx, device: str, size: int) -> None:
    if size & 1023:
        raise AgentError(f"{size}: size must be a round number of kilobytes", errno.EINVAL)
    if size <= 0:
        raise AgentError(f"{size}: size must be larger than zero", errno.EINVAL)
    _resize2fs(device, device, f"{size // 1024}K")


@impl
def resize2fs_M(ctx: Ctx, device: str) -> None:  # noqa: N802 - libguestfs's name
    _resize2fs(device, "-M", device)


def _ext_minimum_size(device: str) -> int:
    out = _run(["resize2fs", "-P", "-f", device], "")
    m = re.search(r"^Estimated minimum size of the filesystem: (\d+)", out, re.MULTILINE)
    if m is None:
        raise AgentError(f"minimum size not found. Check output format:\n{out}")
    return int(m.group(1)) * int(_superblock(device)["Block size"])


# -- ext2/3/4: file attributes -------------------------------------------------------------

def _attr_tool(argv: list[str], path: str) -> str:
    """Run lsattr or chattr on path; errors as libguestfs's "lsattr: /guest/path: ..."."""
    rc, out, err = tool(argv)
    if rc != 0:
        code = errno.ENOENT if not os.path.lexists(path) else None
        raise AgentError(f"{argv[0]}: {to_guest(path)}: {_message(err or out)}", code)
    return out


@impl
def get_e2attrs(ctx: Ctx, file: str) -> str:
    out = _attr_tool(["lsattr", "-d", "--", file], file)
    flags = out.split(" ", 1)[0]
    return "".join(sorted(flags.replace("-", "")))


def _chattr_letters(attrs: str) -> str:
    """attrs checked as libguestfs does: ASCII letters, each once, none of chattr's options."""
    seen: set[str] = set()
    for c in attrs:
        if c in "RVfv":
            raise AgentError(f"bad file attribute '{c}'", errno.EINVAL)
        if not ("a" <= c <= "z" or "A" <= c <= "Z"):
            raise AgentError(f"unknown file attribute '{c}'", errno.EINVAL)
        if c in seen:
            raise AgentError(f"duplicate file attribute '{c}'", errno.EINVAL)
        seen.add(c)
    return attrs


@impl
def set_e2attrs(ctx: Ctx, file: str, attrs: str, clear: bool | None = None) -> None:
    if attrs == "":  # "chattr + file" is not a command
        return
    letters = _chattr_letters(attrs)
    _attr_tool(["chattr", ("-" if clear else "+") + letters, "--", file], file)


@impl
def get_e2generation(ctx: Ctx, file: str) -> int:
    out = _attr_tool(["lsattr", "-dv", "--", file], file)
    m = re.match(r"\s*(\d+)", out)
    if m is None:
        raise AgentError(f"cannot parse output from 'lsattr' command: {out}")
    return int(m.group(1))


@impl
def set_e2generation(ctx: Ctx, file: str, generation: int) -> None:
    if not 0 <= generation <= 0xFFFFFFFF:
        raise AgentError(f"generation must be between 0 and 4294967295 (was {generation})",
                         errno.EINVAL)
    _attr_tool(["chattr", "-v", str(generation), "--", file], file)


# -- ext2/3/4: deprecated labels and UUIDs --------------------------------------------------

@impl
def get_e2label(ctx: Ctx, device: str) -> str:
    return blkid_tag(ctx, device, "LABEL")


@impl
def set_e2label(ctx: Ctx, device: str, label: str) -> None:
    if len(label.encode()) > EXT2_LABEL_MAX:
        raise AgentError(f"{label}: ext2/3/4 labels are limited to {EXT2_LABEL_MAX} bytes",
                         errno.EINVAL)
    fs_set_label(ctx, device, label)


@impl
def get_e2uuid(ctx: Ctx, device: str) -> str:
    return blkid_tag(ctx, device, "UUID")


@impl
def set_e2uuid(ctx: Ctx, device: str, uuid: str) -> None:
    # tune2fs -U whatever the filesystem is (as libguestfs): its own error for non-ext ones.
    set_fs_uuid("ext4", device, uuid)


@impl
def zerofree(ctx: Ctx, device: str) -> None:
    _run(["zerofree", device], device)


# -- XFS -------------------------------------------------------------------------------------

_XFS_HEADING = re.compile(r"^([a-z][\w-]*)\s*=(.*)$")
_XFS_FIELD = re.compile(r"([-\w]+)=(\d+)")
# The struct's fields, in order -> "group.field" in xfs_info's output (numbers), or
# "group" for the text after the group's heading (strings).
_XFS_FIELDS = {
    "xfs_mntpoint": "meta-data", "xfs_inodesize": "meta-data.isize",
    "xfs_agcount": "meta-data.agcount", "xfs_agsize": "meta-data.agsize",
    "xfs_sectsize": "meta-data.sectsz", "xfs_attr": "meta-data.attr",
    "xfs_blocksize": "data.bsize", "xfs_datablocks": "data.blocks",
    "xfs_imaxpct": "data.imaxpct", "xfs_sunit": "data.sunit", "xfs_swidth": "data.swidth",
    "xfs_dirversion": "naming.version", "xfs_dirblocksize": "naming.bsize",
    "xfs_cimode": "naming.ascii-ci", "xfs_logname": "log", "xfs_logblocksize": "log.bsize",
    "xfs_logblocks": "log.blocks", "xfs_logversion": "log.version",
    "xfs_logsectsize": "log.sectsz", "xfs_logsunit": "log.sunit",
    "xfs_lazycount": "log.lazy-count", "xfs_rtname": "realtime",
    "xfs_rtextsize": "realtime.extsz", "xfs_rtblocks": "realtime.blocks",
    "xfs_rtextents": "realtime.rtextents",
}


def _xfs_values(text: str) -> dict[str, str]:
    """xfs_info's output as {"group": its own text, "group.field": number}.

    Lines under a heading ("data     =", "log      =" ...) continue its group; the
    text after a heading's "=" (a device, "internal log", "none", "version 2") is the
    group's own value, cut at the first space or comma as libguestfs 1.48 does.
    """
    values: dict[str, str] = {}
    group = ""
    for line in text.splitlines():
        m = _XFS_HEADING.match(line)
        if m is not None:
            group, rest = m.group(1), m.group(2)
            version = re.match(r"version (\d+)", rest)
            if version is not None:
                values[f"{group}.version"] = version.group(1)
            elif rest and not rest[0].isspace() and not _XFS_FIELD.match(rest):
                values[group] = re.split(r"[ ,]", rest, maxsplit=1)[0]
                rest = rest[len(values[group]):]
        else:
            rest = line.partition("=")[2]
        for field, number in _XFS_FIELD.findall(rest):
            values.setdefault(f"{group}.{field}", number)
    return values


def _xfs_info(target: str) -> dict[str, int | str]:
    values = _xfs_values(_run(["xfs_info", target], ""))
    return {field: int(values.get(key, -1)) if "." in key else to_guest(values.get(key, ""))
            for field, key in _XFS_FIELDS.items()}


@impl
def xfs_info(ctx: Ctx, pathordevice: str) -> dict[str, int | str]:
    return _xfs_info(pathordevice)


@impl
def xfs_growfs(ctx: Ctx, path: str, datasec: bool | None = None, logsec: bool | None = None,
               rtsec: bool | None = None, datasize: int | None = None,
               logsize: int | None = None, rtsize: int | None = None,
               rtextsize: int | None = None, maxpct: int | None = None) -> None:
    _not_negative(datasize=datasize, logsize=logsize, rtsize=rtsize, rtextsize=rtextsize,
                  maxpct=maxpct)
    argv = ["xfs_growfs"]
    for flag, switch in ((datasec, "-d"), (logsec, "-l"), (rtsec, "-r")):
        if flag:
            argv.append(switch)
    for value, switch in ((datasize, "-D"), (logsize, "-L"), (rtsize, "-R"),
                          (rtextsize, "-e"), (maxpct, "-m")):
        if value is not None:
            argv += [switch, str(value)]
    argv.append(path)
    _run(argv, to_guest(path))


_SHELL_UNSAFE = re.compile(r"[\"'\\$`\n]")


def _xfs_admin_text(name: str, value: str) -> str:
    """A label or UUID that xfs_admin (a shell script that evals it) reads as written."""
    if _SHELL_UNSAFE.search(value):
        raise AgentError(f"{value}: xfs_admin cannot set a {name} containing quotes, "
                         "backslashes, '$', '`' or newlines", errno.EINVAL)
    return value


@impl
def xfs_admin(ctx: Ctx, device: str, extunwritten: bool | None = None,
              imgfile: bool | None = None, v2log: bool | None = None,
              projid32bit: bool | None = None, lazycounter: bool | None = None,
              label: str | None = None, uuid: str | None = None) -> None:
    argv = ["xfs_admin"]
    for flag, switch in ((extunwritten, "-e"), (imgfile, "-f"), (v2log, "-j"),
                         (projid32bit, "-p")):
        if flag:
            argv.append(switch)
    if lazycounter is not None:
        argv += ["-c", "1" if lazycounter else "0"]
    if label is not None:
        if len(label.encode()) > XFS_LABEL_MAX:
            raise AgentError(f"{label}: xfs labels are limited to {XFS_LABEL_MAX} bytes",
                             errno.EINVAL)
        argv += ["-L", _xfs_admin_text("label", label)]
    if uuid is not None:
        argv += ["-U", _xfs_admin_text("UUID", uuid)]
    if _mountpoint_of(device) is not None:
        raise AgentError(f"{device}: the filesystem is mounted: unmount it first", errno.EBUSY)
    _run([*argv, device], device, fold=True)
    os.sync()


@impl
def xfs_repair(ctx: Ctx, device: str, forcelogzero: bool | None = None,
               nomodify: bool | None = None, noprefetch: bool | None = None,
               forcegeometry: bool | None = None, maxmem: int | None = None,
               ihashsize: int | None = None, bhashsize: int | None = None,
               agstride: int | None = None, logdev: str | None = None,
               rtdev: str | None = None) -> int:
    _not_negative(maxmem=maxmem, ihashsize=ihashsize, bhashsize=bhashsize, agstride=agstride)
    argv = ["xfs_repair"]
    for flag, switch in ((forcelogzero, ["-L"]), (nomodify, ["-n"]), (noprefetch, ["-P"]),
                         (forcegeometry, ["-o", "force_geometry"])):
        if flag:
            argv += switch
    if maxmem is not None:
        argv += ["-m", str(maxmem)]
    for value, option in ((ihashsize, "ihash"), (bhashsize, "bhash"), (agstride, "ag_stride")):
        if value is not None:
            argv += ["-o", f"{option}={value}"]
    if logdev is not None:
        argv += ["-l", logdev]
    if rtdev is not None:
        argv += ["-r", rtdev]
    shown = to_guest(device)
    if device.startswith("/dev/"):
        if _mountpoint_of(device) is not None:
            raise AgentError(f"{device}: the filesystem is mounted: unmount it first",
                             errno.EBUSY)
        argv.append(device)
    else:
        argv += ["-f", device]
    rc, out, err = tool(argv)
    if rc < 0:
        raise AgentError(f"{shown}: xfs_repair killed by signal {-rc}: {_message(err)}")
    return rc


# -- NTFS ------------------------------------------------------------------------------------

def _ntfsresize(device: str, size: int | None, force: bool | None) -> None:
    argv = ["ntfsresize", "-P"]
    if size is not None:
        if size <= 0:
            raise AgentError("size is zero or negative", errno.EINVAL)
        argv += ["--size", str(size)]
    if force:
        argv.append("--force")
    argv.append(device)
    _run(argv, device, fold=True)
    os.sync()


@impl
def ntfsresize(ctx: Ctx, device: str, size: int | None = None,
               force: bool | None = None) -> None:
    _ntfsresize(device, size, force)


@impl
def ntfsresize_size(ctx: Ctx, device: str, size: int) -> None:
    _ntfsresize(device, size, None)


@impl
def ntfsfix(ctx: Ctx, device: str, clearbadsectors: bool | None = None) -> None:
    argv = ["ntfsfix", *(["-b"] if clearbadsectors else []), device]
    _run(argv, device, fold=True)
    os.sync()


@impl
def ntfs_3g_probe(ctx: Ctx, rw: bool, device: str) -> int:
    rc, out, err = tool(["ntfs-3g.probe", "-w" if rw else "-r", device])
    if rc < 0:
        raise AgentError(f"{device}: ntfs-3g.probe killed by signal {-rc}: {_message(err)}")
    return rc


def _ntfs_minimum_size(device: str) -> int:
    """ntfsresize --info's "You might resize at N bytes" (a full volume: its own size)."""
    rc, out, err = tool(["ntfsresize", "--info", "-ff", device])
    m = re.search(r"^You might resize at (\d+)", out, re.MULTILINE)
    if rc == 0 and m is not None:
        return int(m.group(1))
    if rc != 0 and "Volume is full" in out:
        cluster = re.search(r"^Cluster size\s*:\s*(\d+)", out, re.MULTILINE)
        volume = re.search(r"^Current volume size:\s*(\d+)", out, re.MULTILINE)
        if cluster is None or volume is None or int(cluster.group(1)) == 0:
            raise AgentError(f"cannot parse ntfsresize output:\n{out}")
        c = int(cluster.group(1))
        return (int(volume.group(1)) + c - 1) // c * c
    raise AgentError(_message(out + err) or f"ntfsresize exited with status {rc}")


def _error_text(f: IO[bytes]) -> str:
    f.seek(0)
    return _message(f.read().decode("utf-8", "replace")) or "(no error)"


@impl
def ntfsclone_out(ctx: Ctx, device: str, backupfile: None, metadataonly: bool | None = None,
                  rescue: bool | None = None, ignorefscheck: bool | None = None,
                  preservetimestamps: bool | None = None, force: bool | None = None) -> None:
    argv = ["ntfsclone", "-o", "-", "--save-image"]
    for flag, option in ((metadataonly, "--metadata"), (rescue, "--rescue"),
                         (ignorefscheck, "--ignore-fs-check"),
                         (preservetimestamps, "--preserve-timestamps"), (force, "--force")):
        if flag:
            argv.append(option)
    argv.append(device)
    with tempfile.TemporaryFile() as errf:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=errf, env=TOOL_ENV)
        if ctx.send_output(p) != 0:
            raise AgentError(f"ntfsclone subcommand failed on device: {device}: "
                             f"{_error_text(errf)}")


@impl
def ntfsclone_in(ctx: Ctx, backupfile: None, device: str) -> None:
    argv = ["ntfsclone", "-O", device, "--restore-image", "-"]
    with tempfile.TemporaryFile() as errf:
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=errf,
                             stderr=errf, env=TOOL_ENV)
        ctx.feed(p)  # if ntfsclone stops reading, its exit status says why
        if p.wait() != 0:
            raise AgentError(f"ntfsclone subcommand failed on device: {device}: "
                             f"{_error_text(errf)}")
    os.sync()


# -- swap -------------------------------------------------------------------------------------

# Errors are libguestfs's "VALUE: message", with guest paths.

@impl
def mkswap_file(ctx: Ctx, path: str) -> None:
    _run(["mkswap", "-f", path], to_guest(path))
    os.sync()


@impl
def swapon_device(ctx: Ctx, device: str) -> None:
    _run(["swapon", device], device)


@impl
def swapoff_device(ctx: Ctx, device: str) -> None:
    _run(["swapoff", device], device)


@impl
def swapon_file(ctx: Ctx, file: str) -> None:
    _run(["swapon", file], to_guest(file))


@impl
def swapoff_file(ctx: Ctx, file: str) -> None:
    _run(["swapoff", file], to_guest(file))


@impl
def swapon_label(ctx: Ctx, label: str) -> None:
    _run(["swapon", "-L", label], label)


@impl
def swapoff_label(ctx: Ctx, label: str) -> None:
    _run(["swapoff", "-L", label], label)


@impl
def swapon_uuid(ctx: Ctx, uuid: str) -> None:
    _run(["swapon", "-U", uuid], uuid)


@impl
def swapoff_uuid(ctx: Ctx, uuid: str) -> None:
    _run(["swapoff", "-U", uuid], uuid)


# -- sizes, caches ------------------------------------------------------------------------------

def _mounted_path(device: str) -> str:
    path = _mountpoint_of(device)
    if path is None:
        raise AgentError(f"device not mounted: {device}", errno.EINVAL)
    return path


def _btrfs_minimum_size(device: str) -> int:
    out = _run(["btrfs", "inspect-internal", "min-dev-size", _mounted_path(device)], "")
    m = re.match(r"\s*(\d+)", out)
    if m is None:
        raise AgentError("cannot parse minimum size")
    return int(m.group(1))


def _xfs_minimum_size(device: str) -> int:
    info = _xfs_info(_mounted_path(device))
    return int(info["xfs_blocksize"]) * int(info["xfs_datablocks"])


@impl
def vfs_minimum_size(ctx: Ctx, mountable: str) -> int:
    device = mountable_device(mountable)
    fstype = blkid_tag(ctx, device, "TYPE")
    if fstype in EXTFS:
        return _ext_minimum_size(device)
    if fstype == "ntfs":
        return _ntfs_minimum_size(device)
    if fstype == "btrfs":
        return _btrfs_minimum_size(device)
    if fstype == "xfs":
        return _xfs_minimum_size(device)
    raise AgentError(f"don't know how to get minimum size of '{fstype}' filesystems",
                     errno.ENOTSUP)


@impl
def drop_caches(ctx: Ctx, whattodrop: int) -> None:
    os.sync()
    path = "/proc/sys/vm/drop_caches"
    try:
        with open(path, "w") as f:
            f.write(str(whattodrop))
    except OSError as e:
        raise AgentError(f"{path}: {e.strerror}", e.errno) from None


# -- availability ---------------------------------------------------------------------------------

# What each optional group needs in the appliance: programs (on PATH) or shared libraries
# (names with ".so"), after libguestfs's optgroup_*_available tests, with every tool the
# group's operations run here.  A group declared in the table but not listed needs nothing
# beyond its agent functions.
GROUP_NEEDS: dict[str, tuple[str, ...]] = {
    "acl": ("libacl.so.1",), "augeas": ("libaugeas.so.0",), "blkdiscard": (),
    "blkdiscardzeroes": (), "btrfs": ("btrfs",), "extlinux": ("extlinux",),
    "f2fs": ("mkfs.f2fs",), "fstrim": ("fstrim",), "gdisk": ("sgdisk",),
    "grub": ("grub-install",), "hivex": ("libhivex.so.0",), "inotify": (),
    "journal": ("libsystemd.so.0",), "ldm": ("ldmtool",), "libtsk": ("libtsk.so.19",),
    "libyara": ("libyara.so.9",), "linuxcaps": ("libcap.so.2",),
    "linuxfsuuid": ("swapon", "swapoff", "mkswap"), "linuxmodules": ("kmod",),
    "linuxxattrs": (), "luks": ("cryptsetup",), "lvm2": ("lvm",), "mdadm": ("mdadm",),
    "mknod": (), "ntfs3g": ("ntfs-3g.probe", "ntfsclone", "ntfsfix", "ntfs-3g"),
    "ntfsprogs": ("ntfsresize",), "realpath": (), "rsync": ("rsync",), "scrub": ("scrub",),
    "selinux": ("libselinux.so.1",), "selinuxrelabel": ("setfiles",),
    "sleuthkit": ("icat",), "squashfs": ("mksquashfs",), "syslinux": ("syslinux",),
    "wipefs": ("wipefs",),
    "xfs": ("mkfs.xfs", "xfs_admin", "xfs_db", "xfs_growfs", "xfs_info", "xfs_repair",
            "xfs_spaceman"),
    "xz": ("xz",), "zerofree": ("zerofree",),
}
_LIB_DIRS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/lib/x86_64-linux-gnu",
             "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu")


def all_groups() -> list[str]:
    """The groups the operation table declares, sorted."""
    return sorted({spec.group for spec in REGISTRY.values() if spec.group})


def _have(need: str) -> bool:
    if ".so" in need:
        return any(glob.glob(f"{d}/{need}*") for d in _LIB_DIRS)
    return have_tool(need)


def group_available(group: str) -> bool:
    """Whether the appliance can serve group: its tools are there, its functions too."""
    served = all(spec.local or spec.name in IMPLS
                 for spec in REGISTRY.values() if spec.group == group)
    return served and all(_have(n) for n in GROUP_NEEDS.get(group, ()))


def _first_unavailable(groups: list[str]) -> str | None:
    """The first group that is not available; AgentError for an unknown group."""
    known = set(all_groups())
    for group in groups:
        if group not in known:
            raise AgentError(f"{group}: unknown group", errno.EINVAL)
        if not group_available(group):
            return group
    return None


@impl
def available(ctx: Ctx, groups: list[str]) -> None:
    missing = _first_unavailable(groups)
    if missing is not None:
        raise AgentError(f"{missing}: group not available", errno.ENOTSUP)


@impl
def feature_available(ctx: Ctx, groups: list[str]) -> bool:
    return _first_unavailable(groups) is None


@impl
def available_all_groups(ctx: Ctx) -> list[str]:
    return all_groups()


def _kernel_filesystems() -> set[str]:
    with open("/proc/filesystems") as f:
        return {line.split()[-1] for line in f if line.strip()}


@impl
def filesystem_available(ctx: Ctx, filesystem: str) -> bool:
    if not re.fullmatch(r"[A-Za-z0-9_]*", filesystem):
        raise AgentError("filesystem name contains non-alphanumeric characters", errno.EINVAL)
    if filesystem in _kernel_filesystems():
        return True
    # NTFS is mounted through ntfs-3g (FUSE) when the kernel has no driver for it.
    return filesystem == "ntfs" and have_tool("ntfs-3g") and "fuseblk" in _kernel_filesystems()
