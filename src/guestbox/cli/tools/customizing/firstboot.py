"""--firstboot, --firstboot-command, --firstboot-install: scripts run once when the guest
next boots, installed as virt-customize installs them (libguestfs-common's firstboot.ml).

A Linux guest gets /usr/lib/virt-sysprep/firstboot.sh, which runs each executable
in /usr/lib/virt-sysprep/scripts (moving it to scripts-done first, so that it runs
once) and logs to ~root/virt-sysprep-firstboot.log; it is started by the systemd
unit guestfs-firstboot.service (wanted by multi-user.target) and, where the guest
has /etc/init.d or /etc/rc.d, by System V init links too.  Scripts are named
PRIO-N-NAME so that they run in the order given.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

FIRSTBOOT_DIR = "/usr/lib/virt-sysprep"
SYSTEMD_TARGET = "multi-user.target"
UNIT_DIR = "/usr/lib/systemd/system"

FIRSTBOOT_SH = f"""\
#!/bin/sh -

### BEGIN INIT INFO
# Provides:          virt-sysprep
# Required-Start:    $null
# Should-Start:      $all
# Required-Stop:     $null
# Should-Stop:       $all
# Default-Start:     2 3 5
# Default-Stop:      0 1 6
# Short-Description: Start scripts to run once at next boot
# Description:       Start scripts to run once at next boot
#\tThese scripts run the first time the guest boots,
#\tand then are deleted. Output or errors from the scripts
#\tare written to ~root/virt-sysprep-firstboot.log.
### END INIT INFO

d={FIRSTBOOT_DIR}/scripts
d_done={FIRSTBOOT_DIR}/scripts-done
logfile=~root/virt-sysprep-firstboot.log

echo "$0" "$@" 2>&1 | tee -a $logfile
echo "Scripts dir: $d" 2>&1 | tee -a $logfile

if test "$1" = "start"
then
  mkdir -p $d_done
  for f in $d/* ; do
    if test -x "$f"
    then
      # move the script to the 'scripts-done' directory, so it is not
      # executed again at the next boot
      mv $f $d_done
      echo '=== Running' $f '===' 2>&1 | tee -a $logfile
      $d_done/$(basename $f) 2>&1 | tee -a $logfile
    fi
  done
  rm -f $d_done/*
fi
"""

FIRSTBOOT_SERVICE = f"""\
[Unit]
Description=libguestfs firstboot service
After=network.target
Before=prefdm.service

[Service]
Type=oneshot
ExecStart={FIRSTBOOT_DIR}/firstboot.sh start
RemainAfterExit=yes
StandardOutput=journal+console
StandardError=inherit

[Install]
WantedBy={SYSTEMD_TARGET}
"""

REDHAT = ("fedora", "rhel", "centos", "scientificlinux", "oraclelinux", "rocky", "redhat-based")
SUSE = ("opensuse", "sles", "suse-based")
DEBIAN = ("debian", "kalilinux", "ubuntu")


class FirstbootError(Exception):
    """A guest firstboot scripts cannot be installed in: the message after `PROG: error: `."""


def sanitize_name(name: str) -> str:
    """The name part of a script's file name: [a-zA-Z0-9_] kept, the rest `-`, 60 at most."""
    return re.sub(r"[^a-zA-Z0-9_]", "-", name)[:60]


class Firstboot:
    """Installs first boot scripts in one guest, numbering them in the order added."""

    def __init__(self, g: Any, root: str) -> None:
        self.g = g
        self.root = root
        self._count = itertools.count(1)
        self._installed = False

    def add(self, name: str, content: str, prio: int = 5000) -> None:
        """Install the service (once) and the script content under name."""
        g = self.g
        typ, distro = g.inspect_get_type(self.root), g.inspect_get_distro(self.root)
        if typ == "windows":
            raise FirstbootError("first boot scripts in Windows guests are not supported by "
                                 "guestbox")
        if typ != "linux":
            raise FirstbootError(f"guest type {typ}/{distro} is not supported")
        if not self._installed:
            self._install_service(distro)
            self._installed = True
        path = f"{FIRSTBOOT_DIR}/scripts/{prio:04d}-{next(self._count):04d}-{sanitize_name(name)}"
        g.write(path, content.encode("utf-8", "surrogateescape"))
        g.chmod(0o755, path)

    def _install_service(self, distro: str) -> None:
        g = self.g
        g.mkdir_p(f"{FIRSTBOOT_DIR}/scripts")
        g.write(f"{FIRSTBOOT_DIR}/firstboot.sh", FIRSTBOOT_SH.encode())
        g.chmod(0o755, f"{FIRSTBOOT_DIR}/firstboot.sh")
        if g.is_dir("/etc/systemd/system"):
            self._install_systemd()
        if g.is_dir("/etc/rc.d") or g.is_dir("/etc/init.d"):
            self._install_sysvinit(distro)

    def _install_systemd(self) -> None:
        g = self.g
        g.mkdir_p(UNIT_DIR)
        unit = f"{UNIT_DIR}/guestfs-firstboot.service"
        g.write(unit, FIRSTBOOT_SERVICE.encode())
        wants = f"/etc/systemd/system/{SYSTEMD_TARGET}.wants"
        g.mkdir_p(wants)
        g.ln_sf(unit, wants)
        g.rm_f("/etc/systemd/system/default.target.wants/guestfs-firstboot.service")

    def _install_sysvinit(self, distro: str) -> None:
        g = self.g
        script = f"{FIRSTBOOT_DIR}/firstboot.sh"
        if distro in REDHAT:
            base, link_target = "/etc/rc.d", script
        elif distro in SUSE:
            base, link_target = "/etc/init.d", "../guestfs-firstboot"
            g.mkdir_p(base)
            g.ln_sf(script, f"{base}/guestfs-firstboot")
        elif distro in DEBIAN:
            base, link_target = "/etc", "../init.d/guestfs-firstboot"
            g.mkdir_p("/etc/init.d")
            g.ln_sf(script, "/etc/init.d/guestfs-firstboot")
        else:
            raise FirstbootError(f"guest type {distro} is not supported")
        for level in (2, 3, 5):
            g.mkdir_p(f"{base}/rc{level}.d")
            g.ln_sf(link_target, f"{base}/rc{level}.d/S99guestfs-firstboot")
            g.rm_f(f"{base}/rc{level}.d/S99virt-sysprep-firstboot")
        if distro not in REDHAT:
            g.rm_f("/etc/init.d/virt-sysprep-firstboot")
