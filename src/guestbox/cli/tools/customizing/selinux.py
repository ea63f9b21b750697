"""--selinux-relabel: the guest's files given their SELinux labels (libguestfs-common's
SELinux_relabel.ml).

Only for guests that use SELinux (/usr/sbin/load_policy and /etc/selinux/config).
The labels are set now with setfiles(8) and the policy's file_contexts when the
appliance has setfiles (feature group `selinuxrelabel`); otherwise, or if that fails,
/.autorelabel is created so that the guest relabels itself at its next boot.
"""

from __future__ import annotations

from typing import Any

from ....errors import Error


class _CannotRelabel(Exception):
    """setfiles cannot be used: fall back to /.autorelabel."""


def is_selinux_guest(g: Any) -> bool:
    return bool(g.is_file("/usr/sbin/load_policy", followsymlinks=True)
                and g.is_file("/etc/selinux/config", followsymlinks=True))


def relabel(g: Any) -> None:
    """Relabel the mounted guest now, or at its next boot; nothing for a non-SELinux guest."""
    if not is_selinux_guest(g):
        return
    try:
        _setfiles(g)
        g.rm_f("/.autorelabel")
    except (_CannotRelabel, Error):
        g.touch("/.autorelabel")


def selinux_type(config: str) -> str:
    """SELINUXTYPE of an /etc/selinux/config text ("targeted" if unset, as libselinux)."""
    policy = "targeted"
    for line in config.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == "SELINUXTYPE":
            policy = value.strip().strip("\"'") or policy
    return policy


def _setfiles(g: Any) -> None:
    if not g.feature_available(["selinuxrelabel"]):
        raise _CannotRelabel
    config = bytes(g.read_file("/etc/selinux/config")).decode("utf-8", "replace")
    specfile = f"/etc/selinux/{selinux_type(config)}/contexts/files/file_contexts"
    if not g.is_file(specfile, followsymlinks=True):
        raise _CannotRelabel
    content = bytes(g.read_file(specfile))
    if b"vdagentd.\\pid" in content:  # RHEL 6.2-6.5's invalid regular expression
        g.mv(specfile, specfile + "~")
        g.write(specfile, content.replace(b"vdagentd.\\pid", b"vdagentd\\.pid"))
        g.copy_attributes(specfile + "~", specfile, all=True)
    g.selinux_relabel(specfile, "/", force=True)
