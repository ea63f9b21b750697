"""The host side of copy_in and copy_out: the host's tar, and a tar extractor that
never writes outside its target directory whatever names, links or devices a guest holds."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import subprocess
import tarfile
from typing import IO


def split_path(name: str, path: str) -> tuple[str | None, str]:
    """(dirname or None, basename) as libguestfs's split_path in lib/copy-in-out.c."""
    from .errors import Error

    if not path:
        raise Error(f"{name}: error: argument is zero length or longer than maximum permitted",
                    errno.EINVAL)
    if len(path) >= 2 and path.endswith("/"):
        path = path[:-1]
    i = path.rfind("/")
    if i > 0:
        return path[:i], path[i + 1 :]
    if i == 0:
        return "/", path[1:]
    return None, path


def popen_tool(name: str, argv: list[str], *, stdout: bool,
           stderr: IO[bytes]) -> subprocess.Popen[bytes]:
    import subprocess

    from .errors import error_for

    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
                                stderr=stderr)
    except OSError as e:
        raise error_for(f"{name}: {argv[0]}: {e.strerror}", e.errno) from None


def read_errors(f: IO[bytes]) -> str:
    f.seek(0)
    return f.read().decode("utf-8", "replace").strip() or "(no error)"


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_COPY_SIZE = 1024 * 1024


