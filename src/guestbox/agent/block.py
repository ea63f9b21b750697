"""Agent side of block device operations."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import struct
import tempfile

from ..protocol.frames import MAX_BUFFER
from .btrfs import mountables as btrfs_mountables
from .context import Ctx, capture, output_of
from .dispatch import split_btrfsvol
from .fs import lv_canonical
from .lvm import dm_names, lvs_paths
from .paths import to_guest
from .registry import AgentError, impl
from .transfer import is_transfer_disk

BLOCK = 4096
CHUNK = 1024 * 1024
ZEROS = bytes(CHUNK)


# -- names -----------------------------------------------------------------
def disk_names() -> list[str]:
    """The guest's disks (sdX), in order: sda..sdz, then sdaa... (transfer disks left out)."""
    names = [n for n in os.listdir("/sys/block")
             if re.fullmatch(r"sd[a-z]+", n) and not is_transfer_disk(n)]
    return sorted(names, key=lambda n: (len(n), n))


def md_names() -> list[str]:
    """The active MD arrays (md0, md1 ...), in numeric order: an array assembled without
    enough devices to run is left out, as libguestfs's list_md_devices does."""
    try:
        names = [n for n in os.listdir("/sys/block") if re.fullmatch(r"md\d+", n)]
    except OSError:
        return []
    return sorted((n for n in names if _md_active(n)), key=lambda n: int(n[2:]))


def _md_active(name: str) -> bool:
    try:
        with open(f"/sys/block/{name}/md/array_state") as f:
            return f.read().strip() not in ("clear", "inactive")
    except OSError:
        return False


def split_device_partition(device: str) -> tuple[str, int]:
    """("sda", 1) for /dev/sda1, ("sda", 0) for /dev/sda, ("md0", 1) for /dev/md0p1.

    The same rule as libguestfs: trailing digits are the partition number, and
    a 'p' between a digit and them is dropped.
    """
    name = device[5:] if device.startswith("/dev/") else device
    m = re.fullmatch(r"(.*?)(\d*)", name)
    assert m is not None
    dev, digits = m.group(1), m.group(2)
    if not digits or not dev:
        return name, 0
    if len(dev) >= 2 and dev.endswith("p") and dev[-2].isdigit():
        dev = dev[:-1]
    return dev, int(digits)


def _sort_key(name: str) -> tuple[int, str, int]:
    dev, part = split_device_partition(name)
    return (len(dev), dev, part)


def partitions_of(dev: str) -> list[str]:
    """The partitions (sda1, sda2 ...) the kernel knows of disk dev, in order."""
    try:
        entries = os.listdir(f"/sys/block/{dev}")
    except OSError:
        return []
    return sorted((e for e in entries if e.startswith(dev) and e != dev), key=_sort_key)


def is_partitioned(dev: str) -> bool:
    return bool(partitions_of(dev))


# -- blkid -----------------------------------------------------------------
def mountable_device(mountable: str) -> str:
    """The device of a Mountable: itself, or the device part of btrfsvol:/dev/X/SUBVOL."""
    if not mountable.startswith("btrfsvol:"):
        return mountable
    return split_btrfsvol(mountable)[0]


def blkid_tag(ctx: Ctx, device: str, tag: str) -> str:
    """blkid's value of tag for device, "" if it has none (blkid exits 2)."""
    out = ctx.run(["blkid", "-c", "/dev/null", "-o", "value", "-s", tag, device],
                  ok_codes=(0, 2))
    return out[:-1] if out.endswith("\n") else out


def _unescape(value: str) -> str:
    """blkid -o export escapes some characters with a backslash."""
    return re.sub(r"\\(.)", r"\1", value)


# -- listing -----------------------------------------------------------------
@impl
def list_devices(ctx: Ctx) -> list[str]:
    return [f"/dev/{n}" for n in disk_names()]


@impl
def list_partitions(ctx: Ctx) -> list[str]:
    out: list[str] = []
    for dev in disk_names() + md_names():
        out.extend(f"/dev/{p}" for p in partitions_of(dev))
    return out


def _partition_types(ctx: Ctx, dev: str) -> tuple[str, dict[int, str]]:
    """(label, {partnum: type}) of disk dev, from sfdisk --json; ("", {}) if unknown."""
    try:
        out = ctx.run(["sfdisk", "--json", f"/dev/{dev}"])
        table = json.loads(out)["partitiontable"]
    except (AgentError, ValueError, KeyError):
        return "", {}
    types: dict[int, str] = {}
    for p in table.get("partitions", []):
        _, num = split_device_partition(str(p.get("node", "")))
        types[num] = str(p.get("type", "")).upper()
    return str(table.get("label", "")), types


