"""The customize operations applied to one mounted guest, in command-line order, with
virt-customize's messages (libguestfs-common's customize_run.ml).

Before them: a fresh random seed, and a machine ID if /etc/machine-id is empty.
After them: the passwords (all at once, in /etc/shadow), SELinux relabelling if
asked, and the log of the commands scrubbed with --no-logfile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ....errors import Error
from . import guestcmd, sysconf
from .cmdline import Op, parse_mode
from .edit_expr import ExprError, compile_expr, edit_text
from .files import LocalFileError, append_line, read_local, replace_file, upload
from .firstboot import Firstboot, FirstbootError
from .messages import Messages
from .passwords import PasswordSelector, set_linux_passwords
from .selinux import relabel
from .sshkeys import InjectError, inject

UNIX_LIKE = ("linux", "freebsd", "netbsd", "openbsd", "hurd")


@dataclasses.dataclass(frozen=True)
class Settings:
    """What applies to the whole run: the flags of cmdline.py, and the handle's verbosity."""

    password_crypto: str | None = None
    selinux_relabel: bool = False
    no_logfile: bool = False
    verbose: bool = False


class Customizer:
    """Applies the operations to the guest of one root (mounted)."""

    def __init__(self, g: Any, root: str, settings: Settings, msgs: Messages) -> None:
        self.g = g
        self.root = root
        self.settings = settings
        self.msgs = msgs
        self.logfile = guestcmd.log_file(g, root)
        self.firstboot = Firstboot(g, root)
        self.passwords: dict[str, PasswordSelector] = {}

    def run(self, ops: list[Op]) -> None:
        """Everything virt-customize does to a guest, ops in the order given."""
        g, msgs = self.g, self.msgs
        try:
            msgs.message("Setting a random seed")
            if not sysconf.set_random_seed(g, self.root):
                msgs.warning("random seed could not be set for this type of guest")
            if sysconf.machine_id_empty(g):
                msgs.message(f"Setting the machine ID in {sysconf.MACHINE_ID}")
                sysconf.set_machine_id(g)
            for op in ops:
                self.ACTIONS[op.name](self, *op.args)
            self._finish()
        except (guestcmd.CommandFailed, FirstbootError, InjectError, sysconf.ConfError,
                ExprError, LocalFileError) as e:
            raise msgs.error(str(e)) from None

    def _finish(self) -> None:
        g, msgs = self.g, self.msgs
        if self.passwords:
            if g.inspect_get_type(self.root) == "linux":
                msgs.message("Setting passwords")
                set_linux_passwords(g, self.root, self.passwords,
                                    self.settings.password_crypto, msgs)
            else:
                msgs.warning("passwords could not be set for this type of guest")
        if self.settings.selinux_relabel:
            msgs.message("SELinux relabelling")
            relabel(g)
        if self.settings.verbose:
            guestcmd.show_log(g, self.logfile, msgs.warning)
        if self.settings.no_logfile and g.exists(self.logfile):
            msgs.message("Scrubbing the log file")
            try:
                g.scrub_file(self.logfile)
            except Error:
                g.rm_f(self.logfile)

    # -- the operations ------------------------------------------------------------------
    def _run(self, cmd: str, display: str) -> None:
        guestcmd.run_in_guest(self.g, self.root, cmd, display, self.logfile)

    def _package_manager(self) -> str:
        return str(self.g.inspect_get_package_management(self.root))

    def append_line(self, path: str, line: str) -> None:
        if "\n" in line:
            raise self.msgs.error("--append-line: line must not contain newline characters.  "
                                  "Use the --append-line option multiple times to add "
                                  "several lines.")
        self.msgs.message(f"Appending line to {path}")
        append_line(self.g, self.root, path, line, self.msgs)

    def chmod(self, mode: str, path: str) -> None:
        self.msgs.message(f"Changing permissions of {path} to {mode}")
        self.g.chmod(parse_mode(mode), path)

    def copy(self, src: str, dest: str) -> None:
        self.msgs.message(f"Copying (in image): {src} to {dest}")
        self.g.cp_a(src, dest)

    def copy_in(self, local: str, remotedir: str) -> None:
        self.msgs.message(f"Copying: {local} to {remotedir}")
        self.g.copy_in(local, remotedir)

    def delete(self, pattern: str) -> None:
        self.msgs.message(f"Deleting: {pattern}")
        for path in self.g.glob_expand(pattern, directoryslash=False):
            self.g.rm_rf(path)

    def edit(self, path: str, expr: str) -> None:
        self.msgs.message(f"Editing: {path}")
        g = self.g
        if not g.exists(path):
            raise self.msgs.error(f"{path} does not exist in the guest")
        if not g.is_file(path, followsymlinks=True):
            raise self.msgs.error(f"{path} is not a regular file in the guest")
        editor = compile_expr(expr)
        text = bytes(g.read_file(path)).decode("utf-8", "surrogateescape")
        replace_file(g, path, edit_text(text, editor).encode("utf-8", "surrogateescape"))

    def firstboot_script(self, script: str) -> None:
        self.msgs.message(f"Installing firstboot script: {script}")
        self.firstboot.add(script, read_local(script))

    def firstboot_command(self, cmd: str) -> None:
        self.msgs.message(f"Installing firstboot command: {cmd}")
        self.firstboot.add(cmd, cmd)

    def firstboot_install(self, packages: list[str]) -> None:
        self.msgs.message(f"Installing firstboot packages: {' '.join(packages)}")
        cmd = guestcmd.install_command(packages, self._package_manager())
        self.firstboot.add(" ".join(["install", *packages]), cmd)

    def hostname(self, hostname: str) -> None:
        self.msgs.message(f"Setting the hostname: {hostname}")
        if not sysconf.set_hostname(self.g, self.root, hostname):
            self.msgs.warning("hostname could not be set for this type of guest")

    def install(self, packages: list[str]) -> None:
        self.msgs.message(f"Installing packages: {' '.join(packages)}")
        cmd = guestcmd.install_command(packages, self._package_manager())
        self._run(cmd, cmd)

    def link(self, target: str, links: list[str]) -> None:
        for link in links:
            self.msgs.message(f"Linking: {link} -> {target}")
            self.g.ln_sf(target, link)

    def mkdir(self, path: str) -> None:
        self.msgs.message(f"Making directory: {path}")
        self.g.mkdir_p(path)

    def move(self, src: str, dest: str) -> None:
        self.msgs.message(f"Moving: {src} -> {dest}")
        self.g.mv(src, dest)

    def password(self, user: str, selector: PasswordSelector) -> None:
        if user in self.passwords:
            raise self.msgs.error("multiple --root-password/--password options set the "
                                  f"password for user ‘{user}’ twice")
        self.passwords[user] = selector

    def run_script(self, script: str) -> None:
        self.msgs.message(f"Running: {script}")
        self._run(read_local(script), script)

    def run_command(self, cmd: str) -> None:
        self.msgs.message(f"Running: {cmd}")
        self._run(cmd, cmd)

    def scrub(self, path: str) -> None:
        self.msgs.message(f"Scrubbing: {path}")
        self.g.scrub_file(path)

    def ssh_inject(self, user: str, selector: Any) -> None:
        if self.g.inspect_get_type(self.root) in UNIX_LIKE:
            self.msgs.message(f"SSH key inject: {user}")
            inject(self.g, user, selector)
        else:
            self.msgs.warning("SSH key could not be injected for this type of guest")

    def timezone(self, tz: str) -> None:
        self.msgs.message(f"Setting the timezone: {tz}")
        if not sysconf.set_timezone(self.g, self.root, tz):
            self.msgs.warning("timezone could not be set for this type of guest")

    def touch(self, path: str) -> None:
        self.msgs.message(f"Running touch: {path}")
        self.g.touch(path)

    def truncate(self, path: str) -> None:
        self.msgs.message(f"Truncating: {path}")
        self.g.truncate(path)

    def truncate_recursive(self, path: str) -> None:
        self.msgs.message(f"Recursively truncating: {path}")
        for name in self.g.find(path):
            full = f"{path.rstrip('/')}/{name}"
            if self.g.is_file(full):
                self.g.truncate(full)

    def uninstall(self, packages: list[str]) -> None:
        self.msgs.message(f"Uninstalling packages: {' '.join(packages)}")
        cmd = guestcmd.uninstall_command(packages, self._package_manager())
        self._run(cmd, cmd)

    def update(self) -> None:
        self.msgs.message("Updating packages")
        cmd = guestcmd.update_command(self._package_manager(), self.settings.verbose)
        self._run(cmd, cmd)

    def upload(self, local: str, dest: str) -> None:
        self.msgs.message(f"Uploading: {local} to {dest}")
        upload(self.g, local, dest, self.msgs)

    def write(self, path: str, content: str) -> None:
        self.msgs.message(f"Writing: {path}")
        self.g.write(path, content.encode("utf-8", "surrogateescape"))

    ACTIONS: dict[str, Callable[..., None]] = {
        "append-line": append_line, "chmod": chmod, "copy": copy, "copy-in": copy_in,
        "delete": delete, "edit": edit, "firstboot": firstboot_script,
        "firstboot-command": firstboot_command, "firstboot-install": firstboot_install,
        "hostname": hostname, "install": install, "link": link, "mkdir": mkdir, "move": move,
        "password": password, "root-password": password, "run": run_script,
        "run-command": run_command, "scrub": scrub, "ssh-inject": ssh_inject,
        "timezone": timezone, "touch": touch, "truncate": truncate,
        "truncate-recursive": truncate_recursive, "uninstall": uninstall, "update": update,
        "upload": upload, "write": write,
    }
