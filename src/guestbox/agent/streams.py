"""Agent side of the streaming operations: file contents, tarballs and base64 in and out.

Contents always travel as raw CHUNK frames; base64 is decoded and encoded here,
never put in a JSON document.  Tarballs are made and unpacked by the
appliance's GNU tar, as libguestfs's daemon does (daemon/tar.c).
"""

from __future__ import annotations

import base64
import binascii
import errno
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from typing import IO

from ..protocol.frames import CHUNK_SIZE
from .context import TOOL_ENV, Ctx
from .paths import to_guest
from .registry import AgentError, impl

COMPRESS = {
    # libguestfs's names -> (tar option, program the option runs)
    "compress": ("--compress", "compress"),
    "gzip": ("--gzip", "gzip"),
    "bzip2": ("--bzip2", "bzip2"),
    "xz": ("--xz", "xz"),
    "lzop": ("--lzop", "lzop"),
    "zstd": ("--zstd", "zstd"),  # an extension: libguestfs 1.48 has no zstd
}

B64_LINE = 57  # bytes per 76-column line of base64, as coreutils' base64 writes
B64_BLOCK = B64_LINE * (CHUNK_SIZE // 76)  # input bytes per output chunk (whole lines)
B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
B64_GARBAGE = bytes(c for c in range(256) if c not in B64_ALPHABET)


# -- plain files ------------------------------------------------------------------------------

def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _receive_into(ctx: Ctx, fd: int, path: str) -> None:
    """Write the FileIn stream to fd, as libguestfs's upload does."""
    try:
        if ctx.receive_into(fd):
            return
    except OSError as e:
        raise AgentError(f"write error: {to_guest(path)}: {e.strerror}", e.errno) from None
    for chunk in ctx.chunks():
        try:
            _write_all(fd, chunk)
        except OSError as e:
            raise AgentError(f"write error: {to_guest(path)}: {e.strerror}", e.errno) from None


def _open_upload(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC, 0o666)


@impl
def upload(ctx: Ctx, filename: None, remotefilename: str) -> None:
    fd = _open_upload(remotefilename, os.O_CREAT | os.O_TRUNC)
    try:
        _receive_into(ctx, fd, remotefilename)
    finally:
        os.close(fd)


@impl
def upload_offset(ctx: Ctx, filename: None, remotefilename: str, offset: int) -> None:
    if offset < 0:
        raise AgentError(f"{to_guest(remotefilename)}: offset in file is negative", errno.EINVAL)
    fd = _open_upload(remotefilename, os.O_CREAT)
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        _receive_into(ctx, fd, remotefilename)
    finally:
        os.close(fd)


def _open_download(path: str) -> tuple[int, int]:
    """An open descriptor on a guest file or device, and its size (for progress)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)  # libguestfs's text
        size = os.lseek(fd, 0, os.SEEK_END) if stat.S_ISBLK(st.st_mode) else st.st_size
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd, size


@impl
def download(ctx: Ctx, remotefilename: str, filename: None) -> None:
    fd, size = _open_download(remotefilename)
    try:
        ctx.send_file(fd, size)
    finally:
        os.close(fd)


@impl
def download_offset(ctx: Ctx, remotefilename: str, filename: None, offset: int,
                    size: int) -> None:
    guest = to_guest(remotefilename)
    if offset < 0:
        raise AgentError(f"{guest}: offset in file is negative", errno.EINVAL)
    if size < 0:
        raise AgentError(f"{guest}: size is negative", errno.EINVAL)
    fd, _ = _open_download(remotefilename)
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        sent = 0
        while sent < size:
            data = os.read(fd, min(CHUNK_SIZE, size - sent))
            if not data:  # past the end of the file: fewer bytes, as libguestfs
                break
            ctx.send_chunk(data)
            sent += len(data)
            ctx.progress(sent, size)
    finally:
        os.close(fd)


# -- tarballs ---------------------------------------------------------------------------------

def _compress_option(compress: str | None) -> list[str]:
    if compress is None:
        return []
    try:
        option, program = COMPRESS[compress]
    except KeyError:
        raise AgentError(f"unknown compression type: {compress}", errno.EINVAL) from None
    if shutil.which(program, path=TOOL_ENV["PATH"]) is None:
        raise AgentError(f"compression type {compress}: the {program} program is not "
                         "available in the appliance", errno.ENOTSUP)
    return [option]


def _chown_supported(directory: str) -> bool:
    """Whether the filesystem holding directory supports chown (vfat does not)."""
    name = os.path.join(directory, f"{os.urandom(4).hex()}.{os.urandom(2).hex()}")
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOCTTY | os.O_CLOEXEC,
                     0o666)
    except OSError as e:
        raise OSError(e.errno, e.strerror, directory) from None
    try:
        os.fchown(fd, 1000, 1000)
    except PermissionError:
        return False
    except OSError as e:
        raise AgentError(f"unexpected error in fchown: {e.strerror}", e.errno) from None
    finally:
        os.close(fd)
        os.unlink(name)
    return True


def _error_text(f: IO[bytes]) -> str:
    f.seek(0)
    text = f.read().decode("utf-8", "replace").rstrip("\n")
    return text or "(no error)"


def _tar_in(ctx: Ctx, directory: str, compress: str | None, xattrs: bool | None = None,
            selinux: bool | None = None, acls: bool | None = None) -> None:
    guest = to_guest(directory)
    options = _compress_option(compress)
    if not _chown_supported(directory):
        options.append("--no-same-owner")
    if xattrs:
        options += ["--xattrs", "--xattrs-include=*"]
    if selinux:
        options.append("--selinux")
    if acls:
        options.append("--acls")
    with tempfile.TemporaryFile() as errf:
        p = subprocess.Popen(["tar", "-C", directory, "-xf", "-", *options],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errf,
                             env=TOOL_ENV)
        if not ctx.feed(p):
            p.wait()
            raise AgentError(f"write error on directory: {guest}: {_error_text(errf)}")
        if p.wait() != 0:
            raise AgentError(f"tar subcommand failed on directory: {guest}: {_error_text(errf)}")


def _tar_out(ctx: Ctx, directory: str, compress: str | None, numericowner: bool | None = None,
             excludes: list[str] | None = None, xattrs: bool | None = None,
             selinux: bool | None = None, acls: bool | None = None) -> None:
    guest = to_guest(directory)
    options = _compress_option(compress)
    try:
        st = os.stat(directory)
    except OSError as e:
        raise AgentError(f"stat: {guest}: {e.strerror}", e.errno) from None
    if not stat.S_ISDIR(st.st_mode):
        raise AgentError(f"{guest}: not a directory", errno.ENOTDIR)
    if numericowner:
        options.append("--numeric-owner")
    with tempfile.NamedTemporaryFile(prefix="tar-out") as exclude_from, \
            tempfile.TemporaryFile() as errf:
        if excludes is not None:
            for pattern in excludes:
                if "\n" in pattern:
                    raise AgentError(f"exclude pattern contains a newline: {pattern!r}",
                                     errno.EINVAL)
                exclude_from.write(os.fsencode(pattern) + b"\n")
            exclude_from.flush()
            options += ["-X", exclude_from.name]
        if xattrs:
            options.append("--xattrs")
        if selinux:
            options.append("--selinux")
        if acls:
            options.append("--acls")
        p = subprocess.Popen(["tar", "-C", directory, *options, "-cf", "-", "."],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf,
                             env=TOOL_ENV)
        if ctx.send_output(p) != 0:
            raise AgentError(f"tar subcommand failed on directory: {guest}: {_error_text(errf)}")


@impl
def tar_in(ctx: Ctx, tarfile: None, directory: str, compress: str | None = None,
           xattrs: bool | None = None, selinux: bool | None = None,
           acls: bool | None = None) -> None:
    _tar_in(ctx, directory, compress, xattrs, selinux, acls)


@impl
def tar_out(ctx: Ctx, directory: str, tarfile: None, compress: str | None = None,
            numericowner: bool | None = None, excludes: list[str] | None = None,
            xattrs: bool | None = None, selinux: bool | None = None,
            acls: bool | None = None) -> None:
    _tar_out(ctx, directory, compress, numericowner, excludes, xattrs, selinux, acls)


@impl
def tgz_in(ctx: Ctx, tarball: None, directory: str) -> None:
    _tar_in(ctx, directory, "gzip")


@impl
def tgz_out(ctx: Ctx, directory: str, tarball: None) -> None:
    _tar_out(ctx, directory, "gzip")


@impl
def txz_in(ctx: Ctx, tarball: None, directory: str) -> None:
    _tar_in(ctx, directory, "xz")


@impl
def txz_out(ctx: Ctx, directory: str, tarball: None) -> None:
    _tar_out(ctx, directory, "xz")


# -- base64 -----------------------------------------------------------------------------------

def _b64_decoded(chunks: Iterator[bytes | memoryview]) -> Iterator[bytes]:
    """Decode a base64 text stream, ignoring what is not base64 (as `base64 -d -i`)."""
    pending = b""
    for chunk in chunks:
        pending += bytes(chunk).translate(None, B64_GARBAGE)
        whole = len(pending) - len(pending) % 4
        if whole:
            yield binascii.a2b_base64(pending[:whole])
            pending = pending[whole:]
    if pending:
        yield binascii.a2b_base64(pending + b"=" * (-len(pending) % 4))


@impl
def base64_in(ctx: Ctx, base64file: None, filename: str) -> None:
    guest = to_guest(filename)
    fd = os.open(filename, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOCTTY | os.O_CLOEXEC,
                 0o666)
    try:
        try:
            for data in _b64_decoded(ctx.chunks()):
                try:
                    _write_all(fd, data)
                except OSError as e:
                    raise AgentError(f"write error on file: {guest}: {e.strerror}",
                                     e.errno) from None
        except binascii.Error as e:
            raise AgentError(f"base64 subcommand failed on file: {guest}: invalid input ({e})",
                             errno.EINVAL) from None
    finally:
        os.close(fd)


@impl
def base64_out(ctx: Ctx, filename: str, base64file: None) -> None:
    fd, size = _open_download(filename)
    try:
        done = 0
        while True:
            block = bytearray()
            while len(block) < B64_BLOCK:
                data = os.read(fd, B64_BLOCK - len(block))
                if not data:
                    break
                block += data
            if not block:
                break
            ctx.send_chunk(base64.encodebytes(bytes(block)))
            done += len(block)
            ctx.progress(done, max(size, done))
            if len(block) < B64_BLOCK:
                break
    finally:
        os.close(fd)
