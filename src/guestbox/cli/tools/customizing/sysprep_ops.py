"""virt-sysprep's operations: what each removes or resets in a guest (guestfs-tools'
sysprep_operation_*.ml, their files as virt-sysprep(1) lists them).

An operation works on the mounted filesystems, or (lvm-uuids, fs-uuids) on the
devices once they are unmounted.  They run sorted by (order, name), which puts
`customize` after the others, as virt-sysprep does, and machine-id last (as later
virt-sysprep versions: in 1.48 customize, after it, writes a new machine ID into the
/etc/machine-id it has just emptied).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import os
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable
from typing import Any

from ....errors import Error
from .files import replace_file


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


@dataclasses.dataclass(frozen=True)
class Operation:
    """One sysprep operation, as --list-operations shows it."""

    name: str
    default: bool
    heading: str
    perform: Perform
    on_devices: bool = False  # runs once the filesystems are unmounted
    order: int = 0


def _linux(g: Any, root: str) -> bool:
    return bool(g.inspect_get_type(root) == "linux")


def _unix(g: Any, root: str) -> bool:
    return bool(g.inspect_get_type(root) != "windows")


def remove_globs(*patterns: str, when: Callable[[Any, str], bool] = _unix) -> Perform:
    """An operation that removes (recursively) whatever the glob patterns match."""

    def perform(g: Any, root: str, effects: Effects) -> None:
        if when(g, root):
            for pattern in patterns:
                for path in g.glob_expand(pattern, directoryslash=False):
                    g.rm_rf(path)

    return perform


def remove_files(*paths: str, when: Callable[[Any, str], bool] = _unix) -> Perform:
    """An operation that removes the files (not directories) at paths, if there."""

    def perform(g: Any, root: str, effects: Effects) -> None:
        if when(g, root):
            for path in paths:
                if not g.is_dir(path):
                    g.rm_f(path)

    return perform


def _backup_files(g: Any, root: str, effects: Effects) -> None:
    """*.bak and *~ regular files under /etc, /root, /srv, /tmp and /var."""
    if not _unix(g, root):
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


def _bash_history(g: Any, root: str, effects: Effects) -> None:
    if _unix(g, root):
        for path in ["/root/.bash_history", *g.glob_expand("/home/*/.bash_history")]:
            if g.is_file(path) or g.is_symlink(path):
                g.rm(path)


def _cron_spool(g: Any, root: str, effects: Effects) -> None:
    if not _unix(g, root):
        return
    remove_globs("/var/spool/cron/*")(g, root, effects)
    for spool in ("/var/spool/atjobs/*", "/var/spool/atspool/*", "/var/spool/at/*"):
        for path in g.glob_expand(spool, directoryslash=False):
            if os.path.basename(path) not in (".SEQ", "spool") and not g.is_dir(path):
                g.rm(path)


def _machine_id(g: Any, root: str, effects: Effects) -> None:
    if _unix(g, root):
        for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            if g.is_file(path):
                g.truncate(path)


def _drop_lines(*keys: str) -> Perform:
    """Red Hat ifcfg-* files without their KEY= lines."""

    def perform(g: Any, root: str, effects: Effects) -> None:
        if not _linux(g, root) or g.inspect_get_distro(root) not in REDHAT:
            return
        for path in g.glob_expand("/etc/sysconfig/network-scripts/ifcfg-*"):
            if not g.is_file(path):
                continue
            lines = g.read_lines(path)
            kept = [ln for ln in lines if not ln.startswith(tuple(f"{k}=" for k in keys))]
            if kept != lines:
                g.write(path, "".join(f"{ln}\n" for ln in kept).encode())

    return perform


def _net_nmconn(g: Any, root: str, effects: Effects) -> None:
    if _linux(g, root) and g.inspect_get_distro(root) in REDHAT:
        remove_globs("/etc/NetworkManager/system-connections/*.nmconnection")(g, root, effects)


def _pacct_log(g: Any, root: str, effects: Effects) -> None:
    """The process accounting logs emptied: the current one kept (empty), rotated ones gone."""
    if not _linux(g, root):
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


def _package_manager_cache(g: Any, root: str, effects: Effects) -> None:
    """The package manager's downloaded files (its cache directories kept)."""
    for top in CACHES.get(g.inspect_get_package_management(root), ()):
        if g.is_dir(top):
            for name in g.find(top):
                if g.is_file(f"{top}/{name}"):
                    g.rm(f"{top}/{name}")


