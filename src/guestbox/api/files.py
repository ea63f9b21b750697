"""Files and directories inside the mounted guest."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class FileOps:
    """Files and directories inside the mounted guest."""

    @op(writes=True)
    def mkdir_p(self, path: Pathname) -> None:
        """Create a directory and its missing parents; no error if it exists."""
        ...

    @op(writes=True)
    def write(self, path: Pathname, content: bytes) -> None:
        """Create or replace the file at path with content."""
        ...
