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
MountableOrPath = Annotated[str, Kind("MountableOrPath")]
"""A Mountable (if it starts with /dev/ or btrfsvol:) or a guest path."""
FileIn = Annotated[str, Kind("FileIn")]
"""A host file whose content is streamed to the agent ('-' is stdin)."""
FileOut = Annotated[str, Kind("FileOut")]
"""A host file written from a stream the agent sends ('-' is stdout)."""
Key = Annotated[str, Kind("Key")]
"""A secret (a LUKS passphrase); never logged or traced."""
HostPath = Annotated[str, Kind("HostPath")]
"""A path on the host, used by operations the library does itself."""

PATH_KINDS = (Pathname, DevOrPath, MountableOrPath)
STRING_KINDS = (Pathname, Device, Mountable, DevOrPath, MountableOrPath, FileIn, FileOut, Key,
                HostPath)


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


class HivexNode(TypedDict):
    """One entry of hivex_node_children: a node handle."""

    hivex_node_h: int


class HivexValue(TypedDict):
    """One entry of hivex_node_values: a value handle."""

    hivex_value_h: int


class PV(TypedDict):
    """pvs_full: an LVM physical volume (libguestfs's lvm_pv): sizes in bytes, the UUID
    without its dashes."""

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


class VG(TypedDict):
    """vgs_full: an LVM volume group (libguestfs's lvm_vg): sizes in bytes, the UUID
    without its dashes."""

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


class LV(TypedDict):
    """lvs_full: an LVM logical volume (libguestfs's lvm_lv): sizes in bytes, the UUID
    without its dashes, percentages None where LVM has none."""

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
    snap_percent: float | None
    copy_percent: float | None
    move_pv: str
    lv_tags: str
    mirror_log: str
    modules: str


class BTRFSSubvolume(TypedDict):
    """btrfs_subvolume_list: a subvolume's ID, its parent's ID and its path."""

    btrfssubvolume_id: int
    btrfssubvolume_top_level_id: int
    btrfssubvolume_path: str


class BTRFSQgroup(TypedDict):
    """btrfs_qgroup_show: a quota group and the bytes it references and holds alone."""

    btrfsqgroup_id: str
    btrfsqgroup_rfer: int
    btrfsqgroup_excl: int


class BTRFSBalance(TypedDict):
    """btrfs_balance_status: "none", "running" or "paused", and the chunk counts."""

    btrfsbalance_status: str
    btrfsbalance_total: int
    btrfsbalance_balanced: int
    btrfsbalance_considered: int
    btrfsbalance_left: int


class BTRFSScrub(TypedDict):
    """btrfs_scrub_status: the counters of the last (or running) scrub."""

    btrfsscrub_data_extents_scrubbed: int
    btrfsscrub_tree_extents_scrubbed: int
    btrfsscrub_data_bytes_scrubbed: int
    btrfsscrub_tree_bytes_scrubbed: int
    btrfsscrub_read_errors: int
    btrfsscrub_csum_errors: int
    btrfsscrub_verify_errors: int
    btrfsscrub_no_csum: int
    btrfsscrub_csum_discards: int
    btrfsscrub_super_errors: int
    btrfsscrub_malloc_errors: int
    btrfsscrub_uncorrectable_errors: int
    btrfsscrub_unverified_errors: int
    btrfsscrub_corrected_errors: int
    btrfsscrub_last_physical: int


class IntBool(TypedDict):
    """aug_defnode: a number and a flag (libguestfs's struct int_bool)."""

    i: int
    b: int


class XFSInfo(TypedDict):
    """xfs_info: the geometry of an XFS filesystem (-1 or "" for what xfs_info omits)."""

    xfs_mntpoint: str
    xfs_inodesize: int
    xfs_agcount: int
    xfs_agsize: int
    xfs_sectsize: int
    xfs_attr: int
    xfs_blocksize: int
    xfs_datablocks: int
    xfs_imaxpct: int
    xfs_sunit: int
    xfs_swidth: int
    xfs_dirversion: int
    xfs_dirblocksize: int
    xfs_cimode: int
    xfs_logname: str
    xfs_logblocksize: int
    xfs_logblocks: int
    xfs_logversion: int
    xfs_logsectsize: int
    xfs_logsunit: int
    xfs_lazycount: int
    xfs_rtname: str
    xfs_rtextsize: int
    xfs_rtblocks: int
    xfs_rtextents: int


class MDStat(TypedDict):
    """md_stat: one device of an MD array, its index in the array and its flags."""

    mdstat_device: str
    mdstat_index: int
    mdstat_flags: str


class Application(TypedDict):
    """One entry of inspect_list_applications (deprecated: Application2 has the arch)."""

    app_name: str
    app_display_name: str
    app_epoch: int
    app_version: str
    app_release: str
    app_install_path: str
    app_trans_path: str
    app_publisher: str
    app_url: str
    app_source_package: str
    app_summary: str
    app_description: str


class Application2(TypedDict):
    """One entry of inspect_list_applications2: an installed package or program."""

    app2_name: str
    app2_display_name: str
    app2_epoch: int
    app2_version: str
    app2_release: str
    app2_arch: str
    app2_install_path: str
    app2_trans_path: str
    app2_publisher: str
    app2_url: str
    app2_source_package: str
    app2_summary: str
    app2_description: str
    app2_spare1: str
    app2_spare2: str
    app2_spare3: str
    app2_spare4: str
