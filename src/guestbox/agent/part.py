"""Agent side of partition table operations."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import time
import uuid
from typing import Any

from .block import partitions_of, split_device_partition
from .context import Ctx, ToolError
from .registry import AgentError, impl

PARTTYPES = {
    "aix": "aix", "amiga": "amiga", "bsd": "bsd", "dasd": "dasd", "dvh": "dvh", "gpt": "gpt",
    "mac": "mac", "msdos": "msdos", "pc98": "pc98", "sun": "sun",
    "rdb": "amiga", "efi": "gpt", "mbr": "msdos",
}
PRLOGEX = {"primary": "primary", "logical": "logical", "extended": "extended",
           "p": "primary", "l": "logical", "e": "extended"}
SETTLE_TIMEOUT = 10.0
GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
INT64 = 1 << 64
HEX_GUID = "-0123456789ABCDEF"
SFDISK_ATTRIBUTES = {0: "RequiredPartition", 1: "NoBlockIOProtocol", 2: "LegacyBIOSBootable"}


def parted_label(parttype: str) -> str:
    try:
        return PARTTYPES[parttype]
    except KeyError:
        raise AgentError('unknown partition type: common choices are "gpt" and "msdos"',
                         errno.EINVAL) from None


def check_partnum(partnum: int) -> None:
    if partnum <= 0:
        raise AgentError("partition number must be >= 1", errno.EINVAL)


def _strip_tool(message: str, tool: str) -> str:
    prefix = f"{tool}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def exited(tool: str, e: ToolError) -> str:
    """A failed tool in the words of libguestfs's OCaml daemon functions."""
    return f"{tool} exited with status {e.status}: {e.text}"


def parted(ctx: Ctx, device: str, *args: str) -> str:
    """Run parted -s on device; errors as libguestfs words them: `parted: DEVICE: ...`."""
    try:
        return ctx.run(["parted", "-s", "--", device, *args])
    except AgentError as e:
        raise AgentError(f"parted: {device}: {_strip_tool(e.message, 'parted')}",
                         e.errno) from None


# -- making the kernel see the table ---------------------------------------
def _is_blockdev(path: str) -> bool:
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def rescan(ctx: Ctx, device: str) -> None:
    """Make the kernel read device's table again and wait until its /dev nodes exist.

    blockdev --rereadpt fails (EBUSY) while a partition is in use; partx -u then
    updates the partitions that are not.
    """
    try:
        ctx.run(["blockdev", "--rereadpt", device])
    except AgentError:
        ctx.run(["partx", "-u", device], ok_codes=range(256))
    settle(device)


def settle(device: str) -> None:
    """Wait until the /dev nodes of every partition the kernel knows on device exist."""
    name = os.path.basename(os.path.realpath(device))
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        missing = [p for p in partitions_of(name) if not _is_blockdev(f"/dev/{p}")]
        if not missing or time.monotonic() > deadline:
            return
        time.sleep(0.02)


# -- reading the table ---------------------------------------------------------
def print_table(ctx: Ctx, device: str, c_style: bool = False) -> tuple[str, list[str]]:
    """(device line, partition lines) of `parted -m unit b print`.

    Failures are worded as libguestfs 1.48 words them: its OCaml functions
    (part_list, part_get_parttype and those built on it) and its C ones
    (part_get_bootable, c_style) differ.
    """
    try:
        out = ctx.run(["parted", "-m", "-s", "--", device, "unit", "b", "print"])
    except ToolError as e:
        unknown = "unrecognised disk label" in e.text
        eno = errno.EINVAL if unknown else e.errno
        if c_style:
            raise AgentError(f"parted print: {device}: {e.text}", eno) from None
        if unknown:
            raise AgentError(f"parted: {device}: {exited('parted', e)}: "
                             f"{os.strerror(errno.EINVAL)}", eno) from None
        raise AgentError(exited("parted", e), eno) from None
    lines = [line for line in out.strip().splitlines() if line.strip()]
    if not lines or lines[0] != "BYT;":
        first = lines[0] if lines else "(signature was null)"
        raise AgentError('unknown signature, expected "BYT;" as first line of the output: '
                         + first)
    if len(lines) < 2:
        raise AgentError("parted didn't return a line describing the device")
    return lines[1], lines[2:]


