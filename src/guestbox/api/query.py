"""Reading the guest's files and asking about them: listing, stat, content, search."""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator

from .table import alias, op
from .types import (  # noqa: F401
    Device,
    DevOrPath,
    FileIn,
    FileOut,
    Mountable,
    Pathname,
    Stat,
    StatNS,
    XAttr,
)

_LEN = struct.Struct(">I")


def decode_xattrs(name: str, blob: bytes) -> list[XAttr]:
    """The attribute list the agent packs for getxattrs/lgetxattrs.

    Each attribute is a big-endian u32 length and the name (UTF-8), then a u32
    length and the raw value.  The data comes from the appliance: a malformed
    buffer is an ApplianceError, never an IndexError.
    """
    out: list[XAttr] = []
    pos = 0
    try:
        while pos < len(blob):
            (n,) = _LEN.unpack_from(blob, pos)
            pos += _LEN.size
            if pos + n > len(blob):
                raise ValueError("attribute name beyond the buffer")
            attrname = blob[pos : pos + n].decode("utf-8", "surrogateescape")
            pos += n
            (v,) = _LEN.unpack_from(blob, pos)
            pos += _LEN.size
            if pos + v > len(blob):
                raise ValueError("attribute value beyond the buffer")
            out.append({"attrname": attrname, "attrval": blob[pos : pos + v]})
            pos += v
    except (struct.error, ValueError) as e:
        from ..errors import ApplianceError  # host side only: the appliance has no errors module

        raise ApplianceError(f"{name}: malformed attribute list from the appliance: {e}") from None
    return out


@contextlib.contextmanager
def _renamed(internal: str, public: str) -> Iterator[None]:
    """Errors of an internal operation, reported under the public operation's name."""
    from ..errors import Error  # host side only: the appliance has no errors module

    try:
        yield
    except Error as e:
        prefix = f"{internal}: "
        if not e.message.startswith(prefix):
            raise
        raise type(e)(public + ": " + e.message[len(prefix) :], e.errno) from None