def _tmp_files(g: Any, root: str, effects: Effects) -> None:
    """Everything in /tmp and /var/tmp, hidden files too."""
    if not _unix(g, root):
        return
    for top in ("/tmp", "/var/tmp"):
        if g.is_dir(top):
            for name in g.ls(top):
                g.rm_rf(f"{top}/{name}")


def _lvm_uuids(g: Any, root: str, effects: Effects) -> None:
    """New random UUIDs for the LVM physical volumes and volume groups."""
    if not _linux(g, root):
        return
    try:
        has_pvs, has_vgs = bool(g.pvs()), bool(g.vgs())
    except Error:
        return
    if has_pvs:
        g.pvchange_uuid_all()
    if has_vgs:
        g.vgchange_uuid_all()


def _flag_reconfiguration(g: Any, root: str, effects: Effects) -> None:
    if _linux(g, root):
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


def _ipa_client(g: Any, root: str, effects: Effects) -> None:
    if not _linux(g, root):
        return
    for pattern in IPA_FILES:
        for path in g.glob_expand(pattern):
            _remove_quietly(g, path)
    for path in IPA_CERTS:
        if _remove_quietly(g, path):
            effects.update_ca_store = True


def _ca_certificates(g: Any, root: str, effects: Effects) -> None:
    if not _unix(g, root):
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


def _kerberos_data(g: Any, root: str, effects: Effects) -> None:
    if _unix(g, root):
        found = {p for pattern in KERBEROS_FILES for p in g.glob_expand(pattern)}
        for path in sorted(found - set(KERBEROS_KEPT)):
            g.rm_rf(path)


def _fs_uuids(g: Any, root: str, effects: Effects) -> None:
    """A new random UUID for every filesystem that can take one (a warning for others)."""
    for dev, fstype in g.list_filesystems().items():
        if fstype == "unknown":
            continue
        try:
            g.set_uuid(dev, str(uuid.uuid4()))
        except Error as e:
            effects.warnings.append(f"cannot set random UUID on filesystem {dev} type "
                                    f"{fstype}: {e}")


def _by_the_tool(g: Any, root: str, effects: Effects) -> None:
    """customize, script and user-account: done by the tool itself, with its options
    (sysprep.py)."""


@dataclasses.dataclass(frozen=True)
class UserChoice:
    """--remove-user-accounts (none: every user) and --keep-user-accounts."""

    remove: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()

    def removes(self, user: str) -> bool:
        return user not in self.keep and (not self.remove or user in self.remove)


def _login_defs(g: Any) -> dict[str, str]:
    if not g.is_file("/etc/login.defs"):
        return {}
    out = {}
    for line in g.read_lines("/etc/login.defs"):
        words = line.split()
        if len(words) >= 2 and not words[0].startswith("#"):
            out[words[0]] = words[1]
    return out


def _without_entries(g: Any, path: str, names: set[str]) -> None:
    """path (passwd, shadow or group format) without the lines of names."""
    if not g.is_file(path):
        return
    text = bytes(g.read_file(path)).decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    kept = [ln for ln in lines if ln.split(":", 1)[0] not in names]
    if kept != lines:
        replace_file(g, path, "\n".join(kept).encode("utf-8", "surrogateescape"))


def remove_user_accounts(g: Any, root: str, choice: UserChoice) -> None:
    """The user-account operation: users with UID_MIN <= uid <= UID_MAX (login.defs)
    chosen by choice removed from passwd, shadow and group, with their mail and home."""
    if not _unix(g, root) or not g.is_file("/etc/passwd"):
        return
    defs = _login_defs(g)
    uid_min, uid_max = int(defs.get("UID_MIN", "1000")), int(defs.get("UID_MAX", "60000"))
    removed: dict[str, str] = {}
    for line in g.read_lines("/etc/passwd"):
        fields = line.split(":")
        if len(fields) < 7 or not fields[2].isdigit():
            continue
        if uid_min <= int(fields[2]) <= uid_max and choice.removes(fields[0]):
            removed[fields[0]] = fields[5]
    if not removed:
        return
    for path in ("/etc/passwd", "/etc/shadow", "/etc/group"):
        _without_entries(g, path, set(removed))
    for user, home in removed.items():
        g.rm_rf(f"/var/spool/mail/{user}")
        if home.startswith("/") and home != "/":
            g.rm_rf(home)


class ScriptFailed(Exception):
    """A --script that failed: the message after `PROG: error: `."""


