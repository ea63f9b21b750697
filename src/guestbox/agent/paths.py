"""Guest paths resolved inside the sysroot, so that no guest symlink reaches the appliance."""

from __future__ import annotations

import errno
import os

SYSROOT = "/sysroot"
MAX_LINKS = 40


def resolve(path: str, follow: bool = True, sysroot: str = SYSROOT) -> str:
    """The appliance path of guest path `path`, following symlinks as if sysroot were /.

    With follow=False the last component is left as it is (for operations on a
    link itself).  Components that do not exist are kept, so the caller's own
    system call reports ENOENT.
    """
    if not path.startswith("/"):
        raise OSError(errno.EINVAL, f"{path}: path must start with a / character")
    todo = [c for c in path.split("/") if c]
    done: list[str] = []
    links = 0
    while todo:
        part = todo.pop(0)
        if part == ".":
            continue
        if part == "..":
            if done:
                done.pop()
            continue
        candidate = os.path.join(sysroot, *done, part)
        if (follow or todo) and os.path.islink(candidate):
            links += 1
            if links > MAX_LINKS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
            target = os.readlink(candidate)
            if target.startswith("/"):
                done = []
            todo = [c for c in target.split("/") if c] + todo
            continue
        done.append(part)
    return os.path.join(sysroot, *done) if done else sysroot


def to_guest(apath: str, sysroot: str = SYSROOT) -> str:
    """The guest path of an appliance path under the sysroot (for messages)."""
    if apath == sysroot:
        return "/"
    if apath.startswith(sysroot + "/"):
        return apath[len(sysroot) :]
    return apath
