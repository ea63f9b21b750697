"""Moving file contents between the host and the guest.

The appliance imports this module too (to dispatch), so the host-only parts
(copy_in, copy_out and the safe tar extractor) import what they need inside
their functions.
"""

from __future__ import annotations

import errno
import os
import typing

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, HostPath, Mountable, Pathname  # noqa: F401

if typing.TYPE_CHECKING:
    pass


class StreamOps:
    """Moving file contents between the host and the guest."""

    @op(writes=True)
    def upload(self, filename: FileIn, remotefilename: DevOrPath) -> None:
        """Copy the host file filename to remotefilename in the guest ('-' reads stdin).

        remotefilename may also name a device (/dev/sda ...): the content is written
        to it from its start.  See also download.
        """
        ...

    @op()
    def download(self, remotefilename: DevOrPath, filename: FileOut) -> None:
        """Copy the guest file (or device) remotefilename to the host file filename.

        filename '-' is stdout.  Progress events report the bytes sent.  A download
        that fails leaves no partial file under filename.
        """
        ...

    @op(writes=True)
    def upload_offset(self, filename: FileIn, remotefilename: DevOrPath, offset: int) -> None:
        """Copy the host file filename into remotefilename, starting at byte offset.

        The guest file is created if needed and not truncated: bytes beyond what is
        written keep their content.  offset must not be negative.
        """
        ...

    @op()
    def download_offset(self, remotefilename: DevOrPath, filename: FileOut, offset: int,
                        size: int) -> None:
        """Copy size bytes of remotefilename, starting at byte offset, to the host file filename.

        Past the end of the guest file fewer bytes are copied.  offset and size must
        not be negative.
        """
        ...

    @op(writes=True)
    def tar_in(self, tarfile: FileIn, directory: Pathname, compress: str | None = None,
               xattrs: bool | None = None, selinux: bool | None = None,
               acls: bool | None = None) -> None:
        """Unpack the host tarball tarfile into directory in the guest.

        compress is the tarball's compression: "gzip", "bzip2", "xz", "zstd" (not
        in libguestfs), "lzop" or "compress" (when those programs are in the
        appliance); none if not given.  xattrs, selinux, acls restore extended
        attributes, SELinux contexts, POSIX ACLs from the tarball.
        """
        ...

    @op()
    def tar_out(self, directory: Pathname, tarfile: FileOut, compress: str | None = None,
                numericowner: bool | None = None, excludes: list[str] | None = None,
                xattrs: bool | None = None, selinux: bool | None = None,
                acls: bool | None = None) -> None:
        """Pack the contents of the guest directory into the host tarball tarfile.

        compress as for tar_in.  numericowner stores UID/GID numbers instead of
        names; excludes is a list of wildcards of files to leave out; xattrs,
        selinux, acls save extended attributes, SELinux contexts, POSIX ACLs.
        """
        ...

    @op(writes=True, deprecated_by="tar_in")
    def tgz_in(self, tarball: FileIn, directory: Pathname) -> None:
        """Unpack the gzip-compressed host tarball into directory (tar_in with compress="gzip")."""
        ...

    @op(deprecated_by="tar_out")
    def tgz_out(self, directory: Pathname, tarball: FileOut) -> None:
        """Pack directory into the gzip-compressed host tarball (tar_out, compress="gzip")."""
        ...

    @op(writes=True, deprecated_by="tar_in", group="xz")
    def txz_in(self, tarball: FileIn, directory: Pathname) -> None:
        """Unpack the xz-compressed host tarball into directory (tar_in with compress="xz")."""
        ...

    @op(deprecated_by="tar_out", group="xz")
    def txz_out(self, directory: Pathname, tarball: FileOut) -> None:
        """Pack directory into the xz-compressed host tarball (tar_out with compress="xz")."""
        ...

    @op(writes=True)
    def base64_in(self, base64file: FileIn, filename: Pathname) -> None:
        """Write to the guest file filename the decoded content of the host file base64file.

        What is not base64 in base64file (newlines, spaces) is ignored.
        """
        ...

    @op()
    def base64_out(self, filename: Pathname, base64file: FileOut) -> None:
        """Write the guest file filename, base64-encoded (76-column lines), to the host file."""
        ...

    @op(local=True, writes=True)
    def copy_in(self, localpath: HostPath, remotedir: Pathname) -> None:
        """Copy the host file or directory localpath (recursively) into the guest directory.

        remotedir must exist.  Wildcards are not expanded.  Built on tar_in: the host's
        tar packs localpath, owners and permissions included.
        """
        import tempfile

        from ..copyio import popen_tool, read_errors, split_path
        from ..errors import Error, error_for

        name = "copy_in"
        try:
            os.stat(localpath)
        except OSError:
            raise error_for(f"{name}: source ‘{localpath}’ does not exist (or cannot be read)",
                            errno.ENOENT) from None
        dirname, basename = split_path(name, localpath)
        argv = ["tar", *(["-C", dirname] if dirname is not None else []), "-cf", "-", basename]
        tar_error: Error | None = None
        with tempfile.TemporaryFile() as errf:
            p = popen_tool(name, argv, stdout=True, stderr=errf)
            assert p.stdout is not None
            try:
                self.tar_in(f"/dev/fd/{p.stdout.fileno()}", remotedir)
            except Error as e:
                tar_error = e
            finally:
                p.stdout.close()
                status = p.wait()
            if tar_error is not None:
                if tar_error.errno in (errno.ENOENT, errno.ENOTDIR):
                    raise error_for(f"{name}: target ‘{remotedir}’ is not a directory",
                                    errno.ENOTDIR) from None
                raise tar_error
            if status != 0:
                raise Error(f"{name}: tar subprocess failed: {read_errors(errf)}")

    @op(local=True)
    def copy_out(self, remotepath: Pathname, localdir: HostPath) -> None:
        """Copy the guest file or directory remotepath (recursively) into the host directory.

        A file is downloaded to localdir/NAME; a directory is packed with tar_out and
        unpacked into localdir/NAME.  Nothing is written outside localdir whatever the
        guest holds: names that are absolute or contain '..', or that lead through a
        symlink, are refused; symlinks are recreated as symlinks and never followed;
        device nodes and fifos are not created.  Permissions are kept without the
        setuid, setgid and sticky bits; owners are not (files belong to the caller).
        Anything refused is reported in an error once the rest is copied.
        """
        import posixpath
        import threading

        from ..copyio import Unpacker
        from ..errors import Error, error_for

        name = "copy_out"
        if not os.path.isdir(localdir):
            raise error_for(f"{name}: target ‘{localdir}’ is not a directory", errno.ENOTDIR)
        if not remotepath.startswith("/"):
            raise Error(f"{name}: {remotepath}: path must start with a / character",
                        errno.EINVAL)
        basename = posixpath.basename(posixpath.normpath(remotepath)) or "."
        rfd, wfd = os.pipe()
        unpacker = Unpacker(rfd, localdir, basename)
        thread = threading.Thread(target=unpacker.run, name="guestbox-copy-out", daemon=True)
        thread.start()
        try:
            try:
                self.tar_out(remotepath, f"/dev/fd/{wfd}")
            finally:
                os.close(wfd)
                thread.join()
        except Error as e:
            if e.errno != errno.ENOTDIR:
                raise
            # Not a directory: a file (libguestfs checks is_file first; same outcome).
            self.download(remotepath, os.path.join(localdir, basename))
            return
        if unpacker.problems:
            shown = "; ".join(unpacker.problems[:20])
            more = len(unpacker.problems) - 20
            raise Error(f"{name}: {os.path.join(localdir, basename)}: not everything was "
                        f"copied: {shown}" + (f"; and {more} more" if more > 0 else ""),
                        errno.EPERM if unpacker.refused else errno.EIO)