def run_scripts(g: Any, root: str, scripts: list[str], scriptdir: str | None) -> None:
    """The script operation: the guest mounted on the host (FUSE, on scriptdir or a
    temporary directory), each script run by the shell there in turn, then unmounted."""
    if not scripts or g.inspect_get_type(root) == "windows":
        return
    with contextlib.ExitStack() as stack:
        mountpoint = scriptdir or stack.enter_context(
            tempfile.TemporaryDirectory(prefix="virt-sysprep."))
        g.mount_local(mountpoint)
        failure: list[str] = []

        def work() -> None:
            try:
                for script in scripts:
                    status = subprocess.run(script, shell=True, cwd=mountpoint).returncode
                    if status != 0:
                        failure.append(f"script: failed (code {status})")
                        return
            except OSError as e:
                failure.append(f"script: {e}")
            finally:
                g.umount_local(retry=True)

        worker = threading.Thread(target=work, name="sysprep-script")
        worker.start()
        g.mount_local_run()
        worker.join()
        if failure:
            raise ScriptFailed(failure[0])


OPERATIONS: list[Operation] = sorted([
    Operation("abrt-data", True, "Remove the crash data generated by ABRT",
              remove_globs("/var/spool/abrt/*")),
    Operation("backup-files", True, "Remove editor backup files from the guest", _backup_files),
    Operation("bash-history", True, "Remove the bash history in the guest", _bash_history),
    Operation("blkid-tab", True, "Remove blkid tab in the guest", remove_files(
        "/var/run/blkid.tab", "/var/run/blkid.tab.old", "/etc/blkid/blkid.tab",
        "/etc/blkid/blkid.tab.old", "/etc/blkid.tab", "/etc/blkid.tab.old",
        "/dev/.blkid.tab", "/dev/.blkid.tab.old")),
    Operation("ca-certificates", False, "Remove CA certificates in the guest",
              _ca_certificates),
    Operation("crash-data", True, "Remove the crash data generated by kexec-tools",
              remove_globs("/var/crash/*", "/var/log/dump/*")),
    Operation("cron-spool", True, "Remove user at-jobs and cron-jobs", _cron_spool),
    Operation("customize", True, "Customize the guest", _by_the_tool, order=99),
    Operation("dhcp-client-state", True, "Remove DHCP client leases",
              remove_globs("/var/lib/dhclient/*", "/var/lib/dhcp/*", when=_linux)),
    Operation("dhcp-server-state", True, "Remove DHCP server leases",
              remove_globs("/var/lib/dhcpd/*", when=_linux)),
    Operation("dovecot-data", True, "Remove Dovecot (mail server) data",
              remove_globs("/var/lib/dovecot/*", when=_linux)),
    Operation("firewall-rules", False, "Remove the firewall rules", remove_globs(
        "/etc/sysconfig/iptables", "/etc/firewalld/services/*", "/etc/firewalld/zones/*",
        when=_linux)),
    Operation("flag-reconfiguration", False, "Flag the system for reconfiguration",
              _flag_reconfiguration),
    Operation("fs-uuids", False, "Change filesystem UUIDs", _fs_uuids, on_devices=True),
    Operation("ipa-client", True, "Remove the IPA files", _ipa_client),
    Operation("kerberos-data", False, "Remove Kerberos data in the guest", _kerberos_data),
    Operation("kerberos-hostkeytab", True, "Remove the Kerberos host keytab file in the guest",
              remove_files("/etc/krb5.keytab", when=_linux)),
    Operation("logfiles", True, "Remove many log files from the guest",
              remove_globs(*LOGFILES, when=_linux)),
    Operation("lvm-uuids", True, "Change LVM2 PV and VG UUIDs", _lvm_uuids, on_devices=True),
    Operation("machine-id", True, "Remove the local machine ID", _machine_id, order=999),
    Operation("mail-spool", True, "Remove email from the local mail spool directory",
              remove_globs("/var/spool/mail/*", "/var/mail/*")),
    Operation("net-hostname", True,
              "Remove HOSTNAME and DHCP_HOSTNAME in network interface configuration",
              _drop_lines("HOSTNAME", "DHCP_HOSTNAME")),
    Operation("net-hwaddr", True, "Remove HWADDR (hard-coded MAC address) configuration",
              _drop_lines("HWADDR")),
    Operation("net-nmconn", True,
              "Remove system-local NetworkManager connection profiles (keyfiles)", _net_nmconn),
    Operation("pacct-log", True, "Remove the process accounting log files", _pacct_log),
    Operation("package-manager-cache", True, "Remove package manager cache",
              _package_manager_cache),
    Operation("pam-data", True, "Remove the PAM data in the guest", remove_globs(
        "/var/run/faillock/*", "/var/run/console/*", "/var/run/sepermit/*", when=_linux)),
    Operation("passwd-backups", True, "Remove /etc/passwd- and similar backup files",
              remove_files("/etc/group-", "/etc/gshadow-", "/etc/passwd-", "/etc/shadow-",
                           "/etc/subgid-", "/etc/subuid-", when=_linux)),
    Operation("puppet-data-log", True, "Remove the data and log files of puppet", remove_globs(
        "/var/log/puppet/*", "/var/lib/puppet/*/*", when=_linux)),
    Operation("rh-subscription-manager", True, "Remove the RH subscription manager files",
              remove_globs("/etc/pki/consumer/*", "/etc/pki/entitlement/*", when=_linux)),
    Operation("rhn-systemid", True, "Remove the RHN system ID", remove_files(
        "/etc/sysconfig/rhn/systemid", "/etc/sysconfig/rhn/osad-auth.conf", when=_linux)),
    Operation("rpm-db", True, "Remove host-specific RPM database files",
              remove_globs("/var/lib/rpm/__db.*", "/var/lib/rpm/.rpm.lock",
                           "/var/lib/rpm/.dbenv.lock", when=_linux)),
    Operation("samba-db-log", True, "Remove the database and log files of Samba",
              remove_globs("/var/log/samba/old/*", "/var/log/samba/*.log*",
                           "/var/lib/samba/*/*", when=_linux)),
    Operation("script", True, "Run arbitrary scripts against the guest", _by_the_tool),
    Operation("smolt-uuid", True, "Remove the Smolt hardware UUID", remove_files(
        "/etc/sysconfig/hw-uuid", "/etc/smolt/uuid", "/etc/smolt/hw-uuid", when=_linux)),
    Operation("ssh-hostkeys", True, "Remove the SSH host keys in the guest",
              remove_globs("/etc/ssh/*_host_*")),
    Operation("ssh-userdir", True, "Remove \".ssh\" directories in the guest",
              remove_globs("/root/.ssh", "/home/*/.ssh")),
    Operation("sssd-db-log", True, "Remove the database and log files of sssd",
              remove_globs("/var/log/sssd/*", "/var/lib/sss/db/*", when=_linux)),
    Operation("tmp-files", True, "Remove temporary files", _tmp_files),
    Operation("udev-persistent-net", True, "Remove udev persistent net rules",
              remove_files("/etc/udev/rules.d/70-persistent-net.rules", when=_linux)),
    Operation("user-account", False, "Remove the user accounts in the guest", _by_the_tool),
    Operation("utmp", True, "Remove the utmp file", remove_files("/var/run/utmp")),
    Operation("yum-uuid", True, "Remove the yum UUID", remove_files("/var/lib/yum/uuid")),
], key=lambda op: op.name)
"""The operations guestbox implements, by name."""

