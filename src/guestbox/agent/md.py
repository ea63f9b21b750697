"""The agent's Linux software RAID (libguestfs's daemon/md.c and md.ml).

The appliance has no udev: mdadm makes the /dev/mdN nodes and /dev/md/NAME
links itself.  Its configuration (appliance/builder.py) names the devices it may
scan, the guest's /dev/sd*, never the appliance's own virtio disks.
"""

from __future__ import annotations

import errno
import logging
import os
import struct
from collections.abc import Sequence

from .block import md_names
from .context import Ctx, capture, output_of
from .dispatch import check_device
from .registry import AgentError, impl

log = logging.getLogger(__name__)

LEVELS = ("linear", "raid0", "0", "stripe", "raid1", "1", "mirror", "raid4", "4",
          "raid5", "5", "raid6", "6", "raid10", "10")
MD_MAGIC = struct.pack("<I", 0xA92B4EFC)  # md superblocks, little-endian on this machine
IMSM_MAGIC = b"Intel Raid ISM Cfg Sig. "
DDF_MAGIC = struct.pack(">I", 0xDE11DE11)


def _mdadm(args: Sequence[str], status: bool = False) -> str:
    """Run mdadm; its stdout, or AgentError in libguestfs's shape for the operation (see
    output_of: md_detail says status)."""
    return output_of(capture(["mdadm", *args]), status=status)


