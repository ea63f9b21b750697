"""The guest's identity: hostname, timezone, random seed and machine ID, set as
virt-customize sets them (libguestfs-common's hostname.ml, timezone.ml, random_seed.ml
and customize_run.ml).

Each setter returns False for a guest type it does not know how to change (the
caller warns, as virt-customize does).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from typing import Any

from ....errors import Error

REDHAT = ("rhel", "centos", "scientificlinux", "oraclelinux", "rocky", "redhat-based",
          "openeuler")
RANDOM_SEEDS = ("/var/lib/random-seed", "/var/lib/systemd/random-seed",
                "/var/lib/urandom/random-seed", "/var/lib/misc/random-seed", "/etc/random-seed")

NEW_SEED = {
    **dict.fromkeys(("fedora", "rhel", "centos", "scientificlinux", "oraclelinux", "rocky",
                     "redhat-based"), "/var/lib/random-seed"),
    **dict.fromkeys(("debian", "ubuntu", "kalilinux"), "/var/lib/urandom/random-seed"),
    **dict.fromkeys(("opensuse", "sles", "suse-based"), "/var/lib/misc/random-seed"),
    "cirros": "/etc/random-seed",
}
"""Where a guest without a random seed file gets one, by distribution."""


class ConfError(Exception):
    """A setting the guest refuses: the message after `PROG: error: `."""


# -- hostname ----------------------------------------------------------------------------
def set_hostname(g: Any, root: str, hostname: str) -> bool:
    """Write hostname where the guest's distribution keeps it."""
    if g.inspect_get_type(root) != "linux":
        return False
    distro, major = g.inspect_get_distro(root), g.inspect_get_major_version(root)
    if (distro == "fedora" and major >= 18) or (distro in REDHAT and major >= 7):
        g.write("/etc/hostname", f"{hostname}\n".encode())
        _replace_line(g, "/etc/machine-info", "PRETTY_HOSTNAME", hostname)
    elif distro in ("debian", "ubuntu", "kalilinux"):
        old = _first_line(g, "/etc/hostname")
        g.write("/etc/hostname", f"{hostname}\n".encode())
        if g.is_file("/etc/hosts"):
            hosts = bytes(g.read_file("/etc/hosts")).decode("utf-8", "surrogateescape")
            new = hosts_renamed(hosts, old, hostname)
            if new != hosts:
                g.write("/etc/hosts", new.encode("utf-8", "surrogateescape"))
    elif distro in ("fedora", *REDHAT):
        _replace_line(g, "/etc/sysconfig/network", "HOSTNAME", hostname)
    elif distro in ("opensuse", "sles", "suse-based"):
        g.write("/etc/HOSTNAME", hostname.encode())
    else:
        return False
    return True


def _first_line(g: Any, path: str) -> str | None:
    if not g.is_file(path):
        return None
    lines = g.read_lines(path)
    return str(lines[0]) if lines else None


def _replace_line(g: Any, path: str, key: str, value: str) -> None:
    """KEY=value as the last line of path, any other KEY= line dropped."""
    lines = [line for line in g.read_lines(path) if not line.startswith(f"{key}=")] \
        if g.is_file(path) else []
    g.write(path, ("\n".join([*lines, f"{key}={value}"]) + "\n").encode())


def hosts_renamed(text: str, old: str | None, new: str) -> str:
    """/etc/hosts with the old host name (full or short) and Debian's placeholder names
    replaced by the new ones, in the name columns only (hostname.ml's Augeas edit)."""
    old_short = old.split(".", 1)[0] if old is not None else None
    new_short, _, new_domain = new.partition(".")

    def rename(name: str) -> str:
        if name == old:
            return new
        if name == old_short or name == "unassigned-hostname":
            return new_short
        if name == "unassigned-hostname.unassigned-domain" and new_domain:
            return new
        return name

    out = []
    for line in text.split("\n"):
        body, hash_, comment = line.partition("#")
        pieces = re.split(r"(\s+)", body)
        words = [i for i, p in enumerate(pieces) if p and not p.isspace()]
        for i in words[1:]:  # the first word is the address
            pieces[i] = rename(pieces[i])
        out.append("".join(pieces) + hash_ + comment)
    return "\n".join(out)


# -- timezone ----------------------------------------------------------------------------
def set_timezone(g: Any, root: str, timezone: str) -> bool:
    """/etc/localtime made a link to the zone's file in /usr/share/zoneinfo."""
    if g.inspect_get_type(root) != "linux":
        return False
    target = f"/usr/share/zoneinfo/{timezone}"
    if not g.exists(target):
        raise ConfError(f"timezone '{timezone}' does not exist, use a location like "
                        "'Europe/London'")
    g.ln_sf(target, "/etc/localtime")
    return True


# -- random seed and machine ID ----------------------------------------------------------
def set_random_seed(g: Any, root: str) -> bool:
    """Fresh entropy in the guest's random seed file(s): those that exist, else the one its
    distribution would make (if its directory exists)."""
    if g.inspect_get_type(root) != "linux":
        return False
    existing = [p for p in RANDOM_SEEDS if g.is_file(p)]
    for path in existing:
        _seed(g, path, exists=True)
    if existing:
        return True
    new = NEW_SEED.get(g.inspect_get_distro(root))
    if new is not None and g.is_dir(os.path.dirname(new)):
        _seed(g, new, exists=False)
        return True
    return False


def _seed(g: Any, path: str, exists: bool) -> None:
    """Fill path with random bytes: as many as it holds (512 to 8192), keeping its mode;
    a new one gets 512 bytes, root:root 0600."""
    if exists:
        n = min(max(g.filesize(path), 512), 8192)
        g.truncate(path)
        g.write_append(path, secrets.token_bytes(n))
    else:
        g.write(path, secrets.token_bytes(512))
        g.chown(0, 0, path)
        g.chmod(0o600, path)


MACHINE_ID = "/etc/machine-id"


def machine_id_empty(g: Any) -> bool:
    """Whether /etc/machine-id is an empty regular file (systemd's "to be made at first
    boot"), which virt-customize fills in (some packages' scripts need one)."""
    try:
        st = g.lstatns(MACHINE_ID)
    except Error:
        return False
    return bool(st["st_size"] == 0 and stat.S_ISREG(st["st_mode"]))


def set_machine_id(g: Any) -> None:
    """A new random machine ID in /etc/machine-id."""
    g.write(MACHINE_ID, (secrets.token_hex(16) + "\n").encode())
