# mypy: disable-error-code="empty-body"
"""Copies between devices and files, with offsets, sizes and sparseness."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class CopyOps:
    """Copies between devices and files, with offsets, sizes and sparseness."""

    @op(writes=True)
    def copy_device_to_device(self, src: Device, dest: Device, srcoffset: int | None = None,
                              destoffset: int | None = None, size: int | None = None,
                              sparse: bool | None = None, append: bool | None = None) -> None:
        """Copy bytes from device src to device dest.

        The four copy_* operations copy from a source (device or file) to a
        destination (device or file).  srcoffset and destoffset (bytes, default 0)
        say where to start in each; size (bytes) how much to copy: by default all
        of the source from srcoffset on.  The source and destination may be the
        same object, but overlapping regions may not be copied correctly.

        A destination file is created if needed.  Unless append is true it is
        first truncated, so that it ends with the copied bytes; with append the
        bytes go after its end.  append cannot be set for a device destination.

        With sparse, blocks of zeros are not written, which helps thin-provisioned
        backing disks; it copies correctly only onto a destination that is zero
        there already (a truncated file always is).

        Differences from libguestfs: every bound is checked before anything is
        written (a source shorter than srcoffset + size, a device destination too
        small), so a failed copy leaves the destination as it was; append with a
        destoffset is an error (libguestfs ignores destoffset); a sparse copy
        still extends a destination file over zeros at its end, and appends
        correctly; a file copied onto itself is not truncated first (libguestfs
        empties it and then fails); sources and destinations of the file
        variants must be regular files.
        """
        ...

    @op(writes=True)
    def copy_device_to_file(self, src: Device, dest: Pathname, srcoffset: int | None = None,
                            destoffset: int | None = None, size: int | None = None,
                            sparse: bool | None = None, append: bool | None = None) -> None:
        """Copy bytes from device src to file dest (see copy_device_to_device)."""
        ...

    @op(writes=True)
    def copy_file_to_device(self, src: Pathname, dest: Device, srcoffset: int | None = None,
                            destoffset: int | None = None, size: int | None = None,
                            sparse: bool | None = None, append: bool | None = None) -> None:
        """Copy bytes from file src to device dest (see copy_device_to_device)."""
        ...

    @op(writes=True)
    def copy_file_to_file(self, src: Pathname, dest: Pathname, srcoffset: int | None = None,
                          destoffset: int | None = None, size: int | None = None,
                          sparse: bool | None = None, append: bool | None = None) -> None:
        """Copy bytes from file src to file dest (see copy_device_to_device).

        This copies blocks within existing files; to copy or move files as such,
        use cp, cp_a and mv.
        """
        ...
