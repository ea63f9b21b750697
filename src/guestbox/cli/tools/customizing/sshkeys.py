"""--ssh-inject USER[:SELECTOR]: a public key appended to USER's ~/.ssh/authorized_keys
(libguestfs-common's ssh_key.ml).

SELECTOR is `file:FILENAME`, `string:KEY`, or nothing: the newest ~/.ssh/id*.pub of
the user running the tool (ssh-copy-id's default_ID_file).  The user's home comes
from the guest's /etc/passwd; ~/.ssh (0700) and authorized_keys (0600) are made
if missing, owned by the user.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any

from .messages import ParseError

PUBKEY = re.compile(r"^id.*\.pub$")


class InjectError(Exception):
    """Why a key could not be injected: the message after `PROG: error: `."""


@dataclasses.dataclass(frozen=True)
class KeySelector:
    """kind: "system" (the host user's newest key), "file" or "string"; value as given."""

    kind: str
    value: str = ""


def parse_key_selector(text: str) -> KeySelector:
    """The SELECTOR part of --ssh-inject; ParseError if it is not one."""
    parts = text.split(":")
    if parts == [""]:
        return KeySelector("system")
    if len(parts) == 2 and parts[0] in ("file", "string"):
        return KeySelector(parts[0], parts[1])
    raise ParseError(f"invalid ssh-inject selector ‘{text}’; see the man page")


def _local_user_key() -> str:
    """The newest ~/.ssh/id*.pub (not a *-cert.pub) of the user running the tool."""
    home = os.environ.get("HOME")
    if not home:
        raise InjectError("ssh-inject: $HOME environment variable is not set")
    ssh_dir = os.path.join(home, ".ssh")
    try:
        names = [n for n in os.listdir(ssh_dir)
                 if PUBKEY.match(n) and not n.endswith("-cert.pub")]
    except OSError as e:
        raise InjectError(f"{ssh_dir}: {e.strerror}") from None
    if not names:
        raise InjectError(f"ssh-inject: no public key file found in {ssh_dir}")
    return max((os.path.join(ssh_dir, n) for n in names), key=lambda p: os.stat(p).st_mtime)


def _read_key(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            key = f.read()
    except OSError as e:
        raise InjectError(f"{path}: {e.strerror}") from None
    if not key:
        raise InjectError(f"ssh-inject: public key file ({path}) is empty")
    return key


def key_text(sel: KeySelector) -> str:
    """The key the selector names, ending in a newline."""
    if sel.kind == "string":
        if not sel.value:
            raise InjectError("ssh-inject: key is an empty string")
        key = sel.value
    else:
        key = _read_key(sel.value if sel.kind == "file" else _local_user_key())
    return key if key.endswith("\n") else key + "\n"


def passwd_entry(g: Any, user: str) -> list[str] | None:
    """The fields of user's line in the guest's /etc/passwd, or None."""
    for line in g.read_lines("/etc/passwd") if g.is_file("/etc/passwd") else []:
        fields = line.split(":")
        if len(fields) >= 7 and fields[0] == user:
            return [str(f) for f in fields]
    return None


def inject(g: Any, user: str, sel: KeySelector) -> None:
    """Append the key to ~user/.ssh/authorized_keys in the guest."""
    key = key_text(sel)
    entry = passwd_entry(g, user)
    if entry is None:
        raise InjectError(f"ssh-inject: the user {user} does not exist on the guest")
    uid, gid, home = int(entry[2]), int(entry[3]), entry[5]
    ssh_dir = f"{home.rstrip('/')}/.ssh"
    if not g.exists(ssh_dir):
        g.mkdir(ssh_dir)
        g.chmod(0o700, ssh_dir)
        g.chown(uid, gid, ssh_dir)
    auth_keys = f"{ssh_dir}/authorized_keys"
    if not g.exists(auth_keys):
        g.touch(auth_keys)
        g.chmod(0o600, auth_keys)
        g.chown(uid, gid, auth_keys)
    g.write_append(auth_keys, key.encode("utf-8", "surrogateescape"))
