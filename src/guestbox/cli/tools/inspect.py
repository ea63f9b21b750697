"""`guestbox inspect`: what operating systems the disks hold, as virt-inspector reports it."""

from __future__ import annotations

import argparse
import sys

from .. import toolopts
from ..inspect_report import collect, to_json, to_xml
from ..toolmount import decrypt
from ..toolopts import try_help
from .registry import Tool, register

NAME = "inspect"
COMMAND = f"guestbox {NAME}"

DOC = """\
    guestbox inspect -a DISK [-a DISK ...] [--xml | --json] [--key ...]

The drives are added read-only, LUKS devices are opened with the --key keys
(or a passphrase asked for each one without a key, as guestfs-tools do), and
the report of inspect_os's roots is printed: virt-inspector's XML (the
default, the same bytes as guestfs-tools 1.48's virt-inspector) or, with
--json, the same content as JSON (docs/inspect.md).  Disks with no OS give an
empty report (`<operatingsystems/>`), not an error, as virt-inspector.
Not supported: libvirt guests (-d, -c), --xpath, --blocksize.
"""


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, libvirt=False)
    toolopts.add_version(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--xml", dest="json", action="store_false",
                     help="virt-inspector's XML (the default)")
    out.add_argument("--json", dest="json", action="store_true",
                     help="the same content as JSON (docs/inspect.md)")
    p.add_argument("--no-applications", dest="applications", action="store_false",
                   help="do not list the installed applications")
    p.add_argument("--no-icon", dest="icon", action="store_false",
                   help="do not include the guest's icon")
    p.set_defaults(json=False)


def run(ns: argparse.Namespace) -> int:
    """0 once the report is printed; failures are raised for the registry to tell (status 1)."""
    if not ns.drives:
        print(f"{COMMAND}: error: you must specify at least one -a option\n{try_help(COMMAND)}",
              file=sys.stderr)
        raise toolopts.ToolError()
    toolopts.check(ns)
    with toolopts.opened(ns, COMMAND, readonly=True) as g:
        decrypt(g, list(ns.keys or []))
        oses = collect(g, g.inspect_os(), applications=ns.applications, icon=ns.icon)
    sys.stdout.write(to_json(oses) if ns.json else to_xml(oses))
    return 0


register(Tool(NAME, "virt-inspector", "report the operating systems on disk images "
              "(virt-inspector's XML, or JSON)", DOC, options, run))
