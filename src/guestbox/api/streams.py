"""Moving file contents between the host and the guest."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class StreamOps:
    """Moving file contents between the host and the guest."""

    @op(writes=True)
    def upload(self, filename: FileIn, remotefilename: Pathname) -> None:
        """Copy the host file filename to remotefilename in the guest ('-' reads stdin)."""
        ...

    @op()
    def download(self, remotefilename: Pathname, filename: FileOut) -> None:
        """Copy the guest file remotefilename to the host file filename ('-' is stdout)."""
        ...
