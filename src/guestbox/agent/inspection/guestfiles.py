"""Reading a guest filesystem mounted for inspection, confined to it and with size limits.

Every guest path is resolved as if the mount directory were / (paths.resolve): an
absolute symlink or a `..` never leads to the appliance's own files, a symlink loop
gives "missing", and only regular files no bigger than SMALL_FILE are read.
"""

from __future__ import annotations

import os
import stat

from ..paths import resolve

SMALL_FILE = 2 * 1048 * 1024
"""libguestfs's is_small_file limit (sic: 1048) for release files and the like."""


class Guest:
    """A guest filesystem mounted at top, read through guest paths."""

    def __init__(self, top: str) -> None:
        self.top = top

    def _stat(self, path: str, follow: bool = True) -> os.stat_result | None:
        try:
            return os.lstat(resolve(path, follow=follow, sysroot=self.top))
        except (OSError, ValueError):
            return None

    def is_file(self, path: str, follow: bool = True) -> bool:
        st = self._stat(path, follow)
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_dir(self, path: str, follow: bool = True) -> bool:
        st = self._stat(path, follow)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def readlink(self, path: str) -> str | None:
        """The target of symlink path, or None if it is not one."""
        try:
            return os.readlink(resolve(path, follow=False, sysroot=self.top))
        except (OSError, ValueError):
            return None

    def read_bytes(self, path: str, limit: int = SMALL_FILE) -> bytes | None:
        """The content of regular file path if it is at most limit bytes, else None.

        Opened without following a last symlink (it was resolved here) and without
        blocking: a FIFO or a device swapped in after the check is not waited on.
        """
        try:
            real = resolve(path, sysroot=self.top)
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, ValueError):
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            chunks = []
            left = limit + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            data = b"".join(chunks)
            return data if len(data) <= limit else None
        except OSError:
            return None
        finally:
            os.close(fd)

    def head(self, path: str, count: int) -> bytes:
        """The first count bytes of regular file path (b"" if it is not one)."""
        try:
            fd = os.open(resolve(path, sysroot=self.top),
                         os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, ValueError):
            return b""
        try:
            return os.read(fd, count) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
        except OSError:
            return b""
        finally:
            os.close(fd)

    def read_lines(self, path: str) -> list[str] | None:
        """The lines of a small text file split on newlines only (libguestfs's
        read_small_file: a final newline gives a last empty line), or None."""
        data = self.read_bytes(path)
        if data is None:
            return None
        return data.decode("utf-8", "replace").split("\n")