def _fields(line: str) -> list[str]:
    return line.rstrip(";").split(":")


def _row(lines: list[str], partnum: int) -> list[str]:
    for line in lines:
        f = _fields(line)
        try:
            num = int(f[0])
        except ValueError:
            raise AgentError("could not parse row from output of parted print command: "
                             + line) from None
        if num == partnum:
            return f
    raise AgentError(f"partition number {partnum} not found", errno.ENOENT)


def get_parttype(ctx: Ctx, device: str) -> str:
    device_line, _ = print_table(ctx, device)
    f = _fields(device_line)
    if len(f) < 6:
        raise AgentError(f"{device}: cannot parse the output of parted")
    if f[5] == "loop":
        raise AgentError(f"{device}: not a partitioned device", errno.EINVAL)
    return f[5]


def sfdisk_table(ctx: Ctx, device: str) -> dict[str, Any]:
    out = ctx.run(["sfdisk", "--json", device])
    try:
        table: dict[str, Any] = json.loads(out)["partitiontable"]
    except (ValueError, KeyError):
        raise AgentError(f"{device}: cannot parse the output of sfdisk --json") from None
    return table


def part_type_field(ctx: Ctx, device: str, partnum: int) -> str:
    """sfdisk's type of partition partnum: an MBR byte in hex, or a GPT type GUID."""
    check_partnum(partnum)
    try:
        return ctx.run(["sfdisk", "--part-type", device, str(partnum)]).strip()
    except ToolError as e:
        raise AgentError(exited("sfdisk", e), e.errno) from None


def get_mbr_id(ctx: Ctx, device: str, partnum: int) -> int:
    out = part_type_field(ctx, device, partnum)
    try:
        return int(out, 16)
    except ValueError:
        raise AgentError(f"{device}: partition {partnum} has no MBR type byte ({out}): "
                         "only MBR partitions have one", errno.EINVAL) from None


# -- GPT: sgdisk, as libguestfs ---------------------------------------------------
def check_guid(guid: str) -> str:
    """guid without braces, if it is one; libguestfs's error if not."""
    bare = guid[1:-1] if guid.startswith("{") and guid.endswith("}") else guid
    if not GUID.fullmatch(bare):
        raise AgentError("guid: parameter is not a valid GUID", errno.EINVAL)
    return bare


def gpt_table(ctx: Ctx, device: str, partnum: int | None = None) -> dict[str, Any]:
    """sfdisk's view of device's table, which must be GPT (and hold partition partnum).

    sgdisk would make a GPT in memory of any other disk and, when asked to change
    it, write it: a blank disk would silently become GPT.
    """
    try:
        table = sfdisk_table(ctx, device)
    except ToolError as e:
        if "partition table" not in e.text:
            raise
        table = {}
    if table.get("label") != "gpt":
        raise AgentError(f"{device}: not a GPT partition table", errno.EINVAL)
    if partnum is not None:
        check_partnum(partnum)
        if not any(split_device_partition(str(p.get("node", "")))[1] == partnum
                   for p in table.get("partitions", [])):
            raise AgentError(f"partition number {partnum} not found", errno.ENOENT)
    return table


def sgdisk(ctx: Ctx, *args: str) -> str:
    """Run sgdisk; a failure is reported as libguestfs does: `sgdisk: what it said`."""
    try:
        return ctx.run(["sgdisk", *args])
    except ToolError as e:
        raise AgentError(f"sgdisk: {e.text}", e.errno) from None


