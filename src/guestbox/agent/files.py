"""Agent side of creating, changing and removing files and directories.

Every Pathname arrives resolved inside the sysroot by the dispatcher (for the
`nofollow` ones, all but the last component).  What remains to watch is what
happens after that first step: a tool that would follow a guest symlink on its own
(mv or cp into a directory given as a link, cp merging into an existing tree,
ln into a directory) is given paths that are resolved again here, or options that
keep it from following links, so that nothing outside the sysroot is touched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import string
import time
from collections.abc import Sequence
from types import TracebackType

from .context import Ctx
from .paths import SYSROOT, resolve, to_guest
from .registry import AgentError, impl

XATTR_SIZE_MAX = 65536
_TEMP_CHARS = string.ascii_letters + string.digits
_ERRNO_TEXTS = {
    os.strerror(n): n
    for n in (errno.ENOENT, errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENOTEMPTY,
              errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EXDEV, errno.EINVAL,
              errno.EROFS, errno.ELOOP, errno.EBUSY, errno.EIO, errno.EDQUOT,
              errno.ENAMETOOLONG, errno.EOPNOTSUPP)
}


# -- helpers -----------------------------------------------------------------
class _syscall:  # noqa: N801 - used like a function: `with _syscall("open", path):`
    """Turn an OSError into libguestfs's `what: /guest/path: reason` (errno kept).

    A class rather than contextlib.contextmanager: it is entered on every small
    read and write, and a generator costs several times more under TCG.
    """

    def __init__(self, what: str, *paths: str) -> None:
        self.what = what
        self.paths = paths

    def __enter__(self) -> None:
        pass

    def __exit__(self, kind: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        if isinstance(e, OSError):
            parts = [self.what, *(to_guest(p) for p in self.paths), e.strerror or str(e)]
            raise AgentError(": ".join(p for p in parts if p), e.errno) from None


def _negative(name: str, value: int, path: str | None = None) -> None:
    if value < 0:
        where = f"{to_guest(path)}: " if path else ""
        raise AgentError(f"{where}{name} is negative", errno.EINVAL)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_file(path: str, content: bytes, flags: int) -> None:
    with _syscall("open", path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOCTTY | os.O_CLOEXEC
                     | os.O_NOFOLLOW | flags, 0o666)
    try:
        with _syscall("write", path):
            _write_all(fd, content)
    finally:
        os.close(fd)


def _strip_sysroot(text: str) -> str:
    """A tool's message with appliance paths shown as guest paths."""
    return (text.replace(f"'{SYSROOT}/", "'/").replace(f"'{SYSROOT}'", "'/'")
            .replace(f"{SYSROOT}/", "/"))


def _tool(ctx: Ctx, args: Sequence[str]) -> None:
    """Run a coreutils tool; its error as libguestfs shows it (`cp: cannot stat '/x': ...`)."""
    try:
        ctx.run(args)
    except AgentError as e:
        prefix = os.path.basename(args[0]) + ": "
        msg = e.message
        if msg.startswith(prefix + prefix):
            msg = msg[len(prefix):]
        msg = _strip_sysroot(msg)
        last = msg.rstrip().rsplit("\n", 1)[-1]
        eno = e.errno or next((n for t, n in _ERRNO_TEXTS.items() if last.endswith(t)), None)
        raise AgentError(msg, eno) from None


