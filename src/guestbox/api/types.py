"""Argument kinds and the structs operations return.

Kinds are `Annotated[str, Kind(...)]`: to mypy and to callers they are plain
strings; to the table they say what the string means, and the agent applies
that meaning once for every operation (a Pathname is resolved inside the
guest's root, a Device must be an appliance block device, a FileIn is a host
file streamed to the agent).
Structs are TypedDicts with libguestfs's field names.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, TypedDict


@dataclasses.dataclass(frozen=True)
class Kind:
    """What a string argument means; the agent applies the meaning once for every operation."""

    name: str


Pathname = Annotated[str, Kind("Pathname")]
"""An absolute path in the guest's filesystem, resolved inside the sysroot."""
Device = Annotated[str, Kind("Device")]
"""A block device of the appliance, such as /dev/sda1."""
Mountable = Annotated[str, Kind("Mountable")]
"""Something mount accepts: a device, or btrfsvol:/dev/sdX/SUBVOL."""
DevOrPath = Annotated[str, Kind("DevOrPath")]
"""A device (if it starts with /dev/) or a guest path."""
FileIn = Annotated[str, Kind("FileIn")]
"""A host file whose content is streamed to the agent ('-' is stdin)."""
FileOut = Annotated[str, Kind("FileOut")]
"""A host file written from a stream the agent sends ('-' is stdout)."""
Key = Annotated[str, Kind("Key")]
"""A secret (a LUKS passphrase); never logged or traced."""
HostPath = Annotated[str, Kind("HostPath")]
"""A path on the host, used by operations the library does itself."""

PATH_KINDS = (Pathname, DevOrPath)
STRING_KINDS = (Pathname, Device, Mountable, DevOrPath, FileIn, FileOut, Key, HostPath)


class StatNS(TypedDict):
    """statns/lstatns: stat(2) with nanosecond times."""

    st_dev: int
    st_ino: int
    st_mode: int
    st_nlink: int
    st_uid: int
    st_gid: int
    st_rdev: int
    st_size: int
    st_blksize: int
    st_blocks: int
    st_atime_sec: int
    st_atime_nsec: int
    st_mtime_sec: int
    st_mtime_nsec: int
    st_ctime_sec: int
    st_ctime_nsec: int
    st_spare1: int
    st_spare2: int
    st_spare3: int
    st_spare4: int
    st_spare5: int
    st_spare6: int


class Stat(TypedDict):
    """The deprecated stat/lstat struct (whole-second times)."""

    dev: int
    ino: int
    mode: int
    nlink: int
    uid: int
    gid: int
    rdev: int
    size: int
    blksize: int
    blocks: int
    atime: int
    mtime: int
    ctime: int


class StatVFS(TypedDict):
    """statvfs(2) of a mounted filesystem."""

    bsize: int
    frsize: int
    blocks: int
    bfree: int
    bavail: int
    files: int
    ffree: int
    favail: int
    fsid: int
    flag: int
    namemax: int


class Partition(TypedDict):
    """One entry of part_list: partition number and byte offsets."""

    part_num: int
    part_start: int
    part_end: int
    part_size: int


class XAttr(TypedDict):
    """An extended attribute; attrval is raw bytes."""

    attrname: str
    attrval: bytes


class PV(TypedDict, total=False):
    """pvs_full: an LVM physical volume."""

    pv_name: str
    pv_uuid: str
    pv_fmt: str
    pv_size: int
    dev_size: int
    pv_free: int
    pv_used: int
    pv_attr: str
    pv_pe_count: int
    pv_pe_alloc_count: int
    pv_tags: str
    pe_start: int
    pv_mda_count: int
    pv_mda_free: int


class VG(TypedDict, total=False):
    """vgs_full: an LVM volume group."""

    vg_name: str
    vg_uuid: str
    vg_fmt: str
    vg_attr: str
    vg_size: int
    vg_free: int
    vg_sysid: str
    vg_extent_size: int
    vg_extent_count: int
    vg_free_count: int
    max_lv: int
    max_pv: int
    pv_count: int
    lv_count: int
    snap_count: int
    vg_seqno: int
    vg_tags: str
    vg_mda_count: int
    vg_mda_free: int


class LV(TypedDict, total=False):
    """lvs_full: an LVM logical volume."""

    lv_name: str
    lv_uuid: str
    lv_attr: str
    lv_major: int
    lv_minor: int
    lv_kernel_major: int
    lv_kernel_minor: int
    lv_size: int
    seg_count: int
    origin: str
    snap_percent: float
    copy_percent: float
    move_pv: str
    lv_tags: str
    mirror_log: str
    modules: str


class MDStat(TypedDict):
    """md_stat: one device of an MD array, its index in the array and its flags."""

    mdstat_device: str
    mdstat_index: int
    mdstat_flags: str
