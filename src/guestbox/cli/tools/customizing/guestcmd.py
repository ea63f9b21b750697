"""Running commands in the guest (--run, --run-command, --install ...) as virt-customize
does: through the guest's /bin/sh, chrooted into its root, output appended to a log file
in the guest (/tmp/builder.log), which is shown on stderr when a command fails.

The guest's programs run on the appliance's kernel and CPU: a guest whose
architecture the host cannot run is refused (x86_64 hosts run i?86 guests under
`setarch i686`).  The host's proxy variables are passed on, as virt-customize does.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Any

from ....errors import Error

HOST_CPU = os.uname().machine
PROXY_VARIABLES = ("http_proxy", "https_proxy", "ftp_proxy", "no_proxy")
I386 = ("i386", "i486", "i586", "i686")


class CommandFailed(Exception):
    """A command run in the guest failed, or cannot run: the message after `PROG: error: `."""


def quote(word: str) -> str:
    """OCaml's Filename.quote, as virt-customize quotes package names: always in single
    quotes."""
    return "'" + word.replace("'", "'\\''") + "'"


def log_file(g: Any, root: str) -> str:
    """Where the commands' output goes in the guest (builder.log)."""
    if g.inspect_get_type(root) in ("windows", "dos"):
        return "/Temp/builder.log" if g.is_dir("/Temp", followsymlinks=True) else "/builder.log"
    return "/tmp/builder.log" if g.is_dir("/tmp", followsymlinks=True) else "/builder.log"


def arch_compatible(guest_arch: str, host_cpu: str = HOST_CPU) -> bool:
    """Whether the host's CPU runs the guest's programs (guest_arch_compatible)."""
    return guest_arch == host_cpu or (host_cpu == "x86_64" and guest_arch in I386)


def script(cmd: str, logfile: str, guest_arch: str) -> str:
    """The shell script that runs cmd: output to the log, the proxy variables exported."""
    env = "".join(f"export {name}={quote(os.environ[name])}\n"
                  for name in PROXY_VARIABLES if name in os.environ)
    if HOST_CPU == "x86_64" and guest_arch in I386:
        cmd = f'setarch i686 <<"__EOCMD"\n{cmd}\n__EOCMD'
    return f"exec >>{quote(logfile)} 2>&1\n{env}\n{cmd}\n"


def run_in_guest(g: Any, root: str, cmd: str, display: str, logfile: str) -> None:
    """Run cmd in the guest; CommandFailed ("DISPLAY: command exited with an error") once
    the log has been copied to stderr."""
    guest_arch = g.inspect_get_arch(root)
    if not arch_compatible(guest_arch):
        raise CommandFailed(
            f"host cpu ({HOST_CPU}) and guest arch ({guest_arch}) are not compatible, so you "
            "cannot use command line options that involve running commands in the guest.  "
            "Use --firstboot scripts instead.")
    try:
        g.sh(script(cmd, logfile, guest_arch))
    except Error:
        show_log(g, logfile)
        raise CommandFailed(f"{display}: command exited with an error") from None


def show_log(g: Any, logfile: str, warn: Any = None) -> None:
    """Copy the guest's log file to stderr (debug_logfile)."""
    with tempfile.TemporaryDirectory(prefix="guestbox-log-") as tmp:
        try:
            g.download(logfile, f"{tmp}/log")
        except Error as e:
            if warn is not None:
                warn(f"log file {logfile}: {e} (ignored)")
            return
        sys.stderr.flush()
        with open(f"{tmp}/log", "rb") as f:
            shutil.copyfileobj(f, sys.stderr.buffer)
        sys.stderr.flush()


# -- package managers (libguestfs-common's guest_packages.ml) ---------------------------
APT = ("\n        export DEBIAN_FRONTEND=noninteractive\n"
       "        apt_opts='-q -y -o Dpkg::Options::=--force-confnew'\n"
       "        apt-get $apt_opts {}\n      ")


def install_command(packages: list[str], pm: str) -> str:
    """The guest's command that installs packages."""
    args = " ".join(quote(p) for p in packages)
    commands = {
        "apk": f"\n       apk update\n       apk add {args}\n     ",
        "apt": APT.format(f"update\n        apt-get $apt_opts install {args}"),
        "dnf": f"dnf -y install {args}", "pisi": f"pisi it {args}",
        "pacman": f"pacman -S --noconfirm {args}", "urpmi": f"urpmi {args}",
        "xbps": f"xbps-install -Sy {args}", "yum": f"yum -y install {args}",
        "zypper": f"zypper -n in -l {args}",
    }
    return _pick(commands, pm, "--install")


def update_command(pm: str, verbose: bool = False) -> str:
    """The guest's command that updates every package."""
    commands = {
        "apk": "\n       apk update\n       apk upgrade\n     ",
        "apt": APT.format("update\n        apt-get $apt_opts upgrade"),
        "dnf": f"dnf{' --verbose' if verbose else ''} -y --best upgrade",
        "pisi": "pisi upgrade", "pacman": "pacman -Su", "urpmi": "urpmi --auto-select",
        "xbps": "xbps-install -Suy", "yum": "yum -y update", "zypper": "zypper -n dup -l",
    }
    return _pick(commands, pm, "--update")


def uninstall_command(packages: list[str], pm: str) -> str:
    """The guest's command that removes packages."""
    args = " ".join(quote(p) for p in packages)
    commands = {
        "apk": f"apk del {args}", "apt": APT.format(f"remove {args}"),
        "dnf": f"dnf -y --disableplugin=subscription-manager remove {args}",
        "pisi": f"pisi rm {args}", "pacman": f"pacman -R {args}", "urpmi": f"urpme {args}",
        "xbps": f"xbps-remove -Sy {args}", "yum": f"yum -y remove {args}",
        "zypper": f"zypper -n rm {args}",
    }
    return _pick(commands, pm, "--uninstall")


def _pick(commands: dict[str, str], pm: str, flag: str) -> str:
    if pm in commands:
        return commands[pm]
    if pm == "unknown":
        raise CommandFailed(
            f"cannot use ‘{flag}’ because no package manager has been detected for this "
            "guest OS.\n\nIf this guest OS is a common one with ordinary package management "
            "then this may have been caused by a failure of libguestfs inspection.\n\nFor OSes "
            "such as Windows that lack package management, this is not possible.  Try using "
            "one of the ‘--firstboot*’ flags instead (described in the virt-customize(1) "
            "manual).")
    raise CommandFailed(
        f"sorry, ‘{flag}’ with the ‘{pm}’ package manager has not been implemented yet.\n\n"
        "You can work around this by using one of the ‘--run*’ or ‘--firstboot*’ options "
        "instead (described in the virt-customize(1) manual).")
