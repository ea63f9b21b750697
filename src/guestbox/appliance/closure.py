"""What goes into the appliance: kernel modules, tools and their libraries, python's stdlib.

Each function returns host paths; nothing here writes.  A missing piece raises
MissingPackage naming the Debian package that provides it.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import subprocess
from collections.abc import Iterable

from ..errors import Error

KERNEL_PACKAGE = "linux-image-amd64"

MODULES = [
    "crc32c_generic", "crc32_generic", "xxhash_generic", "blake2b_generic", "sha256_generic",
    "virtio_pci", "virtio_scsi", "virtio_blk", "virtio_console", "virtio_rng", "sd_mod", "sr_mod",
    "ext4", "xfs", "btrfs", "vfat", "nls_cp437", "nls_iso8859_1", "nls_utf8", "exfat", "ntfs3",
    "nls_ascii",  # the Debian kernel's default FAT iocharset: vfat mounts fail without it
    "isofs", "squashfs", "udf", "dm_mod", "dm_crypt", "dm_snapshot", "dm_mirror", "dm_zero",
    "raid0", "raid1", "raid10", "raid456", "linear", "loop", "aes_generic", "xts", "cbc", "ecb",
    "essiv", "algif_skcipher", "af_alg", "fuse", "overlay",
    "ufs",  # the BSDs' filesystems (read-only in Debian's kernel: ufstype=ufs2 or 44bsd)
    "virtio_net",  # set_network: QEMU user networking
]
"""Kernel modules the appliance loads at boot, with their dependencies."""

TOOLS: dict[str, str] = {
    # binary: Debian package
    "mount": "mount", "umount": "mount", "losetup": "mount", "blkid": "util-linux",
    "blockdev": "util-linux", "lsblk": "util-linux", "findmnt": "util-linux",
    "findfs": "util-linux",
    "wipefs": "util-linux", "mkswap": "util-linux", "swapon": "mount", "swapoff": "mount",
    "fstrim": "util-linux", "sfdisk": "fdisk", "partx": "util-linux",
    "parted": "parted", "sgdisk": "gdisk",
    "mke2fs": "e2fsprogs", "e2fsck": "e2fsprogs", "tune2fs": "e2fsprogs",
    "resize2fs": "e2fsprogs", "dumpe2fs": "e2fsprogs", "e2label": "e2fsprogs",
    "lsattr": "e2fsprogs", "chattr": "e2fsprogs",
    "mkfs.xfs": "xfsprogs", "xfs_repair": "xfsprogs", "xfs_admin": "xfsprogs",
    "xfs_db": "xfsprogs", "xfs_growfs": "xfsprogs", "xfs_info": "xfsprogs", "xfs_io": "xfsprogs",
    "mkfs.btrfs": "btrfs-progs", "btrfs": "btrfs-progs", "btrfstune": "btrfs-progs",
    "mkfs.fat": "dosfstools", "fsck.fat": "dosfstools", "fatlabel": "dosfstools",
    "mkfs.exfat": "exfatprogs", "fsck.exfat": "exfatprogs", "tune.exfat": "exfatprogs",
    "exfatlabel": "exfatprogs",
    "mkntfs": "ntfs-3g", "ntfs-3g": "ntfs-3g", "ntfslabel": "ntfs-3g", "ntfsresize": "ntfs-3g",
    "ntfsfix": "ntfs-3g", "ntfs-3g.probe": "ntfs-3g", "ntfsclone": "ntfs-3g",
    "lvm": "lvm2", "cryptsetup": "cryptsetup-bin", "mdadm": "mdadm",
    "tar": "tar", "gzip": "gzip", "xz": "xz-utils", "zstd": "zstd", "file": "file",
    "cp": "coreutils", "mv": "coreutils", "rm": "coreutils", "ln": "coreutils",
    "ls": "coreutils", "du": "coreutils", "dd": "coreutils", "sync": "coreutils",
    "cat": "coreutils", "stat": "coreutils", "sha256sum": "coreutils", "md5sum": "coreutils",
    "sha1sum": "coreutils", "sha224sum": "coreutils", "sha384sum": "coreutils",
    "sha512sum": "coreutils", "cksum": "coreutils", "b2sum": "coreutils", "touch": "coreutils",
    "chmod": "coreutils", "mkdir": "coreutils", "head": "coreutils", "tail": "coreutils",
    "realpath": "coreutils", "sort": "coreutils", "env": "coreutils", "base64": "coreutils",
    "grep": "grep", "sed": "sed", "sh": "dash", "getfattr": "attr?", "setfattr": "attr?",
    "zcat": "gzip", "xzcat": "xz-utils", "zstdcat": "zstd", "kmod": "kmod",
    # fs family: df, fsck and its per-type helpers, swap labels
    "df": "coreutils", "fsck": "util-linux", "swaplabel": "util-linux",
    "fsck.ext2": "e2fsprogs", "fsck.ext3": "e2fsprogs", "fsck.ext4": "e2fsprogs",
    "fsck.xfs": "xfsprogs", "fsck.btrfs": "btrfs-progs", "fsck.vfat": "dosfstools",
    "fsck.msdos": "dosfstools", "mkfs.minix": "util-linux?", "fsck.minix": "util-linux?",
    # NTFS mounts go through ntfs-3g (FUSE): this Debian kernel has no ntfs3 module
    "mount.ntfs": "ntfs-3g", "mount.ntfs-3g": "ntfs-3g",
    # streams: tar_in/tar_out compress="bzip2" / "lzop" (tar runs the program)
    "bzip2": "bzip2?", "lzop": "lzop?",

    # luks, md

    # btrfs
    "btrfs-image": "btrfs-progs",

    # fs tools (ext, xfs, ntfs, swap, fsck)
    "zerofree": "zerofree",
    "xfs_spaceman": "xfsprogs",  # xfs_info (a shell script) runs it on mounted filesystems
    "expr": "coreutils",  # xfs_admin (a shell script) runs it for lazycounter

    # augeas

    # copies

    # Windows inspection: the registry hives, read with hivex's shell
    "hivexsh": "libhivex-bin",
    # inspection: rpm reads rpm databases (inspect_list_applications2)
    "rpm": "rpm",

    # customize: scrub_file, selinux_relabel; the rescue shell and the usual small tools
    "scrub": "scrub?", "setfiles": "policycoreutils?", "bash": "bash",
    "cut": "coreutils", "wc": "coreutils", "tr": "coreutils", "id": "coreutils",
    "uname": "coreutils", "tee": "coreutils", "uniq": "coreutils", "sleep": "coreutils",
    "dirname": "coreutils", "basename": "coreutils", "od": "coreutils", "chroot": "coreutils",
    "mknod": "coreutils", "stty": "coreutils", "cmp": "diffutils", "diff": "diffutils",
    "find": "findutils", "xargs": "findutils", "dmesg": "util-linux", "fdisk": "fdisk",
    "less": "less?", "mawk": "mawk?", "ps": "procps?", "free": "procps?",
    # set_network: the interface configured at boot
    "ip": "iproute2",
}
"""Tools copied into the appliance; a package ending in '?' is optional."""

LIBRARIES: dict[str, str] = {
    # library the agent loads with ctypes (soname): Debian package; copied with its dependencies
    # augeas
    "libaugeas.so.0": "libaugeas0",
    # journal_* (sd-journal) and hivex_* (the registry hives)
    "libsystemd.so.0": "libsystemd0", "libhivex.so.0": "libhivex0",
}
"""Shared libraries the agent loads itself (ctypes), not through a tool."""

DATA_DIRS: dict[str, str] = {
    # directory whose files (not subdirectories) are copied: Debian package
    # augeas: the lens modules (0.7 MB; their tests/ are left out), read by aug_init
    "/usr/share/augeas/lenses/dist": "augeas-lenses",
    # inspection: rpm's rpmrc and macros (0.3 MB with the build scripts beside them)
    "/usr/lib/rpm": "rpm-common",
}
"""Data directories the appliance's tools or libraries read."""

