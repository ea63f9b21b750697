# mypy: disable-error-code="empty-body"
"""Files and directories inside the mounted guest: creating, changing, removing them.

Paths are guest paths resolved inside the guest's root (see `api.types.Pathname`):
a guest symlink, absolute or with `..`, never leads an operation outside it.
"""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class FileOps:
    """Files and directories inside the mounted guest: creating, changing, removing them."""

    # -- content -----------------------------------------------------------
    @op(writes=True)
    def write(self, path: Pathname, content: bytes) -> None:
        """Create or replace the file at path with content.

        The file is created (mode 0666 less the umask) if it does not exist, and
        truncated if it does.  content is arbitrary 8 bit data; it must fit in one
        message (use upload for larger files).
        """
        ...

    @op(writes=True)
    def write_append(self, path: Pathname, content: bytes) -> None:
        """Append content to the end of the file at path, creating it if it does not exist."""
        ...

    @op(writes=True)
    def pwrite(self, path: Pathname, content: bytes, offset: int) -> int:
        """Write content into the existing file path at byte offset; the number of bytes written.

        The file is not truncated and not created; writing past its end extends it.
        A short write is possible: the return value says how many bytes were written.
        """
        ...

    @op(writes=True, nofollow=("path",))
    def touch(self, path: Pathname) -> None:
        """Update the timestamps of a file to now, creating it empty if it does not exist.

        Like touch(1), but only for regular files: it fails on directories, symbolic
        links, devices and other special files.
        """
        ...

    @op(writes=True)
    def truncate(self, path: Pathname) -> None:
        """Truncate the existing file path to zero length."""
        ...

    @op(writes=True)
    def truncate_size(self, path: Pathname, size: int) -> None:
        """Truncate (or extend, with a hole) the existing file path to size bytes."""
        ...

    @op(writes=True)
    def fill(self, c: int, len: int, path: Pathname) -> None:  # noqa: A002 - libguestfs's name
        """Create (or overwrite) path with len bytes, each the byte c (0 to 255)."""
        ...

    @op(writes=True)
    def fill_pattern(self, pattern: str, len: int, path: Pathname) -> None:  # noqa: A002
        """Create (or overwrite) path with len bytes of pattern repeated (the last one cut)."""
        ...

    @op(writes=True)
    def fallocate64(self, path: Pathname, len: int) -> None:  # noqa: A002 - libguestfs's name
        """Preallocate len bytes of path, creating it if needed (never shrinks it)."""
        ...

    # -- directories -------------------------------------------------------
    @op(writes=True, nofollow=("path",))
    def mkdir(self, path: Pathname) -> None:
        """Create a directory (its parent must exist)."""
        ...

    @op(writes=True, nofollow=("path",))
    def mkdir_p(self, path: Pathname) -> None:
        """Create a directory and its missing parents; no error if it exists.

        Like `mkdir -p`: it fails if an element of the path exists and is not a
        directory.
        """
        ...

    @op(writes=True, nofollow=("path",))
    def mkdir_mode(self, path: Pathname, mode: int) -> None:
        """Create a directory with permissions mode (less the umask)."""
        ...

    @op(writes=True)
    def mkdtemp(self, tmpl: Pathname) -> str:
        """Create a new temporary directory; its name.

        tmpl is a full path whose last six characters are "XXXXXX", such as
        "/tmp/myprogXXXXXX"; they are replaced to make a name that did not exist.
        The directory is created with mode 0700, owned by root.  The caller removes
        it after use.
        """
        ...

    @op(writes=True, nofollow=("path",))
    def rmdir(self, path: Pathname) -> None:
        """Remove the empty directory path."""
        ...

    # -- removing ----------------------------------------------------------
    @op(writes=True, nofollow=("path",))
    def rm(self, path: Pathname) -> None:
        """Remove the single file path (not a directory).

        If path is a symbolic link, the link is removed, not what it points to.
        """
        ...

    @op(writes=True, nofollow=("path",))
    def rm_f(self, path: Pathname) -> None:
        """Remove the file path, ignoring the error if it does not exist.

        Other errors (path is a directory, I/O errors) are not ignored: use rmdir or
        rm_rf for directories.
        """
        ...

    @op(writes=True, nofollow=("path",))
    def rm_rf(self, path: Pathname) -> None:
        """Remove path recursively, like `rm -rf`: no error if it does not exist.

        Symbolic links inside are removed, never followed.  The root directory cannot
        be removed.
        """
        ...

    @op(writes=True, nofollow=("file",), group="scrub")
    def scrub_file(self, file: Pathname) -> None:
        """Write patterns over the regular file (scrub(1)) to make its data hard to
        recover, then remove it.

        Whether the data is really gone depends on the filesystem and the storage
        under it (copy-on-write filesystems, SSDs and image formats keep old blocks).
        """
        ...

    # -- copying and moving ------------------------------------------------
    @op(writes=True)
    def cp(self, src: Pathname, dest: Pathname) -> None:
        """Copy the file src to dest, like cp(1); dest may be a directory."""
        ...

    @op(writes=True, nofollow=("src",))
    def cp_a(self, src: Pathname, dest: Pathname) -> None:
        """Copy a file or directory recursively, preserving everything, like `cp -a`."""
        ...

    @op(writes=True, nofollow=("src",))
    def cp_r(self, src: Pathname, dest: Pathname) -> None:
        """Copy a file or directory recursively, like `cp -rP`: without keeping ownership and modes.

        Most users want cp_a; this suits target filesystems that cannot keep
        permissions (such as FAT).  Symbolic links are copied as links.
        """
        ...

    @op(writes=True, nofollow=("src", "dest"))
    def mv(self, src: Pathname, dest: Pathname) -> None:
        """Move (rename) src to dest, like mv(1); dest may be a directory.

        Moving across filesystems copies then removes.  A symbolic link src is moved
        itself.
        """
        ...

    @op(writes=True, nofollow=("oldpath", "newpath"))
    def rename(self, oldpath: Pathname, newpath: Pathname) -> None:
        """Rename oldpath to newpath with rename(2): both on the same filesystem.

        If newpath exists it is replaced.  Unlike mv, a directory newpath is not a
        target directory, and nothing is copied.
        """
        ...

    # -- links -------------------------------------------------------------
    @op(writes=True, nofollow=("target", "linkname"))
    def ln(self, target: Pathname, linkname: Pathname) -> None:
        """Create a hard link linkname to target (into it, if linkname is a directory)."""
        ...

    @op(writes=True, nofollow=("target", "linkname"))
    def ln_f(self, target: Pathname, linkname: Pathname) -> None:
        """Create a hard link linkname to target, removing an existing linkname first."""
        ...

    @op(writes=True, nofollow=("linkname",))
    def ln_s(self, target: str, linkname: Pathname) -> None:
        """Create a symbolic link linkname whose content is target.

        target is stored as given, absolute or relative, and need not exist.
        """
        ...

    @op(writes=True, nofollow=("linkname",))
    def ln_sf(self, target: str, linkname: Pathname) -> None:
        """Create a symbolic link linkname to target, removing an existing linkname first."""
        ...

    # -- attributes --------------------------------------------------------
    @op(writes=True)
    def copy_attributes(self, src: Pathname, dest: Pathname, all: bool | None = None,
                        mode: bool | None = None, xattributes: bool | None = None,
                        ownership: bool | None = None) -> None:
        """Copy attributes of src (a file or a directory) to dest.

        Nothing is copied unless asked: mode (the permission bits, setuid, setgid
        and sticky included), xattributes (every extended attribute, SELinux labels
        among them), ownership (owner and group), or all of them.  Symbolic links
        are followed.
        """
        ...

    @op(writes=True, group="selinuxrelabel")
    def selinux_relabel(self, specfile: Pathname, path: Pathname,
                        force: bool | None = None) -> None:
        """Relabel the files under path (in the guest) with the SELinux contexts of
        specfile (a guest file, such as /etc/selinux/targeted/contexts/files/file_contexts),
        running setfiles(8) on the guest's root.

        force resets the whole contexts (setfiles -F), not only their type.  /dev,
        /proc, /selinux and /sys of the guest are left alone.
        """
        ...

    @op(writes=True)
    def chmod(self, mode: int, path: Pathname) -> None:
        """Change the permissions of path to mode (symbolic links are followed).

        mode is a number: use 0o755 in Python, not 755.  The umask does not apply.
        """
        ...

    @op(writes=True)
    def chown(self, owner: int, group: int, path: Pathname) -> None:
        """Change the owner and group of path (numeric ids; symbolic links are followed).

        Names cannot be used: they belong to the guest's /etc/passwd and /etc/group.
        """
        ...

    @op(writes=True, nofollow=("path",))
    def lchown(self, owner: int, group: int, path: Pathname) -> None:
        """Change the owner and group of path; a symbolic link is changed itself."""
        ...

    @op(writes=True, nofollow=("path",))
    def utimens(self, path: Pathname, atsecs: int, atnsecs: int, mtsecs: int,
                mtnsecs: int) -> None:
        """Set the access and modification times of path with nanosecond precision.

        Times are seconds and nanoseconds since the epoch.  A *nsecs of -1 sets that
        time to now, -2 leaves it unchanged (the *secs value is then ignored).  A
        symbolic link path gets its own times set, as utimensat(AT_SYMLINK_NOFOLLOW).
        """
        ...

    @op(writes=True, group="linuxxattrs")
    def setxattr(self, xattr: str, val: bytes, vallen: int, path: Pathname) -> None:
        """Set the extended attribute xattr of path to the first vallen bytes of val.

        Symbolic links are followed (lsetxattr sets one on the link).  As in
        libguestfs, where val is a C string, a vallen of one more than val's length
        counts its terminating NUL (a guestfish word cannot hold a NUL otherwise).
        """
        ...

    @op(writes=True, nofollow=("path",), group="linuxxattrs")
    def lsetxattr(self, xattr: str, val: bytes, vallen: int, path: Pathname) -> None:
        """Set an extended attribute, like setxattr, of a symbolic link itself."""
        ...

    @op(writes=True, group="linuxxattrs")
    def removexattr(self, xattr: str, path: Pathname) -> None:
        """Remove the extended attribute xattr of path (symbolic links are followed)."""
        ...

    @op(writes=True, nofollow=("path",), group="linuxxattrs")
    def lremovexattr(self, xattr: str, path: Pathname) -> None:
        """Remove an extended attribute, like removexattr, of a symbolic link itself."""
        ...

    # -- special files -----------------------------------------------------
    @op(writes=True, nofollow=("path",), group="mknod")
    def mknod(self, mode: int, devmajor: int, devminor: int, path: Pathname) -> None:
        """Create a device node, FIFO or file; mode includes the type (S_IFBLK, S_IFCHR, ...).

        The umask applies to the permission bits.
        """
        ...

    @op(writes=True, nofollow=("path",), group="mknod")
    def mknod_b(self, mode: int, devmajor: int, devminor: int, path: Pathname) -> None:
        """Create a block device node; mode is the permissions only."""
        ...

    @op(writes=True, nofollow=("path",), group="mknod")
    def mknod_c(self, mode: int, devmajor: int, devminor: int, path: Pathname) -> None:
        """Create a character device node; mode is the permissions only."""
        ...

    @op(writes=True, nofollow=("path",), group="mknod")
    def mkfifo(self, mode: int, path: Pathname) -> None:
        """Create a FIFO (named pipe); mode is the permissions only."""
        ...

    @op()
    def umask(self, mask: int) -> int:
        """Set the mask for creating files and directories to mask & 0777; the previous mask.

        The default is 022: new files get 0644 and directories 0755 even when 0777 is
        asked.  It lasts for the rest of the handle's life.
        """
        ...

    @op()
    def get_umask(self) -> int:
        """The current umask (see umask); 022 unless changed."""
        ...