def _is_real_dir(path: str) -> bool:
    """A directory, not a symlink to one (seen from the appliance, a link is never followed)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _as_target_dir(path: str) -> str:
    """path, or the directory a guest symlink path leads to (inside the sysroot) if it is one.

    Tools treat a last operand that is a link to a directory as that directory; in the
    appliance the link's text would be read against the appliance's root, so it is
    resolved here against the guest's root instead.
    """
    if os.path.islink(path):
        real = resolve(to_guest(path))
        if _is_real_dir(real):
            return real
    return path


def _final_target(src: str, dest: str) -> str:
    """Where `tool src dest` puts src: dest, or dest/basename(src) if dest is a directory."""
    d = _as_target_dir(dest)
    if _is_real_dir(d):
        name = os.path.basename(src.rstrip("/"))
        return os.path.join(d, name) if name else d
    return d


def _check_not_root(path: str) -> None:
    if path == SYSROOT:
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), path)


# -- content -----------------------------------------------------------------
@impl
def write(ctx: Ctx, path: str, content: bytes) -> None:
    _write_file(path, content, os.O_TRUNC)


def _fill_with(path: str, length: int, block: bytes) -> None:
    """path made length bytes long, of block repeated (the last copy cut)."""
    with _syscall("open", path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOCTTY | os.O_CLOEXEC,
                     0o666)
    try:
        with _syscall("write", path):
            chunk = block * max(1, (1024 * 1024) // len(block))
            done = 0
            while done < length:
                _write_all(fd, chunk[: length - done])
                done += min(len(chunk), length - done)
    finally:
        os.close(fd)


@impl
def fill(ctx: Ctx, c: int, len: int, path: str) -> None:  # noqa: A002 - libguestfs's name
    if len < 0:
        raise AgentError(f"{len}: length is < 0", errno.EINVAL)
    if not 0 <= c <= 255:
        raise AgentError(f"{c}: byte number must be in range 0..255", errno.EINVAL)
    _fill_with(path, len, bytes([c]))


@impl
def fill_pattern(ctx: Ctx, pattern: str, len: int, path: str) -> None:  # noqa: A002
    if not pattern:
        raise AgentError("pattern string must be non-empty", errno.EINVAL)
    if len < 0:
        raise AgentError(f"{len}: length is < 0", errno.EINVAL)
    _fill_with(path, len, pattern.encode("utf-8", "surrogateescape"))


@impl
def fallocate64(ctx: Ctx, path: str, len: int) -> None:  # noqa: A002 - libguestfs's name
    if len < 0:  # refused before the file is created (libguestfs creates it first)
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOCTTY | os.O_CLOEXEC, 0o666)
    try:
        if len > 0:
            os.posix_fallocate(fd, 0, len)
    finally:
        os.close(fd)


@impl
def write_append(ctx: Ctx, path: str, content: bytes) -> None:
    _write_file(path, content, os.O_APPEND)


@impl
def pwrite(ctx: Ctx, path: str, content: bytes, offset: int) -> int:
    _negative("offset", offset)
    with _syscall("open", path):
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC | os.O_NOCTTY | os.O_NOFOLLOW)
    try:
        with _syscall("pwrite", path):
            return os.pwrite(fd, content, offset)
    finally:
        os.close(fd)


@impl
def touch(ctx: Ctx, path: str) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise AgentError(f"lstat: {to_guest(path)}: {e.strerror}", e.errno) from None
    else:
        if not stat.S_ISREG(st.st_mode):
            raise AgentError(f"{to_guest(path)}: touch can only be used on a regular files",
                             errno.EINVAL)
    with _syscall("open", path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOCTTY | os.O_CLOEXEC | os.O_NOFOLLOW,
                     0o666)
    try:
        with _syscall("futimens", path):
            os.utime(fd)
    finally:
        os.close(fd)


@impl
def truncate(ctx: Ctx, path: str) -> None:
    truncate_size(ctx, path, 0)


@impl
def truncate_size(ctx: Ctx, path: str, size: int) -> None:
    with _syscall("open", path):
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC | os.O_NOFOLLOW)
    try:
        with _syscall("ftruncate", path):
            os.ftruncate(fd, size)
    finally:
        os.close(fd)


# -- directories -------------------------------------------------------------
@impl
def mkdir(ctx: Ctx, path: str) -> None:
    os.mkdir(path, 0o777)


@impl
def mkdir_mode(ctx: Ctx, path: str, mode: int) -> None:
    _negative("mode", mode, path)
    os.mkdir(path, mode)


def _recursive_mkdir(path: str) -> bool:
    """mkdir -p; False if an element exists and is not a directory, OSError on other errors."""
    try:
        os.mkdir(path, 0o777)
    except FileExistsError:
        return _is_real_dir(path)
    except FileNotFoundError:
        parent = os.path.dirname(path)
        if path == SYSROOT or parent == path:
            raise
        if not _recursive_mkdir(parent):
            return False
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            return _is_real_dir(path)
    return True


@impl
def mkdir_p(ctx: Ctx, path: str) -> None:
    with _syscall("", path):
        ok = _recursive_mkdir(path)
    if not ok:
        raise AgentError(f"{to_guest(path)}: a path element was not a directory", errno.ENOTDIR)


@impl
def mkdtemp(ctx: Ctx, tmpl: str) -> str:
    if not tmpl.endswith("XXXXXX"):
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), tmpl)
    base = tmpl[:-6]
    for _ in range(1000):
        name = base + "".join(secrets.choice(_TEMP_CHARS) for _ in range(6))
        try:
            os.mkdir(name, 0o700)
        except FileExistsError:
            continue
        except OSError as e:
            raise OSError(e.errno, e.strerror, tmpl) from None
        return to_guest(name)
    raise OSError(errno.EEXIST, os.strerror(errno.EEXIST), tmpl)


@impl
def rmdir(ctx: Ctx, path: str) -> None:
    os.rmdir(path)


# -- removing ----------------------------------------------------------------
@impl
def rm(ctx: Ctx, path: str) -> None:
    os.unlink(path)


@impl
def rm_f(ctx: Ctx, path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


@impl
def rm_rf(ctx: Ctx, path: str) -> None:
    if path == SYSROOT:
        raise AgentError("cannot remove root directory")
    if not os.path.lexists(path):
        return
    # rm never follows a symlink it meets: a link is removed, what it points to is not.
    try:
        ctx.run(["rm", "-rf", "--", path])
    except AgentError as e:
        msg = _strip_sysroot(e.message.removeprefix("rm: "))
        raise AgentError(f"{to_guest(path)}: {msg}", e.errno) from None


@impl
def scrub_file(ctx: Ctx, file: str) -> None:
    with _syscall("", file):
        st = os.lstat(file)
    if not stat.S_ISREG(st.st_mode):
        raise AgentError(f"{to_guest(file)}: not a regular file", errno.EINVAL)
    try:
        ctx.run(["scrub", "-r", "--", file])
    except AgentError as e:
        raise AgentError(_strip_sysroot(e.message), e.errno) from None


# -- copying and moving ------------------------------------------------------
def _copy(ctx: Ctx, flags: Sequence[str], src: str, dest: str, follow_src: bool) -> None:
    with _syscall("", src):
        src_st = os.stat(src) if follow_src else os.lstat(src)
    target = _final_target(src, dest)
    extra: list[str] = []
    if os.path.islink(target):
        if not stat.S_ISDIR(src_st.st_mode):
            # cp writes a file through an existing link: through the guest's view of it.
            target = resolve(to_guest(target))
        # (a directory is never copied onto a link: cp refuses, it does not follow it)
    elif _is_real_dir(target) and stat.S_ISDIR(src_st.st_mode):
        # Merging into an existing tree: replace what is there rather than write into it,
        # so that a symlink already in the tree is never written through.
        extra.append("--remove-destination")
    _tool(ctx, ["cp", *flags, *extra, "-T", "--", src, target])


@impl
def cp(ctx: Ctx, src: str, dest: str) -> None:
    _copy(ctx, [], src, dest, follow_src=True)


@impl
def cp_a(ctx: Ctx, src: str, dest: str) -> None:
    _copy(ctx, ["-a"], src, dest, follow_src=False)


@impl
def cp_r(ctx: Ctx, src: str, dest: str) -> None:
    _copy(ctx, ["-rP"], src, dest, follow_src=False)


@impl
def mv(ctx: Ctx, src: str, dest: str) -> None:
    _check_not_root(src)
    os.lstat(src)
    # -T: the target is exactly this path; mv replaces a link there, never follows it.
    _tool(ctx, ["mv", "-T", "--", src, _final_target(src, dest)])


@impl
def rename(ctx: Ctx, oldpath: str, newpath: str) -> None:
    with _syscall("rename", oldpath, newpath):
        _check_not_root(oldpath)
        os.rename(oldpath, newpath)


# -- links -------------------------------------------------------------------
def _ln(flag: str, target: str, linkname: str, symbolic: bool, force: bool) -> None:
    what = f"ln {flag}" if flag else "ln"
    with _syscall(what, target, linkname):
        dest = _final_target(target, linkname)
        if force and os.path.lexists(dest):
            if _is_real_dir(dest):
                raise OSError(errno.EISDIR, "cannot overwrite directory", dest)
            if not symbolic:
                a, b = os.lstat(target), os.lstat(dest)
                if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
                    raise OSError(errno.EEXIST, "they are the same file", dest)
            os.unlink(dest)
        if symbolic:
            os.symlink(target, dest)
        else:
            os.link(target, dest, follow_symlinks=False)


@impl
def ln(ctx: Ctx, target: str, linkname: str) -> None:
    _ln("", target, linkname, symbolic=False, force=False)


@impl
def ln_f(ctx: Ctx, target: str, linkname: str) -> None:
    _ln("-f", target, linkname, symbolic=False, force=True)


@impl
def ln_s(ctx: Ctx, target: str, linkname: str) -> None:
    _ln("-s", target, linkname, symbolic=True, force=False)


@impl
def ln_sf(ctx: Ctx, target: str, linkname: str) -> None:
    _ln("-sf", target, linkname, symbolic=True, force=True)


# -- attributes --------------------------------------------------------------
@impl
def chmod(ctx: Ctx, mode: int, path: str) -> None:
    _negative("mode", mode, path)
    with _syscall("", path, f"0{mode:o}"):
        os.chmod(path, mode)


@impl
def chown(ctx: Ctx, owner: int, group: int, path: str) -> None:
    with _syscall("", path, f"{owner}.{group}"):
        os.chown(path, owner, group)


@impl
def lchown(ctx: Ctx, owner: int, group: int, path: str) -> None:
    with _syscall("", path, f"{owner}.{group}"):
        os.lchown(path, owner, group)


def _time_ns(secs: int, nsecs: int, current: int) -> int:
    if nsecs == -1:
        return time.time_ns()
    if nsecs == -2:
        return current
    if not 0 <= nsecs < 1_000_000_000:
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
    return secs * 1_000_000_000 + nsecs


@impl
def utimens(ctx: Ctx, path: str, atsecs: int, atnsecs: int, mtsecs: int, mtnsecs: int) -> None:
    with _syscall("utimensat", path):
        st = os.lstat(path)
        atime = _time_ns(atsecs, atnsecs, st.st_atime_ns)
        mtime = _time_ns(mtsecs, mtnsecs, st.st_mtime_ns)
        os.utime(path, ns=(atime, mtime), follow_symlinks=False)


def _setxattr(xattr: str, val: bytes, vallen: int, path: str, follow: bool) -> None:
    if vallen == len(val) + 1:  # libguestfs passes val as a C string: this is its NUL
        val += b"\0"
    if vallen > XATTR_SIZE_MAX:
        raise AgentError("extended attribute is too large", errno.E2BIG)
    if vallen < 0 or vallen > len(val):
        raise AgentError(f"vallen {vallen} is not within the value's {len(val)} bytes",
                         errno.EINVAL)
    with _syscall("setxattr"):
        os.setxattr(path, xattr, val[:vallen], follow_symlinks=follow)


@impl
def setxattr(ctx: Ctx, xattr: str, val: bytes, vallen: int, path: str) -> None:
    _setxattr(xattr, val, vallen, path, follow=True)


@impl
def lsetxattr(ctx: Ctx, xattr: str, val: bytes, vallen: int, path: str) -> None:
    _setxattr(xattr, val, vallen, path, follow=False)


@impl
def removexattr(ctx: Ctx, xattr: str, path: str) -> None:
    with _syscall("removexattr"):
        os.removexattr(path, xattr)


@impl
def lremovexattr(ctx: Ctx, xattr: str, path: str) -> None:
    with _syscall("removexattr"):
        os.removexattr(path, xattr, follow_symlinks=False)


# -- special files -----------------------------------------------------------
@impl
def mknod(ctx: Ctx, mode: int, devmajor: int, devminor: int, path: str) -> None:
    _negative("mode", mode, path)
    _negative("devmajor", devmajor, path)
    _negative("devminor", devminor, path)
    with _syscall("", path):  # os.mknod's OSError names no file
        os.mknod(path, mode, os.makedev(devmajor, devminor))


@impl
def mknod_b(ctx: Ctx, mode: int, devmajor: int, devminor: int, path: str) -> None:
    mknod(ctx, mode | stat.S_IFBLK, devmajor, devminor, path)


@impl
def mknod_c(ctx: Ctx, mode: int, devmajor: int, devminor: int, path: str) -> None:
    mknod(ctx, mode | stat.S_IFCHR, devmajor, devminor, path)


@impl
def mkfifo(ctx: Ctx, mode: int, path: str) -> None:
    mknod(ctx, mode | stat.S_IFIFO, 0, 0, path)


@impl
def umask(ctx: Ctx, mask: int) -> int:
    _negative("mask", mask)
    return os.umask(mask & 0o777)


@impl
def get_umask(ctx: Ctx) -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