class Unpacker:
    """Reads a tar stream from a pipe and unpacks it safely under localdir/basename."""

    def __init__(self, rfd: int, localdir: str, basename: str) -> None:
        self.rfd = rfd
        self.localdir = localdir
        self.basename = basename
        self.problems: list[str] = []
        self.refused = False

    def run(self) -> None:
        import tarfile

        with os.fdopen(self.rfd, "rb") as f:
            try:
                try:
                    tf = tarfile.open(fileobj=f, mode="r|")
                except tarfile.ReadError:
                    return  # nothing came (tar_out failed): its error is what counts
                rootfd = self._root()
                try:
                    self.refused = extract_tar_safely(tf, rootfd, self.problems)
                finally:
                    os.close(rootfd)
            except Exception as e:  # noqa: BLE001 - reported to the caller, never lost
                self.problems.append(f"{type(e).__name__}: {e}")
            finally:
                while f.read(_COPY_SIZE):  # keep the writer going to its end
                    pass

    def _root(self) -> int:
        """A descriptor on localdir/basename, made if needed, never through a symlink."""
        dfd = os.open(self.localdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            if self.basename == ".":
                return os.dup(dfd)
            try:
                os.mkdir(self.basename, 0o777, dir_fd=dfd)
            except FileExistsError:
                pass
            try:
                return os.open(self.basename, _DIR_FLAGS, dir_fd=dfd)
            except OSError as e:
                raise OSError(e.errno, f"{e.strerror} (or a symlink)",
                              os.path.join(self.localdir, self.basename)) from None
        finally:
            os.close(dfd)


def _member_parts(name: str) -> list[str] | None:
    """The components of a member name, or None if it is absolute or has '..'."""
    if name.startswith("/"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    return parts


def _walk(rootfd: int, parts: list[str], create: bool) -> int:
    """A descriptor on the directory rootfd/parts..., never following a symlink."""
    fd = os.dup(rootfd)
    try:
        for p in parts:
            try:
                nfd = os.open(p, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(p, 0o777, dir_fd=fd)
                nfd = os.open(p, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nfd
    except BaseException:
        os.close(fd)
        raise
    return fd


def _clear(pfd: int, name: str, keep_dir: bool) -> bool:
    """Remove what is at name (never following it); True if a directory was kept."""
    try:
        st = os.stat(name, dir_fd=pfd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(st.st_mode):
        if keep_dir:
            return True
        os.rmdir(name, dir_fd=pfd)
    else:
        os.unlink(name, dir_fd=pfd)
    return False


def extract_tar_safely(tf: tarfile.TarFile, rootfd: int, problems: list[str]) -> bool:
    """Unpack tf under the directory rootfd without ever writing outside it.

    Every member is checked here (Python 3.11.2 has no extraction filters): absolute
    names and names with '..' are refused, every parent directory is opened with
    O_NOFOLLOW from rootfd (so a symlink, from the archive or already there, is never
    passed through), an existing entry is removed before a file or link replaces it
    (so no existing inode is ever written through), a regular file is written under a
    hidden temporary name and renamed into place once complete (a stream cut short
    leaves no partial file), symlinks are made as symlinks, hard links only to members
    inside rootfd, and devices and fifos are refused.
    Modes lose their setuid/setgid/sticky bits; owners are not set.  Problems are
    appended to problems; returns True if something was refused for safety.
    """
    refused = False
    dirs: list[tuple[list[str], int, int]] = []
    for m in tf:
        parts = _member_parts(m.name)
        if parts is None:
            problems.append(f"{m.name}: absolute name or '..' in it, refused")
            refused = True
            continue
        if not (m.isdir() or m.isreg() or m.issym() or m.islnk()):
            problems.append(f"{m.name}: device, fifo or special file, refused")
            refused = True
            continue
        if not parts:
            if m.isdir():
                dirs.append(([], m.mode, int(m.mtime)))
            else:
                problems.append(f"{m.name}: not a directory, refused")
                refused = True
            continue
        try:
            pfd = _walk(rootfd, parts[:-1], create=True)
        except OSError as e:
            problems.append(f"{m.name}: a parent is not a directory or is a symlink "
                            f"({e.strerror}), refused")
            refused = True
            continue
        name = parts[-1]
        try:
            if m.isdir():
                if not _clear(pfd, name, keep_dir=True):
                    os.mkdir(name, 0o700, dir_fd=pfd)
                dirs.append((parts, m.mode, int(m.mtime)))
            elif m.isreg():
                _write_file(tf, m, pfd, name)
            elif m.issym():
                _clear(pfd, name, keep_dir=False)
                os.symlink(m.linkname, name, dir_fd=pfd)
                try:
                    os.utime(name, (m.mtime, m.mtime), dir_fd=pfd, follow_symlinks=False)
                except (OSError, NotImplementedError):
                    pass
            else:
                refused |= _hardlink(rootfd, pfd, name, m, problems)
        except OSError as e:
            problems.append(f"{m.name}: {e.strerror}")
        finally:
            os.close(pfd)
    for parts, mode, mtime in sorted(dirs, key=lambda d: len(d[0]), reverse=True):
        try:
            fd = _walk(rootfd, parts, create=False)
        except OSError:
            continue  # replaced by a later member
        try:
            os.fchmod(fd, mode & 0o777)
            os.utime(fd, (mtime, mtime))
        finally:
            os.close(fd)
    return refused


def _write_file(tf: tarfile.TarFile, m: tarfile.TarInfo, pfd: int, name: str) -> None:
    """The regular member m as pfd/name: written under a new hidden name beside it, then
    renamed over name once complete, so a stream that ends early (an interrupted copy)
    leaves no partial file under name, and whatever was at name is replaced, never
    written through."""
    fd, tmp = -1, ""
    while fd < 0:
        tmp = f".guestbox-{secrets.token_hex(6)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o600, dir_fd=pfd)
        except FileExistsError:
            continue
    try:
        try:
            src = tf.extractfile(m)
            if src is not None:
                while data := src.read(_COPY_SIZE):
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
            os.fchmod(fd, m.mode & 0o777)
            os.utime(fd, (m.mtime, m.mtime))
        finally:
            os.close(fd)
        _clear(pfd, name, keep_dir=False)  # an empty directory there goes; a file is replaced
        os.rename(tmp, name, src_dir_fd=pfd, dst_dir_fd=pfd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=pfd)
        raise


def _hardlink(rootfd: int, pfd: int, name: str, m: tarfile.TarInfo,
              problems: list[str]) -> bool:
    """Make the hard link member m at pfd/name; True if it was refused."""
    tparts = _member_parts(m.linkname)
    if not tparts:
        problems.append(f"{m.name}: hard link to '{m.linkname}' outside the tree, refused")
        return True
    try:
        tfd = _walk(rootfd, tparts[:-1], create=False)
    except OSError as e:
        problems.append(f"{m.name}: hard link target '{m.linkname}': {e.strerror}")
        return False
    try:
        st = os.stat(tparts[-1], dir_fd=tfd, follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            problems.append(f"{m.name}: hard link to a directory, refused")
            return True
        _clear(pfd, name, keep_dir=False)
        os.link(tparts[-1], name, src_dir_fd=tfd, dst_dir_fd=pfd, follow_symlinks=False)
    finally:
        os.close(tfd)
    return False
