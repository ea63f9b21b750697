"""`guestbox make-fs`: a disk image holding a filesystem made from a directory or a tarball,
as virt-make-fs (1.48)."""

from __future__ import annotations

import argparse
import sys

from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from ..shell.progress import ProgressBar, _terminal
from ..toolopts import FAILURES, ToolError, try_help
from . import bars, outputs, tar_input
from .registry import Tool, register
from .sizes import SizeError, parse_xstrtoull
from .version import add_version, print_version

PROG = "virt-make-fs"
COMMAND = "guestbox make-fs"
MiB = 1024 * 1024
MBR_IDS = {"msdos": 0x01, "vfat": 0x0B, "fat": 0x0B, "ntfs": 0x07, "minix": 0x81}

DOC = """\
Usage:

    guestbox make-fs [--options] INPUT OUTPUT

INPUT is a directory or a tar archive (plain, or compressed with gzip, bzip2,
xz, zstd or compress); OUTPUT, the disk image made, holds a filesystem (-t,
default ext2) with INPUT's content, optionally in a partition (--partition).
Its size is virt-make-fs's estimate: INPUT's size (a directory's apparent size,
a tarball's uncompressed size), plus 256 KiB, plus 4 MiB for ext3/ext4's
journal, 4 MiB for NTFS, 16 MiB for XFS, 256 MiB for btrfs, plus 10%; --size=N
sets it (100M, 1G, 10MB ...), --size=+N adds N to the estimate.  Nothing is
printed on success; a failure leaves no OUTPUT behind.  Texts and exit
statuses are virt-make-fs's.

Differences: the compression is found from the file's content, not from
`file`'s description (so that xz tarballs work, which virt-make-fs 1.48
refuses); a raw OUTPUT's size is rounded up to a whole 512-byte sector; an
OUTPUT that existed is left alone when INPUT is refused (virt-make-fs deletes
it).
"""


def options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--blocksize", type=int, choices=(512, 4096),
                   help="the sector size of the output disk")
    p.add_argument("--floppy", action="store_true",
                   help="make a virtual floppy disk (1440K, MBR, vfat)")
    p.add_argument("-F", "--format", default="raw", metavar="raw|qcow2",
                   help="the output's format (default raw)")
    p.add_argument("--label", help="the filesystem's label")
    p.add_argument("--partition", nargs="?", const="mbr", metavar="mbr|gpt",
                   help="put the filesystem in a partition (default mbr)")
    p.add_argument("-s", "--size", metavar="N|+N", help="the output's size, or what to add "
                   "to the estimate")
    p.add_argument("-t", "--type", default="ext2", metavar="FS",
                   help="the filesystem's type (ext4, xfs, vfat, ntfs, btrfs ...; default ext2)")
    p.add_argument("-v", "--verbose", "--debug", action="store_true", help="verbose messages")
    p.add_argument("-x", dest="trace", action="store_true",
                   help="trace each library call on stderr")
    add_version(p)
    p.add_argument("paths", nargs="*", metavar="INPUT OUTPUT", help=argparse.SUPPRESS)


def run(ns: argparse.Namespace) -> int:
    if ns.version:
        return print_version(PROG)
    if ns.floppy:
        ns.size, ns.partition, ns.type = "1440K", "mbr", "vfat"
    try:
        if len(ns.paths) != 2:
            raise ToolError(f"missing input and output arguments on the command line\n"
                            f"{try_help(COMMAND)}")
        with toolopts.signals_end_tool():  # SIGTERM too removes a half-made OUTPUT
            make_fs(ns, *ns.paths)
        return 0
    except FAILURES as e:
        return toolopts.report(PROG, e)


def make_fs(ns: argparse.Namespace, input_path: str, output: str) -> None:
    if ns.partition == "":
        ns.partition = "mbr"
    if ns.partition is not None:
        outputs.check_parttype(ns.partition)
    inp = tar_input.examine(input_path)
    if ns.verbose:
        print(f"input format = {inp.kind}\nestimate = {inp.estimate} bytes "
              f"({inp.estimate // 1024} 1K blocks, {inp.estimate // 4096} 4K blocks)",
              file=sys.stderr)
    size = output_size(inp.estimate, ns.type, ns.size, ns.partition is not None,
                       ns.blocksize or 0)
    hns = argparse.Namespace(drives=[(output, ns.format)], verbose=ns.verbose, trace=ns.trace,
                             keys=None, keys_from_stdin=False, echo_keys=False,
                             inspector=False, mounts=None, readonly=False)
    with outputs.removed_on_failure(output):
        GuestFS().disk_create(output, ns.format, size,
                              preallocation="metadata" if ns.format == "qcow2" else None)
        more = [{"blocksize": ns.blocksize}] if ns.blocksize else []
        with toolopts.opened(hns, PROG, drive_options=more) as g:
            bars.follow(g)
            _fill(g, ns, inp)
            g.shutdown()


