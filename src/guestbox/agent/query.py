"""Agent side of reading files and asking about them.

Every path an agent function gets is already resolved inside the sysroot.
Where a function builds further paths from names the host sends (lstatnslist,
readlinklist) or from a pattern (glob_expand), it resolves them the same way,
so that no guest name or symlink reaches the appliance's own files.  Paths
sent back to the host are guest paths.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat as statmod
import struct
import subprocess
from collections.abc import Callable, Iterator, Sequence

from ..api.types import StatNS
from ..protocol.bulk import MAILBOX_SIZE
from ..protocol.frames import MAX_BUFFER
from .context import TOOL_ENV, Ctx
from .dispatch import need_root
from .mailbox import MAILBOX, InMailbox
from .paths import resolve, to_guest
from .registry import AgentError, impl

CSUM_PROGRAMS = {
    "crc": "cksum", "md5": "md5sum", "sha1": "sha1sum", "sha224": "sha224sum",
    "sha256": "sha256sum", "sha384": "sha384sum", "sha512": "sha512sum",
}
HEADTAIL_LINES = 10
STATNS_FIELDS = tuple(StatNS.__annotations__)
CSUM_BATCH = 256  # files per checksum tool run in checksums_out
FADVISE_MIN = 1024 * 1024  # pread asks the kernel to read ahead the whole range from here
DIRECT_MIN = 1024 * 1024  # pread reads with O_DIRECT into the mailbox from here, if it can
DIRECT_ALIGN = 4096  # what direct I/O offsets and sizes must be a multiple of, at least


# -- helpers ---------------------------------------------------------------
def _split_lines(out: str) -> list[str]:
    """libguestfs's split_lines: lines of out, a final newline ending the last one."""
    if not out:
        return []
    if out.endswith("\n"):
        out = out[:-1]
    return out.split("\n")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _tool(args: Sequence[str], stdin: int | None = None, ok_codes: Sequence[int] = (0,),
          cwd: str | None = None) -> tuple[int, bytes]:
    """Run a tool reading stdin (a file descriptor); (status, stdout) or AgentError with stderr."""
    try:
        p = subprocess.run(list(args), stdin=stdin if stdin is not None else subprocess.DEVNULL,
                           capture_output=True, env=TOOL_ENV, cwd=cwd)
    except FileNotFoundError:
        raise AgentError(f"{args[0]}: tool not found in the appliance", errno.ENOENT) from None
    if p.returncode not in ok_codes:
        err = _decode(p.stderr or p.stdout).strip()
        raise AgentError(f"{args[0]}: {err}" if err else
                         f"{args[0]} exited with status {p.returncode}")
    return p.returncode, p.stdout


