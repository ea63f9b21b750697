"""Agent side of partition table operations."""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from typing import Any

from .block import partitions_of, split_device_partition
from .context import Ctx
from .registry import AgentError, impl

PARTTYPES = {
    "aix": "aix", "amiga": "amiga", "bsd": "bsd", "dasd": "dasd", "dvh": "dvh", "gpt": "gpt",
    "mac": "mac", "msdos": "msdos", "pc98": "pc98", "sun": "sun",
    "rdb": "amiga", "efi": "gpt", "mbr": "msdos",
}
PRLOGEX = {"primary": "primary", "logical": "logical", "extended": "extended",
           "p": "primary", "l": "logical", "e": "extended"}
SETTLE_TIMEOUT = 10.0


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
    name = os.path.basename(os.path.realpath(device))
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        missing = [p for p in partitions_of(name) if not _is_blockdev(f"/dev/{p}")]
        if not missing or time.monotonic() > deadline:
            return
        time.sleep(0.02)


# -- reading the table ---------------------------------------------------------
def print_table(ctx: Ctx, device: str) -> tuple[str, list[str]]:
    """(device line, partition lines) of `parted -m unit b print`."""
    try:
        out = ctx.run(["parted", "-m", "-s", "--", device, "unit", "b", "print"])
    except AgentError as e:
        msg = _strip_tool(e.message, "parted")
        eno = errno.EINVAL if "unrecognised disk label" in msg else e.errno
        raise AgentError(f"parted print: {device}: {msg}", eno) from None
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


def get_mbr_id(ctx: Ctx, device: str, partnum: int) -> int:
    check_partnum(partnum)
    out = ctx.run(["sfdisk", "--part-type", device, str(partnum)]).strip()
    try:
        return int(out, 16)
    except ValueError:
        raise AgentError(f"{device}: partition {partnum} has no MBR type byte ({out}): "
                         "only MBR partitions have one", errno.EINVAL) from None


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
    _, lines = print_table(ctx, device)
    f = _row(lines, partnum)
    flags = f[6] if len(f) > 6 else ""
    return "boot" in flags


@impl
def part_set_name(ctx: Ctx, device: str, partnum: int, name: str) -> None:
    check_partnum(partnum)
    if get_parttype(ctx, device) == "gpt":
        # parted would split a name with spaces into words; sfdisk takes it whole.
        _, lines = print_table(ctx, device)
        _row(lines, partnum)
        try:
            ctx.run(["sfdisk", "--part-label", device, str(partnum), name])
        except AgentError as e:
            raise AgentError(f"sfdisk --part-label: {_strip_tool(e.message, 'sfdisk')}",
                             e.errno) from None
    else:
        parted(ctx, device, "name", str(partnum), name)
    rescan(ctx, device)


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
    if get_parttype(ctx, device) != "msdos":
        return "primary"
    mbr_id = get_mbr_id(ctx, device, partnum)
    if partnum > 4:
        return "logical"
    return "extended" if mbr_id in (0x05, 0x0F) else "primary"


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