class QueryOps:
    """Reading the guest's files and asking about them: listing, stat, content, search."""

    # -- listing -------------------------------------------------------------
    @op()
    def ls(self, directory: Pathname) -> list[str]:
        """The names in a directory, sorted, without . and .."""
        ...

    @op()
    def ls0(self, dir: Pathname, filenames: FileOut) -> None:
        """Write the names in directory dir to the host file filenames, each ending in a NUL byte.

        The names are in directory order (not sorted), without . and ..; this
        is the form of ls for directories with very many entries.
        """
        ...

    @op()
    def ll(self, directory: Pathname) -> str:
        """A long listing of a directory (ls -la), as a string, for people to read.

        The format is that of ls(1) and is not meant to be parsed: use
        lstatnslist or find for programs.  Owners are numbers (ls -n), as in
        libguestfs: the appliance knows no user names, and its own would not be
        the guest's.
        """
        ...

    @op()
    def find(self, directory: Pathname) -> list[str]:
        """Every file and directory under directory, recursively, as paths relative to it, sorted.

        Like `cd directory; find | sort`, without the leading "./" and without
        directory itself: find("/tmp") on /tmp/a and /tmp/b/c gives
        ["a", "b", "b/c"].  Symbolic links are listed, not followed.  (libguestfs 1.48
        returns "/a", "/b", "/b/c" for any directory but /, against its own
        documentation; guestbox does what the documentation says.)
        """
        ...

    @op()
    def find0(self, directory: Pathname, files: FileOut) -> None:
        """Write every path under directory to the host file files, each ending in a NUL byte.

        The paths are relative to directory and start with "/" (like
        `find directory -print0` with directory cut off), in the order find
        meets them, not sorted.  This handles file names with any bytes in them.
        """
        ...

    @op()
    def glob_expand(self, pattern: str, directoryslash: bool | None = None) -> list[str]:
        """The paths matching the shell wildcard pattern, resolved in the guest.

        The rules are those of glob(3) with GLOB_BRACE ({a,b} alternatives).
        No match is an empty list, not an error.  Directories get a trailing "/"
        unless directoryslash is False.  There is no equivalent for device
        names: use list_devices, list_partitions.
        """
        ...

    glob_expand_opts = alias(
        "glob_expand_opts", glob_expand,
        "The same as glob_expand (the name of its form with optional arguments).")

    # -- what is there -------------------------------------------------------
    @op(nofollow=("path",))
    def exists(self, path: Pathname) -> bool:
        """True if something exists at path: a file, a directory, a link (even a dangling one)."""
        ...

    @op()
    def is_zero(self, path: Pathname) -> bool:
        """True if the file path holds only zero bytes (an empty file does)."""
        ...

    @op(nofollow=("path",))
    def is_file(self, path: Pathname, followsymlinks: bool | None = None) -> bool:
        """True if path is a regular file; False if it is something else or does not exist.

        A symbolic link is not followed unless followsymlinks is True.
        """
        ...

    @op(nofollow=("path",))
    def is_dir(self, path: Pathname, followsymlinks: bool | None = None) -> bool:
        """True if path is a directory; False if it is something else or does not exist.

        A symbolic link is not followed unless followsymlinks is True.
        """
        ...

    @op(nofollow=("path",))
    def is_symlink(self, path: Pathname) -> bool:
        """True if path is a symbolic link; False if it is something else or does not exist."""
        ...

    @op(nofollow=("path",))
    def is_blockdev(self, path: Pathname, followsymlinks: bool | None = None) -> bool:
        """True if path is a block device; False if it is something else or does not exist.

        A symbolic link is not followed unless followsymlinks is True.
        """
        ...

    @op(nofollow=("path",))
    def is_chardev(self, path: Pathname, followsymlinks: bool | None = None) -> bool:
        """True if path is a character device; False if it is something else or does not exist.

        A symbolic link is not followed unless followsymlinks is True.
        """
        ...

    @op(nofollow=("path",))
    def is_fifo(self, path: Pathname, followsymlinks: bool | None = None) -> bool:
        """True if path is a FIFO (named pipe); False if it is something else or does not exist.

        A symbolic link is not followed unless followsymlinks is True.
        """
        ...

    @op(nofollow=("path",))
    def is_socket(self, path: Pathname, followsymlinks: bool | None = None) -> bool:
        """True if path is a Unix domain socket; False if it is something else or does not exist.

        A symbolic link is not followed unless followsymlinks is True.
        """
        ...

    # -- stat ------------------------------------------------------------------
    @op()
    def statns(self, path: Pathname) -> StatNS:
        """The stat(2) of path, following symbolic links, with nanosecond times."""
        ...

    @op(nofollow=("path",))
    def lstatns(self, path: Pathname) -> StatNS:
        """The lstat(2) of path (a symbolic link itself, not its target), with nanosecond times."""
        ...

    @op()
    def lstatnslist(self, path: Pathname, names: list[str]) -> list[StatNS]:
        """lstatns of each of the names in directory path, in one call.

        The list has one entry per name, in the same order; an entry whose
        lstat failed (the file does not exist ...) has st_ino -1.
        """
        ...

    @op(deprecated_by="statns")
    def stat(self, path: Pathname) -> Stat:
        """The stat(2) of path, following symbolic links (whole-second times: use statns)."""
        ...

    @op(nofollow=("path",), deprecated_by="lstatns")
    def lstat(self, path: Pathname) -> Stat:
        """The lstat(2) of path, a symbolic link itself (whole-second times: use lstatns)."""
        ...

    @op()
    def filesize(self, file: Pathname) -> int:
        """The size of file in bytes (symbolic links are followed)."""
        ...

    @op()
    def du(self, path: Pathname) -> int:
        """The disk space used by path and everything under it, in kilobytes (du -s).

        This is space used, not apparent size: sparse files count for less,
        and the figure depends on the filesystem's block size.
        """
        ...

    @op(nofollow=("path",))
    def file(self, path: DevOrPath) -> str:
        """What kind of file path is, as file(1) says it, e.g. "ASCII text".

        Regular files are examined with `file -zb` (so compressed files are
        looked into); a directory, device, FIFO, socket or symbolic link is
        named as such ("directory", "symbolic link" ...) without reading it.
        A /dev/ path is read as a device of the appliance (`file -zbsL`).
        """
        ...

    # -- links and names ------------------------------------------------------
    @op(nofollow=("path",))
    def readlink(self, path: Pathname) -> str:
        """The target of the symbolic link path, as stored in the link (not resolved)."""
        ...

    @op()
    def readlinklist(self, path: Pathname, names: list[str]) -> list[str]:
        """readlink of each of the names in directory path, in one call.

        The list has one entry per name, in the same order; an entry whose
        readlink failed (not a link, does not exist ...) is the empty string.
        """
        ...

    @op()
    def realpath(self, path: Pathname) -> str:
        """The canonical absolute path of path in the guest: no ".", "..", or symbolic links.

        Links are resolved inside the guest (an absolute link target is
        relative to the guest's root); the path must exist.
        """
        ...

    @op()
    def case_sensitive_path(self, path: str) -> str:
        """path with each element in the case the guest spells it, for case-insensitive
        names read from Windows' configuration or registry: "/windows/system32" ->
        "/Windows/System32".

        An exact name wins over a case-insensitive match.  The last element may not
        exist (it is kept as written); a missing directory before it is an error.
        Symbolic links are followed inside the guest, and keep their own names.
        """
        ...

    # -- content ---------------------------------------------------------------
    @op()
    def cat(self, path: Pathname) -> str:
        """The content of a text file (read_file for binary data)."""
        ...

    @op()
    def read_file(self, path: Pathname) -> bytes:
        """The whole content of path, as bytes (embedded NUL bytes are kept).

        The file must fit in one message; use download for bigger files.
        """
        ...

    @op()
    def read_lines(self, path: Pathname) -> list[str]:
        """The lines of a text file, without their line endings (LF or CRLF).

        A last line without a newline is returned too; an empty file gives
        an empty list.
        """
        ...

    @op()
    def pread(self, path: Pathname, count: int, offset: int) -> bytes:
        """Up to count bytes of path from byte offset (fewer at the end of the file)."""
        ...

    @op()
    def head(self, path: Pathname) -> list[str]:
        """The first 10 lines of a file."""
        ...

    @op()
    def head_n(self, nrlines: int, path: Pathname) -> list[str]:
        """The first nrlines lines of a file.

        A negative nrlines gives every line except the last -nrlines; zero
        gives an empty list.
        """
        ...

    @op()
    def tail(self, path: Pathname) -> list[str]:
        """The last 10 lines of a file."""
        ...

    @op()
    def tail_n(self, nrlines: int, path: Pathname) -> list[str]:
        """The last nrlines lines of a file.

        A negative nrlines gives the lines from line number -nrlines to the
        end; zero gives an empty list.
        """
        ...

    # -- checksums -------------------------------------------------------------
    @op()
    def checksum(self, csumtype: str, path: Pathname) -> str:
        """The checksum of the file path, as a hex string (a decimal number for crc).

        csumtype is one of crc (POSIX cksum), md5, sha1, sha224, sha256, sha384,
        sha512.
        """
        ...

    @op()
    def checksum_device(self, csumtype: str, device: Device) -> str:
        """The checksum of the whole content of device (see checksum for csumtype)."""
        ...

    @op()
    def checksums_out(self, csumtype: str, directory: Pathname, sumsfile: FileOut) -> None:
        """Checksum every regular file under directory and write the list to the host file sumsfile.

        The lines are those of the md5sum family of tools, "HASH  ./PATH"
        (cksum's "CRC SIZE ./PATH" for crc), paths relative to directory.
        """
        ...

    # -- extended attributes --------------------------------------------------
    @op()
    def internal_getxattrs(self, path: Pathname) -> bytes:
        """Internal: the extended attributes of path, packed (getxattrs decodes them)."""
        ...

    @op(nofollow=("path",))
    def internal_lgetxattrs(self, path: Pathname) -> bytes:
        """Internal: the extended attributes of path itself, packed (lgetxattrs decodes them)."""
        ...

    @op(local=True, group="linuxxattrs")
    def getxattrs(self, path: Pathname) -> list[XAttr]:
        """The extended attributes of path (following symbolic links), names and raw values."""
        with _renamed("internal_getxattrs", "getxattrs"):
            return decode_xattrs("getxattrs", self.internal_getxattrs(path))

    @op(local=True, group="linuxxattrs")
    def lgetxattrs(self, path: Pathname) -> list[XAttr]:
        """The extended attributes of path itself (a symbolic link is not followed)."""
        with _renamed("internal_lgetxattrs", "lgetxattrs"):
            return decode_xattrs("lgetxattrs", self.internal_lgetxattrs(path))

    @op()
    def internal_lxattrlist(self, path: Pathname, names: list[str]) -> bytes:
        """Internal: lxattrlist's list, packed (lxattrlist decodes it)."""
        ...

    @op(local=True, group="linuxxattrs")
    def lxattrlist(self, path: Pathname, names: list[str]) -> list[XAttr]:
        """The extended attributes of each of the names in directory path, in one call
        (links are not followed).

        For each name the list holds first an entry whose attrname is "" and whose
        attrval is the number of that file's attributes as a decimal string (with a
        NUL after it; empty if they could not be read), then its attributes.
        """
        with _renamed("internal_lxattrlist", "lxattrlist"):
            return decode_xattrs("lxattrlist", self.internal_lxattrlist(path, names))

    @op(group="linuxxattrs")
    def getxattr(self, path: Pathname, name: str) -> bytes:
        """The value of the extended attribute name of path (following symbolic links)."""
        ...

    @op(nofollow=("path",), group="linuxxattrs")
    def lgetxattr(self, path: Pathname, name: str) -> bytes:
        """The value of the extended attribute name of path itself (links are not followed)."""
        ...

    # -- searching -------------------------------------------------------------
    @op()
    def grep(
        self,
        regex: str,
        path: Pathname,
        extended: bool | None = None,
        fixed: bool | None = None,
        insensitive: bool | None = None,
        compressed: bool | None = None,
    ) -> list[str]:
        """The lines of path that match regex (grep(1)).

        extended: regex is an extended regular expression (grep -E).
        fixed: regex is a plain string (grep -F); not with extended.
        insensitive: ignore case (grep -i).
        compressed: path may be compressed with gzip (zgrep).
        No match is an empty list, not an error.
        """
        ...

    grep_opts = alias("grep_opts", grep,
                      "The same as grep (the name of its form with optional arguments).")

    @op(local=True, deprecated_by="grep")
    def egrep(self, regex: str, path: Pathname) -> list[str]:
        """grep with extended=True."""
        return self.grep(regex, path, extended=True)

    @op(local=True, deprecated_by="grep")
    def fgrep(self, pattern: str, path: Pathname) -> list[str]:
        """grep with fixed=True."""
        return self.grep(pattern, path, fixed=True)

    @op(local=True, deprecated_by="grep")
    def grepi(self, regex: str, path: Pathname) -> list[str]:
        """grep with insensitive=True."""
        return self.grep(regex, path, insensitive=True)

    @op(local=True, deprecated_by="grep")
    def egrepi(self, regex: str, path: Pathname) -> list[str]:
        """grep with extended=True, insensitive=True."""
        return self.grep(regex, path, extended=True, insensitive=True)

    @op(local=True, deprecated_by="grep")
    def fgrepi(self, pattern: str, path: Pathname) -> list[str]:
        """grep with fixed=True, insensitive=True."""
        return self.grep(pattern, path, fixed=True, insensitive=True)

    @op(local=True, deprecated_by="grep")
    def zgrep(self, regex: str, path: Pathname) -> list[str]:
        """grep with compressed=True."""
        return self.grep(regex, path, compressed=True)

    @op(local=True, deprecated_by="grep")
    def zegrep(self, regex: str, path: Pathname) -> list[str]:
        """grep with extended=True, compressed=True."""
        return self.grep(regex, path, extended=True, compressed=True)

    @op(local=True, deprecated_by="grep")
    def zfgrep(self, pattern: str, path: Pathname) -> list[str]:
        """grep with fixed=True, compressed=True."""
        return self.grep(pattern, path, fixed=True, compressed=True)

    @op(local=True, deprecated_by="grep")
    def zgrepi(self, regex: str, path: Pathname) -> list[str]:
        """grep with insensitive=True, compressed=True."""
        return self.grep(regex, path, insensitive=True,
                         compressed=True)

    @op(local=True, deprecated_by="grep")
    def zegrepi(self, regex: str, path: Pathname) -> list[str]:
        """grep with extended=True, insensitive=True, compressed=True."""
        return self.grep(regex, path, extended=True,
                         insensitive=True, compressed=True)

    @op(local=True, deprecated_by="grep")
    def zfgrepi(self, pattern: str, path: Pathname) -> list[str]:
        """grep with fixed=True, insensitive=True, compressed=True."""
        return self.grep(pattern, path, fixed=True,
                         insensitive=True, compressed=True)
