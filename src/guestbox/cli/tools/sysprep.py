"""`guestbox sysprep`: virt-sysprep, a guest reset for cloning (customizing/sysprep_ops.py),
and customized with the same options as `guestbox customize`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from ...handle import GuestFS
from .. import toolopts
from .customize import add_common_options, appliance_setup, check_command_line, messages
from .customizing import guestcmd, sysprep_ops, sysprep_special, sysprep_work
from .customizing.cmdline import add_customize_options
from .customizing.firstboot import Firstboot
from .customizing.guest import inspected, mount_root, tool_errors
from .customizing.messages import Messages
from .customizing.run import Customizer, Settings
from .registry import Tool, register

DOC = """\
Resets a guest's disk image in place so that clones can be made of it, as
virt-sysprep: its operations remove what makes a machine unique (machine ID,
SSH host keys, logs, shell history, temporary files, DHCP leases, udev
persistent net rules ...).  --list-operations lists them, `*` marking those on
by default; --operations and --enable choose.  The `customize` operation
applies the customize options (see `guestbox customize --help`), after the
others.  The guest must be shut down.

--operations OPS: a comma-separated list; NAME adds an operation, -NAME removes
it, `defaults` and `all` stand for those on by default and all of them.  Given
more than once, each goes on from what the previous ones chose.  --enable OPS
(once): exactly those.

The script operation runs each --script on the host, by the shell, in the
guest's filesystems mounted there with FUSE; user-account removes the users
between UID_MIN and UID_MAX of the guest's login.defs (all of them, or those of
--remove-user-accounts, less those of --keep-user-accounts) with their homes.

Differences from virt-sysprep: machine-id runs last, after customize (which
would otherwise write a new ID into the file machine-id has just emptied);
write --operations=-NAME when the list starts with a dash; no -d/-c (libvirt).
See docs/compatibility.md.
"""


class _Selection(argparse.Action):
    """--enable and --operations, told with virt-sysprep's messages."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        fn = sysprep_ops.enable if self.dest == "enable" else sysprep_ops.operations
        try:
            ns.operations = fn(str(value), ns.operations)
        except sysprep_ops.SelectionError as e:
            raise Messages(TOOL.prog).error(str(e)) from None


class _Users(argparse.Action):
    """--remove-user-accounts and --keep-user-accounts: user names added to the choice."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace,
                 value: Any, option: str | None = None) -> None:
        users = str(value).split(",")
        if "" in users:
            raise Messages(TOOL.prog).error("user-accounts: empty user name")
        choice = ns.user_choice
        if self.dest == "keep_user_accounts":
            ns.user_choice = dataclasses.replace(choice, keep=choice.keep | set(users))
        else:
            ns.user_choice = dataclasses.replace(choice, remove=choice.remove | set(users))


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False)
    p.add_argument("-n", "--dry-run", "--dryrun", dest="dry_run", action="store_true",
                   help="do everything on throwaway overlays: the disks are left unchanged")
    p.add_argument("--enable", action=_Selection, metavar="OPERATIONS",
                   help="run exactly these operations (comma-separated)")
    p.add_argument("--operations", "--operation", dest="operations_", action=_Selection,
                   metavar="OPERATIONS", help="add (NAME) or remove (-NAME) operations; "
                   "defaults and all name groups")
    p.add_argument("--list-operations", action="store_true",
                   help="list the operations (* : on by default) and exit")
    p.add_argument("--mount-options", metavar="MP:OPTS[;MP:OPTS..]", default="",
                   help="mount options for the guest's filesystems, e.g. /:noatime")
    p.add_argument("--script", dest="scripts", action="append", default=[], metavar="SCRIPT",
                   help="the script operation: a command run (by the shell, on the host) in "
                   "the guest's filesystem mounted with FUSE; repeatable")
    p.add_argument("--scriptdir", metavar="DIR",
                   help="where --script mounts the guest (default: a temporary directory)")
    p.add_argument("--remove-user-accounts", action=_Users, metavar="USERS",
                   help="the user-account operation removes only these users (comma-"
                   "separated); repeatable")
    p.add_argument("--keep-user-accounts", action=_Users, metavar="USERS",
                   help="the user-account operation keeps these users; repeatable")
    p.add_argument("--network", dest="network", action="store_true", default=False,
                   help="give the appliance a network (for --install ...)")
    p.add_argument("--no-network", dest="network", action="store_false",
                   help="no network (the default)")
    add_common_options(p)
    add_customize_options(p, "guestbox sysprep")
    p.set_defaults(operations=None, user_choice=sysprep_special.UserChoice())


def mount_options(text: str) -> dict[str, str]:
    """--mount-options `MP:OPTS;MP:OPTS` as {mountpoint: options}."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        mp, _, opts = part.partition(":")
        out.setdefault(mp, opts)
    return out