DATALESS_LIBRARIES = ("libicudata.so.*",)
"""Libraries whose bulk is one data object the appliance never reads, copied without it
(appliance/elf.py).  ICU's 31 MB of locale data comes in only because libaugeas links
libxml2, which links ICU; the agent never converts text with them."""

LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"]

EXTRA_FILES = [
    "/usr/lib/file/magic.mgc", "/usr/share/misc/magic.mgc", "/etc/magic", "/etc/mke2fs.conf",
    # Windows inspection: hivex recodes names (LATIN1) and strings (UTF-16LE) with iconv,
    # whose gconv modules glibc finds through gconv-modules
    "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules",
    "/usr/lib/x86_64-linux-gnu/gconv/ISO8859-1.so", "/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so",
    # the rescue shell's terminals (readline needs their descriptions)
    "/lib/terminfo/d/dumb", "/lib/terminfo/l/linux", "/lib/terminfo/v/vt100",
    "/lib/terminfo/x/xterm", "/lib/terminfo/x/xterm-256color", "/lib/terminfo/s/screen",
]
PATH_DIRS = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]


class MissingPackage(Error):
    """Something the appliance needs is not installed on the host."""

    def __init__(self, what: str, package: str) -> None:
        super().__init__(
            f"appliance: {what} is missing on this host; install the Debian package "
            f"'{package}' (apt-get install {package})"
        )
        self.package = package


def kernel() -> tuple[str, str]:
    """(vmlinuz path, modules directory) of the newest installed Debian kernel."""
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=_version_key)
    for vmlinuz in reversed(kernels):
        ver = vmlinuz.split("vmlinuz-", 1)[1]
        moddir = f"/lib/modules/{ver}"
        if os.path.exists(f"{moddir}/modules.dep") and os.access(vmlinuz, os.R_OK):
            return vmlinuz, moddir
    raise MissingPackage("a Linux kernel in /boot with its modules", KERNEL_PACKAGE)


