"""Reading the guest's files and asking about them: listing, stat, content, search."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class QueryOps:
    """Reading the guest's files and asking about them: listing, stat, content, search."""

    @op()
    def ls(self, directory: Pathname) -> list[str]:
        """The names in a directory, sorted, without . and .."""
        ...

    @op()
    def cat(self, path: Pathname) -> str:
        """The content of a text file (read_file for binary data)."""
        ...
