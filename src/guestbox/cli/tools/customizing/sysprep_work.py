"""What virt-sysprep's operations do to a guest, one function each (guestfs-tools'
sysprep_operation_*.ml; the files as virt-sysprep(1) lists them): mostly removing
files by glob, some editing or resetting (machine ID, LVM and filesystem UUIDs)."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import uuid
from collections.abc import Callable
from typing import Any

from ....errors import Error


@dataclasses.dataclass
class Effects:
    """What operations ask to be done after them all: the system CA store updated."""

    update_ca_store: bool = False
    warnings: list[str] = dataclasses.field(default_factory=list)  # told as they come


Perform = Callable[[Any, str, Effects], None]
"""An operation's work on (handle, root, effects)."""

REDHAT = ("fedora", "rhel", "centos", "scientificlinux", "oraclelinux", "rocky", "redhat-based")

LOGFILES = (
    "/etc/Pegasus/*.cnf", "/etc/Pegasus/*.crt", "/etc/Pegasus/*.csr", "/etc/Pegasus/*.pem",
    "/etc/Pegasus/*.srl", "/root/anaconda-ks.cfg", "/root/anaconda-post.log",
    "/root/initial-setup-ks.cfg", "/root/install.log", "/root/install.log.syslog",
    "/root/original-ks.cfg", "/var/cache/fontconfig/*", "/var/cache/gdm/*", "/var/cache/man/*",
    "/var/lib/AccountService/users/*", "/var/lib/fprint/*", "/var/lib/logrotate.status",
    "/var/log/*.log*", "/var/log/BackupPC/LOG", "/var/log/ConsoleKit/*",
    "/var/log/anaconda.syslog", "/var/log/anaconda/*", "/var/log/apache2/*_log",
    "/var/log/apache2/*_log-*", "/var/log/apt/*", "/var/log/aptitude*", "/var/log/audit/*",
    "/var/log/btmp*", "/var/log/ceph/*.log", "/var/log/chrony/*.log", "/var/log/cron*",
    "/var/log/cups/*_log*", "/var/log/debug*", "/var/log/dmesg*", "/var/log/exim4/*",
    "/var/log/faillog*", "/var/log/firewalld*", "/var/log/gdm/*",
    "/var/log/glusterfs/*glusterd.vol.log", "/var/log/glusterfs/glusterfs.log",
    "/var/log/grubby*", "/var/log/httpd/*log", "/var/log/installer/*",
    "/var/log/jetty/jetty-console.log", "/var/log/journal/*", "/var/log/lastlog*",
    "/var/log/libvirt/libvirtd.log", "/var/log/libvirt/libxl/*.log",
    "/var/log/libvirt/lxc/*.log", "/var/log/libvirt/qemu/*.log", "/var/log/libvirt/uml/*.log",
    "/var/log/lightdm/*", "/var/log/mail/*", "/var/log/maillog*", "/var/log/messages*",
    "/var/log/ntp", "/var/log/ntpstats/*", "/var/log/ppp/connect-errors", "/var/log/rhsm/*",
    "/var/log/sa/*", "/var/log/secure*", "/var/log/setroubleshoot/*.log", "/var/log/spooler*",
    "/var/log/squid/*.log", "/var/log/syslog*", "/var/log/tallylog*",
    "/var/log/tuned/tuned.log", "/var/log/wtmp*", "/var/log/xferlog*",
    "/var/named/data/named.run",
)
"""What logfiles removes on Linux (virt-sysprep(1))."""


def linux(g: Any, root: str) -> bool:
    return bool(g.inspect_get_type(root) == "linux")


def unix(g: Any, root: str) -> bool:
    return bool(g.inspect_get_type(root) != "windows")


def remove_globs(*patterns: str, when: Callable[[Any, str], bool] = unix) -> Perform:
    """An operation that removes (recursively) whatever the glob patterns match."""

    def perform(g: Any, root: str, effects: Effects) -> None:
        if when(g, root):
            for pattern in patterns:
                for path in g.glob_expand(pattern, directoryslash=False):
                    g.rm_rf(path)

    return perform


