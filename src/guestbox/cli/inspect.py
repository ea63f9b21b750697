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
from . import toolopts
from .inspect_report import collect, to_json, to_xml
from .shell.keys import KeyProblem, settings
from .toolmount import decrypt, key_problem

PROG = "guestbox inspect"


def add_parser(sub: Any) -> None:
    """Register `guestbox inspect` in the subcommands sub (an argparse subparsers object)."""
    p = sub.add_parser("inspect", help="report the operating systems on disk images "
                       "(virt-inspector's XML, or JSON)", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, verbose=False,
                         libvirt=False)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--xml", dest="json", action="store_false",
                     help="virt-inspector's XML (the default)")
    out.add_argument("--json", dest="json", action="store_true",
                     help="the same content as JSON (docs/inspect.md)")
    p.add_argument("--no-applications", dest="applications", action="store_false",
                   help="do not list the installed applications")
    p.add_argument("--no-icon", dest="icon", action="store_false",
                   help="do not include the guest's icon")
    p.set_defaults(func=run, json=False)


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
    except KeyProblem as e:
        print(key_problem(PROG, e), file=sys.stderr)
        return 1
    except Error as e:
        print(f"{PROG}: {e}", file=sys.stderr)
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