# -- create ----------------------------------------------------------------------
def _create_args(name: str, devices: list[str], missingbitmap: int | None,
                 nrdevices: int | None, spare: int | None, chunk: int | None,
                 level: str | None) -> list[str]:
    """mdadm --create's arguments, after libguestfs's checks (same messages)."""
    missing = (missingbitmap or 0) & (2**64 - 1)  # libguestfs reads it as unsigned
    if spare is not None and spare < 0:
        raise AgentError("spare must not be negative", errno.EINVAL)
    if nrdevices is not None and nrdevices < 2:
        raise AgentError("nrdevices is less than 2", errno.EINVAL)
    if level is not None and level not in LEVELS:
        raise AgentError(f"unknown level parameter: {level}", errno.EINVAL)
    if chunk is not None and chunk % 1024 != 0:
        raise AgentError("chunk size must be a multiple of 1024 bytes", errno.EINVAL)
    nmissing = bin(missing).count("1")
    nr = len(devices) + nmissing if nrdevices is None else nrdevices
    if len(devices) + nmissing != nr + (spare or 0):
        raise AgentError(f"devices ({len(devices)}) + bits set in missingbitmap ({nmissing}) "
                         f"is not equal to nrdevices ({nr}) + spare ({spare or 0})",
                         errno.EINVAL)
    for dev in devices:
        check_device(dev)
    args = ["--create", "--run", name, "--level", level or "raid1", "--raid-devices", str(nr)]
    if spare is not None:
        args += ["--spare-devices", str(spare)]
    if chunk is not None:
        args += ["--chunk", str(chunk // 1024)]
    return args + _members(devices, missing)


def _members(devices: list[str], missing: int) -> list[str]:
    """The array's members in order: bit i of missing set puts "missing" at position i."""
    members: list[str] = []
    queue = list(devices)
    bits = missing
    while queue or bits:
        if bits & 1:
            members.append("missing")
        elif queue:
            members.append(queue.pop(0))
        else:
            raise AgentError(f"missingbitmap {missing:#x} leaves position {len(members)} "
                             f"with no device ({len(devices)} devices)", errno.EINVAL)
        bits >>= 1
    return members


@impl
def md_create(ctx: Ctx, name: str, devices: list[str], missingbitmap: int | None = None,
              nrdevices: int | None = None, spare: int | None = None,
              chunk: int | None = None, level: str | None = None) -> None:
    args = _create_args(name, devices, missingbitmap, nrdevices, spare, chunk, level)
    try:
        _mdadm(args)
    except AgentError as e:
        raise AgentError(f"mdadm: {name}: {e.message}") from None


# -- listing and inspecting ----------------------------------------------------------
@impl
def list_md_devices(ctx: Ctx) -> list[str]:
    return [f"/dev/{n}" for n in md_names()]


@impl
def md_detail(ctx: Ctx, md: str) -> dict[str, str]:
    out = _mdadm(["-D", "--export", md], status=True)
    ret: dict[str, str] = {}
    for line in out.strip().split("\n"):
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key = key.removeprefix("MD_").lower()
        ret[key] = value
    return ret


def _parse_mdstat_line(line: str) -> list[dict[str, object]]:
    """The devices of a /proc/mdstat array line such as "active raid1 sdb1[1] sda1[0](F)"."""
    out: list[dict[str, object]] = []
    for word in line.split(" "):
        p, q = word.find("["), word.find("]")
        if p < 0 or q < 0 or p > q:
            continue
        if p == 0:
            raise AgentError(f"device entry is too short: {word}")
        try:
            index = int(word[p + 1 : q], 0)
        except ValueError:
            raise AgentError(f"not a device number: {word[p + 1 : q]}") from None
        flags = "".join(c for c in word[q + 1 :] if c.isalpha())
        out.append({"mdstat_device": f"/dev/{word[:p]}", "mdstat_index": index,
                    "mdstat_flags": flags})
    return out


@impl
def md_stat(ctx: Ctx, md: str) -> list[dict[str, object]]:
    name = os.path.realpath(md).removeprefix("/dev/")
    with open("/proc/mdstat") as f:
        for line in f:
            if line.startswith(f"{name} : "):
                return _parse_mdstat_line(line.rstrip("\n")[len(name) + 3 :])
    raise AgentError(f"{name}: MD device not found", errno.ENOENT)


@impl
def md_stop(ctx: Ctx, md: str) -> None:
    node = os.path.realpath(md)
    _mdadm(["--stop", md])
    _remove_nodes(node)


def _remove_nodes(node: str) -> None:
    """Remove /dev/mdN and its /dev/md/NAME links once the kernel has let the stopped array
    go, as udev would: then the stopped array is no longer a device to the next calls."""
    name = os.path.basename(node)
    if os.path.exists(f"/sys/block/{name}"):
        return
    links = [f"/dev/md/{n}" for n in _listdir("/dev/md")]
    for path in [*[p for p in links if os.path.realpath(p) == node], node]:
        try:
            os.unlink(path)
        except OSError:
            pass


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


# -- assembly at launch ------------------------------------------------------------------
def _signatures(size: int) -> tuple[tuple[int, bytes], ...]:
    """(offset, magic) of every md metadata format mdadm assembles, on a device of size
    bytes: native 1.1 at 0, 1.2 at 4 KiB, 0.90 in the last whole 64 KiB, 1.0 8 to 12 KiB
    before the end (4 KiB aligned); Intel IMSM 2 sectors, SNIA DDF 1 sector before it.
    In this order, the first read near the end reads ahead over the others."""
    return ((0, MD_MAGIC), (4096, MD_MAGIC), ((size & ~0xFFFF) - 0x10000, MD_MAGIC),
            (((size // 512 - 16) & ~7) * 512, MD_MAGIC), (size - 1024, IMSM_MAGIC),
            (size - 512, DDF_MAGIC))


def md_superblock_in(fd: int, head: bytes) -> bool:
    """True if the device open as fd, whose first bytes are head, carries RAID metadata that
    mdadm assembles: head and a read or two near the end, far cheaper than mdadm."""
    size = os.lseek(fd, 0, os.SEEK_END)
    for off, magic in _signatures(size):
        end = off + len(magic)
        if 0 <= off and end <= size:
            found = head[off:end] if end <= len(head) else os.pread(fd, len(magic), off)
            if found == magic:
                return True
    return False


def assemble_arrays(members: Sequence[str]) -> None:
    """Assemble the arrays of the devices members (in /dev order), degraded ones too
    (libguestfs leaves those inactive).  As udev's incremental assembly in libguestfs's
    appliance, one member at a time (`mdadm -I`; udev's runs in parallel, and numbers
    vary there from run to run): arrays are numbered from md127 down in the order their
    first members come.  Then those still missing a member are started (`mdadm -IRs`)."""
    for dev in members:
        p = capture(["mdadm", "--incremental", dev])
        if p.returncode != 0:
            log.info("mdadm -I %s: %s", dev, p.stderr.decode("utf-8", "replace").strip())
    p = capture(["mdadm", "--incremental", "--run", "--scan"])
    if p.returncode != 0:
        log.info("mdadm -IRs: %s", p.stderr.decode("utf-8", "replace").strip())