def remove_files(*paths: str, when: Callable[[Any, str], bool] = unix) -> Perform:
    """An operation that removes the files (not directories) at paths, if there."""

    def perform(g: Any, root: str, effects: Effects) -> None:
        if when(g, root):
            for path in paths:
                if not g.is_dir(path):
                    g.rm_f(path)

    return perform


def backup_files(g: Any, root: str, effects: Effects) -> None:
    """*.bak and *~ regular files under /etc, /root, /srv, /tmp and /var."""
    if not unix(g, root):
        return
    for top in ("/etc", "/root", "/srv", "/tmp", "/var"):
        if not g.is_dir(top):
            continue
        for name in g.find(top):
            base = os.path.basename(name)
            if fnmatch.fnmatchcase(base, "*.bak") or base.endswith("~"):
                path = f"{top}/{name}"
                if g.is_file(path):
                    g.rm(path)


def bash_history(g: Any, root: str, effects: Effects) -> None:
    if unix(g, root):
        for path in ["/root/.bash_history", *g.glob_expand("/home/*/.bash_history")]:
            if g.is_file(path) or g.is_symlink(path):
                g.rm(path)


def cron_spool(g: Any, root: str, effects: Effects) -> None:
    if not unix(g, root):
        return
    remove_globs("/var/spool/cron/*")(g, root, effects)
    for spool in ("/var/spool/atjobs/*", "/var/spool/atspool/*", "/var/spool/at/*"):
        for path in g.glob_expand(spool, directoryslash=False):
            if os.path.basename(path) not in (".SEQ", "spool") and not g.is_dir(path):
                g.rm(path)


def machine_id(g: Any, root: str, effects: Effects) -> None:
    if unix(g, root):
        for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            if g.is_file(path):
                g.truncate(path)


def drop_lines(*keys: str) -> Perform:
    """Red Hat ifcfg-* files without their KEY= lines."""

    def perform(g: Any, root: str, effects: Effects) -> None:
        if not linux(g, root) or g.inspect_get_distro(root) not in REDHAT:
            return
        for path in g.glob_expand("/etc/sysconfig/network-scripts/ifcfg-*"):
            if not g.is_file(path):
                continue
            lines = g.read_lines(path)
            kept = [ln for ln in lines if not ln.startswith(tuple(f"{k}=" for k in keys))]
            if kept != lines:
                g.write(path, "".join(f"{ln}\n" for ln in kept).encode())

    return perform


def net_nmconn(g: Any, root: str, effects: Effects) -> None:
    if linux(g, root) and g.inspect_get_distro(root) in REDHAT:
        remove_globs("/etc/NetworkManager/system-connections/*.nmconnection")(g, root, effects)


def pacct_log(g: Any, root: str, effects: Effects) -> None:
    """The process accounting logs emptied: the current one kept (empty), rotated ones gone."""
    if not linux(g, root):
        return
    where = "/var/account" if g.inspect_get_distro(root) in REDHAT else "/var/log/account"
    for path in g.glob_expand(f"{where}/pacct*"):
        if os.path.basename(path) == "pacct":
            g.truncate(path)
        elif g.is_file(path):
            g.rm(path)


CACHES = {"apt": ("/var/cache/apt/archives",), "dnf": ("/var/cache/dnf",),
          "yum": ("/var/cache/yum",), "zypper": ("/var/cache/zypp/packages",),
          "urpmi": ("/var/cache/urpmi",)}


def package_manager_cache(g: Any, root: str, effects: Effects) -> None:
    """The package manager's downloaded files (its cache directories kept)."""
    for top in CACHES.get(g.inspect_get_package_management(root), ()):
        if g.is_dir(top):
            for name in g.find(top):
                if g.is_file(f"{top}/{name}"):
                    g.rm(f"{top}/{name}")


def tmp_files(g: Any, root: str, effects: Effects) -> None:
    """Everything in /tmp and /var/tmp, hidden files too."""
    if not unix(g, root):
        return
    for top in ("/tmp", "/var/tmp"):
        if g.is_dir(top):
            for name in g.ls(top):
                g.rm_rf(f"{top}/{name}")


