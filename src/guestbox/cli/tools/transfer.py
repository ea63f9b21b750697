"""What copy-in, copy-out, tar-in and tar-out share (edit too, for its command line):
their command line, bytes moved between the host and the guest with a progress bar,
and host files that appear whole or not at all.

The libguestfs tools are shell wrappers around guestfish (`guestfish --rw -i copy-in
"$@"`), so their options are guestfish's and their texts its own.  Here: the common
virt-tool options (toolopts), the guest mounted by inspection unless -m is given,
read-only tools opened read-only whatever the options say (and --rw refused as
guestfish refuses it after --ro), writing tools refusing --ro before launching.

Progress: the streams of these operations either carry progress events (uploads and
downloads of regular files) or do not (tarballs, pipes); those go through a pipe and a
`Pump` thread that counts what passes.  Bars are drawn with tqdm on stderr when it is
a terminal, never otherwise, and only for calls that last (the shell's DELAY).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

from tqdm import tqdm

from ...api import REGISTRY
from ...errors import Error
from ...events import EVENT_PROGRESS
from ...handle import GuestFS
from .. import toolopts
from ..shell.args import BadArgs, convert
from ..shell.progress import DELAY
from ..toolopts import ToolError

CHUNK = 1 << 20


# -- the command line --------------------------------------------------------------------
def add_guest_options(p: argparse.ArgumentParser, *, writes: bool,
                      inspector: bool = True) -> None:
    """The virt tools' options (toolopts), with --ro and --rw as the tool takes them: a
    tool that writes refuses --ro, a read-only one refuses --rw (as guestfish --ro does)."""
    toolopts.add_options(p, inspector=inspector, readonly=False)
    p.add_argument("-r", "--ro", dest="readonly", action="store_true",
                   help="refused: this tool writes into the guest" if writes
                   else "read-only (always)")
    p.add_argument("-w", "--rw", dest="readwrite", action="store_true",
                   help="read-write (always)" if writes
                   else "refused: this tool opens the disks read-only")


@contextlib.contextmanager
def guest(ns: argparse.Namespace, prog: str, *, writes: bool) -> Iterator[GuestFS]:
    """The launched handle: disks read-write for a tool that writes (--ro refused before
    anything starts), read-only otherwise; mounted by inspection unless -m is given."""
    toolopts.check(ns)
    if not ns.drives:
        raise toolopts.usage_error(prog, "you must specify at least one -a or -d option.")
    if writes and ns.readonly:
        raise ToolError(f"--ro: {prog.split()[-1]} writes into the guest: it cannot open "
                        "the disks read-only")
    if not writes and ns.readwrite:
        raise ToolError("cannot mix --ro and --rw options")
    ns.inspector = ns.inspector or not ns.mounts
    with toolopts.opened(ns, prog, readonly=not writes) as g:
        yield g


COMPRESSIONS = ("gzip", "bzip2", "xz", "zstd", "lzop")
"""The --gzip ... flags of tar-in and tar-out: tar_in's and tar_out's compress values."""


def add_compression(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    for c in COMPRESSIONS:
        group.add_argument(f"--{c}", dest="compress", action="store_const", const=c,
                           help=f"the tarball is {c}-compressed (compress:{c})")


def compression(ns: argparse.Namespace, args: dict[str, Any]) -> dict[str, Any]:
    """args with the compression a --gzip ... flag names (refused if compress:... differs)."""
    if ns.compress is not None:
        if args.setdefault("compress", ns.compress) != ns.compress:
            raise ToolError(f"--{ns.compress} and compress:{args['compress']} disagree")
    return args


def fish_args(op: str, words: list[str], prog: str) -> dict[str, Any]:
    """words as guestfish takes them for op: the required arguments, then NAME:VALUE
    optional arguments (`compress:gzip`), with guestfish's messages (ToolError)."""
    try:
        return convert(REGISTRY[op], words)
    except BadArgs as e:
        text = str(e)
        if "\ntype 'help " in text:  # the shell's hint: the tool's instead
            text = text[:text.index("\ntype 'help ")] + "\n" + toolopts.try_help(prog)
        raise ToolError(text) from None


def shown(text: str) -> str:
    """text safe to print on one line: control characters and undecodable bytes escaped
    (a guest's names may hold newlines, escape sequences, bytes that are not UTF-8)."""
    out = []
    for c in text:
        if "\udc80" <= c <= "\udcff":
            out.append(f"\\x{ord(c) - 0xdc00:02x}")
        elif c == "\\" or not c.isprintable():
            out.append(c.encode("unicode_escape").decode("ascii"))
        else:
            out.append(c)
    return "".join(out)


