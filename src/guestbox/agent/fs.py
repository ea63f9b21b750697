"""Agent side of filesystem operations: mkfs, mount, umount, df, fsck, labels, UUIDs."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import subprocess
import uuid as uuidlib
from collections.abc import Sequence

from .btrfs_scan import has_btrfs_magic, scan_devices
from .context import TOOL_ENV, Ctx
from .dispatch import split_btrfsvol
from .paths import SYSROOT, resolve, to_guest
from .registry import AgentError, impl

EXT2_LABEL_MAX = 16
XFS_LABEL_MAX = 12
SWAP_LABEL_MAX = 16
EXTFS = ("ext2", "ext3", "ext4")
FATFS = ("fat", "vfat", "msdos")


# -- helpers ----------------------------------------------------------------
def tool(args: Sequence[str], *, input: bytes | None = None) -> tuple[int, str, str]:
    """Run a tool: (exit status, stdout, stderr); AgentError if it is not in the appliance."""
    try:
        p = subprocess.run(list(args), input=input, capture_output=True, env=dict(TOOL_ENV),
                           stdin=None if input is not None else subprocess.DEVNULL)
    except FileNotFoundError:
        raise AgentError(f"{args[0]}: tool not found in the appliance", errno.ENOENT) from None
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def guest_text(text: str) -> str:
    """A tool's message with appliance paths under the sysroot shown as guest paths."""
    text = text.strip()
    text = re.sub(re.escape(SYSROOT) + r"(?=/)", "", text)
    return re.sub(re.escape(SYSROOT) + r"(?![\w/.-])", "/", text)


def check_tool(args: Sequence[str], *, input: bytes | None = None) -> str:
    """Run a tool; its stdout, or AgentError quoting its (guest-path) error text."""
    rc, out, err = tool(args, input=input)
    if rc != 0:
        raise AgentError(guest_text(err or out) or f"{args[0]} exited with status {rc}")
    return out


def have_tool(name: str) -> bool:
    return shutil.which(name, path=TOOL_ENV["PATH"]) is not None


