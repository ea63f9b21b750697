"""`guestbox sparsify`: make a disk image's free space sparse, as virt-sparsify (1.48).

Copying mode (INDISK OUTDISK): INDISK is never written.  A qcow2 overlay on it
is made in the temporary directory; in the appliance, the free space of every
filesystem is filled with zeroes (zero_free_space), swap is cleared (its
header kept), free space in volume groups is zeroed; then `qemu-img convert`
copies the overlay to OUTDISK, leaving the zeroes out.  In-place mode
(--in-place DISK): the disk is added with discard on, every filesystem is
mounted with -o discard and trimmed (fstrim), swap and free volume group space
discarded: the image gives the blocks back to the host.
"""

from __future__ import annotations

import argparse
import os
import shlex
import stat
import sys
import tempfile

from ...handle import GuestFS
from .. import toolopts
from ..toolmount import decrypt
from . import bars, outputs, virt_messages
from .registry import Tool, register
from .sizes import human_size
from .sparsify_fs import Sparsifier
from .version import add_version, print_version
from .virt_messages import Messages, VirtError

PROG = "virt-sparsify"

DOC = """\
Two modes:

    guestbox sparsify [--options] INDISK OUTDISK
    guestbox sparsify [--options] --in-place DISK

Copying mode makes OUTDISK (format: --convert, else INDISK's; --compress for a
compressed qcow2, -o for more qemu-img options) from INDISK with the free
space of its filesystems and volume groups left out; INDISK is not changed.
The overlay holding the zeroes is made in $TMPDIR (or /tmp, or --tmp DIR);
it may grow up to INDISK's virtual size, which --check-tmpdir=ignore|continue|
warn|fail checks first (warn asks to press RETURN).  --in-place trims DISK
itself (the image format and the host filesystem must support discard; exit
status 3 if the appliance cannot).  --ignore FS leaves a filesystem or volume
group alone, --zero FS zeroes (or discards) all of a filesystem.

Messages, texts and exit statuses are virt-sparsify's; progress bars on a
terminal.  Differences: --machine-readable is not taken; --tmp prebuilt:FILE
is not taken; a failed or interrupted copy leaves no OUTDISK behind; Ctrl-C
stops at once (exit 130), where --in-place finishes the filesystem it is at.
"""


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, libvirt=False,
                         drives=False)
    virt_messages.add_options(p)
    p.add_argument("--check-tmpdir", default="warn", metavar="ignore|...",
                   help="check there is enough space in $TMPDIR (ignore, continue, warn, fail)")
    p.add_argument("--compress", action="store_true", help="compressed output format")
    p.add_argument("--convert", metavar="FORMAT",
                   help="format of the output disk (default: same as input)")
    p.add_argument("--ignore", action="append", default=[], metavar="FS",
                   help="leave this filesystem or volume group alone; repeatable")
    p.add_argument("--in-place", "--inplace", action="store_true",
                   help="sparsify the disk image in place")
    p.add_argument("-o", dest="option", metavar="OPTION", help="add qemu-img options")
    p.add_argument("--tmp", metavar="DIR|BLOCK", help="the temporary directory or block "
                   "device for the overlay")
    p.add_argument("--zero", action="append", default=[], metavar="FS",
                   help="zero this filesystem; repeatable")
    add_version(p)
    p.add_argument("disks", nargs="*", help=argparse.SUPPRESS)


CHECKS = {"ignore": "ignore", "i": "ignore", "continue": "continue", "cont": "continue",
          "c": "continue", "warn": "warn", "warning": "warn", "w": "warn", "fail": "fail",
          "f": "fail", "error": "fail"}


def run(ns: argparse.Namespace) -> int:
    if ns.version:
        return print_version(PROG)
    out = virt_messages.messages(PROG, ns)
    try:
        _check(ns)
        with toolopts.signals_end_tool():  # SIGTERM too removes the overlay and a part-copy
            return in_place(ns, out) if ns.in_place else copying(ns, out)
    except virt_messages.FAILURES as e:
        return out.failure(e)


def _check(ns: argparse.Namespace) -> None:
    """virt-sparsify's option checks, in its order."""
    if ns.check_tmpdir not in CHECKS:
        raise VirtError(f"--check-tmpdir: unknown argument ‘{ns.check_tmpdir}’")
    ns.check_tmpdir = CHECKS[ns.check_tmpdir]
    if not ns.in_place:
        if len(ns.disks) != 2:
            raise VirtError(f"usage: {PROG} [--options] indisk outdisk")
        if ns.disks[0] == ns.disks[1]:
            raise VirtError("you cannot use the same disk image for input and output")
        if _is_char_device(ns.disks[1]):
            raise VirtError(f"output ‘{ns.disks[1]}’ cannot be a character device, it must "
                            "be a regular file")
        return
    if len(ns.disks) != 1:
        raise VirtError(f"usage: {PROG} --in-place [--options] indisk")
    for given, option in ((ns.check_tmpdir != "warn", "--check-tmpdir"),
                          (ns.compress, "--compress"), (ns.convert, "--convert"),
                          (ns.option, "-o"), (ns.tmp, "--tmp")):
        if given:
            raise VirtError(f"you cannot use --in-place and {option} options together")


def _is_char_device(path: str) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


