"""The agent's main loop: greet the host, then serve calls until told to power off."""

from __future__ import annotations

import logging
import os
import time

from ..protocol.frames import Channel, FrameType, ProtocolError, decode_call, send_parts
from . import (
    families,  # noqa: F401 - registers every agent function
    rescue,
)
from .dispatch import serve_call
from .internal import INTERNAL
from .system import poweroff, umount_everything

log = logging.getLogger(__name__)
PORT_NAME = "org.guestbox.agent"
PORTS = "/sys/class/virtio-ports"


def find_port(name: str = PORT_NAME) -> str | None:
    """The /dev node of the virtio-serial port called name (no udev here to make a link)."""
    try:
        ports = os.listdir(PORTS)
    except FileNotFoundError:
        return None
    for port in ports:
        try:
            with open(f"{PORTS}/{port}/name") as f:
                if f.read().strip() == name:
                    return f"/dev/{port}"
        except OSError:
            continue
    return None


def open_port(wait: float = 30.0) -> int:
    """Open the agent's virtio-serial port once, read-write (it cannot be opened twice)."""
    deadline = time.monotonic() + wait
    while True:
        path = find_port()
        if path is not None and os.path.exists(path):
            return os.open(path, os.O_RDWR)
        if time.monotonic() > deadline:
            raise FileNotFoundError(f"no virtio-serial port named {PORT_NAME}")
        time.sleep(0.01)


def serve(fd: int, marks: dict[str, float] | None = None) -> None:
    """Serve calls on fd until the host asks for power off or goes away.

    marks (boot milestones, seconds since the kernel started) go to the host in the hello.
    """

    def send(*parts: bytes | memoryview) -> None:
        send_parts(lambda views: os.writev(fd, views), parts)

    chan = Channel(lambda buf: os.readv(fd, [buf]), send)
    uptime = time.clock_gettime(time.CLOCK_BOOTTIME)
    chan.send_doc(FrameType.HELLO, 0, {"agent": 1, "uptime": uptime, "marks": marks or {}})
    while True:
        try:
            ftype, serial, body = chan.recv()
        except EOFError:
            log.info("host closed the channel")
            return
        except ProtocolError as e:
            log.error("protocol error from host: %s", e)
            return
        if ftype == FrameType.CALL:
            try:
                doc = decode_call(body)
            except ProtocolError as e:
                chan.send_doc(FrameType.ERR, serial, {"errno": None, "message": str(e)})
                continue
            op = doc.get("op")
            if op == "_poweroff":
                umount_everything()
                chan.send_doc(FrameType.OK, serial, {"ret": None})
                poweroff()
            elif op == "_rescue":  # a session: it has the channel until the shell is done
                rescue.serve(chan, serial, doc.get("args") or {}, fd)
            elif isinstance(op, str) and op in INTERNAL:
                try:
                    ret = INTERNAL[op](doc.get("args") or {})
                    chan.send_doc(FrameType.OK, serial, {"ret": ret})
                except Exception as e:  # noqa: BLE001 - reported to the host
                    chan.send_doc(FrameType.ERR, serial, {"errno": None, "message": f"{op}: {e}"})
            else:
                try:
                    serve_call(chan, serial, doc, fd)
                except (EOFError, OSError, ProtocolError):
                    raise  # the channel itself is gone
                except Exception:  # noqa: BLE001 - a bug in a reply path must not stop the agent
                    log.exception("serving %s", op)
        # CHUNK, END or CANCEL here belong to a stream already finished: ignore them.