def sfdisk_set(ctx: Ctx, device: str, option: str, *args: str) -> None:
    """Change one thing of device's table with sfdisk (errors: `sfdisk OPTION: ...`).

    sfdisk rather than sgdisk, which libguestfs runs: sgdisk sleeps one second
    after every write.
    """
    try:
        ctx.run(["sfdisk", "-q", option, *args])
    except ToolError as e:
        raise AgentError(f"sfdisk {option}: {_strip_tool(e.text, 'sfdisk')}", e.errno) from None
    settle(device)


def sgdisk_info(ctx: Ctx, device: str, partnum: int) -> dict[str, str]:
    """The fields of `sgdisk -i partnum` ("Partition GUID code" ...), values stripped.

    As in libguestfs, a disk with an MBR is read as the GPT sgdisk would make of it.
    """
    check_partnum(partnum)
    out = sgdisk(ctx, device, "-i", str(partnum))
    if f"Partition #{partnum} does not exist" in out:
        raise AgentError(f"partition number {partnum} not found", errno.ENOENT)
    fields = {}
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def info_field(fields: dict[str, str], device: str, field: str, chars: str) -> str:
    """The leading run of chars of a field of sgdisk_info (a GUID, a hex number)."""
    value = fields.get(field)
    if value is None:
        raise AgentError(f"{device}: sgdisk output did not contain '{field}'")
    n = 0
    while n < len(value) and value[n] in chars:
        n += 1
    return value[:n]


# -- operations --------------------------------------------------------------
@impl
def part_init(ctx: Ctx, device: str, parttype: str) -> None:
    label = parted_label(parttype)
    parted(ctx, device, "mklabel", label)
    rescan(ctx, device)


@impl
def part_add(ctx: Ctx, device: str, prlogex: str, startsect: int, endsect: int) -> None:
    kind = PRLOGEX.get(prlogex)
    if kind is None:
        raise AgentError(f'unknown partition type: {prlogex}: this should be "primary", '
                         '"logical" or "extended"', errno.EINVAL)
    if startsect < 0:
        raise AgentError("startsect cannot be negative", errno.EINVAL)
    # On GPT, parted's mkpart takes this first word as the partition's name (as in libguestfs).
    parted(ctx, device, "mkpart", kind, f"{startsect}s", f"{endsect}s")
    rescan(ctx, device)


@impl
def part_del(ctx: Ctx, device: str, partnum: int) -> None:
    check_partnum(partnum)
    parted(ctx, device, "rm", str(partnum))
    rescan(ctx, device)


@impl
def part_disk(ctx: Ctx, device: str, parttype: str) -> None:
    label = parted_label(parttype)
    # libguestfs: start at sector 128, leave the last 128 sectors free (room for
    # GPT's backup table), name the GPT partition "p1".
    parted(ctx, device, "mklabel", label,
           "mkpart", "p1" if label == "gpt" else "primary", "128s", "-128s")
    rescan(ctx, device)


@impl
def part_list(ctx: Ctx, device: str) -> list[dict[str, int]]:
    _, lines = print_table(ctx, device)
    out = []
    for line in lines:
        f = _fields(line)
        try:
            num = int(f[0])
            start, end, size = (int(x.removesuffix("B")) for x in f[1:4])
        except (ValueError, IndexError):
            raise AgentError("could not parse row from output of parted print command: "
                             + line) from None
        out.append({"part_num": num, "part_start": start, "part_end": end, "part_size": size})
    return out


@impl
def part_get_parttype(ctx: Ctx, device: str) -> str:
    return get_parttype(ctx, device)


@impl
def part_set_bootable(ctx: Ctx, device: str, partnum: int, bootable: bool) -> None:
    check_partnum(partnum)
    parted(ctx, device, "set", str(partnum), "boot", "on" if bootable else "off")
    rescan(ctx, device)