BY_NAME = {op.name: op for op in OPERATIONS}


class SelectionError(Exception):
    """A bad --enable or --operations: the message after `PROG: error: `."""


def list_operations() -> str:
    """--list-operations: `NAME * HEADING` (`NAME   HEADING` if not on by default)."""
    return "".join(f"{op.name} {'*' if op.default else ' '} {op.heading}\n"
                   for op in OPERATIONS)


def defaults() -> set[str]:
    return {op.name for op in OPERATIONS if op.default}


def enable(text: str, current: set[str] | None) -> set[str]:
    """--enable OPS: only those (once)."""
    if current is not None:
        raise SelectionError("--enable option can only be given once")
    if text == "":
        raise SelectionError("you cannot pass an empty argument to --enable")
    names = text.split(",")
    for name in names:
        if name not in BY_NAME:
            raise SelectionError(f"--enable: ‘{name}’ is not a known operation")
    return set(names)


def operations(text: str, current: set[str] | None) -> set[str]:
    """--operations OPS: add NAME, remove -NAME, `defaults` and `all` (and their -),
    starting from what earlier --operations or --enable chose (else nothing)."""
    chosen = set(current or ())
    for word in text.split(","):
        remove = word.startswith("-")
        name = word[1:] if remove else word
        if name == "":
            raise SelectionError("--operations: empty operation name")
        if name == "defaults":
            group = defaults()
        elif name == "all":
            group = set(BY_NAME)
        elif name in BY_NAME:
            group = {name}
        else:
            raise SelectionError(f"--operations: ‘{name}’ is not a known operation")
        chosen = chosen - group if remove else chosen | group
    return chosen


def selected(names: set[str] | None, on_devices: bool) -> list[Operation]:
    """The operations to run (the defaults if none were chosen), in virt-sysprep's order."""
    chosen = defaults() if names is None else names
    ops = [op for op in OPERATIONS if op.name in chosen and op.on_devices == on_devices]
    return sorted(ops, key=lambda op: (op.order, op.name))
