"""The appliance's network (set_network): QEMU user networking, configured at boot, and
the appliance's resolv.conf lent to the guest while its programs run.

QEMU's user network is fixed: the appliance is 10.0.2.15/24, the host's gateway
10.0.2.2 and its DNS relay 10.0.2.3, so no DHCP client is needed.  An appliance
without a network device configures nothing (and has no /etc/resolv.conf).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
from collections.abc import Iterator

from .context import run
from .paths import SYSROOT, resolve

log = logging.getLogger(__name__)
ADDRESS, GATEWAY, DNS = "10.0.2.15/24", "10.0.2.2", "10.0.2.3"
RESOLV_CONF = "/etc/resolv.conf"


def interfaces() -> list[str]:
    """The network interfaces there are, loopback aside."""
    try:
        return sorted(n for n in os.listdir("/sys/class/net") if n != "lo")
    except FileNotFoundError:
        return []


def setup() -> None:
    """Loopback up; the first interface, if any, on QEMU's user network, with its DNS."""
    found = interfaces()
    if not found:
        return
    try:
        run(["ip", "link", "set", "dev", "lo", "up"])
        run(["ip", "link", "set", "dev", found[0], "up"])
        run(["ip", "addr", "add", ADDRESS, "dev", found[0]])
        run(["ip", "route", "add", "default", "via", GATEWAY])
    except Exception as e:  # noqa: BLE001 - the appliance serves without a network
        log.warning("network setup: %s", e)
        return
    os.makedirs("/etc", exist_ok=True)
    with open(RESOLV_CONF, "w") as f:
        f.write(f"nameserver {DNS}\n")


@contextlib.contextmanager
def guest_resolv_conf() -> Iterator[None]:
    """With a network: the appliance's resolv.conf in the guest's /etc while the block runs,
    the guest's own (file or link) set aside and put back after (as libguestfs's daemon)."""
    if not os.path.exists(RESOLV_CONF) or not os.path.isdir(resolve("/etc")):
        yield
        return
    target = resolve(RESOLV_CONF, follow=False)
    if not target.startswith(SYSROOT + "/"):
        yield
        return
    saved = None
    if os.path.lexists(target):
        saved = f"{target}.guestfs{secrets.token_hex(4)}"
        os.rename(target, saved)
    try:
        shutil.copyfile(RESOLV_CONF, target)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        if saved is not None:
            os.rename(saved, target)
