"""The sysprep operations that take their own options: user-account (--remove-user-accounts,
--keep-user-accounts) and script (--script, --scriptdir)."""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import tempfile
import threading
from typing import Any

from .files import replace_file
from .sysprep_work import unix


@dataclasses.dataclass(frozen=True)
class UserChoice:
    """--remove-user-accounts (none: every user) and --keep-user-accounts."""

    remove: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()

    def removes(self, user: str) -> bool:
        return user not in self.keep and (not self.remove or user in self.remove)


def _login_defs(g: Any) -> dict[str, str]:
    if not g.is_file("/etc/login.defs"):
        return {}
    out = {}
    for line in g.read_lines("/etc/login.defs"):
        words = line.split()
        if len(words) >= 2 and not words[0].startswith("#"):
            out[words[0]] = words[1]
    return out


def _without_entries(g: Any, path: str, names: set[str]) -> None:
    """path (passwd, shadow or group format) without the lines of names."""
    if not g.is_file(path):
        return
    text = bytes(g.read_file(path)).decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    kept = [ln for ln in lines if ln.split(":", 1)[0] not in names]
    if kept != lines:
        replace_file(g, path, "\n".join(kept).encode("utf-8", "surrogateescape"))


def remove_user_accounts(g: Any, root: str, choice: UserChoice) -> None:
    """The user-account operation: users with UID_MIN <= uid <= UID_MAX (login.defs)
    chosen by choice removed from passwd, shadow and group, with their mail and home."""
    if not unix(g, root) or not g.is_file("/etc/passwd"):
        return
    defs = _login_defs(g)
    uid_min, uid_max = int(defs.get("UID_MIN", "1000")), int(defs.get("UID_MAX", "60000"))
    removed: dict[str, str] = {}
    for line in g.read_lines("/etc/passwd"):
        fields = line.split(":")
        if len(fields) < 7 or not fields[2].isdigit():
            continue
        if uid_min <= int(fields[2]) <= uid_max and choice.removes(fields[0]):
            removed[fields[0]] = fields[5]
    if not removed:
        return
    for path in ("/etc/passwd", "/etc/shadow", "/etc/group"):
        _without_entries(g, path, set(removed))
    for user, home in removed.items():
        g.rm_rf(f"/var/spool/mail/{user}")
        if home.startswith("/") and home != "/":
            g.rm_rf(home)


class ScriptFailed(Exception):
    """A --script that failed: the message after `PROG: error: `."""


def run_scripts(g: Any, root: str, scripts: list[str], scriptdir: str | None) -> None:
    """The script operation: the guest mounted on the host (FUSE, on scriptdir or a
    temporary directory), each script run by the shell there in turn, then unmounted."""
    if not scripts or g.inspect_get_type(root) == "windows":
        return
    with contextlib.ExitStack() as stack:
        mountpoint = scriptdir or stack.enter_context(
            tempfile.TemporaryDirectory(prefix="virt-sysprep."))
        g.mount_local(mountpoint)
        failure: list[str] = []

        def work() -> None:
            try:
                for script in scripts:
                    status = subprocess.run(script, shell=True, cwd=mountpoint).returncode
                    if status != 0:
                        failure.append(f"script: failed (code {status})")
                        return
            except OSError as e:
                failure.append(f"script: {e}")
            finally:
                g.umount_local(retry=True)

        worker = threading.Thread(target=work, name="sysprep-script")
        worker.start()
        g.mount_local_run()
        worker.join()
        if failure:
            raise ScriptFailed(failure[0])