def _open_file(path: str) -> int:
    """An O_RDONLY descriptor of path, which must not be a directory (EISDIR, as read(2) says)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_CLOEXEC)
    if statmod.S_ISDIR(os.fstat(fd).st_mode):
        os.close(fd)
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    return fd


def _need_dir(path: str) -> None:
    """OSError naming path unless it is a directory (following links)."""
    st = os.stat(path)
    if not statmod.S_ISDIR(st.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)


def _in_dir(dirpath: str, name: str) -> str:
    """The appliance path of name inside resolved directory dirpath, its last part not followed.

    name comes from the host and may hold "/" or ".."; it is resolved like any
    guest path, so it cannot leave the sysroot.
    """
    return resolve(f"{to_guest(dirpath)}/{name}", follow=False)


def _walk(top: str, rel: bytes = b"") -> Iterator[bytes]:
    """Paths under top relative to it, each starting with "/", depth first, like find(1).

    Symbolic links are listed, never followed.
    """
    with os.scandir(os.fsencode(top)) as it:
        entries = list(it)
    for e in entries:
        path = rel + b"/" + e.name
        yield path
        if e.is_dir(follow_symlinks=False):
            yield from _walk(os.fsdecode(e.path), path)


def _statns(st: os.stat_result) -> dict[str, int]:
    return {
        "st_dev": st.st_dev, "st_ino": st.st_ino, "st_mode": st.st_mode,
        "st_nlink": st.st_nlink, "st_uid": st.st_uid, "st_gid": st.st_gid,
        "st_rdev": st.st_rdev, "st_size": st.st_size, "st_blksize": st.st_blksize,
        "st_blocks": st.st_blocks,
        "st_atime_sec": st.st_atime_ns // 1_000_000_000,
        "st_atime_nsec": st.st_atime_ns % 1_000_000_000,
        "st_mtime_sec": st.st_mtime_ns // 1_000_000_000,
        "st_mtime_nsec": st.st_mtime_ns % 1_000_000_000,
        "st_ctime_sec": st.st_ctime_ns // 1_000_000_000,
        "st_ctime_nsec": st.st_ctime_ns % 1_000_000_000,
        "st_spare1": 0, "st_spare2": 0, "st_spare3": 0,
        "st_spare4": 0, "st_spare5": 0, "st_spare6": 0,
    }


def _stat(st: os.stat_result) -> dict[str, int]:
    return {
        "dev": st.st_dev, "ino": st.st_ino, "mode": st.st_mode, "nlink": st.st_nlink,
        "uid": st.st_uid, "gid": st.st_gid, "rdev": st.st_rdev, "size": st.st_size,
        "blksize": st.st_blksize, "blocks": st.st_blocks,
        "atime": int(st.st_atime), "mtime": int(st.st_mtime), "ctime": int(st.st_ctime),
    }


def _csum_program(csumtype: str) -> str:
    program = CSUM_PROGRAMS.get(csumtype.lower())
    if program is None:
        raise AgentError("unknown checksum type, expecting "
                         "crc|md5|sha1|sha224|sha256|sha384|sha512", errno.EINVAL)
    return program


def _checksum_fd(csumtype: str, fd: int) -> str:
    program = _csum_program(csumtype)
    _, out = _tool([program], stdin=fd)
    text = _decode(out)
    return text.split(None, 1)[0] if text.strip() else ""


# -- listing -----------------------------------------------------------------
@impl
def ls(ctx: Ctx, directory: str) -> list[str]:
    return sorted(os.listdir(directory))


@impl
def ls0(ctx: Ctx, dir: str, filenames: None) -> None:
    names = os.listdir(os.fsencode(dir))
    ctx.send_chunk(b"".join(n + b"\0" for n in names))


@impl
def ll(ctx: Ctx, directory: str) -> str:
    # -n: owners as numbers, as libguestfs's appliance shows them (it has no user names,
    # and the appliance's own would not be the guest's)
    st = os.stat(directory)
    if statmod.S_ISDIR(st.st_mode):
        _, out = _tool(["ls", "-lan"], cwd=directory)
    else:  # name the file as the guest sees it, not by its /sysroot path
        _, out = _tool(["ls", "-lan", "--", os.path.basename(directory)],
                       cwd=os.path.dirname(directory))
    return _decode(out)


@impl
def find(ctx: Ctx, directory: str) -> list[str]:
    _need_dir(directory)
    return sorted(_decode(p[1:]) for p in _walk(directory))


@impl
def find0(ctx: Ctx, directory: str, files: None) -> None:
    _need_dir(directory)
    buf = bytearray()
    for p in _walk(directory):
        buf += p + b"\0"
        if len(buf) >= 256 * 1024:
            ctx.send_chunk(bytes(buf))
            buf.clear()
    if buf:
        ctx.send_chunk(bytes(buf))


# -- glob_expand ---------------------------------------------------------------
def _brace_expand(pattern: str) -> list[str]:
    """The alternatives of the first {a,b,...} group of pattern, expanded recursively.

    As glob(3)'s GLOB_BRACE: a group with no comma, or unbalanced braces, stays as it is.
    """
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth, j, commas = 0, i, [i]
            while j < len(pattern):
                d = pattern[j]
                if d == "\\":
                    j += 2
                    continue
                if d == "{":
                    depth += 1
                elif d == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif d == "," and depth == 1:
                    commas.append(j)
                j += 1
            if j >= len(pattern):
                return [pattern]  # unbalanced: literal
            if len(commas) == 1:
                i = j + 1  # "{x}": literal braces
                continue
            bounds = [*commas, j]
            pre, post = pattern[:i], pattern[j + 1 :]
            out: list[str] = []
            for a, b in zip(bounds, bounds[1:], strict=False):
                out.extend(_brace_expand(pre + pattern[a + 1 : b] + post))
            return out
        i += 1
    return [pattern]


def _has_magic(s: str) -> bool:
    return any(c in s for c in "*?[")


def _unescape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            i += 1
        out.append(s[i])
        i += 1
    return "".join(out)


def _match(name: str, pat: str) -> bool:
    if name.startswith(".") and not pat.startswith("."):
        return False  # a leading dot must be matched explicitly
    return fnmatch.fnmatchcase(name, pat)


def _glob_one(pattern: str) -> list[str]:
    """The guest paths matching one brace-free absolute pattern, sorted."""
    parts = [p for p in pattern.split("/") if p]
    trailing = pattern.endswith("/") and bool(parts)
    found = ["/"]
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        nxt: list[str] = []
        for base in found:
            prefix = base.rstrip("/")
            if not _has_magic(part):
                nxt.append(f"{prefix}/{_unescape(part)}")
                continue
            try:
                names = os.listdir(resolve(base))
            except OSError:
                continue
            nxt.extend(f"{prefix}/{name}" for name in sorted(names) if _match(name, part))
        if not last or trailing:  # only directories can have something under them
            nxt = [p for p in nxt if os.path.isdir(resolve(p))]
        found = nxt
        if not found:
            return []
    return sorted(p for p in found if os.path.lexists(resolve(p, follow=False)))


@impl
def glob_expand(ctx: Ctx, pattern: str, directoryslash: bool | None = None) -> list[str]:
    need_root()
    if not pattern.startswith("/"):
        raise AgentError(f"{pattern}: path must start with a / character", errno.EINVAL)
    mark = directoryslash is None or directoryslash
    out: list[str] = []
    for alt in _brace_expand(pattern):
        for p in _glob_one(alt):
            if mark and p != "/" and os.path.isdir(resolve(p)):
                p += "/"
            out.append(p)
    return out


# -- what is there -------------------------------------------------------------
def _mode(path: str, follow: bool | None) -> int | None:
    """st_mode of path (an lstat unless follow), None if it does not exist."""
    if follow:
        path = resolve(to_guest(path))
    try:
        return os.stat(path, follow_symlinks=bool(follow)).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None


@impl
def exists(ctx: Ctx, path: str) -> bool:
    return _mode(path, False) is not None


def _is(path: str, follow: bool | None, test: Callable[[int], bool]) -> bool:
    mode = _mode(path, follow)
    return mode is not None and bool(test(mode))


@impl
def is_zero(ctx: Ctx, path: str) -> bool:
    fd = _open_file(path)
    try:
        while chunk := os.read(fd, 1024 * 1024):
            if chunk.count(0) != len(chunk):
                return False
        return True
    finally:
        os.close(fd)


@impl
def is_file(ctx: Ctx, path: str, followsymlinks: bool | None = None) -> bool:
    return _is(path, followsymlinks, statmod.S_ISREG)


@impl
def is_dir(ctx: Ctx, path: str, followsymlinks: bool | None = None) -> bool:
    return _is(path, followsymlinks, statmod.S_ISDIR)


@impl
def is_symlink(ctx: Ctx, path: str) -> bool:
    return _is(path, False, statmod.S_ISLNK)


@impl
def is_blockdev(ctx: Ctx, path: str, followsymlinks: bool | None = None) -> bool:
    return _is(path, followsymlinks, statmod.S_ISBLK)


@impl
def is_chardev(ctx: Ctx, path: str, followsymlinks: bool | None = None) -> bool:
    return _is(path, followsymlinks, statmod.S_ISCHR)


@impl
def is_fifo(ctx: Ctx, path: str, followsymlinks: bool | None = None) -> bool:
    return _is(path, followsymlinks, statmod.S_ISFIFO)


@impl
def is_socket(ctx: Ctx, path: str, followsymlinks: bool | None = None) -> bool:
    return _is(path, followsymlinks, statmod.S_ISSOCK)


# -- stat ------------------------------------------------------------------------
@impl
def statns(ctx: Ctx, path: str) -> dict[str, int]:
    return _statns(os.stat(path))


@impl
def lstatns(ctx: Ctx, path: str) -> dict[str, int]:
    return _statns(os.lstat(path))


@impl
def lstatnslist(ctx: Ctx, path: str, names: list[str]) -> list[dict[str, int]]:
    _need_dir(path)
    out = []
    for name in names:
        try:
            out.append(_statns(os.lstat(_in_dir(path, name))))
        except OSError:
            failed = dict.fromkeys(STATNS_FIELDS, 0)
            failed["st_ino"] = -1
            out.append(failed)
    return out


@impl
def stat(ctx: Ctx, path: str) -> dict[str, int]:
    return _stat(os.stat(path))


@impl
def lstat(ctx: Ctx, path: str) -> dict[str, int]:
    return _stat(os.lstat(path))


@impl
def filesize(ctx: Ctx, file: str) -> int:
    return os.stat(file).st_size


@impl
def du(ctx: Ctx, path: str) -> int:
    os.lstat(path)  # a missing path is reported by its guest name
    _, out = _tool(["du", "-s", "--", path])
    try:
        return int(_decode(out).split(None, 1)[0])
    except (ValueError, IndexError):
        raise AgentError(f"{to_guest(path)}: could not read output: {_decode(out)}") from None


_KINDS = (
    (statmod.S_ISDIR, "directory"), (statmod.S_ISCHR, "character device"),
    (statmod.S_ISBLK, "block device"), (statmod.S_ISFIFO, "FIFO"),
    (statmod.S_ISLNK, "symbolic link"), (statmod.S_ISSOCK, "socket"),
)


@impl
def file(ctx: Ctx, path: str) -> str:
    if path.startswith("/dev/"):
        _, out = _tool(["file", "-zbsL", "--", path])
        return _decode(out).rstrip()
    mode = os.lstat(path).st_mode
    if not statmod.S_ISREG(mode):
        for test, name in _KINDS:
            if test(mode):
                return name
        return "unknown, not regular file"
    # file(1) prints the name it was given only without -b; run it in the
    # file's directory anyway so no message can show the /sysroot path
    _, out = _tool(["file", "-zb", "--", os.path.basename(path)], cwd=os.path.dirname(path))
    return _decode(out).rstrip()


# -- links and names ---------------------------------------------------------
@impl
def readlink(ctx: Ctx, path: str) -> str:
    return os.readlink(path)


@impl
def readlinklist(ctx: Ctx, path: str, names: list[str]) -> list[str]:
    _need_dir(path)
    out = []
    for name in names:
        try:
            out.append(os.readlink(_in_dir(path, name)))
        except OSError:
            out.append("")
    return out


@impl
def realpath(ctx: Ctx, path: str) -> str:
    os.stat(path)  # realpath(3) fails for a path that does not exist
    return to_guest(path)


@impl
def case_sensitive_path(ctx: Ctx, path: str) -> str:
    # a plain string, not a Pathname: the case of each element is what is looked for
    if not path.startswith("/"):
        raise AgentError("case_sensitive_path_stub: path must start with a / character",
                         errno.EINVAL)
    need_root("case_sensitive_path_stub")
    parts = [p for p in path.split("/") if p]
    done = ""
    for i, part in enumerate(parts):
        if part == ".":
            raise AgentError('path contains "." or ".." elements', errno.EINVAL)
        try:
            names = os.listdir(resolve(done or "/"))
        except OSError as e:
            raise AgentError(f"chdir: {done.rpartition('/')[2]}: {e.strerror}", e.errno) from None
        found = part if part in names else next(
            (n for n in names if n.lower() == part.lower()), None)
        if found is None:
            if i < len(parts) - 1:
                raise AgentError(f"{part}: not found", errno.ENOENT)
            found = part
        done = f"{done}/{found}"
    return done or "/"


# -- content -------------------------------------------------------------------
@impl
def cat(ctx: Ctx, path: str) -> str:
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


@impl
def read_file(ctx: Ctx, path: str) -> bytes:
    fd = _open_file(path)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_BUFFER:
            raise AgentError(f"{to_guest(path)}: file is too large for the message buffer "
                             f"({size} bytes); use download", errno.EFBIG)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BUFFER + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BUFFER:
        raise AgentError(f"{to_guest(path)}: file is too large for the message buffer; "
                         "use download", errno.EFBIG)
    return data


@impl
def read_lines(ctx: Ctx, path: str) -> list[str]:
    data = read_file(ctx, path)
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    out = []
    for line in lines:
        if line.endswith(b"\r"):
            line = line[:-1]
        out.append(_decode(line.split(b"\0", 1)[0]))  # each line is a C string in libguestfs
    return out


@impl
def pread(ctx: Ctx, path: str, count: int, offset: int) -> bytes | InMailbox:
    if count < 0:
        raise AgentError("count is negative", errno.EINVAL)
    if offset < 0:
        raise AgentError("offset is negative", errno.EINVAL)
    if count >= MAX_BUFFER:
        raise AgentError(f"{to_guest(path)}: count is too large for the protocol, "
                         "use smaller reads", errno.EINVAL)
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        try:
            if count >= DIRECT_MIN and (got := _pread_direct(fd, count, offset)) is not None:
                return got
            if count >= FADVISE_MIN:  # one big read-ahead, not the device's 128 KiB steps
                os.posix_fadvise(fd, offset, count, os.POSIX_FADV_WILLNEED)
            return os.pread(fd, count, offset)
        except OSError as e:
            raise OSError(e.errno, e.strerror, path) from None
    finally:
        os.close(fd)


def _pread_direct(fd: int, count: int, offset: int) -> InMailbox | None:
    """count bytes at offset of the regular file fd read with O_DIRECT into the mailbox:
    QEMU moves them from the disk image to the mailbox, the emulated CPU copies none (cold
    data about twice as fast).  None where direct I/O cannot do it: the buffered read then."""
    st = os.fstat(fd)
    unit = max(st.st_blksize, DIRECT_ALIGN)
    if not statmod.S_ISREG(st.st_mode) or offset % unit or count > MAILBOX_SIZE:
        return None
    try:
        direct = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_DIRECT | os.O_CLOEXEC)
    except OSError:
        return None  # not on this filesystem
    view = MAILBOX.buffer(-(-count // unit) * unit)
    try:
        got = os.preadv(direct, [view], offset)
    except OSError as e:
        if e.errno == errno.EINVAL:
            return None
        raise
    finally:
        view.release()
        os.close(direct)
    return InMailbox(min(got, count))


def _headtail(prog: str, n: str, path: str) -> list[str]:
    fd = _open_file(path)
    try:
        _, out = _tool([prog, "-n", n], stdin=fd)
    finally:
        os.close(fd)
    return _split_lines(_decode(out))


@impl
def head(ctx: Ctx, path: str) -> list[str]:
    return _headtail("head", str(HEADTAIL_LINES), path)


@impl
def head_n(ctx: Ctx, nrlines: int, path: str) -> list[str]:
    return _headtail("head", str(nrlines), path)


@impl
def tail(ctx: Ctx, path: str) -> list[str]:
    return _headtail("tail", str(HEADTAIL_LINES), path)


@impl
def tail_n(ctx: Ctx, nrlines: int, path: str) -> list[str]:
    return _headtail("tail", str(nrlines) if nrlines >= 0 else f"+{-nrlines}", path)


# -- checksums -----------------------------------------------------------------
@impl
def checksum(ctx: Ctx, csumtype: str, path: str) -> str:
    _csum_program(csumtype)
    fd = _open_file(path)
    try:
        return _checksum_fd(csumtype, fd)
    finally:
        os.close(fd)


@impl
def checksum_device(ctx: Ctx, csumtype: str, device: str) -> str:
    _csum_program(csumtype)
    fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return _checksum_fd(csumtype, fd)
    finally:
        os.close(fd)


@impl
def checksums_out(ctx: Ctx, csumtype: str, directory: str, sumsfile: None) -> None:
    program = _csum_program(csumtype)
    _need_dir(directory)
    files: list[bytes] = []
    for rel in _walk(directory):
        if statmod.S_ISREG(os.lstat(os.fsencode(directory) + rel).st_mode):
            files.append(b"." + rel)
    for i in range(0, len(files), CSUM_BATCH):
        batch = [os.fsdecode(f) for f in files[i : i + CSUM_BATCH]]
        _, out = _tool([program, "--", *batch], cwd=directory)
        if out:
            ctx.send_chunk(out)


# -- extended attributes -----------------------------------------------------
def _xattrs(path: str, follow: bool) -> bytes:
    out = bytearray()
    for name in os.listxattr(path, follow_symlinks=follow):
        value = os.getxattr(path, name, follow_symlinks=follow)
        raw = name.encode("utf-8", "surrogateescape")
        out += struct.pack(">I", len(raw)) + raw + struct.pack(">I", len(value)) + value
    return bytes(out)


@impl
def internal_getxattrs(ctx: Ctx, path: str) -> bytes:
    return _xattrs(path, True)


@impl
def internal_lgetxattrs(ctx: Ctx, path: str) -> bytes:
    return _xattrs(path, False)


@impl
def internal_lxattrlist(ctx: Ctx, path: str, names: list[str]) -> bytes:
    _need_dir(path)
    out = bytearray()
    for name in names:
        try:
            file = _in_dir(path, name)
            attrs = _xattrs(file, False)
            head = b"%d\0" % len(os.listxattr(file, follow_symlinks=False))
        except OSError as e:  # as libguestfs: an empty count stands for "could not be read"
            attrs, head = b"", b"0\0" if e.errno == errno.EOPNOTSUPP else b""
        out += struct.pack(">II", 0, len(head)) + head + attrs
    return bytes(out)


@impl
def getxattr(ctx: Ctx, path: str, name: str) -> bytes:
    return os.getxattr(path, name)


@impl
def lgetxattr(ctx: Ctx, path: str, name: str) -> bytes:
    return os.getxattr(path, name, follow_symlinks=False)


# -- searching -----------------------------------------------------------------
@impl
def grep(ctx: Ctx, regex: str, path: str, extended: bool | None = None,
         fixed: bool | None = None, insensitive: bool | None = None,
         compressed: bool | None = None) -> list[str]:
    if extended and fixed:
        raise AgentError("can't use 'extended' and 'fixed' flags at the same time", errno.EINVAL)
    args = ["grep"]
    if extended:
        args.append("-E")
    if fixed:
        args.append("-F")
    if insensitive:
        args.append("-i")
    args += ["-e", regex]
    fd = _open_file(path)
    try:
        if compressed:  # zgrep: gzip -cdfq passes files that are not compressed through
            gz = subprocess.Popen(["gzip", "-cdfq"], stdin=fd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=TOOL_ENV)
            assert gz.stdout is not None
            try:
                p = subprocess.run(args, stdin=gz.stdout, capture_output=True, env=TOOL_ENV)
            finally:
                gz.stdout.close()
                gzerr = gz.stderr.read() if gz.stderr is not None else b""
                if gz.stderr is not None:
                    gz.stderr.close()
                gzrc = gz.wait()
            if gzrc == 1:
                raise AgentError(f"{regex}: gzip: {_decode(gzerr).strip()}")
        else:
            p = subprocess.run(args, stdin=fd, capture_output=True, env=TOOL_ENV)
    finally:
        os.close(fd)
    if p.returncode > 1:
        raise AgentError(f"{regex}: {_decode(p.stderr).strip()}")
    return _split_lines(_decode(p.stdout))

