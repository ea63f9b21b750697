"""Windows drive letters: SYSTEM's MountedDevices values matched to the appliance's
partitions, as libguestfs does (http://www.goodells.net/multiboot/partsigs.shtml).

An MBR drive is 12 bytes: the disk signature (MBR offset 0x1B8) and the
partition's byte offset, little-endian.  A GPT drive is "DMIO:ID:" and the
partition's unique GUID.  Disks are read directly (their first sector, the
partitions' start in sysfs); sfdisk runs only for a GPT drive.
"""

from __future__ import annotations

import json
import os
import uuid

from ..block import disk_names, partitions_of, split_device_partition
from ..context import capture
from . import hive

MBR_SIGNATURE = 0x1B8
GPT_PREFIX = b"DMIO:ID:"


def _mbr(disk: str) -> bytes:
    try:
        with open(f"/dev/{disk}", "rb") as f:
            return f.read(512)
    except OSError:
        return b""


def is_msdos(mbr: bytes) -> bool:
    """Whether a first sector holds an MBR partition table (not GPT's protective one)."""
    if len(mbr) < 512 or mbr[510:512] != b"\x55\xaa":
        return False
    return all(mbr[446 + 16 * i + 4] != 0xEE for i in range(4))


def _start(partition: str) -> int | None:
    """A partition's start in bytes, from sysfs (always in 512-byte units)."""
    try:
        with open(f"/sys/class/block/{partition}/start") as f:
            return int(f.read()) * 512
    except (OSError, ValueError):
        return None


def mbr_partition(blob: bytes) -> str | None:
    """The partition an MBR MountedDevices blob names: the first disk with that
    signature, its partition starting at that offset."""
    signature, offset = blob[:4], int.from_bytes(blob[4:12], "little")
    for disk in disk_names():
        mbr = _mbr(disk)
        if is_msdos(mbr) and mbr[MBR_SIGNATURE:MBR_SIGNATURE + 4] == signature:
            for part in partitions_of(disk):
                if _start(part) == offset:
                    return f"/dev/{disk}{split_device_partition(part)[1]}"
            return None
    return None


def blob_guid(blob: bytes) -> str:
    """The partition GUID of a GPT MountedDevices blob, in lowercase text."""
    return str(uuid.UUID(bytes_le=blob[8:24]))


def gpt_partition(blob: bytes) -> str | None:
    """The partition whose GPT unique GUID a MountedDevices blob names."""
    guid = blob_guid(blob)
    for disk in disk_names():
        p = capture(["sfdisk", "--json", f"/dev/{disk}"])
        try:
            table = json.loads(p.stdout)["partitiontable"]
        except (ValueError, KeyError, TypeError):
            continue
        if table.get("label") != "gpt":
            continue
        for part in table.get("partitions", []):
            if str(part.get("uuid", "")).lower() == guid and isinstance(part.get("node"), str):
                return str(part["node"])
    return None


def drive_mappings(values: hive.Values) -> dict[str, str]:
    """Drive letter -> partition for the MountedDevices values that name a fixed disk's
    partition found in the appliance, in the values' order."""
    out = {}
    for key, value in values:
        if not (len(key) >= 14 and key[:12].lower() == "\\dosdevices\\"
                and key[12].isascii() and key[12].isalpha() and key[13] == ":"):
            continue
        blob = value.data
        if value.type != hive.REG_BINARY or not isinstance(blob, bytes):
            continue
        if len(blob) >= 24 and blob.startswith(GPT_PREFIX):
            device = gpt_partition(blob)
        elif len(blob) == 12:
            device = mbr_partition(blob)
        else:
            device = None
        if device is not None and os.path.exists(device):
            out[key[12]] = device
    return out