def _unescape(field: str) -> str:
    """A /proc/mounts field without its octal escapes (\\040 for a space ...)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def sysroot_mounts() -> list[tuple[str, str, str]]:
    """(device, appliance mountpoint, fstype) of mounts at or under the sysroot, in mount order."""
    out = []
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            dev, mp = _unescape(parts[0]), _unescape(parts[1])
            if mp == SYSROOT or mp.startswith(SYSROOT + "/"):
                out.append((dev, mp, parts[2]))
    return out


def is_root_mounted() -> bool:
    """True if something is mounted on or under the sysroot (libguestfs's test)."""
    return bool(sysroot_mounts())


def lv_canonical(dev: str) -> str:
    """/dev/VG/LV for a device-mapper device that is an LVM logical volume, else dev."""
    if not (dev.startswith("/dev/mapper/") or dev.startswith("/dev/dm-")):
        return dev
    try:
        st = os.stat(dev)
        sysdir = f"/sys/dev/block/{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}/dm"
        with open(f"{sysdir}/uuid") as f:
            dm_uuid = f.read().strip()
        with open(f"{sysdir}/name") as f:
            name = f.read().strip()
    except OSError:
        return dev
    if not dm_uuid.startswith("LVM-"):
        return dev
    m = re.fullmatch(r"((?:[^-]|--)+)-((?:[^-]|--)+)", name)
    if m is None:
        return dev
    return f"/dev/{m.group(1).replace('--', '-')}/{m.group(2).replace('--', '-')}"


def blkid_tag(device: str, tag: str) -> str:
    """A blkid tag of device (TYPE, LABEL, UUID); "" if it has none."""
    rc, out, err = tool(["blkid", "-c", "/dev/null", "-o", "value", "-s", tag, device])
    if rc == 2:  # nothing found
        return ""
    if rc != 0:
        raise AgentError(f"blkid: {device}: {err.strip() or f'exit status {rc}'}")
    return out.strip()


def vfs_type(device: str) -> str:
    fstype = blkid_tag(device, "TYPE")
    if not fstype:
        raise AgentError(f"{device}: no filesystem found (blkid returned no TYPE)", errno.EINVAL)
    return fstype


def split_mountable(mountable: str) -> tuple[str, str | None]:
    """(device, btrfs subvolume or None) of a Mountable (a device, or btrfsvol:DEVICE/SUBVOL)."""
    if not mountable.startswith("btrfsvol:"):
        return mountable, None
    return split_btrfsvol(mountable)


def wipe_before_mkfs(device: str) -> None:
    """Erase old signatures so that tools and blkid see only the new filesystem."""
    try:
        tool(["wipefs", "-a", "-q", device])
    except AgentError:
        pass


def is_power_of_2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


# -- making -------------------------------------------------------------------
@impl
def mkfs(ctx: Ctx, fstype: str, device: str, blocksize: int | None = None,
         features: str | None = None, inode: int | None = None,
         sectorsize: int | None = None, label: str | None = None) -> None:
    extfs = fstype in EXTFS
    if extfs:
        argv = ["mke2fs", "-t", fstype, "-F"]
    elif fstype in FATFS:
        argv = ["mkfs.fat", "-I"]  # -I: a whole disk is fine (RHBZ#1039995)
        if _fat_has_mbr_option():
            argv.append("--mbr=n")  # no bogus partition table (RHBZ#1931821)
    elif fstype == "ntfs":
        argv = ["mkntfs", "-Q", "-F"]  # -Q: no zeroing, no bad block scan
    elif fstype == "xfs":
        argv = ["mkfs.xfs", "-f"]
    elif fstype == "btrfs":
        argv = ["mkfs.btrfs", "-f"]
    else:
        if not re.fullmatch(r"[A-Za-z0-9_.+-]+", fstype) or not have_tool(f"mkfs.{fstype}"):
            raise AgentError(f"{fstype}: {device}: unsupported filesystem type "
                             f"(no mkfs.{fstype} in the appliance)", errno.EINVAL)
        argv = [f"mkfs.{fstype}"]

    if blocksize is not None:
        if not is_power_of_2(blocksize):
            raise AgentError("block size must be > 0 and a power of 2", errno.EINVAL)
        if fstype in ("vfat", "msdos"):
            ss = _sector_size(device)
            spc = blocksize // ss
            if spc < 1 or spc > 128:
                raise AgentError(
                    f"unsupported cluster size for {fstype} filesystem (requested cluster "
                    f"size = {blocksize}, sector size = {ss}, trying sectors per cluster = {spc})",
                    errno.EINVAL)
            argv += ["-s", str(spc)]
        elif fstype == "ntfs":
            argv += ["-c", str(blocksize)]
        elif fstype == "btrfs":
            raise AgentError("blocksize cannot be set on btrfs filesystems, use 'mkfs-btrfs'",
                             errno.EINVAL)
        elif fstype == "xfs":
            argv += ["-b", f"size={blocksize}"]
        elif fstype == "exfat":
            argv += ["-c", str(blocksize)]
        else:
            argv += ["-b", str(blocksize)]

    if features is not None:
        argv += ["-O", features]

    if inode is not None:
        if not extfs:
            raise AgentError("inode size (-I) can only be set on ext2/3/4 filesystems",
                             errno.EINVAL)
        if inode <= 0:
            raise AgentError("inode size must be larger than zero", errno.EINVAL)
        argv += ["-I", str(inode)]

    if sectorsize is not None:
        if fstype != "ufs":
            raise AgentError("sector size (-S) can only be set on ufs filesystems", errno.EINVAL)
        if sectorsize <= 0:
            raise AgentError("sector size must be larger than zero", errno.EINVAL)
        argv += ["-S", str(sectorsize)]

    if label is not None:
        if extfs:
            if len(label.encode()) > EXT2_LABEL_MAX:
                raise AgentError(f"{label}: ext2/3/4 labels are limited to {EXT2_LABEL_MAX} bytes",
                                 errno.EINVAL)
            argv += ["-L", label]
        elif fstype in FATFS:
            argv += ["-n", label]
        elif fstype == "xfs":
            if len(label.encode()) > XFS_LABEL_MAX:
                raise AgentError(f"{label}: xfs labels are limited to {XFS_LABEL_MAX} bytes",
                                 errno.EINVAL)
            argv += ["-L", label]
        elif fstype in ("ntfs", "btrfs", "exfat"):
            argv += ["-L", label]
        elif fstype == "f2fs":
            argv += ["-l", label]
        else:
            raise AgentError(f"don't know how to set the label for '{fstype}' filesystems",
                             errno.ENOTSUP)

    argv.append(device)
    wipe_before_mkfs(device)
    rc, out, err = tool(argv)
    if rc != 0:
        raise AgentError(f"{fstype}: {device}: {guest_text(err or out)}")
    _settle()


_FAT_MBR: list[bool] = []


def _fat_has_mbr_option() -> bool:
    """Whether this mkfs.fat knows --mbr (dosfstools >= 4.2)."""
    if not _FAT_MBR:
        rc, out, err = tool(["mkfs.fat"])
        _FAT_MBR.append("--mbr[=" in out + err)
    return _FAT_MBR[0]


def _sector_size(device: str) -> int:
    return int(check_tool(["blockdev", "--getss", device]).strip())


def _settle() -> None:
    """Let the kernel see a new signature (blkid reads the device directly, this is cheap)."""
    os.sync()


@impl
def mkswap(ctx: Ctx, device: str, label: str | None = None, uuid: str | None = None) -> None:
    argv = ["mkswap", "-f"]
    if label is not None:
        if len(label.encode()) > SWAP_LABEL_MAX:
            raise AgentError(f"{label}: Linux swap labels are limited to {SWAP_LABEL_MAX} bytes",
                             errno.EINVAL)
        argv += ["-L", label]
    if uuid is not None:
        argv += ["-U", uuid]
    argv.append(device)
    wipe_before_mkfs(device)
    rc, out, err = tool(argv)
    if rc != 0:
        raise AgentError(f"{device}: {guest_text(err or out)}")
    _settle()


# -- mounting -----------------------------------------------------------------
def mount_target(mountpoint: str) -> str:
    """The appliance directory for a guest mountpoint: it must exist and be a directory."""
    if not mountpoint.startswith("/"):
        raise AgentError(f"{mountpoint}: path must start with a / character", errno.EINVAL)
    target = SYSROOT if mountpoint == "/" else resolve(mountpoint)
    try:
        st = os.stat(target)
    except OSError as e:
        raise AgentError(f"mount: {mountpoint}: {e.strerror}", e.errno) from None
    if not stat.S_ISDIR(st.st_mode):
        raise AgentError(f"mount: {mountpoint}: mount point is not a directory", errno.ENOTDIR)
    return target


def _kernel_has(fstype: str) -> bool:
    try:
        with open("/proc/filesystems") as f:
            return any(line.split()[-1] == fstype for line in f if line.strip())
    except OSError:
        return False


def _vfstype_for(device: str, vfstype: str | None) -> str | None:
    """The -t to pass: NTFS goes to the kernel's ntfs3 driver when there is no mount.ntfs."""
    if have_tool("mount.ntfs"):
        return vfstype
    if vfstype is None:
        try:
            detected = blkid_tag(device, "TYPE")
        except AgentError:
            return None
        if detected == "ntfs" and _kernel_has("ntfs3"):
            return "ntfs3"
        return None
    if vfstype == "ntfs" and not _kernel_has("ntfs") and _kernel_has("ntfs3"):
        return "ntfs3"
    return vfstype


UFS_TYPES = ("ufs2", "44bsd")
"""The ufstype= tried for a UFS mounted without one, in libguestfs's inspection order:
FreeBSD's UFS2, then the 4.4BSD UFS1 of NetBSD and OpenBSD.  Linux's default ("old")
reads neither."""


def ufs_options(options: str) -> list[str]:
    """options with each of UFS_TYPES added ([] if options already names a ufstype)."""
    if "ufstype=" in options:
        return []
    return [f"{options},ufstype={t}" if options else f"ufstype={t}" for t in UFS_TYPES]


def _is_ufs(device: str, vfs: str | None) -> bool:
    if vfs is not None:
        return vfs == "ufs"
    try:
        return blkid_tag(device, "TYPE") == "ufs"
    except AgentError:
        return False


def do_mount(options: str, vfstype: str | None, mountable: str, mountpoint: str) -> None:
    """mount -o options [-t vfstype] device target, with libguestfs's error shape.

    A UFS mounted without ufstype= is tried with each of UFS_TYPES first (libguestfs
    leaves the user to name one with mount_vfs), then as asked, whose error is told."""
    target = mount_target(mountpoint)
    device, volume = split_mountable(mountable)
    opts = options
    if volume is not None:
        opts = f"subvol={volume},{options}" if options else f"subvol={volume}"
    vfs = _vfstype_for(device, vfstype)
    argv = ["mount", "-o", opts]
    if vfs:
        argv += ["-t", vfs]
    argv += [device, target]
    if _is_ufs(device, vfs):  # before Linux's default ufstype, which mounts UFS1 but misreads it
        for ufs in ufs_options(opts):
            if tool(["mount", "-o", ufs, "-t", "ufs", device, target])[0] == 0:
                return
    rc, out, err = tool(argv)
    if rc != 0 and has_btrfs_magic(device):
        # a btrfs whose other devices appeared after launch (in LUKS, an LV, an md array)
        scan_devices()
        rc, out, err = tool(argv)
    if rc != 0:
        message = guest_text((err or out).replace(target, mountpoint))
        raise AgentError(f"{device} on {mountpoint} (options: '{options}'): {message}")


@impl
def mount(ctx: Ctx, mountable: str, mountpoint: str) -> None:
    do_mount("", None, mountable, mountpoint)


@impl
def mount_ro(ctx: Ctx, mountable: str, mountpoint: str) -> None:
    do_mount("ro", None, mountable, mountpoint)


@impl
def mount_options(ctx: Ctx, options: str, mountable: str, mountpoint: str) -> None:
    do_mount(options, None, mountable, mountpoint)


@impl
def mount_vfs(ctx: Ctx, options: str, vfstype: str, mountable: str, mountpoint: str) -> None:
    do_mount(options, vfstype, mountable, mountpoint)


@impl
def umount(ctx: Ctx, pathordevice: str, force: bool | None = None,
           lazyunmount: bool | None = None) -> None:
    argv = ["umount"]
    if force:
        argv.append("-f")
    if lazyunmount:
        argv.append("-l")
    argv.append(pathordevice)
    rc, out, err = tool(argv)
    if rc != 0:
        raise AgentError(f"{to_guest(pathordevice)}: {guest_text(err or out)}")


def umount_all_sysroot() -> None:
    """Unmount everything at or under the sysroot, deepest first; AgentError on a failure."""
    os.sync()
    targets = [mp for _, mp, _ in sysroot_mounts()]
    # Longest first, so that children go before their parents; a path mounted twice
    # appears twice and is unmounted twice.
    for mp in sorted(targets, key=len, reverse=True):
        rc, out, err = tool(["umount", mp])
        if rc != 0:
            raise AgentError(f"umount: {to_guest(mp)}: {guest_text(err or out)}")


@impl
def umount_all(ctx: Ctx) -> None:
    umount_all_sysroot()


@impl
def mounts(ctx: Ctx) -> list[str]:
    return [lv_canonical(dev) for dev, _, _ in sysroot_mounts()]


@impl
def mountpoints(ctx: Ctx) -> dict[str, str]:
    return {lv_canonical(dev): to_guest(mp) for dev, mp, _ in sysroot_mounts()}


def _exempt_path(path: str) -> str:
    if not path.startswith("/"):
        raise AgentError(f"{path}: path must start with a / character", errno.EINVAL)
    return resolve(path)


@impl
def mkmountpoint(ctx: Ctx, exemptpath: str) -> None:
    target = _exempt_path(exemptpath)
    try:
        os.mkdir(target, 0o777)
    except OSError as e:
        raise AgentError(f"{exemptpath}: {e.strerror}", e.errno) from None


@impl
def rmmountpoint(ctx: Ctx, exemptpath: str) -> None:
    target = _exempt_path(exemptpath)
    try:
        os.rmdir(target)
    except OSError as e:
        raise AgentError(f"{exemptpath}: {e.strerror}", e.errno) from None


@impl
def sync(ctx: Ctx) -> None:
    os.sync()
    # Flush the disks' write caches too (fsync of a block device sends a flush).
    for name in sorted(os.listdir("/sys/block")):
        if not re.fullmatch(r"sd[a-z]+", name):
            continue
        try:
            fd = os.open(f"/dev/{name}", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


# -- space ---------------------------------------------------------------------
def need_root_or_below() -> list[str]:
    targets = [mp for _, mp, _ in sysroot_mounts()]
    if not targets:
        raise AgentError("you must call 'mount' first to mount the root filesystem")
    return targets


def run_df(extra: list[str]) -> str:
    targets = need_root_or_below()
    seen: list[str] = []
    for t in targets:  # a mountpoint mounted over is listed once
        if t not in seen:
            seen.append(t)
    out = check_tool(["df", *extra, *seen])
    lines = out.splitlines()
    result = lines[:1]
    for line in lines[1:]:
        for t in sorted(seen, key=len, reverse=True):
            if line.endswith(" " + t):
                line = line[: len(line) - len(t)] + to_guest(t)
                break
        result.append(line)
    return "\n".join(result) + "\n"


@impl
def df(ctx: Ctx) -> str:
    return run_df([])


@impl
def df_h(ctx: Ctx) -> str:
    return run_df(["-h"])


@impl
def statvfs(ctx: Ctx, path: str) -> dict[str, int]:
    s = os.statvfs(path)
    return {
        "bsize": s.f_bsize, "frsize": s.f_frsize, "blocks": s.f_blocks, "bfree": s.f_bfree,
        "bavail": s.f_bavail, "files": s.f_files, "ffree": s.f_ffree, "favail": s.f_favail,
        "fsid": s.f_fsid, "flag": s.f_flag, "namemax": s.f_namemax,
    }


# -- checking ------------------------------------------------------------------
@impl
def e2fsck(ctx: Ctx, device: str, correct: bool | None = None,
           forceall: bool | None = None) -> None:
    if correct and forceall:
        raise AgentError("only one of the options 'correct', 'forceall' may be specified",
                         errno.EINVAL)
    argv = ["e2fsck", "-f"]
    if correct:
        argv.append("-p")
    if forceall:
        argv.append("-y")
    argv.append(device)
    rc, out, err = tool(argv)
    # 0: no errors; 1: errors corrected; 2 and more: reboot wanted, or not corrected.
    if rc not in (0, 1):
        text = guest_text(out + err)
        raise AgentError(text or f"{device}: e2fsck exited with status {rc}")


@impl
def e2fsck_f(ctx: Ctx, device: str) -> None:
    e2fsck(ctx, device, correct=True)


@impl
def fsck(ctx: Ctx, fstype: str, device: str) -> int:
    rc, out, err = tool(["fsck", "-a", "-t", fstype, device])
    if rc < 0:
        raise AgentError(f"{device}: fsck killed by signal {-rc}: {err.strip()}")
    return rc


# -- labels and UUIDs ------------------------------------------------------------
@impl
def set_label(ctx: Ctx, mountable: str, label: str) -> None:
    device, _ = split_mountable(mountable)
    fstype = vfs_type(device)
    if fstype in EXTFS:
        if len(label.encode()) > EXT2_LABEL_MAX:
            raise AgentError(f"{label}: ext2/3/4 labels are limited to {EXT2_LABEL_MAX} bytes",
                             errno.EINVAL)
        check_tool(["e2label", device, label])
    elif fstype in FATFS:
        check_tool(["fatlabel", device, label])
    elif fstype == "ntfs":
        check_tool(["ntfslabel", device, label])
    elif fstype == "xfs":
        if label == "---":
            raise AgentError("xfs: invalid new label", errno.EINVAL)
        if len(label.encode()) > XFS_LABEL_MAX:
            raise AgentError(f"{label}: xfs labels are limited to {XFS_LABEL_MAX} bytes",
                             errno.EINVAL)
        check_tool(["xfs_admin", "-L", label, device])
    elif fstype == "btrfs":
        check_tool(["btrfs", "filesystem", "label", device, label])
    elif fstype == "exfat":
        check_tool(["exfatlabel", device, label])
    elif fstype == "swap":
        if len(label.encode()) > SWAP_LABEL_MAX:
            raise AgentError(f"{label}: Linux swap labels are limited to {SWAP_LABEL_MAX} bytes",
                             errno.EINVAL)
        check_tool(["swaplabel", "-L", label, device])
    else:
        raise AgentError(f"don't know how to set the label for '{fstype}' filesystems",
                         errno.ENOTSUP)
    _settle()


def _uuid_setter(fstype: str, device: str, new: str | None) -> list[str]:
    """The command that sets device's UUID to new (a random one if None)."""
    if fstype in EXTFS:
        return ["tune2fs", "-U", new or "random", device]
    if fstype == "xfs":
        return ["xfs_admin", "-U", new or "generate", device]
    if fstype == "swap":
        return ["swaplabel", "-U", new or str(uuidlib.uuid4()), device]
    if fstype == "btrfs":
        return ["btrfstune", "-f", "-U", new, device] if new else ["btrfstune", "-f", "-u", device]
    what = "UUID" if new else "random UUID"
    raise AgentError(f"don't know how to set the {what} for '{fstype}' filesystems",
                     errno.ENOTSUP)


def _set_uuid(fstype: str, device: str, new: str | None) -> None:
    argv = _uuid_setter(fstype, device, new)
    rc, out, err = tool(argv)
    if rc != 0 and fstype in EXTFS and "freshly checked" in out + err:
        # With metadata_csum (and no csum_seed) tune2fs rewrites every checksum and
        # wants a filesystem checked since it was last mounted: check it (safe
        # repairs only), then try again.
        rc, out, err = tool(["e2fsck", "-f", "-p", device])
        if rc not in (0, 1):
            raise AgentError(guest_text(out + err) or f"e2fsck exited with status {rc}")
        rc, out, err = tool(argv)
    if rc != 0:
        raise AgentError(guest_text(err or out) or f"{argv[0]} exited with status {rc}")
    _settle()


@impl
def set_uuid(ctx: Ctx, device: str, uuid: str) -> None:
    fstype = vfs_type(device)
    if fstype in EXTFS and uuid in ("clear", "random", "time"):
        raise AgentError("e2: invalid new UUID", errno.EINVAL)
    if fstype == "xfs" and uuid in ("nil", "generate"):
        raise AgentError("xfs: invalid new UUID", errno.EINVAL)
    _set_uuid(fstype, device, uuid)


@impl
def set_uuid_random(ctx: Ctx, device: str) -> None:
    _set_uuid(vfs_type(device), device, None)