@impl
def part_get_bootable(ctx: Ctx, device: str, partnum: int) -> bool:
    check_partnum(partnum)
    _, lines = print_table(ctx, device, c_style=True)
    f = _row(lines, partnum)
    flags = f[6] if len(f) > 6 else ""
    return "boot" in flags


@impl
def part_set_name(ctx: Ctx, device: str, partnum: int, name: str) -> None:
    check_partnum(partnum)
    try:
        gpt_table(ctx, device, partnum)
    except AgentError as e:
        if e.errno != errno.EINVAL:  # a GPT without that partition, or sfdisk failed
            raise
        parted(ctx, device, "name", str(partnum), name)  # parted's refusal, as libguestfs
        rescan(ctx, device)
        return
    # parted would split a name with spaces into words; sfdisk takes it whole.
    sfdisk_set(ctx, device, "--part-label", device, str(partnum), name)


@impl
def part_get_name(ctx: Ctx, device: str, partnum: int) -> str:
    if get_parttype(ctx, device) != "gpt":
        raise AgentError("part-get-name can only be used on GUID Partition Tables",
                         errno.EINVAL)
    for p in sfdisk_table(ctx, device).get("partitions", []):
        if split_device_partition(str(p.get("node", "")))[1] == partnum:
            return str(p.get("name", ""))
    raise AgentError(f"partition number {partnum} not found", errno.ENOENT)


@impl
def part_get_mbr_id(ctx: Ctx, device: str, partnum: int) -> int:
    return get_mbr_id(ctx, device, partnum)


@impl
def part_set_mbr_id(ctx: Ctx, device: str, partnum: int, idbyte: int) -> None:
    check_partnum(partnum)
    try:
        ctx.run(["sfdisk", "--part-type", device, str(partnum), format(idbyte % (1 << 32), "x")])
    except AgentError as e:
        raise AgentError(f"sfdisk --part-type: {_strip_tool(e.message, 'sfdisk')}",
                         e.errno) from None
    rescan(ctx, device)


@impl
def part_get_mbr_part_type(ctx: Ctx, device: str, partnum: int) -> str:
    check_partnum(partnum)
    parttype = get_parttype(ctx, device)
    mbr_id = part_type_field(ctx, device, partnum)  # the partition must exist
    if parttype != "msdos":
        return "primary"
    if partnum > 4:
        return "logical"
    return "extended" if int(mbr_id, 16) in (0x05, 0x0F) else "primary"


@impl
def part_resize(ctx: Ctx, device: str, partnum: int, endsect: int) -> None:
    check_partnum(partnum)
    try:
        parted(ctx, device, "resizepart", str(partnum), f"{endsect}s")
    except AgentError as e:
        # parted -s refuses to shrink, or to change a partition in use, as it would
        # want to ask first; sfdisk does either without asking.
        if "are you sure you want to continue?" not in e.message.lower():
            raise
        _sfdisk_resize(ctx, device, partnum, endsect)
    rescan(ctx, device)


def _sfdisk_resize(ctx: Ctx, device: str, partnum: int, endsect: int) -> None:
    """Move the end of partition partnum to sector endsect (from the end if negative)."""
    out = ctx.run(["parted", "-m", "-s", "--", device, "unit", "s", "print"])
    lines = [line for line in out.splitlines() if line.strip()]
    total = int(_fields(lines[1])[1].removesuffix("s"))
    start = int(_row(lines[2:], partnum)[1].removesuffix("s"))
    end = total + endsect if endsect < 0 else endsect
    if end < start:
        raise AgentError(f"parted: {device}: Error: Can't have the end before the start!",
                         errno.EINVAL)
    try:
        ctx.run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", "-N", str(partnum), device],
                input=f",{end - start + 1}\n".encode())
    except ToolError as e:
        raise AgentError(f"sfdisk: {device}: {e.text}", e.errno) from None


