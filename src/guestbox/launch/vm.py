"""One running appliance: the QEMU process, its console, its monitor and the agent's socket."""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..appliance.builder import Appliance
from ..appliance.cache import hold_in_use
from ..errors import ApplianceError
from ..interrupt import DeferredInterrupt
from ..protocol.bulk import BULK_TARGETS, MAILBOX_SERIAL, MAILBOX_SIZE
from ..protocol.frames import Channel, FrameType, ProtocolError, decode_doc, send_parts
from .kvm import kvm_works
from .qmp import QMP, QMPFailure
from .spawn import popen

log = logging.getLogger(__name__)
QEMU = "qemu-system-x86_64"
QEMU_PACKAGE = "qemu-system-x86"
CONSOLE_LINES = 400
QBOOT = "/usr/share/qemu/qboot.rom"


@dataclasses.dataclass
class Drive:
    """A disk to attach: where it is, its (explicit) format and how to attach it."""

    path: str
    format: str
    readonly: bool = False
    cachemode: str = "writeback"
    discard: str = "disable"
    blocksize: int | None = None
    label: str | None = None
    scratch: bool = False


AGENT_MALLOC = ("GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:"
                "glibc.malloc.trim_threshold=134217728")
"""For the agent's environment (the kernel hands unknown `NAME=value` words to init):
megabyte buffers come from the heap instead of a fresh mmap each, whose page faults
cost more than the copy under TCG (pread/pwrite of 1 MiB: 20-35 % faster)."""


@dataclasses.dataclass
class VMConfig:
    """How to start the appliance."""

    memsize: int = 768
    smp: int = 1
    accel: str = "auto"  # auto, tcg, kvm
    network: bool = False
    verbose: bool = False
    launch_timeout: float = 120.0


def qemu_binary() -> str:
    path = shutil.which(QEMU)
    if path is None:
        raise ApplianceError(f"{QEMU} is not installed; install the Debian package "
                             f"'{QEMU_PACKAGE}' (apt-get install {QEMU_PACKAGE})")
    return path


def _scsi_hd(i: int, d: Drive) -> dict[str, object]:
    """The scsi-hd device of drive i on the virtio-scsi controller (target i: /dev/sd<i>)."""
    dev: dict[str, object] = {"driver": "scsi-hd", "id": f"disk{i}", "drive": f"hd{i}",
                              "bus": "scsi0.0", "channel": 0, "scsi-id": i, "lun": 0}
    if d.blocksize:
        dev.update(physical_block_size=d.blocksize, logical_block_size=d.blocksize)
    return dev


def _blockdev(i: int, d: Drive, overlay: str | None) -> dict[str, object]:
    """The -blockdev JSON for a drive: explicit format always, and an overlay if read-only."""
    proto = "host_device" if stat.S_ISBLK(os.stat(d.path).st_mode) else "file"
    cache = {"direct": False, "no-flush": d.cachemode == "unsafe"}
    file: dict[str, object] = {"driver": proto, "filename": d.path, "cache": cache,
                               "discard": "unmap" if d.discard != "disable" else "ignore",
                               "read-only": d.readonly}
    image: dict[str, object] = {
        "driver": d.format,
        "file": file,
        "read-only": d.readonly,
        "discard": "unmap" if d.discard != "disable" else "ignore",
        "cache": cache,
    }
    if overlay is None:
        return {"node-name": f"hd{i}", **image}
    # A read-only drive takes no lock on the image, as libguestfs's (file.backing.file.
    # locking=off): the virt tools read the disks of running guests (virt-tail, virt-df ...).
    file["locking"] = "off"
    return {"node-name": f"hd{i}", "driver": "qcow2",
            "file": {"driver": "file", "filename": overlay}, "backing": image,
            "discard": "unmap", "cache": {"direct": False, "no-flush": True}}


