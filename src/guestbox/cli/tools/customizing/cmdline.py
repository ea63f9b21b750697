"""The customize options of virt-customize and virt-sysprep (libguestfs-common's
customize_cmdline), declared once for both tools.

Each operation option appends an `Op` to `ns.customize_ops`, so they are applied
in command-line order; arguments are split and checked as they are read, with
the tools' messages (`invalid format for '--write' parameter, see the man
page`).  --commands-from-file reads the same options from a file, one a line.
The flags (--no-logfile, --password-crypto, --selinux-relabel) apply to the
whole run.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

from ...toolopts import ToolError
from .messages import Messages, ParseError
from .passwords import CRYPTO, PasswordSelector, parse_password_selector
from .sshkeys import KeySelector, parse_key_selector


@dataclasses.dataclass(frozen=True)
class Op:
    """One customize operation: the option's name (`append-line`) and its parsed arguments."""

    name: str
    args: tuple[Any, ...] = ()


Parse = Callable[[str, str], tuple[Any, ...]]
"""An option's argument parser: (option name, text) -> the Op's arguments; raises ParseError."""


def _pair(name: str, text: str) -> tuple[str, str]:
    """FIRST:REST, split at the first colon (split_string_pair)."""
    first, sep, rest = text.partition(":")
    if not sep:
        raise ParseError(f"invalid format for '--{name}' parameter, see the man page")
    return first, rest


def _one(name: str, text: str) -> tuple[str]:
    return (text,)


def _packages(name: str, text: str) -> tuple[list[str]]:
    return (text.split(","),)


def _link(name: str, text: str) -> tuple[str, list[str]]:
    target, *links = text.split(":")
    if not links:
        raise ParseError(f"invalid format for '--{name}' parameter, see the man page")
    return target, links


def parse_mode(text: str) -> int:
    """--chmod's PERMISSIONS: octal with a leading 0 (0700), else decimal (as virt-customize)."""
    try:
        return int(text, 8) if text.startswith("0") else int(text, 10)
    except ValueError:
        raise ParseError(f"--chmod: ‘{text}’ is not a valid mode (use octal with a leading "
                         "0, as 0755)") from None


def _chmod(name: str, text: str) -> tuple[str, str]:
    mode, path = _pair(name, text)
    parse_mode(mode)
    return mode, path


def _password(name: str, text: str) -> tuple[str, PasswordSelector]:
    user, selector = _pair(name, text)
    return user, parse_password_selector(selector)


def _root_password(name: str, text: str) -> tuple[str, PasswordSelector]:
    return "root", parse_password_selector(text)


def _ssh_inject(name: str, text: str) -> tuple[str, KeySelector]:
    user, _, selector = text.partition(":")
    return user, parse_key_selector(selector)


OPERATIONS: dict[str, tuple[str | None, str, Parse]] = {
    # option: (metavar, or None for a flag; help; parser of the argument)
    "append-line": ("FILE:LINE", "append a line to FILE (its line ending: the file's)", _pair),
    "chmod": ("PERMISSIONS:FILE", "change the permissions of FILE (0NNN is octal, else "
              "decimal)", _chmod),
    "copy": ("SOURCE:DEST", "copy files or directories recursively inside the guest", _pair),
    "copy-in": ("LOCALPATH:REMOTEDIR", "copy local files or directories into REMOTEDIR", _pair),
    "delete": ("PATH", "delete a file or directory, recursively (shell globs work)", _one),
    "edit": ("FILE:EXPR", "edit FILE line by line with EXPR (see EDIT EXPRESSIONS)", _pair),
    "firstboot": ("SCRIPT", "run SCRIPT (a host file) at the guest's first boot", _one),
    "firstboot-command": ("'CMD+ARGS'", "run a command at the guest's first boot", _one),
    "firstboot-install": ("PKG,PKG..", "install packages at the guest's first boot", _packages),
    "hostname": ("HOSTNAME", "set the hostname", _one),
    "install": ("PKG,PKG..", "install packages with the guest's package manager "
                "(needs --network)", _packages),
    "link": ("TARGET:LINK[:LINK..]", "create symbolic links to TARGET", _link),
    "mkdir": ("DIR", "create a directory (and its parents)", _one),
    "move": ("SOURCE:DEST", "move files or directories inside the guest", _pair),
    "password": ("USER:SELECTOR", "set USER's password (see PASSWORDS)", _password),
    "root-password": ("SELECTOR", "set root's password (see PASSWORDS)", _root_password),
    "run": ("SCRIPT", "run SCRIPT (a host file) in the guest, chrooted", _one),
    "run-command": ("'CMD+ARGS'", "run a command in the guest, chrooted", _one),
    "scrub": ("FILE", "scrub a file (overwrite its data, then remove it)", _one),
    "ssh-inject": ("USER[:SELECTOR]", "add an ssh public key to USER's authorized_keys "
                   "(SELECTOR: file:FILENAME or string:KEY; none: your newest ~/.ssh/id*.pub)",
                   _ssh_inject),
    "timezone": ("TIMEZONE", "set the timezone (a name like Europe/London)", _one),
    "touch": ("FILE", "touch FILE", _one),
    "truncate": ("FILE", "truncate FILE (which must exist) to zero size", _one),
    "truncate-recursive": ("PATH", "truncate every file under PATH to zero size", _one),
    "uninstall": ("PKG,PKG..", "remove packages with the guest's package manager", _packages),
    "update": (None, "update the guest's packages (needs --network)", lambda n, t: ()),
    "upload": ("FILE:DEST", "upload a local file (keeping its mode and owner) to DEST, a file "
               "or an existing directory", _pair),
    "write": ("FILE:CONTENT", "write CONTENT to FILE", _pair),
}
"""The customize operations guestbox implements, in virt-customize's --help order."""

