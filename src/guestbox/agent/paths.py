"""Guest paths resolved inside the sysroot, so that no guest symlink reaches the appliance."""

from __future__ import annotations

import errno
import os
from stat import S_ISLNK

SYSROOT = "/sysroot"
MAX_LINKS = 40


def resolve(path: str, follow: bool = True, sysroot: str = SYSROOT) -> str:
    """The appliance path of guest path `path`, following symlinks as if sysroot were /.

    With follow=False the last component is left as it is (for operations on a
    link itself).  Components that do not exist are kept, so the caller's own
    system call reports ENOENT.  One lstat per component: this runs on every call.
    """
    if not path.startswith("/"):
        raise OSError(errno.EINVAL, f"{path}: path must start with a / character")
    todo = [c for c in path.split("/") if c and c != "."]
    todo.reverse()  # popped from the end
    done: list[str] = []
    links = 0
    while todo:
        part = todo.pop()
        if part == "..":
            if done:
                done.pop()
            continue
        candidate = sysroot + "/" + "/".join(done + [part]) if done else sysroot + "/" + part
        if follow or todo:
            try:
                is_link = S_ISLNK(os.lstat(candidate).st_mode)
            except OSError:  # missing or unreadable: the caller's own call says why
                is_link = False
            if is_link:
                links += 1
                if links > MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                target = os.readlink(candidate)
                if target.startswith("/"):
                    done = []
                todo.extend(reversed([c for c in target.split("/") if c and c != "."]))
                continue
        done.append(part)
    return sysroot + "/" + "/".join(done) if done else sysroot


def to_guest(apath: str, sysroot: str = SYSROOT) -> str:
    """The guest path of an appliance path under the sysroot (for messages)."""
    if apath == sysroot:
        return "/"
    if apath.startswith(sysroot + "/"):
        return apath[len(sysroot) :]
    return apath