class VM:
    """The appliance's QEMU process; start() returns once the agent has said hello."""

    def __init__(
        self,
        appliance: Appliance,
        drives: list[Drive],
        config: VMConfig,
        on_console: Callable[[str], None] | None = None,
    ) -> None:
        self.appliance = appliance
        self.drives = drives
        self.config = config
        self.on_console = on_console
        self.console: collections.deque[str] = collections.deque(maxlen=CONSOLE_LINES)
        self.proc: subprocess.Popen[bytes] | None = None
        self.qmp: QMP | None = None
        self.sock: socket.socket | None = None
        self.deadline: float | None = None  # for the call in progress
        self.accel = "tcg"
        self.partial_send = False
        self.interrupt: DeferredInterrupt | None = None  # set by the call in progress
        self._transfers = 0
        self.hello: dict[str, object] = {}  # what the agent said when it came up (cold boot)
        self._unplugged: list[str] = []
        self._dir = tempfile.mkdtemp(prefix="guestbox-")
        self._reader: threading.Thread | None = None
        self._in_use = hold_in_use(appliance.directory)

    # -- command line --------------------------------------------------------
    def machine_argv(self) -> list[str]:
        """QEMU's command line without the guest disks: the same for a saved state's
        template and every VM restored from it (socket paths aside)."""
        qemu = qemu_binary()
        cfg = self.config
        kvm = cfg.accel == "kvm" or (cfg.accel == "auto" and kvm_works(qemu, self.appliance.kernel))
        self.accel = "kvm" if kvm else "tcg"
        accel = "kvm" if kvm else ("tcg,thread=multi" if cfg.smp > 1 else "tcg")
        append = ("console=ttyS0 panic=-1 reboot=t no_timer_check 8250.nr_uarts=1 "
                  "cryptomgr.notests random.trust_cpu=on mitigations=off tsc=reliable "
                  "rootfstype=ramfs init_on_alloc=0 init_on_free=0 " + AGENT_MALLOC)
        if not cfg.verbose:
            append += " quiet loglevel=3"
        argv = [
            qemu, "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-machine", "pc", "-accel", accel, "-cpu", "host" if kvm else "max",
            "-m", str(cfg.memsize), "-smp", str(cfg.smp), "-rtc", "base=utc,clock=host",
            "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
            "-kernel", str(self.appliance.kernel), "-initrd", str(self.appliance.initrd),
            "-append", append, "-serial", "stdio",
            "-device", "virtio-rng-pci",
            "-device", "virtio-scsi-pci,id=scsi0",
            "-blockdev", json.dumps({"node-name": "mailbox", "driver": "raw", "file": {
                "driver": "file", "filename": self.mailbox_path}}),
            "-device", f"virtio-blk-pci,drive=mailbox,serial={MAILBOX_SERIAL}",
            "-chardev", f"socket,id=agent,path={self._dir}/agent.sock",
            "-device", "virtio-serial-pci,id=vser0",
            "-device", "virtserialport,bus=vser0.0,chardev=agent,name=org.guestbox.agent",
            "-chardev", f"socket,id=qmp,path={self._dir}/qmp.sock",
            "-mon", "chardev=qmp,mode=control",
        ]
        if os.path.exists(QBOOT):  # a minimal firmware: 0.4 s less than SeaBIOS under TCG
            argv += ["-bios", QBOOT]
        if cfg.network:
            argv += ["-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0"]
        return argv

    @property
    def mailbox_path(self) -> str:
        """The host file behind the mailbox disk (protocol/bulk.py)."""
        return f"{self._dir}/mailbox"

    def put_mailbox(self, data: bytes) -> None:
        """Leave a buffer argument in the mailbox for the agent."""
        fd = os.open(self.mailbox_path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.pwrite(fd, view, len(data) - len(view)) :]
        finally:
            os.close(fd)

    def take_mailbox(self, size: object) -> bytes:
        """The result the agent left in the mailbox; ProtocolError if size is not a size."""
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAILBOX_SIZE:
            raise ProtocolError(f"the agent gave a bad mailbox size: {size!r}")
        with open(self.mailbox_path, "rb") as f:
            data = f.read(size)
        if len(data) != size:
            raise ProtocolError(f"the mailbox holds {len(data)} bytes, not {size}")
        return data

    def state_signature(self) -> str:
        """What a saved state depends on, as text: the command line, paths of this VM aside."""
        return json.dumps([a.replace(self._dir, "@") for a in self.machine_argv()])

    def _drive_argv(self) -> list[str]:
        argv = []
        for i, d in enumerate(self.drives):
            argv += ["-blockdev", json.dumps(_blockdev(i, d, self._overlay(i, d)))]
            argv += ["-device", ",".join(f"{k}={v}" for k, v in _scsi_hd(i, d).items())]
        return argv

    def _overlay(self, i: int, d: Drive) -> str | None:
        if not d.readonly:
            return None
        path = f"{self._dir}/overlay{i}.qcow2"
        p = subprocess.run(
            ["qemu-img", "create", "-q", "-f", "qcow2", "-F", d.format, "-b",
             os.path.abspath(d.path), path],
            capture_output=True, text=True,
        )
        if p.returncode != 0:
            raise ApplianceError(f"launch: cannot make a read-only overlay of {d.path}: "
                                 f"{p.stderr.strip()}")
        return path

    # -- start and stop ------------------------------------------------------
    def start(self, state: Path | None = None) -> Channel:
        """Start QEMU: a cold boot with the drives attached, waiting for the agent's hello;
        or, given a saved state, a restore without them (see hotplug). ApplianceError,
        quoting the console, if QEMU or the agent fails."""
        with open(self.mailbox_path, "wb") as f:
            f.truncate(MAILBOX_SIZE)  # sparse
        agent_l = self._listen("agent.sock")
        qmp_l = self._listen("qmp.sock")
        statefd = None
        try:
            argv = self.machine_argv()
            if state is None:
                argv += self._drive_argv()
            else:
                statefd = os.open(state, os.O_RDONLY)
                argv += ["-incoming", f"fd:{statefd}"]
            log.debug("qemu: %s", argv)
            self.proc = popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, pass_fds=(statefd,) if statefd else ())
            self._reader = threading.Thread(target=self._read_console, daemon=True,
                                            name="guestbox-console")
            self._reader.start()
            self.deadline = time.monotonic() + self.config.launch_timeout
            qsock = self._accept(qmp_l)
            self.qmp = QMP("guestbox")
            self.qmp.connect(qsock)
            if state is not None:
                self._resume_incoming()
            self.sock = self._accept(agent_l)
            chan = Channel(self._recv_into, self._send)
            if state is None:  # a restored agent said hello long ago, to the template's host
                ftype, _, body = chan.recv()
                if ftype != FrameType.HELLO:
                    raise ApplianceError(f"launch: the agent sent {ftype.name} instead of hello")
                self.hello = decode_doc(body)[0]
                log.debug("agent hello: %s", self.hello)
            self.deadline = None
            return chan
        except (ProtocolError, EOFError, OSError) as e:
            self.kill()
            raise self.failure(f"launch: appliance failed to start: {e}") from None
        except BaseException:
            self.kill()
            raise
        finally:
            agent_l.close()
            qmp_l.close()
            if statefd is not None:
                os.close(statefd)

    def _resume_incoming(self) -> None:
        """Wait for QEMU to load the saved state, then let the (saved paused) VM run."""
        assert self.qmp is not None
        while True:
            status = self.qmp.execute("query-status").get("status")
            if status != "inmigrate":
                break
            self._check_alive()
            time.sleep(0.005)
        if status not in ("paused", "postmigrate", "prelaunch", "running"):
            raise self.failure(f"launch: restoring the saved state left the VM {status}")
        if status != "running":
            self.qmp.execute("cont")

    def hotplug(self, i: int) -> None:
        """Attach drive i to the running (restored) appliance: blockdev-add, then device_add."""
        assert self.qmp is not None
        d = self.drives[i]
        try:
            self.qmp.execute("blockdev-add", _blockdev(i, d, self._overlay(i, d)))
            self.qmp.execute("device_add", _scsi_hd(i, d))
        except Exception as e:  # noqa: BLE001 - QMP errors say what QEMU did not like
            raise self.failure(f"launch: cannot attach {d.path}: {e}") from None

    def attach_transfer(self, path: str, readonly: bool) -> tuple[str, int]:
        """Attach a host file as a transfer disk for bulk data (see protocol/bulk.py).

        Returns (device id, SCSI target), the target being how the agent finds it.
        """
        assert self.qmp is not None
        self._reap_transfers()
        n = self._transfers
        self._transfers += 1
        target = BULK_TARGETS[n % len(BULK_TARGETS)]
        node, dev = f"bulk{n}", f"bulkdev{n}"
        self.qmp.execute("blockdev-add", {
            "node-name": node, "driver": "raw", "read-only": readonly,
            "file": {"driver": "file", "filename": path, "read-only": readonly}})
        try:
            self.qmp.execute("device_add", {"driver": "scsi-hd", "id": dev, "drive": node,
                                            "bus": "scsi0.0", "channel": 0, "scsi-id": target,
                                            "lun": 0})
        except BaseException:
            self._unplugged.append(node)
            raise
        return dev, target

    def detach_transfer(self, dev: str) -> None:
        """Unplug a transfer disk; its node is deleted once the guest has let go of it."""
        assert self.qmp is not None
        self.qmp.execute("device_del", {"id": dev})
        self._unplugged.append(dev.replace("bulkdev", "bulk"))

    def _reap_transfers(self) -> None:
        assert self.qmp is not None
        for node in list(self._unplugged):
            try:
                self.qmp.execute("blockdev-del", {"node-name": node})
                self._unplugged.remove(node)
            except QMPFailure:
                pass  # still in use: the guest has not finished the unplug yet

    def save_state(self, path: Path) -> None:
        """Stop the appliance and write its whole state to path (QMP migrate to a file)."""
        assert self.qmp is not None
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            self.qmp.execute("stop")
            # QEMU caps migration at 128 MiB/s unless told otherwise: 1.2 s for this state.
            self.qmp.execute("migrate-set-parameters", {"max-bandwidth": 1 << 40})
            self.qmp.send_fd(fd, "state")
            self.qmp.execute("migrate", {"uri": "fd:state"})
            deadline = time.monotonic() + 120
            while True:
                status = self.qmp.execute("query-migrate").get("status")
                if status == "completed":
                    break
                if status in ("failed", "cancelled") or time.monotonic() > deadline:
                    raise ApplianceError(f"saving the appliance state: migration {status}")
                time.sleep(0.02)
            os.fsync(fd)
            os.rename(tmp, path)
        finally:
            os.close(fd)
            if tmp.exists():
                tmp.unlink()

    def _listen(self, name: str) -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(f"{self._dir}/{name}")
        s.listen(1)
        s.settimeout(0.2)
        return s

    def _accept(self, listener: socket.socket) -> socket.socket:
        while True:
            self._check_alive()
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(0.5)
            return conn

    def _check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            if self._reader:
                self._reader.join(2)
            raise self.failure(f"appliance: qemu exited with status {self.proc.returncode}")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.failure("appliance: timed out waiting for the appliance")

    def failure(self, message: str) -> ApplianceError:
        """An ApplianceError quoting the tail of the console."""
        if self.proc is not None and self._reader is not None:
            try:  # let QEMU finish dying and the reader catch its last words
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                pass
            self._reader.join(1)
            if self.proc.returncode is not None:
                message += f" (qemu exited with status {self.proc.returncode})"
        tail = "\n".join(list(self.console)[-25:])
        return ApplianceError(f"{message}\n--- last lines of the appliance console ---\n{tail}"
                              if tail else message)

    def _recv_into(self, buf: memoryview) -> int:
        assert self.sock is not None
        while True:
            try:
                return self.sock.recv_into(buf)
            except TimeoutError:
                self._check_alive()
                if self.interrupt is not None:
                    self.interrupt.check()  # nothing was read: a safe point

    def _send(self, *parts: bytes | memoryview) -> None:
        """Send one frame (partial_send stays True if that is cut short: the channel is broken)."""
        self.partial_send = True
        send_parts(self._sendmsg, parts)
        self.partial_send = False

    def _sendmsg(self, views: list[bytes | bytearray | memoryview]) -> int:
        assert self.sock is not None
        while True:
            try:
                return self.sock.sendmsg(views)
            except TimeoutError:
                self._check_alive()

    def _read_console(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.console.append(line)
            if self.on_console:
                try:
                    self.on_console(line)
                except Exception:  # noqa: BLE001 - a callback must not kill the reader
                    log.exception("console callback failed")

    def wait(self, timeout: float) -> bool:
        """Wait for QEMU to exit by itself; True if it did."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self) -> None:
        """Stop QEMU now and remove its files; safe to call more than once."""
        if self.qmp is not None:
            self.qmp.close()
            self.qmp = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._reader is not None:
            self._reader.join(2)
            self._reader = None
        shutil.rmtree(self._dir, ignore_errors=True)
        if self._in_use is not None:
            self._in_use.close()
            self._in_use = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None
