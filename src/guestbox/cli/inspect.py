"""`guestbox inspect`: what operating systems the disks hold, as virt-inspector reports it.

The drives are added read-only, LUKS devices are opened with the --key keys
(or a passphrase asked for each one without a key, as guestfs-tools do), and
the report of inspect_os's roots is printed: virt-inspector's XML (the
default, the same bytes as guestfs-tools 1.48's virt-inspector) or, with
--json, the same content as JSON (inspect_report's docstring; docs/inspect.md).
Disks with no OS give an empty report (`<operatingsystems/>`), not an error, as
virt-inspector.  libvirt guests (-d) and --xpath are not supported.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import Error
from .inspect_report import collect, to_json, to_xml
from .shell.keys import KeyProblem, key_of, parse_selector, read_key, settings
from .shell.words import PROG as SHELL

PROG = "guestbox inspect"


class _AddDrive(argparse.Action):
    """-a DISK: the drive with the --format given before it (None: detect)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.drives = [*(ns.drives or []), (value, ns.format)]
        ns.format_pending = False


class _Format(argparse.Action):
    """--format[=FMT]: the format of the -a that follow; without FMT, detect again."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        ns.format = value or None
        ns.format_pending = True


class _Key(argparse.Action):
    """--key ID:key:KEY | ID:file:FILENAME, as the shell's (a key file is read now)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        try:
            id_, kind, text = parse_selector(value)
            ns.keys = [*(ns.keys or []), (id_, key_of(kind, text))]
        except KeyProblem as e:
            parser.error(str(e))


def add_parser(sub: Any) -> None:
    """Register `guestbox inspect` in the subcommands sub (an argparse subparsers object)."""
    p = sub.add_parser("inspect", help="report the operating systems on disk images "
                       "(virt-inspector's XML, or JSON)", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-a", "--add", action=_AddDrive, metavar="DISK",
                   help="a disk image to inspect (read-only); repeat for each disk")
    p.add_argument("--format", action=_Format, nargs="?", metavar="FMT",
                   help="the format (raw, qcow2 ...) of the -a that follow; "
                   "--format alone: detect it again")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--xml", dest="json", action="store_false",
                     help="virt-inspector's XML (the default)")
    out.add_argument("--json", dest="json", action="store_true",
                     help="the same content as JSON (docs/inspect.md)")
    p.add_argument("--no-applications", dest="applications", action="store_false",
                   help="do not list the installed applications")
    p.add_argument("--no-icon", dest="icon", action="store_false",
                   help="do not include the guest's icon")
    p.add_argument("--key", action=_Key, metavar="SELECTOR",
                   help="a LUKS key: ID:key:KEY or ID:file:FILENAME (ID: a device or a "
                   "LUKS UUID); repeatable")
    p.add_argument("--keys-from-stdin", action="store_true",
                   help="read the passphrases from stdin, one line each")
    p.add_argument("--echo-keys", action="store_true",
                   help="do not turn off echo when asking for passphrases")
    p.set_defaults(func=run, json=False, drives=None, format=None, format_pending=False,
                   keys=None)


def run(args: argparse.Namespace) -> int:
    """The command: 0 when the report was printed, 1 on an error (told on stderr)."""
    problem = _option_problem(args)
    if problem:
        print(f"{PROG}: error: {problem}\nTry 'guestbox inspect --help' for more information.",
              file=sys.stderr)
        return 1
    settings.from_stdin, settings.echo = args.keys_from_stdin, args.echo_keys
    import guestbox

    g = guestbox.GuestFS()
    try:
        for path, fmt in args.drives:
            g.add_drive_opts(path, readonly=True, format=fmt)
        g.launch()
        for id_, key in args.keys or []:
            g.set_luks_key(id_, key)
        decrypt(g, list(args.keys or []))
        oses = collect(g, g.inspect_os(), applications=args.applications, icon=args.icon)
    except (Error, KeyProblem) as e:  # read_key's messages start with the shell's name
        print(f"{PROG}: {str(e).removeprefix(f'{SHELL}: ')}", file=sys.stderr)
        return 1
    finally:
        g.close()
    sys.stdout.write(to_json(oses) if args.json else to_xml(oses))
    return 0


def _option_problem(args: argparse.Namespace) -> str | None:
    if not args.drives:
        return "you must specify at least one -a option"
    if args.format_pending:
        return "--format parameter must appear before -a parameter"
    return None


def decrypt(g: Any, keys: list[tuple[str, str]]) -> None:
    """Open the LUKS devices with the keys given to g.set_luks_key (keys: their (id, key));
    a device without one is asked for one (keys.read_key).

    As guestfs-tools' inspect_do_decrypt: a device that no key opens is an error
    (without it, inspection would silently miss what it holds).
    """
    asked: set[str] = set()
    while True:
        g.inspect_decrypt()
        mapped = set(g.list_dm_devices())
        closed = [(d, u) for d, u in _luks(g) if f"/dev/mapper/luks-{u}" not in mapped]
        ask = [d for d, u in closed if d not in asked and not _has_key(keys, d, u)]
        if not ask:
            if closed:
                raise KeyProblem(f"could not find key to open LUKS encrypted {closed[0][0]}.\n\n"
                                 "Try using --key on the command line.")
            return
        for dev in ask:
            asked.add(dev)
            key = read_key(dev)
            keys.append((dev, key))
            g.set_luks_key(dev, key)


def _luks(g: Any) -> list[tuple[str, str]]:
    """(device, LUKS UUID) of every LUKS device seen now."""
    out = []
    for dev in [*g.list_devices(), *g.list_partitions(), *g.lvs(), *g.list_md_devices()]:
        try:
            if g.vfs_type(dev) == "crypto_LUKS":
                out.append((dev, g.luks_uuid(dev)))
        except Error:
            continue  # nothing readable there
    return out


def _has_key(keys: list[tuple[str, str]], dev: str, uuid: str) -> bool:
    return any(id_ in (dev, uuid, "all") for id_, _ in keys)
