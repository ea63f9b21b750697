"""Saved appliance states: boot once, save the VM with QMP migrate, restore it every launch.

A state is keyed by everything it depends on: the appliance (kernel, initramfs),
the QEMU binary and its command line (machine, devices, memory, CPUs,
accelerator).  It is made once, under a lock, by booting the appliance with no
guest disks; every launch after that restores it (`-incoming`) and hot-plugs
the disks.  Many handles, in threads or processes, restore the same file.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from ..appliance.cache import locked
from ..errors import ApplianceError
from .vm import VM, qemu_binary

log = logging.getLogger(__name__)
STATE_VERSION = "1"
ENV_OFF = "GUESTBOX_NO_SNAPSHOT"


class StateUnusable(ApplianceError):
    """A saved state did not restore; it has been removed, so the next try makes it again."""


def enabled(settings: list[str]) -> bool:
    """Snapshot launch is on unless the 'nosnapshot' backend setting or $GUESTBOX_NO_SNAPSHOT."""
    return "nosnapshot" not in settings and not os.environ.get(ENV_OFF)


def state_path(vm: VM) -> Path:
    """Where the state for vm's configuration lives (in its appliance's cache directory)."""
    qemu = qemu_binary()
    st = os.stat(qemu)
    h = hashlib.sha256(f"{STATE_VERSION}\n{qemu}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    h.update(vm.appliance.key.encode())
    h.update(vm.state_signature().encode())
    return vm.appliance.directory / f"state-{h.hexdigest()[:16]}.bin"


def ensure_state(template: VM) -> Path:
    """The saved state for template's configuration, made first (by booting template) if needed.

    template must have no drives; it is killed when done.
    """
    path = state_path(template)
    if path.exists():
        template.kill()
        return path
    with locked(path.parent / "state.lock"):
        if path.exists():  # made by another process while we waited
            template.kill()
            return path
        try:
            template.start()
            template.save_state(path)
        except ApplianceError:
            raise
        finally:
            template.kill()
    log.info("saved the appliance state in %s (%d MB)", path, path.stat().st_size >> 20)
    return path


def discard(path: Path, why: str) -> None:
    """Remove a state that failed to restore, so that the next launch makes it again."""
    log.warning("appliance state %s is not usable (%s): removed", path.name, why)
    try:
        path.unlink()
    except FileNotFoundError:
        pass