# Windows LDM metadata and data, Microsoft Reserved, Windows Snapshot partitions.
SKIP_GPT_TYPES = {
    "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3",
    "AF9B60A0-1431-4F62-BC68-3311714A69AD",
    "E3C9E316-0B5C-4DB8-817D-F92DF00215AE",
    "CADDEBF1-4400-4DE8-B103-12117DCF3CCF",
}


def _can_hold_filesystem(label: str, types: dict[int, str], partnum: int) -> bool:
    t = types.get(partnum, "")
    if label == "dos":
        try:
            mbr_id = int(t, 16)
        except ValueError:
            return True
        if partnum <= 4 and mbr_id in (0x05, 0x0F):  # extended
            return False
        return mbr_id != 0x42  # Windows LDM
    if label == "gpt":
        return t not in SKIP_GPT_TYPES
    return True


def _check_vfs_type(ctx: Ctx, device: str, out: dict[str, str]) -> None:
    try:
        vfs = blkid_tag(ctx, device, "TYPE")
    except AgentError:
        vfs = ""
    if vfs == "":
        out[device] = "unknown"
    elif vfs.endswith("_member") or vfs == "crypto_LUKS":
        return
    elif vfs == "btrfs":
        out.update(btrfs_mountables(device))  # the device, then its other subvolumes
    else:
        out[device] = vfs


def _lvs() -> list[str]:
    """The active public LVs as /dev/VG/LV, sorted; [] if the appliance has no lvm.

    Inactive ones (no device node) are left out: libguestfs fails on them.
    """
    try:
        return [lv for lv in lvs_paths() if os.path.exists(lv)]
    except AgentError as e:
        if e.errno == errno.ENOSYS:
            return []
        raise


@impl
def list_filesystems(ctx: Ctx) -> dict[str, str]:
    out: dict[str, str] = {}
    disks = disk_names()
    for dev in disks:
        if not is_partitioned(dev):
            _check_vfs_type(ctx, f"/dev/{dev}", out)
    for mapper in dm_names():  # opened encrypted devices holding a filesystem
        _check_vfs_type(ctx, mapper, out)
    for dev in disks + md_names():
        parts = partitions_of(dev)
        if not parts:
            continue
        label, types = _partition_types(ctx, dev)
        for p in parts:
            if _can_hold_filesystem(label, types, split_device_partition(p)[1]):
                _check_vfs_type(ctx, f"/dev/{p}", out)
    for dev in md_names():
        if not is_partitioned(dev):
            _check_vfs_type(ctx, f"/dev/{dev}", out)
    for lv in _lvs():
        _check_vfs_type(ctx, lv, out)
    return out


@impl
def device_index(ctx: Ctx, device: str) -> int:
    devices = list_devices(ctx)
    if device in devices:
        return devices.index(device)
    raise AgentError(f"{device}: device not found", 2)


@impl
def is_whole_device(ctx: Ctx, device: str) -> bool:
    return os.path.exists(f"/sys/block/{device[5:]}/device")


# -- blockdev ----------------------------------------------------------------
def call_blockdev(ctx: Ctx, device: str, switch: str) -> int:
    out = ctx.run(["blockdev", switch, device])
    try:
        return int(out.split()[0])
    except (IndexError, ValueError):
        raise AgentError("blockdev: expected output, but got nothing") from None


@impl
def blockdev_getsize64(ctx: Ctx, device: str) -> int:
    return call_blockdev(ctx, device, "--getsize64")


@impl
def blockdev_getss(ctx: Ctx, device: str) -> int:
    return call_blockdev(ctx, device, "--getss")


@impl
def blockdev_getbsz(ctx: Ctx, device: str) -> int:
    return call_blockdev(ctx, device, "--getbsz")


@impl
def blockdev_setbsz(ctx: Ctx, device: str, blocksize: int) -> None:
    if blocksize <= 0:
        raise AgentError("blocksize must be > 0", 22)


@impl
def blockdev_getsz(ctx: Ctx, device: str) -> int:
    return call_blockdev(ctx, device, "--getsz")


@impl
def blockdev_getro(ctx: Ctx, device: str) -> bool:
    return call_blockdev(ctx, device, "--getro") != 0


@impl
def blockdev_setro(ctx: Ctx, device: str) -> None:
    ctx.run(["blockdev", "--setro", device])


@impl
def blockdev_setrw(ctx: Ctx, device: str) -> None:
    ctx.run(["blockdev", "--setrw", device])