# -- progress --------------------------------------------------------------------------
def interactive() -> bool:
    """Whether progress bars are drawn (stderr is a terminal): worth estimating totals."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Meter:
    """A progress bar of bytes on stderr, drawn only on a terminal and only once the
    operation has lasted DELAY seconds; total None: a counter and a rate."""

    def __init__(self, desc: str, total: int | None = None) -> None:
        self.bar = tqdm(total=total or None, desc=shown(desc), unit="B", unit_scale=True,
                        unit_divisor=1024, file=sys.stderr, disable=not interactive(),
                        delay=DELAY, leave=False, dynamic_ncols=True)
        self.lock = threading.Lock()

    def add(self, n: int) -> None:
        """n more bytes done (from a Pump's thread)."""
        with self.lock:
            if self.bar.total is not None and self.bar.n + n > self.bar.total:
                self.bar.total = self.bar.n + n  # an estimate fell short
            self.bar.update(n)

    def at(self, position: int, total: int) -> None:
        """Progress as the handle's EVENT_PROGRESS tells it."""
        with self.lock:
            if total > 0:
                self.bar.total = max(total, position)
            self.bar.update(position - self.bar.n)

    def close(self) -> None:
        with self.lock:
            self.bar.close()


@contextlib.contextmanager
def metered(desc: str, total: int | None = None) -> Iterator[Meter]:
    meter = Meter(desc, total)
    try:
        yield meter
    finally:
        meter.close()


@contextlib.contextmanager
def progress_events(g: GuestFS, meter: Meter) -> Iterator[None]:
    """meter follows the handle's progress events while the block runs."""
    def on_progress(event: int, handle: int, buf: bytes, array: list[int]) -> None:
        if len(array) >= 4:
            meter.at(array[2], array[3])

    cb = g.set_event_callback(on_progress, EVENT_PROGRESS)
    try:
        yield
    finally:
        g.delete_event_callback(cb)


class Pump(threading.Thread):
    """Copies the descriptor src to dst, counting bytes for a meter; closes both at the
    end, so the reader of dst sees the end and the writer of src sees a closed pipe if
    dst stopped taking data.  error: the OSError that stopped it, if any."""

    def __init__(self, src: int, dst: int, meter: Meter) -> None:
        super().__init__(name="guestbox-pump", daemon=True)
        self.src, self.dst, self.meter = src, dst, meter
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            while data := os.read(self.src, CHUNK):
                view = memoryview(data)
                while view:
                    view = view[os.write(self.dst, view):]
                self.meter.add(len(data))
        except OSError as e:
            self.error = e
        finally:
            os.close(self.src)
            os.close(self.dst)


def receive(call: Callable[[str], object], dst: int, meter: Meter) -> None:
    """Run call(PATH) with PATH a pipe the operation writes its output to (a FileOut),
    copied to the descriptor dst (closed at the end, however it ends) and counted by
    meter.  If writing to dst fails, that is the error told (the operation then fails
    on a closed pipe)."""
    try:
        rfd, wfd = os.pipe()
    except OSError:
        os.close(dst)
        raise
    pump = Pump(rfd, dst, meter)
    pump.start()
    failure: Error | None = None
    try:
        call(f"/dev/fd/{wfd}")
    except Error as e:
        failure = e
    finally:
        os.close(wfd)
        pump.join()
    if pump.error is not None:
        raise _host_error(pump.error) from None
    if failure is not None:
        raise failure


def send(call: Callable[[str], object], src: int, meter: Meter) -> None:
    """Run call(PATH) with PATH a pipe the operation reads its input from (a FileIn),
    fed from the descriptor src (closed at the end, however it ends) and counted by
    meter."""
    try:
        rfd, wfd = os.pipe()
    except OSError:
        os.close(src)
        raise
    pump = Pump(src, wfd, meter)
    pump.start()
    try:
        call(f"/dev/fd/{rfd}")
    finally:
        os.close(rfd)  # a pump still writing gets EPIPE, and closes src
        pump.join()


def _host_error(e: OSError) -> ToolError:
    where = f"{e.filename}: " if e.filename else ""
    return ToolError(f"{where}{e.strerror or e}")


@contextlib.contextmanager
def host_errors() -> Iterator[None]:
    """A failure of the host's own system calls (a full disk, a directory that cannot be
    written) told as `PROG: NAME: REASON`, exit status 1, not a traceback."""
    try:
        yield
    except Error:
        raise  # guestbox's errors are OSErrors too: told as library errors
    except OSError as e:
        raise _host_error(e) from None


# -- host output -----------------------------------------------------------------------
@contextlib.contextmanager
def output_file(path: str) -> Iterator[int]:
    """A descriptor to write path's new content to: stdout for '-'; an existing device or
    FIFO is written directly; otherwise a new file beside the destination (its symlink
    followed, as a shell's `>` does) that replaces it only once the block succeeds, so a
    failure or an interrupt never leaves a partial file under the name."""
    if path == "-":
        fd = os.dup(sys.stdout.fileno())
        sys.stdout.flush()
        try:
            yield fd
        finally:
            os.close(fd)
        return
    try:
        target = os.path.realpath(path)
        if os.path.isdir(target):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if os.path.exists(target) and not stat.S_ISREG(os.stat(target).st_mode):
            fd = os.open(target, os.O_WRONLY | os.O_CLOEXEC)
            tmp = None
        else:
            fd, tmp = tempfile.mkstemp(prefix=".guestbox-", dir=os.path.dirname(target))
    except OSError as e:
        raise Error(f"{path}: {e.strerror}", e.errno) from None
    try:
        yield fd
        if tmp is not None:
            os.fchmod(fd, 0o666 & ~_umask())
            os.replace(tmp, target)
            tmp = None
    finally:
        os.close(fd)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
