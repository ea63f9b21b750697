"""--root-password and --password: selectors, and the guest's /etc/shadow rewritten with
crypted hashes (libguestfs-common's password.ml).

A selector is `password:PASS`, `file:FILENAME` (its first line), `random` (printed),
`disabled` (`*`), or any of these after `locked:` (`!!` before the field); `locked`
alone is a locked, disabled account.  Passwords are hashed with the method the guest's
distribution and version take (as virt-customize: yescrypt for recent ones, SHA-512,
MD5 for old ones) unless --password-crypto says otherwise.  /etc/shadow is replaced
atomically by a file written beside it with its mode, owner and extended attributes
(SELinux label) copied (files.replace_file).
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from .files import replace_file
from .messages import Messages, ParseError
from .shacrypt import CryptError, crypt

CRYPTO = ("md5", "sha256", "sha512", "yescrypt")
PREFIX = {"md5": "$1$", "sha256": "$5$", "sha512": "$6$", "yescrypt": "$y$j9T$"}
SALT_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./"
RANDOM_CHARS = "ABCDEFGHIJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
SHADOW = "/etc/shadow"


@dataclasses.dataclass(frozen=True)
class PasswordSelector:
    """kind: "password" (with password), "random" or "disabled"; locked: `!!` before it."""

    kind: str
    password: str | None = None
    locked: bool = False


def parse_password_selector(text: str) -> PasswordSelector:
    """A selector of virt-builder's USERS AND PASSWORDS; ParseError if it is not one."""
    return _parse(text, text.split(":"))


def _parse(orig: str, parts: list[str]) -> PasswordSelector:
    if parts in (["lock"], ["locked"]):
        return PasswordSelector("disabled", locked=True)
    if parts[0] in ("lock", "locked"):
        return dataclasses.replace(_parse(orig, parts[1:]), locked=True)
    if len(parts) == 2 and parts[0] == "file":
        return PasswordSelector("password", _first_line(parts[1]))
    if parts[0] == "password":
        return PasswordSelector("password", ":".join(parts[1:]))
    if parts == ["random"]:
        return PasswordSelector("random")
    if parts in (["disable"], ["disabled"]):
        return PasswordSelector("disabled")
    raise ParseError(f"invalid password selector ‘{orig}’; see the man page")


def _first_line(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.readline().rstrip("\n")
    except OSError as e:
        raise ParseError(f"{path}: {e.strerror}") from None


def default_crypto(g: Any, root: str, msgs: Messages) -> str:
    """The hash method virt-customize picks for the guest (password.ml's default_crypto)."""
    distro = g.inspect_get_distro(root)
    major = g.inspect_get_major_version(root)
    rhel = ("rhel", "centos", "scientificlinux", "oraclelinux", "redhat-based")
    table: list[tuple[tuple[str, ...], int, str]] = [
        ((*rhel, "rocky"), 9, "yescrypt"), (rhel, 6, "sha512"), (rhel, 0, "md5"),
        (("fedora",), 30, "yescrypt"), (("fedora",), 9, "sha512"), (("fedora",), 0, "md5"),
        (("debian",), 11, "yescrypt"), (("debian",), 5, "sha512"), (("debian",), 0, "md5"),
        (("ubuntu",), 20, "yescrypt"), (("ubuntu",), 10, "sha512"), (("ubuntu",), 0, "md5"),
        (("opensuse", "sles"), 15, "yescrypt"), (("opensuse", "sles"), 11, "sha512"),
        (("opensuse", "sles"), 0, "md5"),
        (("archlinux", "kalilinux"), 0, "yescrypt"), (("voidlinux",), 0, "sha512"),
    ]
    for distros, least, method in table:
        if distro in distros and major >= least:
            return method
    minor = g.inspect_get_minor_version(root)
    msgs.warning(f"password: using insecure md5 password encryption for guest of type "
                 f"{distro} version {major}.{minor}.\nIf this is incorrect, use "
                 "--password-crypto option and file a bug.")
    return "md5"


def encrypt(password: str, method: str) -> str:
    """password crypted with method and a random salt of 24 characters."""
    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(24))
    try:
        return crypt(password, f"{PREFIX[method]}{salt}$")
    except CryptError:
        if method != "yescrypt":
            raise
        return crypt(password, f"{PREFIX['sha512']}{salt}$")  # no libxcrypt here


def random_password() -> str:
    """16 characters from [A-Za-z0-9] without the look-alikes (about 95 bits)."""
    return "".join(secrets.choice(RANDOM_CHARS) for _ in range(16))


def password_field(user: str, sel: PasswordSelector, method: str, msgs: Messages) -> str:
    """The shadow password field for sel (a random password is told on stdout)."""
    lock = "!!" if sel.locked else ""
    if sel.kind == "disabled":
        return lock + "*"
    password = sel.password
    if sel.kind == "random":
        password = random_password()
        msgs.info(f"Setting random password of {user} to {password}")
    assert password is not None
    return lock + encrypt(password, method)


def set_linux_passwords(g: Any, root: str, passwords: dict[str, PasswordSelector],
                        method: str | None, msgs: Messages) -> None:
    """Set the passwords of the users of /etc/shadow named in passwords (others: ignored)."""
    method = method or default_crypto(g, root, msgs)
    lines = bytes(g.read_file(SHADOW)).decode("utf-8", "surrogateescape").split("\n")
    for i, line in enumerate(lines):
        fields = line.split(":")
        if len(fields) > 1 and fields[0] in passwords:
            fields[1] = password_field(fields[0], passwords[fields[0]], method, msgs)
            lines[i] = ":".join(fields)
    replace_file(g, SHADOW, "\n".join(lines).encode("utf-8", "surrogateescape"))
