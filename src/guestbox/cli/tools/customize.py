"""`guestbox customize`: virt-customize, the guest changed in place by the customize
operations, applied in the order given (customizing/)."""

from __future__ import annotations

import argparse
import sys

from ...events import EVENT_ENTER, EVENT_PROGRESS
from ...handle import GuestFS
from .. import toolopts
from ..shell.progress import ProgressBar
from .customizing.cmdline import add_customize_options
from .customizing.guest import inspected, mount_root, tool_errors
from .customizing.messages import Messages
from .customizing.run import Customizer, Settings
from .registry import Tool, register

NEED_NETWORK = ("install", "update")
"""Operations that fetch packages: refused without --network."""

DOC = """\
Changes a guest's disk image in place, as virt-customize: the operations run in
the order they are given, on each operating system inspection finds (its
filesystems mounted as in the guest).  Before them a fresh random seed is
written (and a machine ID if /etc/machine-id is empty); after them the passwords
are set and, with --selinux-relabel, the files relabelled.  Progress is told on
stdout as `[SECONDS] what`, as virt-customize does; -q silences it.  The guest
must be shut down.

--run, --run-command, --install, --uninstall and --update run the guest's own
programs (its /bin/sh, chrooted into its root, on the appliance's kernel); their
output goes to /tmp/builder.log in the guest and is shown if they fail.

PASSWORDS (--root-password SELECTOR, --password USER:SELECTOR): SELECTOR is
password:PASS, file:FILENAME (its first line), random (printed on stdout),
disabled, or locked:... of these (locked alone: locked and disabled).  The hash
is yescrypt, SHA-512 or MD5 as virt-customize picks for the guest's version,
or --password-crypto's.

EDIT EXPRESSIONS (--edit FILE:EXPR): virt-customize takes a Perl expression;
guestbox takes s/PATTERN/REPLACEMENT/FLAGS (Python regular expressions, \\1 in
the replacement; flags g, i, m, s, x) or a Python expression of the line `_`
(with its newline) whose value replaces it, applied to each line in turn.

Differences from virt-customize: no network unless --network is given (virt-
customize's default is on), so --install and --update need it; no -d/-c
(libvirt), --attach, --sm-* (subscription-manager) or Windows first boot
scripts.  See docs/compatibility.md.
"""


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False)
    p.add_argument("-n", "--dry-run", "--dryrun", dest="dry_run", action="store_true",
                   help="do everything on throwaway overlays: the disks are left unchanged")
    p.add_argument("-m", "--memsize", type=int, metavar="MB",
                   help="the appliance's memory, for --run and --install")
    p.add_argument("--smp", type=int, metavar="N", help="the appliance's virtual CPUs")
    p.add_argument("--network", dest="network", action="store_true", default=False,
                   help="give the appliance (and so the commands run in the guest) a network")
    p.add_argument("--no-network", dest="network", action="store_false",
                   help="no network (guestbox's default)")
    add_common_options(p)
    add_customize_options(p, "guestbox customize")


def add_common_options(p: argparse.ArgumentParser) -> None:
    """-q, -V and the OCaml tools' --colours and --wrap (shared with sysprep)."""
    toolopts.add_version(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.add_argument("--colours", "--colors", "--colour", "--color", dest="colours",
                   action="store_true", help="ANSI colours even if stdout is not a terminal")
    p.add_argument("--wrap", action="store_true",
                   help="wrap messages at 76 columns even if not on a terminal")


def messages(ns: argparse.Namespace, prog: str) -> Messages:
    return Messages(prog, quiet=ns.quiet, verbose=ns.verbose, trace=ns.trace,
                    colours=ns.colours, wrap=ns.wrap)


def appliance_setup(ns: argparse.Namespace) -> toolopts.Setup:
    """What the handle gets before launch: --memsize, --smp, --network, and progress bars
    for long calls (uploads, copies) when stderr is a terminal."""

    def setup(g: GuestFS) -> None:
        if sys.stderr.isatty() and not ns.quiet:  # long uploads, copies: a bar as they go
            g.set_event_callback(ProgressBar(sys.stderr, sys.stderr), EVENT_ENTER | EVENT_PROGRESS)
        if getattr(ns, "memsize", None):
            g.set_memsize(ns.memsize)
        if getattr(ns, "smp", None):
            g.set_smp(ns.smp)
        if ns.network:
            g.set_network(True)

    return setup


def check_command_line(ns: argparse.Namespace, msgs: Messages, no_drives: str) -> None:
    """What virt-customize and virt-sysprep check before starting: the common options, the
    disks (no_drives: the tool's text when there are none), the network."""
    try:
        toolopts.check(ns, access=False)
    except toolopts.ToolError as e:
        raise msgs.error(str(e.message)) from None
    if not ns.drives:
        raise msgs.error(no_drives)
    check_network(ns, msgs)


def check_network(ns: argparse.Namespace, msgs: Messages) -> None:
    """--install and --update refused at once without --network (a clear error rather than
    the package manager's failure)."""
    for op in ns.customize_ops:
        if op.name in NEED_NETWORK and not ns.network:
            raise msgs.error(f"--{op.name} needs the network: add --network (guestbox starts "
                             "the appliance without one unless asked)")


def run(ns: argparse.Namespace) -> int:
    msgs = messages(ns, TOOL.prog)
    check_command_line(ns, msgs, "you must give either -a or -d options. Read "
                       "virt-customize(1) man page for further information.")
    settings = Settings(ns.password_crypto, ns.selinux_relabel, ns.no_logfile, ns.verbose)
    with tool_errors(msgs), inspected(ns, msgs, appliance_setup(ns)) as (g, roots):
        for root in roots:
            mount_root(g, root, msgs)
            Customizer(g, root, settings, msgs).run(ns.customize_ops)
            g.umount_all()
    return 0


TOOL = register(Tool("customize", "virt-customize", "customize a guest's disk image in place",
                     DOC, options, run))