@impl
def blockdev_setra(ctx: Ctx, device: str, sectors: int) -> None:
    if sectors < 0:
        raise AgentError("readahead sectors must be >= 0", errno.EINVAL)
    if sectors > 0x7FFFFFFF:
        raise AgentError("readahead sectors must be < 2^31", errno.EINVAL)
    ctx.run(["blockdev", "--setra", str(sectors), device])


def _findfs(tag: str, value: str) -> str:
    """findfs TAG=value, as libguestfs reports it: an LV by its canonical name."""
    out = output_of(capture(["findfs", f"{tag}={value}"]), status=True).strip()
    if out.startswith("/dev/vd"):  # the appliance's own mailbox disk is never the guest's
        raise AgentError(f"findfs exited with status 1: findfs: unable to resolve "
                         f"'{tag}={value}'", errno.ENOENT)
    return lv_canonical(out)


@impl
def findfs_label(ctx: Ctx, label: str) -> str:
    return _findfs("LABEL", label)


@impl
def findfs_uuid(ctx: Ctx, uuid: str) -> str:
    return _findfs("UUID", uuid)


@impl
def blockdev_flushbufs(ctx: Ctx, device: str) -> None:
    ctx.run(["blockdev", "--flushbufs", device])


@impl
def blockdev_rereadpt(ctx: Ctx, device: str) -> None:
    ctx.run(["blockdev", "--rereadpt", device])


# -- zeroing -----------------------------------------------------------------
def _named(device: str, e: OSError) -> OSError:
    """e with device as its filename, so that the message names the device."""
    return OSError(e.errno, e.strerror or os.strerror(e.errno or 0), device)


@impl
def zero(ctx: Ctx, device: str) -> None:
    try:
        _zero(ctx, device)
    except OSError as e:
        raise _named(device, e) from None


def _zero(ctx: Ctx, device: str) -> None:
    fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    try:
        for i in range(32):
            offset = i * BLOCK
            buf = os.pread(fd, BLOCK, offset)
            if not buf:
                break
            if buf != ZEROS[: len(buf)]:
                os.pwrite(fd, ZEROS[: len(buf)], offset)
            ctx.progress(i + 1, 32)
        os.fsync(fd)
    finally:
        os.close(fd)


@impl
def zero_device(ctx: Ctx, device: str) -> None:
    try:
        _zero_device(ctx, device)
    except OSError as e:
        raise _named(device, e) from None


