"""PID 1 of the appliance: set up the system, then serve the host on the virtio-serial port."""

from __future__ import annotations

import logging
import os
import sys


def main() -> None:
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="guestbox-agent: %(levelname)s %(message)s"
    )
    os.environ.update({"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "HOME": "/root"})
    from .system import load_modules, mount_pseudo, poweroff

    mount_pseudo()
    load_modules()
    from .server import open_port, serve

    fd = open_port()  # the host asks for storage activation once its disks are attached
    try:
        serve(fd)
    finally:
        poweroff()


if __name__ == "__main__":
    main()