# -- copying mode ----------------------------------------------------------------------------
def copying(ns: argparse.Namespace, out: Messages) -> int:
    indisk, outdisk = os.path.abspath(ns.disks[0]), ns.disks[1]
    output_format = ns.convert or ns.format or _detect(indisk)
    if output_format == "raw" and ns.compress:
        raise VirtError("--compress cannot be used for raw output.  Remove this option or "
                        "use --convert qcow2.")
    tmp_place, is_dir = _tmp_place(ns.tmp)
    overlay, made = tmp_place, None
    try:  # from before the overlay exists: a SIGTERM at any point removes it
        if is_dir:
            _check_tmpdir(tmp_place, indisk, ns.check_tmpdir, out)
            out.message(f"Create overlay file in {tmp_place} to protect source disk")
            made = tempfile.mkstemp(prefix="sparsify", suffix=".qcow2", dir=tmp_place)
            os.close(made[0])
            overlay = made[1]
        else:
            out.message(f"Create overlay device {tmp_place} to protect source disk")
        GuestFS().disk_create(overlay, "qcow2", -1, backingfile=indisk,
                              backingformat=ns.format, compat="1.1")
        out.message("Examine source disk")
        ns.drives = [(overlay, "qcow2")]
        with toolopts.opened(ns, PROG, readonly=False,
                             drive_options=[{"cachemode": "unsafe"}]) as g:
            bars.follow(g, ns.quiet)
            decrypt(g, list(ns.keys or []))
            Sparsifier(g, out, ns.ignore, ns.zero).zero_free_space()
            g.shutdown()
        out.message("Copy to destination and make sparse")
        argv = ["qemu-img", "convert", "-f", "qcow2", "-O", output_format,
                *(["-c"] if ns.compress else []), *(["-o", ns.option] if ns.option else []),
                overlay, _qemu_filename(outdisk)]
        with outputs.removed_on_failure(outdisk):
            done = bars.run_qemu_img(argv, ns.quiet)
            if done.returncode != 0:
                sys.stderr.buffer.write(done.stderr)
                raise VirtError(f"external command failed: {shlex.join(argv)}")
    finally:
        if made is not None:
            os.unlink(made[1])
    out.message("Sparsify operation completed with no errors.")
    if not ns.quiet:
        out.info("Before deleting the old disk, carefully check that the target disk boots "
                 "and works correctly.")
    return 0


def _detect(indisk: str) -> str:
    fmt = GuestFS().disk_format(indisk)
    if fmt == "unknown":
        raise VirtError("cannot detect input disk format; use the --format parameter")
    return fmt


def _tmp_place(tmp: str | None) -> tuple[str, bool]:
    """Where the overlay goes: (directory, True) or (block device, False)."""
    if tmp is None:
        return os.environ.get("TMPDIR") or "/tmp", True
    if os.path.isdir(tmp):
        return tmp, True
    try:
        if stat.S_ISBLK(os.stat(tmp).st_mode):
            return tmp, False
    except OSError:
        pass
    raise VirtError("--tmp parameter must point to a directory, block device or prebuilt file")


def _check_tmpdir(tmpdir: str, indisk: str, mode: str, out: Messages) -> None:
    """Warn (and as --check-tmpdir says, ask or stop) if tmpdir may be too small for the
    overlay: it may grow to the input's virtual size."""
    if mode == "ignore":
        return
    virtual_size = GuestFS().disk_virtual_size(indisk)
    st = os.statvfs(tmpdir)
    free = st.f_bsize * st.f_bavail
    needed = virtual_size - free
    if needed <= 0:
        return
    out.warning(f"There may not be enough free space on {tmpdir}.\nYou may need to set TMPDIR "
                f"to point to a directory with more free space.\n\nMax needed: "
                f"{human_size(virtual_size)}.  Free: {human_size(free)}.  May need another "
                f"{human_size(needed)}.\n\nNote this is an overestimate.  If the guest disk is "
                "full of data\nthen not as much free space would be required.\n\nYou can "
                "ignore this warning or change it to a hard failure using the\n--check-tmpdir="
                "(ignore|continue|warn|fail) option.  See virt-sparsify(1).\n")
    if mode == "warn":
        print("Press RETURN to continue or ^C to quit.", file=sys.stderr, flush=True)
        if not sys.stdin.readline():
            raise VirtError("exception: End_of_file")
    elif mode == "fail":
        print("Exiting because --check-tmpdir=fail was set.", file=sys.stderr, flush=True)
        raise SystemExit(2)


def _qemu_filename(path: str) -> str:
    """A file name qemu-img takes as one (./ before a relative name with a colon)."""
    return f"./{path}" if not path.startswith("/") and ":" in path else path


# -- in-place mode --------------------------------------------------------------------------
def in_place(ns: argparse.Namespace, out: Messages) -> int:
    disk = ns.disks[0]
    fmt = ns.format or GuestFS().disk_format(disk)
    ns.drives = [(disk, fmt)]
    with toolopts.opened(ns, PROG, readonly=False, drive_options=[{"discard": "enable"}]) as g:
        bars.follow(g, ns.quiet)
        if not g.feature_available(["fstrim"]):
            raise VirtError("discard/trim is not supported", status=3)
        decrypt(g, list(ns.keys or []))
        Sparsifier(g, out, ns.ignore, ns.zero).discard()
        g.shutdown()
    out.message("Sparsify in-place operation completed with no errors")
    return 0


TOOL = register(Tool("sparsify", "virt-sparsify", "make a disk image's free space sparse",
                     DOC, options, run))
