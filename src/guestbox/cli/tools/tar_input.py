"""virt-make-fs's input: a host directory or a tarball (plain or compressed), its size
estimated as virt-make-fs estimates it, and streamed as a plain tar to tar_in.

A directory's estimate is `du --apparent-size -b -s`, a plain tarball's its size,
a compressed one's the length of its decompressed content (read once to count
it).  The compression is found from the file's magic bytes (virt-make-fs asks
`file`), and what it holds must start with a tar header.  Directories are
streamed by `tar -C DIR -cf - .`, compressed tarballs by their decompressor,
through a pipe; a plain tarball is handed over as it is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

from ..shell.progress import ProgressBar
from ..toolopts import ToolError

# magic bytes -> (what it is, the command that writes the content on stdout)
COMPRESSORS: list[tuple[bytes, str, list[str]]] = [
    (b"\x1f\x8b", "gzip compressed", ["gzip", "-cd"]),
    (b"\x1f\x9d", "compress'd", ["gzip", "-cd"]),
    (b"BZh", "bzip2 compressed", ["bzip2", "-cd"]),
    (b"\xfd7zXZ\x00", "xz compressed", ["xz", "-cd"]),
    (b"\x28\xb5\x2f\xfd", "zstd compressed", ["zstd", "-cdq"]),
]
TAR_BLOCK = 512
CHUNK = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Input:
    """What INPUT is: kind ("directory", "tar archive" or "tar archive (X compressed)"),
    its estimated size in bytes, and the command that streams it as a tar (None: the
    file itself)."""

    path: str
    kind: str
    estimate: int
    command: list[str] | None


def examine(path: str) -> Input:
    """Input for path; ToolError (told as virt-make-fs tells it) if it is none of them."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise _perror(path, e) from None
    if stat.S_ISDIR(st.st_mode):
        return Input(path, "directory", _du(path), ["tar", "-C", path, "-cf", "-", "."])
    try:
        with open(path, "rb") as f:
            head = f.read(TAR_BLOCK)
    except OSError as e:
        raise _perror(path, e) from None
    for magic, what, argv in COMPRESSORS:
        if head.startswith(magic):
            command = [*argv, path]
            if shutil.which(argv[0]) is None:
                raise ToolError(f"{path}: {what} input needs the program {argv[0]}")
            size, first = _decompressed(command)
            if not is_tar_header(first):
                break
            return Input(path, f"tar archive ({what})", size, command)
    else:
        if is_tar_header(head):
            return Input(path, "tar archive", st.st_size, None)
    raise ToolError(f"{path}: input is not a directory, tar archive or compressed tar archive")


def _perror(path: str, e: OSError) -> ToolError:
    """perror(path), as virt-make-fs tells a file it cannot read: no program name."""
    print(f"{path}: {e.strerror}", file=sys.stderr)
    return ToolError()


def is_tar_header(block: bytes) -> bool:
    """Whether block is a tar header: POSIX `ustar` magic, or an old header whose checksum
    (the bytes summed with the checksum field as spaces) is right."""
    if len(block) < TAR_BLOCK:
        return False
    if block[257:262] == b"ustar":
        return True
    field = block[148:156].replace(b"\0", b" ").strip()
    try:
        recorded = int(field, 8)
    except ValueError:
        return False
    return recorded == sum(block[:148]) + 8 * 32 + sum(block[156:TAR_BLOCK])


def _du(path: str) -> int:
    p = subprocess.run(["du", "--apparent-size", "-b", "-s", path], capture_output=True,
                       text=True, check=False)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise ToolError("du command failed")
    try:
        return int(p.stdout.split()[0])
    except (IndexError, ValueError):
        raise ToolError(f"cannot parse the output of ‘du’ command: {p.stdout}") from None


def _decompressed(command: list[str]) -> tuple[int, bytes]:
    """The length of what command writes, and its first tar block."""
    size, first = 0, b""
    with subprocess.Popen(command, stdout=subprocess.PIPE) as p:
        assert p.stdout is not None
        while chunk := p.stdout.read(CHUNK):
            if len(first) < TAR_BLOCK:
                first += chunk[:TAR_BLOCK - len(first)]
            size += len(chunk)
        if p.wait() != 0:
            raise ToolError(f"{command[0]} command failed")
    return size, first


@contextlib.contextmanager
def stream(inp: Input, bar: ProgressBar | None) -> Iterator[str]:
    """A path tar_in reads the input from, as a tar: the file itself, or /dev/fd/N, a pipe
    from the command (through a thread that draws bar, if any).  The command must have
    succeeded when the block ends normally (ToolError `subprocess failed`)."""
    if inp.command is None:
        yield inp.path
        return
    proc = subprocess.Popen(inp.command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    relay = None
    fd = proc.stdout.fileno()
    try:
        if bar is not None:
            relay = _Relay(fd, inp.estimate, bar)
            fd = relay.read_end
        yield f"/dev/fd/{fd}"
        if relay is not None:
            relay.join()
        if proc.wait() != 0:
            raise ToolError("subprocess failed")
    finally:
        if relay is not None:
            relay.close()
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.wait()


class _Relay:
    """Copies src to a pipe (read_end), counting the bytes for a progress bar."""

    def __init__(self, src: int, total: int, bar: ProgressBar) -> None:
        self.src, self.total, self.bar = src, max(total, 1), bar
        self.read_end, self.write_end = os.pipe()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.start = time.monotonic()
        self.thread.start()

    def _run(self) -> None:
        done, last = 0, 0.0
        try:
            while data := os.read(self.src, CHUNK):
                view = memoryview(data)
                while view:
                    view = view[os.write(self.write_end, view):]
                done += len(data)
                now = time.monotonic()
                if now - self.start >= 2.0 and now - last >= 0.1:
                    last = now
                    self.bar.draw(min(done, self.total), self.total, now - self.start)
        except OSError:
            pass  # the reader went away: tar_in failed, and says why
        finally:
            os.close(self.write_end)
            self.write_end = -1

    def join(self) -> None:
        self.thread.join()

    def close(self) -> None:
        os.close(self.read_end)
        self.thread.join(timeout=5)