def _version_key(path: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", path)]


def _modname(path: str) -> str:
    return os.path.basename(path).split(".ko")[0].replace("-", "_")


def modules(moddir: str, wanted: Iterable[str] = MODULES) -> list[str]:
    """Module files (relative to moddir) for `wanted` and their dependencies, load order first."""
    deps: dict[str, list[str]] = {}
    by_name: dict[str, str] = {}
    with open(f"{moddir}/modules.dep") as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
            by_name[_modname(mod)] = mod
    aliases: dict[str, str] = {}
    if os.path.exists(f"{moddir}/modules.alias"):
        with open(f"{moddir}/modules.alias") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "alias" and "*" not in parts[1]:
                    aliases.setdefault(parts[1].replace("-", "_"), parts[2].replace("-", "_"))
    softdeps: dict[str, list[str]] = {}
    if os.path.exists(f"{moddir}/modules.softdep"):
        with open(f"{moddir}/modules.softdep") as f:
            for line in f:
                parts = line.split()
                if len(parts) > 2 and parts[0] == "softdep":
                    softdeps.setdefault(parts[1].replace("-", "_"), []).extend(
                        p.replace("-", "_") for p in parts[2:] if not p.endswith(":")
                    )
    order: list[str] = []

    def visit(mod: str) -> None:
        if mod in order:
            return
        for pre in softdeps.get(_modname(mod), []):
            pre = pre if pre in by_name else aliases.get(pre, pre)
            if pre in by_name:
                visit(by_name[pre])
        for d in reversed(deps.get(mod, [])):
            visit(d)
        order.append(mod)

    for name in wanted:
        found = by_name.get(name.replace("-", "_"))
        if found is not None:  # not a module: built into the kernel, or not in this kernel
            visit(found)
    return order


def which(tool: str) -> str | None:
    for d in PATH_DIRS:
        p = os.path.join(d, tool)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def tools(table: dict[str, str] = TOOLS) -> list[str]:
    """Host paths of the tools; MissingPackage for the first required one not installed."""
    out = []
    for tool, package in table.items():
        path = which(tool)
        if path is None:
            if package.endswith("?"):
                continue
            raise MissingPackage(f"the tool {tool}", package)
        out.append(path)
    return out


def libraries(table: dict[str, str] = LIBRARIES) -> list[str]:
    """Host paths of the libraries the agent loads; MissingPackage for the first one missing."""
    out = []
    for soname, package in table.items():
        found = [p for d in LIBRARY_DIRS if os.path.exists(p := os.path.join(d, soname))]
        if not found:
            raise MissingPackage(f"the library {soname}", package)
        out.append(found[0])
    return out


def data_files(table: dict[str, str] = DATA_DIRS) -> list[str]:
    """Host paths of the regular files in the data directories (not in their subdirectories)."""
    out: list[str] = []
    for top, package in table.items():
        if not os.path.isdir(top):
            raise MissingPackage(f"the directory {top}", package)
        out.extend(p for n in sorted(os.listdir(top)) if os.path.isfile(p := os.path.join(top, n)))
    return out


def dataless(path: str) -> bool:
    """Whether the library path is one copied without its data (DATALESS_LIBRARIES)."""
    name = os.path.basename(os.path.realpath(path))
    return any(fnmatch.fnmatch(name, pat) for pat in DATALESS_LIBRARIES)


def shared_libraries(binaries: Iterable[str]) -> set[str]:
    """Every shared library the binaries load (ldd), the dynamic loader included."""
    libs: set[str] = set()
    for chunk in _chunks(sorted(set(binaries)), 40):
        p = subprocess.run(["ldd", *chunk], capture_output=True, text=True)
        for line in p.stdout.splitlines():
            m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
            if m:
                libs.add(m.group(1))
    return libs


def _chunks(items: list[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


PYTHON = "/usr/bin/python3"
PYTHON_PACKAGE = "python3-minimal"

_PROBE = r"""
import sys, os
sys.path.insert(0, sys.argv[1])
import guestbox.agent.init, guestbox.agent.server
import encodings.utf_8, encodings.latin_1, encodings.ascii, encodings.idna
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f and not f.startswith(sys.argv[1]):
        print(os.path.realpath(f))
"""


def python_files(agent_root: str) -> tuple[str, list[str]]:
    """(interpreter, stdlib files) needed to run the agent, found by importing it."""
    if not os.path.exists(PYTHON):
        raise MissingPackage("Debian's python3 (/usr/bin/python3)", PYTHON_PACKAGE)
    interp = os.path.realpath(PYTHON)
    p = subprocess.run(
        [PYTHON, "-I", "-S", "-c", _PROBE, agent_root], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )
    if p.returncode != 0:
        raise Error(f"appliance: the agent does not import under {PYTHON}:\n{p.stderr}")
    files = sorted(set(p.stdout.split()))
    return interp, files