def output_size(estimate: int, fstype: str, size: str | None, partition: bool,
                blocksize: int) -> int:
    """virt-make-fs's size: the estimate with the filesystem's overheads and 10% more,
    or --size (N, or +N added to that estimate)."""
    if partition:
        estimate += 2 * 128 * blocksize  # alignment: 128 sectors at each end
    estimate += 256 * 1024  # superblocks &c.
    if fstype.startswith("ext") and fstype[3:4] >= "3":
        estimate += 1024 * (1024 if blocksize == 512 else 4096)  # the journal
    elif fstype == "ntfs":
        estimate += 4 * MiB
    elif fstype == "btrfs":
        estimate += 256 * MiB
    elif fstype == "xfs":
        estimate += 4096 * 4096
    estimate = int(estimate * 1.10)
    if size is None:
        return estimate
    text = size[1:] if size.startswith("+") else size
    try:
        n = parse_xstrtoull(text)
    except SizeError as e:
        raise ToolError(f"parse_size: invalid size parameter ‘{text}’ (xstrtoull returned "
                        f"{e.args[0]})") from None
    return estimate + n if size.startswith("+") else n


def _fill(g: GuestFS, ns: argparse.Namespace, inp: tar_input.Input) -> None:
    if ns.type == "ntfs" and not g.feature_available(["ntfs3g", "ntfsprogs"]):
        raise ToolError("NTFS support was disabled when libguestfs was compiled")
    dev = "/dev/sda"
    if ns.partition is not None:
        ptype = ns.partition
        g.part_disk(dev, ptype)
        mbr_id = _mbr_id(ns.type) if ptype in ("mbr", "msdos") else 0
        if mbr_id:
            g.part_set_mbr_id(dev, 1, mbr_id)
        dev = "/dev/sda1"
    if ns.verbose:
        print(f"creating {ns.type} filesystem on {dev} ...", file=sys.stderr)
    if ns.type == "btrfs":
        g.mkfs_btrfs([dev], datatype="single", metadata="single", label=ns.label)
    else:
        try:
            g.mkfs(ns.type, dev, label=ns.label)
        except Error as e:  # more guidance than the library's message (RHBZ#823883)
            hint = ("Instead of 'fat', try 'vfat' (long filenames) or 'msdos' (short "
                    "filenames)." if ns.type == "fat" else
                    f"Is '{ns.type}' a correct filesystem type?")
            raise ToolError(f"'mkfs' (create filesystem) operation failed: {e}\n{hint}"
                            ) from None
    # vfat: utf8, so that any name can be stored in its UCS-2 long names (RHBZ#823885)
    g.mount_options("utf8" if ns.type == "vfat" else "", dev, "/")
    _stats(g, ns, "before")
    terminal = _terminal() if bars.on_terminal() else None
    bar = ProgressBar(terminal, sys.stderr) if terminal is not None else None
    with tar_input.stream(inp, bar) as path:
        if ns.verbose:
            print(f"uploading from {path} to / ...", file=sys.stderr)
        g.tar_in(path, "/")
    _stats(g, ns, "after")
    if ns.verbose:
        print("finishing off", file=sys.stderr)


def _mbr_id(fstype: str) -> int:
    return 0x83 if fstype.startswith("ext") else MBR_IDS.get(fstype, 0)


def _stats(g: GuestFS, ns: argparse.Namespace, when: str) -> None:
    """With -v, the filesystem's statvfs before and after the upload (as virt-make-fs)."""
    if not ns.verbose:
        return
    st = dict(g.statvfs("/"))
    fields = ("bsize", "frsize", "blocks", "bfree", "bavail", "files", "ffree", "favail",
              "fsid", "flag", "namemax")
    print(f"{when} uploading:\n" + "".join(f"  {f} = {st[f]}\n" for f in fields), end="",
          file=sys.stderr)


TOOL = register(Tool("make-fs", "virt-make-fs",
                     "make a disk image with a filesystem from a directory or a tarball",
                     DOC, options, run))