def run(ns: argparse.Namespace) -> int:
    if ns.list_operations:
        sys.stdout.write(sysprep_ops.list_operations())
        return 0
    msgs = messages(ns, TOOL.prog)
    check_command_line(ns, msgs, "you must give either -a or -d options.  Read "
                       "virt-sysprep(1) man page for further information.")
    check_user_choice(ns, msgs)
    opts = mount_options(ns.mount_options)
    settings = Settings(ns.password_crypto, ns.selinux_relabel, ns.no_logfile, ns.verbose)
    with tool_errors(msgs), inspected(ns, msgs, appliance_setup(ns), finish=False) as (g, roots):
        for root in roots:
            mount_root(g, root, msgs, lambda mp: opts.get(mp, ""))
            effects = sysprep_work.Effects()
            for op in sysprep_ops.selected(ns.operations, on_devices=False):
                msgs.message(f'Performing "{op.name}" ...')
                if op.name == "customize":
                    Customizer(g, root, settings, msgs).run(ns.customize_ops)
                elif op.name == "user-account":
                    sysprep_special.remove_user_accounts(g, root, ns.user_choice)
                elif op.name == "script":
                    try:
                        sysprep_special.run_scripts(g, root, ns.scripts, ns.scriptdir)
                    except sysprep_special.ScriptFailed as e:
                        raise msgs.error(str(e)) from None
                else:
                    op.perform(g, root, effects)
            if effects.update_ca_store:
                update_ca_store(g, root, msgs)
            g.umount_all()
            for op in sysprep_ops.selected(ns.operations, on_devices=True):
                msgs.message(f'Performing "{op.name}" ...')
                op.perform(g, root, effects)
                for warning in effects.warnings:
                    msgs.warning(warning)
                effects.warnings.clear()
    return 0


def check_user_choice(ns: argparse.Namespace, msgs: Messages) -> None:
    """--keep/--remove-user-accounts only with the user-account operation."""
    if "user-account" in {op.name for op in sysprep_ops.selected(ns.operations, False)}:
        return
    for kind, users in (("keep", ns.user_choice.keep), ("remove", ns.user_choice.remove)):
        if users:
            raise msgs.error(f"user-accounts: --{kind}-user-accounts parameter was used, but "
                             'the "user-account" operation is not enabled')


def update_ca_store(g: GuestFS, root: str, msgs: Messages) -> None:
    """Rebuild the guest's CA store after certificates were removed: now if the guest's
    programs can run here, else at its first boot (as virt-sysprep)."""
    cmd = sysprep_work.ca_store_command(g, root)
    if cmd is None:
        msgs.warning(f"updating the system CA store on this guest {g.inspect_get_type(root)}/"
                     f"{g.inspect_get_distro(root)} is not supported")
    elif not guestcmd.arch_compatible(g.inspect_get_arch(root)):
        Firstboot(g, root).add(cmd, cmd)
    else:
        try:
            guestcmd.run_in_guest(g, root, cmd, cmd, guestcmd.log_file(g, root))
        except guestcmd.CommandFailed as e:
            raise msgs.error(str(e)) from None


TOOL = register(Tool("sysprep", "virt-sysprep",
                     "reset a guest's disk image so that clones can be made of it", DOC,
                     options, run))