FORBIDDEN_IN_FILES = ("commands-from-file",)


def add_customize_options(p: argparse.ArgumentParser, prog: str) -> None:
    """Add the operation options, --commands-from-file and the flags to p.

    The namespace gets customize_ops [Op] (in order), no_logfile, password_crypto,
    selinux_relabel.
    """
    g = p.add_argument_group("customization (applied in the order given)")
    for name, (metavar, text, _) in OPERATIONS.items():
        if metavar is None:
            g.add_argument(f"--{name}", action=_OpFlag, nargs=0, help=text)
        else:
            g.add_argument(f"--{name}", action=_OpOption, metavar=metavar, help=text)
    g.add_argument("--commands-from-file", action=_CommandsFromFile, metavar="FILENAME",
                   help="read customize options from FILENAME, one (without its --) a line")
    g.add_argument("--no-logfile", action="store_true",
                   help="scrub the log of --run, --install ... (builder.log) from the guest")
    g.add_argument("--password-crypto", action=_Crypto, metavar="md5|sha256|sha512|yescrypt",
                   help="how passwords are hashed (default: the guest's, as virt-customize)")
    g.add_argument("--selinux-relabel", action="store_true",
                   help="relabel the files for SELinux (or at next boot if that fails)")
    p.set_defaults(customize_ops=[], password_crypto=None, prog_for_errors=prog)


def _fail(ns: argparse.Namespace, parser: argparse.ArgumentParser, text: str) -> ToolError:
    return Messages(str(getattr(ns, "prog_for_errors", None) or parser.prog)).error(text)


def _append(ns: argparse.Namespace, parser: argparse.ArgumentParser, name: str,
            text: str) -> None:
    try:
        args = OPERATIONS[name][2](name, text)
    except ParseError as e:
        raise _fail(ns, parser, str(e)) from None
    ns.customize_ops = [*ns.customize_ops, Op(name, args)]


class _OpOption(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        _append(ns, parser, self.dest.replace("_", "-"), str(value))


class _OpFlag(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        _append(ns, parser, self.dest.replace("_", "-"), "")


class _Crypto(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        if value not in CRYPTO:
            raise _fail(ns, parser, f'password-crypto: unknown algorithm {value}, use "md5", '
                        '"sha256", "sha512" or "yescrypt"')
        ns.password_crypto = value


class _CommandsFromFile(argparse.Action):
    """Each line `OPTION ARGUMENT` (no dashes), as if given on the command line here;
    empty lines and # comments skipped, a line ending in \\ goes on on the next."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        try:
            with open(value, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
        except OSError as e:
            raise _fail(ns, parser, f"{value}: {e.strerror}") from None
        commands = []
        for line in joined_lines(text):
            line = line.lstrip()
            if line and not line.startswith("#"):
                name, _, arg = line.partition(" ")
                commands.append((name, arg))
        for name, _ in commands:
            if name in FORBIDDEN_IN_FILES:
                raise _fail(ns, parser, f"command '{name}' cannot be used in command files, "
                            "see the man page")
        for name, arg in commands:
            if name in OPERATIONS:
                _append(ns, parser, name, arg)
            elif name in ("no-logfile", "selinux-relabel"):
                setattr(ns, name.replace("-", "_"), True)
            elif name == "password-crypto":
                _Crypto(["--password-crypto"], "password_crypto")(parser, ns, arg)
            else:
                raise _fail(ns, parser, f"command '{name}' not valid, see the man page")


def joined_lines(text: str) -> list[str]:
    """The lines of text, a line ending in a backslash joined with the next one."""
    out: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out