# -- GPT -------------------------------------------------------------------------------
@impl
def part_get_gpt_type(ctx: Ctx, device: str, partnum: int) -> str:
    fields = sgdisk_info(ctx, device, partnum)
    return info_field(fields, device, "Partition GUID code", HEX_GUID)


@impl
def part_set_gpt_type(ctx: Ctx, device: str, partnum: int, guid: str) -> None:
    check_partnum(partnum)
    bare = check_guid(guid)
    gpt_table(ctx, device, partnum)
    sfdisk_set(ctx, device, "--part-type", device, str(partnum), bare)


@impl
def part_get_gpt_guid(ctx: Ctx, device: str, partnum: int) -> str:
    fields = sgdisk_info(ctx, device, partnum)
    return info_field(fields, device, "Partition unique GUID", HEX_GUID)


@impl
def part_set_gpt_guid(ctx: Ctx, device: str, partnum: int, guid: str) -> None:
    check_partnum(partnum)
    bare = check_guid(guid)
    gpt_table(ctx, device, partnum)
    sfdisk_set(ctx, device, "--part-uuid", device, str(partnum), bare)


@impl
def part_get_gpt_attributes(ctx: Ctx, device: str, partnum: int) -> int:
    fields = sgdisk_info(ctx, device, partnum)
    value = int(info_field(fields, device, "Attribute flags", "0123456789ABCDEFabcdef") or "0", 16)
    return value - INT64 if value >= INT64 // 2 else value  # an int64, as in libguestfs


@impl
def part_set_gpt_attributes(ctx: Ctx, device: str, partnum: int, attributes: int) -> None:
    check_partnum(partnum)
    if not -INT64 // 2 <= attributes < INT64:
        raise AgentError("attributes: out of range for 64 bits", errno.EINVAL)
    gpt_table(ctx, device, partnum)
    bits = attributes % INT64
    names = sfdisk_attributes(bits)
    if names is not None:
        sfdisk_set(ctx, device, "--part-attrs", device, str(partnum), names)
        return
    # sgdisk, as libguestfs, for the bits sfdisk cannot set (it sleeps a second).
    sgdisk(ctx, device, "-A", f"{partnum}:=:{bits:X}")
    settle(device)


def sfdisk_attributes(bits: int) -> str | None:
    """The GPT attribute bits as sfdisk --part-attrs names them; None if it can't (3-47)."""
    names = []
    for bit in range(64):
        if bits >> bit & 1:
            if bit in SFDISK_ATTRIBUTES:
                names.append(SFDISK_ATTRIBUTES[bit])
            elif bit >= 48:
                names.append(f"GUID:{bit}")
            else:
                return None
    return ",".join(names)


@impl
def part_get_disk_guid(ctx: Ctx, device: str) -> str:
    return str(gpt_table(ctx, device).get("id", "")).upper()


@impl
def part_set_disk_guid(ctx: Ctx, device: str, guid: str) -> None:
    bare = check_guid(guid)
    gpt_table(ctx, device)
    sfdisk_set(ctx, device, "--disk-id", device, bare)


@impl
def part_set_disk_guid_random(ctx: Ctx, device: str) -> None:
    gpt_table(ctx, device)
    sfdisk_set(ctx, device, "--disk-id", device, str(uuid.uuid4()).upper())


@impl
def part_expand_gpt(ctx: Ctx, device: str) -> None:
    gpt_table(ctx, device)
    sfdisk_set(ctx, device, "--relocate", "gpt-bak-std", device)


@impl
def part_to_dev(ctx: Ctx, partition: str) -> str:
    dev, part = split_device_partition(partition)
    if part == 0:
        raise AgentError(f"{partition}: device name is not a partition", errno.EINVAL)
    return f"/dev/{dev}"


@impl
def part_to_partnum(ctx: Ctx, partition: str) -> int:
    _, part = split_device_partition(partition)
    if part == 0:
        raise AgentError(f"{partition}: device name is not a partition", errno.EINVAL)
    return part
