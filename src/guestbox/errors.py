"""Exceptions raised by guestbox.

Every error is a `guestbox.Error`, itself a RuntimeError because that is what
libguestfs raises and what its clients catch.  Errors that carry an errno also
subclass the matching builtin (FileNotFoundError, PermissionError, ...), so
callers can catch either.
"""

from __future__ import annotations

import errno as _errno


class Error(RuntimeError):
    """Root of guestbox's errors: a message in libguestfs's shape and an errno (or None)."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errno = errno
        self.strerror: str | None = message
        self.filename = None

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message, self.errno))


class NotFoundError(Error, FileNotFoundError):
    """ENOENT."""


class ExistsError(Error, FileExistsError):
    """EEXIST."""


class PermissionDeniedError(Error, PermissionError):
    """EACCES or EPERM."""


class IsADirError(Error, IsADirectoryError):
    """EISDIR."""


class NotADirError(Error, NotADirectoryError):
    """ENOTDIR."""


class GuestOSError(Error, OSError):
    """Any other errno from the guest side."""


class ReadOnlyError(GuestOSError):
    """A writing operation on a read-only handle, refused before it reached the appliance."""


class StateError(Error):
    """An operation called in the wrong handle state (before launch, after close, ...)."""


class ApplianceError(Error):
    """The appliance failed to start, died, hung, or broke the protocol."""


_BY_ERRNO: dict[int, type[Error]] = {
    _errno.ENOENT: NotFoundError,
    _errno.EEXIST: ExistsError,
    _errno.EACCES: PermissionDeniedError,
    _errno.EPERM: PermissionDeniedError,
    _errno.EISDIR: IsADirError,
    _errno.ENOTDIR: NotADirError,
    _errno.EROFS: ReadOnlyError,
}


def error_for(message: str, errno: int | None) -> Error:
    """The Error subclass matching errno, carrying message."""
    if not errno:
        return Error(message, None)
    return _BY_ERRNO.get(errno, GuestOSError)(message, errno)
