# mypy: disable-error-code="empty-body"
"""Running the guest's own programs in its mounted root."""

from __future__ import annotations

from .table import op
from .types import Device, DevOrPath, FileIn, FileOut, Mountable, Pathname  # noqa: F401


class CommandOps:
    """Running the guest's own programs in its mounted root."""

    @op()
    def command(self, arguments: list[str]) -> str:
        """Run a program of the guest, chrooted into its mounted root; return its stdout.

        arguments is the argument list: the first is the program (a path in the
        guest, or a name looked up in /usr/sbin:/usr/bin:/sbin:/bin of the guest).
        /dev, /dev/pts, /proc, /selinux and /sys are bind-mounted into the guest
        for the run when it has those directories, and unmounted after.  The
        program must be able to run on the appliance's kernel and CPU.  On a
        non-zero exit status the error carries the program's stderr.
        """
        ...

    @op()
    def command_lines(self, arguments: list[str]) -> list[str]:
        """As command, and split the output into a list of lines."""
        ...

    @op()
    def sh(self, command: str) -> str:
        """Run command through the guest's /bin/sh -c, as command does; return its stdout."""
        ...

    @op()
    def sh_lines(self, command: str) -> list[str]:
        """As sh, and split the output into a list of lines."""
        ...