def _zero_device(ctx: Ctx, device: str) -> None:
    fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        pos = 0
        step = max(size // 100, CHUNK)
        next_report = 0
        while pos < size:
            buf = os.pread(fd, min(CHUNK, size - pos), pos)
            if not buf:
                break
            if buf != ZEROS[: len(buf)]:
                os.pwrite(fd, ZEROS[: len(buf)], pos)
            pos += len(buf)
            if pos >= next_report or pos >= size:
                ctx.progress(pos, size)
                next_report = pos + step
        os.fsync(fd)
    finally:
        os.close(fd)


@impl
def wipefs(ctx: Ctx, device: str) -> None:
    ctx.run(["wipefs", "-a", "--force", device])


BLKDISCARD = 0x1277  # _IO(0x12, 119): discard a byte range (two u64: start, length)
BLKDISCARDZEROES = 0x127C  # _IO(0x12, 124): do discarded blocks read back as zeroes
BLKGETSIZE64 = 0x80081272


def _ioctl(device: str, name: str, request: int, arg: bytes, write: bool = False) -> bytes:
    """ioctl(device, request, arg); errors as libguestfs's daemon says them:
    `ioctl: DEVICE: NAME: STRERROR`."""
    try:
        fd = os.open(device, (os.O_RDWR if write else os.O_RDONLY) | os.O_CLOEXEC)
    except OSError as e:
        raise _named(device, e) from None
    try:
        return bytes(fcntl.ioctl(fd, request, arg))
    except OSError as e:
        raise AgentError(f"ioctl: {device}: {name}: {os.strerror(e.errno or 0)}",
                         e.errno or errno.EIO) from None
    finally:
        os.close(fd)


@impl
def blkdiscard(ctx: Ctx, device: str) -> None:
    size: int = struct.unpack("=Q", _ioctl(device, "BLKGETSIZE64", BLKGETSIZE64, bytes(8)))[0]
    _ioctl(device, "BLKDISCARD", BLKDISCARD, struct.pack("=QQ", 0, size), write=True)


@impl
def blkdiscardzeroes(ctx: Ctx, device: str) -> bool:
    value: int = struct.unpack("=I", _ioctl(device, "BLKDISCARDZEROES", BLKDISCARDZEROES,
                                            bytes(4)))[0]
    return value != 0


@impl
def zero_free_space(ctx: Ctx, directory: str) -> None:
    """Write a file of zeroes, unlinked at once (nothing is left however this ends), until
    the filesystem is full; then sync it."""
    os.sync()  # blocks freed by the running journal transaction are reusable once it commits
    try:
        st = os.statvfs(directory)
        fd, name = tempfile.mkstemp(dir=directory)
    except OSError as e:
        raise AgentError(f"open: {to_guest(directory)}: {e.strerror}", e.errno or errno.EIO
                         ) from None
    try:
        os.unlink(name)
        total = max(st.f_bavail * st.f_frsize, 1)
        written, next_report = 0, 0
        while True:
            try:
                n = os.write(fd, ZEROS)
            except OSError as e:
                if e.errno == errno.ENOSPC:
                    break
                raise AgentError(f"write: {to_guest(name)}: {e.strerror}",
                                 e.errno or errno.EIO) from None
            written += n
            if next_report <= written < total:  # root may write more than f_bavail said
                ctx.progress(written, total)
                next_report = written + total // 100
        with contextlib.suppress(OSError):  # delayed allocation may find the end only now
            os.fsync(fd)
    finally:
        os.close(fd)
    os.sync()
    ctx.progress(total, total)


@impl
def is_zero_device(ctx: Ctx, device: str) -> bool:
    try:
        return _is_zero_device(device)
    except OSError as e:
        raise _named(device, e) from None


def _is_zero_device(device: str) -> bool:
    fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
    try:
        while True:
            buf = os.read(fd, CHUNK)
            if not buf:
                return True
            if buf != ZEROS[: len(buf)]:
                return False
    finally:
        os.close(fd)


@impl
def fstrim(ctx: Ctx, mountpoint: str, offset: int | None = None, length: int | None = None,
           minimumfreeextent: int | None = None) -> None:
    argv = ["fstrim"]
    if offset is not None:
        if offset < 0:
            raise AgentError("offset < 0", 22)
        argv += ["-o", str(offset)]
    if length is not None:
        if length <= 0:
            raise AgentError("length <= 0", 22)
        argv += ["-l", str(length)]
    if minimumfreeextent is not None:
        if minimumfreeextent <= 0:
            raise AgentError("minimumfreeextent <= 0", 22)
        argv += ["-m", str(minimumfreeextent)]
    os.sync()  # fstrim does not see blocks freed by writes still in the page cache
    try:
        ctx.run([*argv, mountpoint])
    except AgentError as e:
        raise AgentError(e.message.replace(mountpoint, to_guest(mountpoint)), e.errno) from None


# -- probing -----------------------------------------------------------------
@impl
def vfs_type(ctx: Ctx, mountable: str) -> str:
    return blkid_tag(ctx, mountable_device(mountable), "TYPE")


@impl
def vfs_label(ctx: Ctx, mountable: str) -> str:
    return blkid_tag(ctx, mountable_device(mountable), "LABEL")


@impl
def vfs_uuid(ctx: Ctx, mountable: str) -> str:
    return blkid_tag(ctx, mountable_device(mountable), "UUID")


@impl
def blkid(ctx: Ctx, device: str) -> dict[str, str]:
    out = ctx.run(["blkid", "-c", "/dev/null", "-p", "-i", "-o", "export", device],
                  ok_codes=(0, 2))
    ret: dict[str, str] = {}
    for line in out.splitlines():
        key, sep, value = line.partition("=")
        if sep and key:
            ret[key] = _unescape(value)
    return ret


def _check_offset(offset: int, count: int | None = None) -> None:
    if count is not None and count < 0:
        raise AgentError("count is negative", errno.EINVAL)
    if offset < 0:
        raise AgentError("offset is negative", errno.EINVAL)


@impl
def pread_device(ctx: Ctx, device: str, count: int, offset: int) -> bytes:
    _check_offset(offset, count)
    if count >= MAX_BUFFER:
        raise AgentError(f"{device}: count is too large for the protocol, use smaller reads",
                         errno.EINVAL)
    try:
        fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
        try:
            return os.pread(fd, count, offset)
        finally:
            os.close(fd)
    except OSError as e:
        raise _named(device, e) from None


@impl
def pwrite_device(ctx: Ctx, device: str, content: bytes, offset: int) -> int:
    _check_offset(offset)
    try:
        fd = os.open(device, os.O_WRONLY | os.O_CLOEXEC)
    except OSError as e:
        raise _named(device, e) from None
    try:
        written = os.pwrite(fd, content, offset)
        os.fsync(fd)
        return written
    except OSError as e:
        raise AgentError(f"pwrite: {device}: {e.strerror}", e.errno) from None
    finally:
        os.close(fd)
