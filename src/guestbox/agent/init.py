"""PID 1 of the appliance: set up the system, then serve the host on the virtio-serial port."""

from __future__ import annotations

import logging
import os
import sys
import time


def main() -> None:
    marks = {"python": time.clock_gettime(time.CLOCK_BOOTTIME)}  # seconds since the kernel began
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="guestbox-agent: %(levelname)s %(message)s"
    )
    os.environ.update({"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "HOME": "/root"})
    from .system import load_modules, mount_pseudo, poweroff

    mount_pseudo()
    marks["mounted"] = time.clock_gettime(time.CLOCK_BOOTTIME)
    load_modules()
    marks["modules"] = time.clock_gettime(time.CLOCK_BOOTTIME)
    from . import network

    network.setup()  # only with set_network: a network device is there
    from .server import open_port, serve

    marks["imports"] = time.clock_gettime(time.CLOCK_BOOTTIME)
    fd = open_port()  # the host asks for storage activation once its disks are attached
    marks["port"] = time.clock_gettime(time.CLOCK_BOOTTIME)
    try:
        serve(fd, marks)
    except BaseException:
        logging.getLogger("guestbox.agent").exception("the agent failed")
        raise
    finally:
        poweroff()


if __name__ == "__main__":
    main()