def lvm_uuids(g: Any, root: str, effects: Effects) -> None:
    """New random UUIDs for the LVM physical volumes and volume groups."""
    if not linux(g, root):
        return
    try:
        has_pvs, has_vgs = bool(g.pvs()), bool(g.vgs())
    except Error:
        return
    if has_pvs:
        g.pvchange_uuid_all()
    if has_vgs:
        g.vgchange_uuid_all()


def flag_reconfiguration(g: Any, root: str, effects: Effects) -> None:
    if linux(g, root):
        g.touch("/.unconfigured")


IPA_FILES = ("/etc/ipa/ca.crt", "/etc/ipa/default.conf", "/var/lib/ipa-client/sysrestore/*",
             "/var/lib/ipa-client/pki/*")
IPA_CERTS = ("/etc/pki/ca-trust/source/anchors/ipa-ca.crt",
             "/usr/local/share/ca-certificates/ipa-ca.crt",
             "/etc/pki/ca-trust/source/ipa.p11-kit")
CA_FILES = ("/etc/pki/CA/certs/*.crt", "/etc/pki/CA/crl/*.crt", "/etc/pki/CA/newcerts/*.crt",
            "/etc/pki/CA/private/*.key", "/etc/pki/tls/private/*.key", "/etc/pki/tls/certs/*.crt")
CA_KEPT = ("/etc/pki/tls/certs/ca-bundle.crt", "/etc/pki/tls/certs/ca-bundle.trust.crt")


def _remove_quietly(g: Any, path: str) -> bool:
    """rm path; whether it was removed (a failure is no error, as virt-sysprep)."""
    try:
        g.rm(path)
        return True
    except Error:
        return False


def ipa_client(g: Any, root: str, effects: Effects) -> None:
    if not linux(g, root):
        return
    for pattern in IPA_FILES:
        for path in g.glob_expand(pattern):
            _remove_quietly(g, path)
    for path in IPA_CERTS:
        if _remove_quietly(g, path):
            effects.update_ca_store = True


def ca_certificates(g: Any, root: str, effects: Effects) -> None:
    if not unix(g, root):
        return
    found = {p for pattern in CA_FILES for p in g.glob_expand(pattern)} - set(CA_KEPT)
    for path in sorted(found):
        if _remove_quietly(g, path):
            effects.update_ca_store = True


def ca_store_command(g: Any, root: str) -> str | None:
    """The guest's command that rebuilds its CA store, or None (the caller warns)."""
    if g.inspect_get_type(root) == "linux":
        distro = g.inspect_get_distro(root)
        if distro in ("fedora", "rhel", "centos", "scientificlinux", "oraclelinux",
                      "redhat-based"):
            return "update-ca-trust extract"
        if distro in ("debian", "ubuntu", "kalilinux"):
            return "update-ca-certificates"
    return None


KERBEROS_FILES = ("/var/kerberos/krb5kdc/*", "/var/kerberos/krb5/user/*")
KERBEROS_KEPT = ("/var/kerberos/krb5kdc/kadm5.acl", "/var/kerberos/krb5kdc/kdc.conf")


def kerberos_data(g: Any, root: str, effects: Effects) -> None:
    if unix(g, root):
        found = {p for pattern in KERBEROS_FILES for p in g.glob_expand(pattern)}
        for path in sorted(found - set(KERBEROS_KEPT)):
            g.rm_rf(path)


def fs_uuids(g: Any, root: str, effects: Effects) -> None:
    """A new random UUID for every filesystem that can take one (a warning for others)."""
    for dev, fstype in g.list_filesystems().items():
        if fstype == "unknown":
            continue
        try:
            g.set_uuid(dev, str(uuid.uuid4()))
        except Error as e:
            effects.warnings.append(f"cannot set random UUID on filesystem {dev} type "
                                    f"{fstype}: {e}")


def by_the_tool(g: Any, root: str, effects: Effects) -> None:
    """customize, script and user-account: done by the tool itself, with its options
    (sysprep.py)."""
