"""GuestFS: the libguestfs-compatible handle.

Its methods come from the operation table (guestbox.api); the ones the
library does itself (drives, launch, configuration, disk images) are defined
here, each with the signature the table declares.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import inspect
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

from . import __version__
from .api import Operations, tracing
from .api.kinds import base_kind, conforms, describe, nullable, plain
from .api.table import REGISTRY, OpSpec
from .appliance import builder
from .client import Client
from .errors import ApplianceError, Error, ReadOnlyError, StateError, error_for
from .events import (
    EVENT_APPLIANCE,
    EVENT_CLOSE,
    EVENT_ENTER,
    EVENT_LAUNCH_DONE,
    EVENT_LIBRARY,
    EVENT_SUBPROCESS_QUIT,
    EVENT_TRACE,
    Callback,
    Events,
)
from .launch import snapshot
from .launch.vm import VM, Drive, VMConfig
from .protocol.frames import ProtocolError
from .rescue import RescueSession

log = logging.getLogger(__name__)

CONFIG, LAUNCHING, READY, BUSY, CLOSED = 0, 1, 2, 3, 4
FORMATS = ("raw", "qcow2", "vmdk", "vdi", "vhdx", "vpc", "qed", "parallels", "dmg", "luks")
BACKEND_SETTINGS = ("force_tcg", "force_kvm", "nosnapshot", "network")
DEFAULT_CALL_TIMEOUT = 3600.0
_live: weakref.WeakSet[GuestFS] = weakref.WeakSet()


def _qemu_img_info(path: str, fmt: str | None = None) -> dict[str, Any]:
    """`qemu-img info` of a host image, with an explicit format when one is known."""
    argv = ["qemu-img", "info", "--output=json", "-U"]
    if fmt:
        argv += ["-f", fmt]
    p = subprocess.run([*argv, path], capture_output=True, text=True)
    if p.returncode != 0:
        raise Error(p.stderr.strip().removeprefix("qemu-img: "), errno.EINVAL)
    info: dict[str, Any] = json.loads(p.stdout)
    return info


class GuestFS(Operations):
    """A handle on disk images: add drives, launch, then call operations.

    python_return_dict: return hashtables as dicts (guestbox's default, True) or,
    as libguestfs does by default, as lists of (key, value) pairs (False).
    close_on_exit: close the handle when the interpreter exits (default True).
    """

    def __init__(self, python_return_dict: bool = True, close_on_exit: bool = True) -> None:
        self.python_return_dict = python_return_dict
        self._drives: list[Drive] = []
        self._config = VMConfig()
        self._settings: list[str] = []
        self._network = False  # set_network (the "network" backend setting also enables it)
        self._trace = bool(os.environ.get("LIBGUESTFS_TRACE") == "1")
        self._events = Events()
        self._state = CONFIG
        self._vm: VM | None = None
        self._client: Client | None = None
        self._lock = threading.RLock()
        self._scratch: list[str] = []
        self._luks_keys: list[tuple[str, str]] = []  # (device, UUID or "all", key)
        self.call_timeout: float | None = DEFAULT_CALL_TIMEOUT
        self._config.verbose = bool(os.environ.get("LIBGUESTFS_DEBUG") == "1")
        if close_on_exit:
            _live.add(self)

    # -- context manager and garbage collection ----------------------------
    def __enter__(self) -> GuestFS:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if self._state != CLOSED:
                self._teardown(sync=False)
        except Exception:  # noqa: BLE001 - nothing useful to do in a finaliser
            pass

    # -- events ------------------------------------------------------------
    def set_event_callback(self, cb: Callback, event_bitmask: int) -> int:
        """Register cb for the events in event_bitmask; returns an id for delete_event_callback."""
        return self._events.add(cb, event_bitmask)

    def delete_event_callback(self, event_handle: int) -> None:
        """Remove a callback registered with set_event_callback."""
        self._events.delete(event_handle)

    def _on_console(self, line: str) -> None:
        if self._events.wants(EVENT_APPLIANCE):
            self._events.fire(EVENT_APPLIANCE, (line + "\n").encode())
        elif self._config.verbose:
            print(line, file=sys.stderr)

    def _tracemsg(self, message: str) -> None:
        if self._events.wants(EVENT_TRACE):
            self._events.fire(EVENT_TRACE, message.encode())
        else:
            print(f"libguestfs: trace: {message}", file=sys.stderr)

    def _debug(self, message: str) -> None:
        log.debug("%s", message)
        if self._events.wants(EVENT_LIBRARY):
            self._events.fire(EVENT_LIBRARY, message.encode())
        elif self._config.verbose:
            print(f"libguestfs: {message}", file=sys.stderr)

    # -- the generic call --------------------------------------------------
    @property
    def _readonly(self) -> bool:
        return bool(self._drives) and all(d.readonly for d in self._drives)

    def _check_args(self, spec: OpSpec, args: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for p in spec.params:
            v = args.get(p.name)
            if v is None:
                if p.name in args and not p.optional and not nullable(p.kind):
                    raise TypeError(f"{spec.name}: {p.name} must be {describe(p.kind)}, "
                                    "not None")
                continue
            kind = plain(p.kind)
            if kind is bytes and isinstance(v, (bytearray, memoryview)):
                v = bytes(v)
            elif kind is bytes and isinstance(v, str):
                v = v.encode()
            elif kind is bool and isinstance(v, int):
                v = bool(v)
            elif kind is int and isinstance(v, bool):
                v = int(v)
            elif kind == list[str] and isinstance(v, tuple):
                v = list(v)
            if not conforms(p.kind, v):
                raise TypeError(f"{spec.name}: {p.name} must be {describe(p.kind)}, "
                                f"not {type(v).__name__}")
            if isinstance(v, str) and "\0" in v:
                raise Error(f"{spec.name}: {p.name}: string contains a NUL byte", errno.EINVAL)
            out[p.name] = v
        return out

    def _call(self, spec: OpSpec, args: dict[str, Any]) -> Any:
        name = spec.name
        args = self._check_args(spec, args)
        if self._events.wants(EVENT_ENTER):  # as libguestfs, at the start of every call
            self._events.fire(EVENT_ENTER, name.encode())
        if self._trace:  # as libguestfs: every call traced, even one refused here
            self._tracemsg(tracing.call_line(spec, args))
        try:
            result = self._dispatch(spec, args)
        except Error:
            if self._trace:
                self._tracemsg(tracing.error_line(spec))
            raise
        if self._trace:
            self._tracemsg(tracing.result_line(spec, result)[:4096])
        if isinstance(result, dict) and not self.python_return_dict and \
                base_kind(spec.ret) == dict[str, str]:
            return list(result.items())
        return result

    def _dispatch(self, spec: OpSpec, args: dict[str, Any]) -> Any:
        """The call sent to the appliance, once the handle's state allows it."""
        name = spec.name
        if spec.writes and self._readonly:
            raise ReadOnlyError(
                f"{name}: the handle is read-only (every drive was added with readonly=True); "
                "add the drive read-write to change it", errno.EROFS)
        with self._lock:  # another thread's call first, as libguestfs's handle lock does
            client = self._ready(name)
            self._state = BUSY
            try:
                return client.call(spec, args, self.call_timeout)
            except ApplianceError:
                self._teardown(sync=False, keep_open=True)
                raise
            except KeyboardInterrupt:
                raise  # the client cancelled the call cleanly: the appliance is usable
            except Error:
                raise
            except BaseException:
                # Interrupted some other way: the protocol state is unknown, stop the VM.
                self._teardown(sync=False, keep_open=True)
                raise
            finally:
                if self._state == BUSY:
                    self._state = READY

    def _ready(self, name: str) -> Client:
        """The client, if the handle can take a call now (the caller holds the lock)."""
        if self._state == CLOSED:
            raise StateError(f"{name}: the handle is closed")
        if self._state == BUSY:  # this thread is in a call already: an event callback's
            raise StateError(f"{name}: the handle is busy: it cannot be called from "
                             "inside one of its own calls (an event callback)")
        if self._state != READY or self._client is None:
            raise StateError(f"{name}: call launch before using this function\n"
                             "(in guestfish, don't forget to use the 'run' command)")
        return self._client

    # -- drives ------------------------------------------------------------
    def add_drive_opts(
        self,
        filename: str,
        readonly: bool | None = None,
        format: str | None = None,
        iface: str | None = None,
        name: str | None = None,
        label: str | None = None,
        protocol: str | None = None,
        server: list[str] | None = None,
        username: str | None = None,
        secret: str | None = None,
        cachemode: str | None = None,
        discard: str | None = None,
        copyonread: bool | None = None,
        blocksize: int | None = None,
        key: str | None = None,
    ) -> None:
        op = "add_drive_opts"
        self._config_state(op)
        if protocol not in (None, "file"):
            raise Error(f"{op}: protocol '{protocol}' is not supported; only local files",
                        errno.ENOTSUP)
        if cachemode not in (None, "writeback", "unsafe"):
            raise Error(f"{op}: cachemode must be 'writeback' or 'unsafe', not '{cachemode}'",
                        errno.EINVAL)
        if discard not in (None, "disable", "enable", "besteffort"):
            raise Error(f"{op}: discard must be 'disable', 'enable' or 'besteffort'",
                        errno.EINVAL)
        if blocksize not in (None, -1, 0, 512, 4096):
            raise Error(f"{op}: blocksize must be 512 or 4096", errno.EINVAL)
        if not isinstance(filename, str) or not filename:
            raise TypeError(f"{op}: filename must be a non-empty string")
        if not os.path.exists(filename):
            raise error_for(f"{op}: {filename}: No such file or directory", errno.ENOENT)
        ro = bool(readonly) if readonly not in (None, -1) else False
        if format is not None:
            if not format or not all(c.isascii() and (c.isalnum() or c in "_-")
                                     for c in format):  # libguestfs's text, no op name
                raise Error("format parameter is empty or contains disallowed characters",
                            errno.EINVAL)
            if format not in FORMATS:
                raise Error(f"{op}: {filename}: unknown format '{format}'; "
                            f"use one of {', '.join(FORMATS)}", errno.EINVAL)
            try:
                _qemu_img_info(filename, format)
            except Error as e:
                raise Error(f"{op}: {filename}: not a {format} image: {e}", errno.EINVAL) from None
        else:
            format = self._detect_format(op, filename)
        if not ro and not os.access(filename, os.W_OK):
            raise error_for(f"{op}: {filename}: Permission denied (add it with readonly=True)",
                            errno.EACCES)
        self._drives.append(Drive(
            path=os.path.abspath(filename), format=format, readonly=ro,
            cachemode=cachemode or "writeback", discard=discard or "disable",
            blocksize=blocksize if blocksize and blocksize > 0 else None, label=label))
        if key is not None:
            self.set_luks_key("all", key)

    # -- encrypted devices ---------------------------------------------------
    def set_luks_key(self, id: str, key: str) -> None:  # noqa: A002 - guestfs-tools' word
        if not isinstance(id, str) or not id:
            raise TypeError("set_luks_key: id must be a device name, a LUKS UUID or 'all'")
        if not isinstance(key, str):
            raise TypeError("set_luks_key: key must be str")
        self._luks_keys.append((id, key))

    def inspect_decrypt(self) -> list[str]:
        opened: list[str] = []
        tried: set[str] = set()
        while True:
            found = False
            devices = [*self.list_devices(), *self.list_partitions(), *self.lvs(),
                       *self.list_md_devices()]
            mapped = set(self.list_dm_devices())
            for dev in devices:
                if dev in tried or self.vfs_type(dev) != "crypto_LUKS":
                    continue
                tried.add(dev)
                uuid = self.luks_uuid(dev)
                mapper = f"/dev/mapper/luks-{uuid}"
                if mapper in mapped:
                    continue  # opened already
                for key in self._keys_for(dev, uuid):
                    try:
                        self.cryptsetup_open(dev, key, f"luks-{uuid}", readonly=self._readonly)
                    except Error as e:
                        if e.errno not in (errno.EPERM, errno.EACCES, errno.EINVAL, None):
                            raise
                        continue  # not this key
                    opened.append(mapper)
                    found = True
                    break
            if not found:
                return opened

    def _keys_for(self, device: str, uuid: str) -> list[str]:
        """The keys to try on device: those naming it or its UUID, then those for "all"."""
        own = [k for i, k in self._luks_keys if i in (device, uuid)]
        return own + [k for i, k in self._luks_keys if i == "all" and k not in own]

    def _detect_format(self, op: str, filename: str) -> str:
        try:
            info = _qemu_img_info(filename)
        except Error as e:
            raise Error(f"{op}: {filename}: cannot detect the format: {e}", errno.EINVAL) from None
        fmt = str(info.get("format", "raw"))
        if fmt != "raw" and info.get("backing-filename"):
            raise Error(
                f"{op}: {filename}: the image looks like {fmt} with a backing file; "
                "guestbox does not trust that guess: pass format= explicitly", errno.EINVAL)
        return fmt

    def add_drive_scratch(
        self, size: int, name: str | None = None, label: str | None = None,
        blocksize: int | None = None,
    ) -> None:
        self._config_state("add_drive_scratch")
        if not isinstance(size, int) or size <= 0:
            raise Error("add_drive_scratch: size must be a positive number of bytes",
                        errno.EINVAL)
        fd, path = tempfile.mkstemp(prefix="guestbox-scratch-", suffix=".img")
        os.ftruncate(fd, size)
        os.close(fd)
        self._scratch.append(path)
        self._drives.append(Drive(path=path, format="raw", cachemode="unsafe", label=label,
                                  blocksize=blocksize if blocksize and blocksize > 0 else None,
                                  scratch=True))

    def _config_state(self, op: str) -> None:
        if self._state == CLOSED:
            raise StateError(f"{op}: the handle is closed")
        if self._state != CONFIG:
            raise StateError(f"{op}: this function can only be called in the config state "
                             "(before launch)")

    # -- lifecycle ---------------------------------------------------------
    def launch(self) -> None:
        self._config_state("launch")
        if not self._drives:
            raise StateError("launch: you must call guestfs_add_drive before guestfs_launch")
        self._state = LAUNCHING
        t0 = time.monotonic()
        try:
            appliance = builder.ensure(quiet=not self._config.verbose)
            self._debug(f"appliance {appliance.key}, {len(self._drives)} drive(s)")
            client = None
            for attempt in (1, 2) if snapshot.enabled(self._settings) else ():
                try:
                    client = self._restore(appliance)
                    break
                except snapshot.StateUnusable as e:
                    if attempt == 1:
                        self._debug(f"saved appliance state unusable, making it again: {e}")
                        continue
                    self._debug(f"snapshot launch failed, booting instead: {e}")
                except ApplianceError as e:
                    self._debug(f"snapshot launch failed, booting instead: "
                                f"{e.message.splitlines()[0]}")
                break
            if client is None:
                client = self._boot(appliance)
            try:
                client.call_internal("_activate", 120)
            except BaseException:
                client.vm.kill()
                raise
            self._vm, self._client = client.vm, client
            self._debug(f"appliance is up ({client.vm.accel}) in {time.monotonic() - t0:.2f}s")
            self._state = READY
        finally:
            if self._state == LAUNCHING:
                self._state = CONFIG
        self._events.fire(EVENT_LAUNCH_DONE)

    def _new_vm(self, appliance: builder.Appliance) -> VM:
        ref = weakref.ref(self)  # the console thread must not keep the handle alive

        def on_console(line: str) -> None:
            handle = ref()
            if handle is not None:
                handle._on_console(line)

        return VM(appliance, self._drives, self._config, on_console)

    def _boot(self, appliance: builder.Appliance) -> Client:
        """Cold boot with the drives attached."""
        vm = self._new_vm(appliance)
        try:
            client = Client(vm, vm.start(), self._events)
            client.call_internal("_wait_disks", 60, count=len(self._drives))
            return client
        except BaseException:
            vm.kill()
            raise

    def _restore(self, appliance: builder.Appliance) -> Client:
        """Restore the saved appliance state (made first if needed), then hot-plug the drives."""
        state = snapshot.ensure_state(VM(appliance, [], self._config))
        vm = self._new_vm(appliance)
        try:
            try:
                client = Client(vm, vm.start(state), self._events)
                client.call_internal("_resume", 30, time_ns=time.time_ns(),
                                     entropy=os.urandom(64).hex())
            except (ApplianceError, EOFError, OSError, ProtocolError) as e:
                why = str(e).splitlines()[0]
                snapshot.discard(state, why)
                raise snapshot.StateUnusable(f"{state.name}: {why}") from None
            for i in range(len(self._drives)):
                vm.hotplug(i)
                client.call_internal("_wait_disks", 30, count=i + 1)
            return client
        except BaseException:
            vm.kill()
            raise

    @contextlib.contextmanager
    def rescue_session(self, term: str = "", rows: int = 0, cols: int = 0,
                       bind: bool = False) -> Iterator[RescueSession]:
        """An interactive shell (bash) in the appliance on a pseudo-terminal, as
        virt-rescue's: the guest's disks are there, its filesystems where they were
        mounted (under /sysroot); bind puts /dev, /proc and /sys in it too.  term, rows
        and cols describe the user's terminal.  The handle is busy while the session
        lasts; the session is ended (the shell hung up) when the block ends."""
        with self._lock:
            client = self._ready("rescue_session")
            self._state = BUSY
            session: RescueSession | None = None
            try:
                session = RescueSession(client, term, rows, cols, bind)
                try:
                    yield session
                finally:
                    session.close()  # however the block ends: the appliance stays usable
            except BaseException:
                if session is None or not session.over:  # the channel's state is unknown
                    self._teardown(sync=False, keep_open=True)
                raise
            finally:
                if self._state == BUSY:
                    self._state = READY

    def shutdown(self) -> None:
        if self._state == CLOSED:
            raise StateError("shutdown: the handle is closed")
        self._teardown(sync=True, keep_open=True)

    def close(self) -> None:
        if self._state != CLOSED:
            self._teardown(sync=True)

    def _teardown(self, sync: bool, keep_open: bool = False) -> None:
        """Stop the appliance (syncing its filesystems first if sync and it answers)."""
        with self._lock:
            vm, client = self._vm, self._client
            self._vm = self._client = None
            if vm is not None:
                try:
                    if sync and client is not None and vm.alive():
                        client.call_internal("_poweroff", 60.0)
                        vm.wait(30.0)
                except (Error, OSError, EOFError) as e:
                    log.warning("shutdown: %s", e)
                finally:
                    vm.kill()
                    self._events.fire(EVENT_SUBPROCESS_QUIT)
            if keep_open:
                self._state = CONFIG
                return
            for path in self._scratch:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            self._scratch.clear()
            self._state = CLOSED
            _live.discard(self)
        self._events.fire(EVENT_CLOSE)

    # -- configuration -----------------------------------------------------
    def version(self) -> dict[str, int | str]:
        major, minor, release = (int(x) for x in __version__.split(".")[:3])
        return {"major": major, "minor": minor, "release": release, "extra": ""}

    def set_memsize(self, memsize: int) -> None:
        self._config_state("set_memsize")
        if not isinstance(memsize, int) or memsize < 256:
            raise Error("set_memsize: memsize must be at least 256 (megabytes)", errno.EINVAL)
        self._config.memsize = memsize

    def get_memsize(self) -> int:
        return self._config.memsize

    def set_smp(self, smp: int) -> None:
        self._config_state("set_smp")
        if not isinstance(smp, int) or not 1 <= smp <= 255:
            raise Error("set_smp: smp must be between 1 and 255", errno.EINVAL)
        self._config.smp = smp

    def get_smp(self) -> int:
        return self._config.smp

    def set_network(self, network: bool) -> None:
        self._config_state("set_network")
        self._network = bool(network)
        self._config.network = self._network or "network" in self._settings

    def get_network(self) -> bool:
        return self._config.network

    def set_trace(self, trace: bool) -> None:
        self._trace = bool(trace)

    def get_trace(self) -> bool:
        return self._trace

    def set_verbose(self, verbose: bool) -> None:
        self._config.verbose = bool(verbose)

    def get_verbose(self) -> bool:
        return self._config.verbose

    def set_backend(self, backend: str) -> None:
        self._config_state("set_backend")
        if backend not in ("direct", "appliance", "", "libvirt"):
            raise Error(f"set_backend: unknown backend '{backend}'; guestbox has 'direct'",
                        errno.EINVAL)
        if backend == "libvirt":
            raise Error("set_backend: the libvirt backend is not supported; guestbox starts "
                        "QEMU directly ('direct')", errno.ENOTSUP)

    def get_backend(self) -> str:
        return "direct"

    def set_backend_settings(self, settings: list[str]) -> None:
        self._config_state("set_backend_settings")
        for s in settings:
            if s.split("=", 1)[0] not in BACKEND_SETTINGS:
                raise Error(f"set_backend_settings: unknown setting '{s}'; known: "
                            f"{', '.join(BACKEND_SETTINGS)}", errno.EINVAL)
        self._settings = list(settings)
        self._config.accel = ("tcg" if "force_tcg" in settings else
                              "kvm" if "force_kvm" in settings else "auto")
        self._config.network = self._network or "network" in settings

    def get_backend_settings(self) -> list[str]:
        return list(self._settings)

    def get_state(self) -> int:
        return self._state

    def is_config(self) -> bool:
        return self._state == CONFIG

    def is_launching(self) -> bool:
        return self._state == LAUNCHING

    def is_ready(self) -> bool:
        return self._state == READY

    def is_busy(self) -> bool:
        return self._state == BUSY

    # -- disk images on the host -------------------------------------------
    def disk_create(
        self,
        filename: str,
        format: str,
        size: int,
        backingfile: str | None = None,
        backingformat: str | None = None,
        preallocation: str | None = None,
        compat: str | None = None,
        clustersize: int | None = None,
    ) -> None:
        op = "disk_create"
        if format not in ("raw", "qcow2"):
            raise Error(f"{op}: unsupported format '{format}' (use 'raw' or 'qcow2')",
                        errno.EINVAL)
        if not isinstance(size, int) or (size < 0 and not (size == -1 and backingfile)):
            raise Error(f"{op}: invalid size {size!r}", errno.EINVAL)
        argv = ["qemu-img", "create", "-q", "-f", format]
        opts = []
        if backingfile:
            if format != "qcow2":
                raise Error(f"{op}: a backing file needs format 'qcow2'", errno.EINVAL)
            bfmt = backingformat or self._detect_format(op, backingfile)
            argv += ["-b", backingfile, "-F", bfmt]
        if preallocation is not None:
            allowed = {"raw": {"off": "off", "sparse": "off", "full": "full"},
                       "qcow2": {"off": "off", "sparse": "off", "metadata": "metadata",
                                 "full": "full"}}[format]
            if preallocation not in allowed:
                raise Error(f"{op}: invalid preallocation '{preallocation}' for {format}",
                            errno.EINVAL)
            opts.append(f"preallocation={allowed[preallocation]}")
        if compat is not None:
            if format != "qcow2" or compat not in ("0.10", "1.1"):
                raise Error(f"{op}: invalid compat '{compat}'", errno.EINVAL)
            opts.append(f"compat={compat}")
        if clustersize is not None and clustersize != -1:
            if format != "qcow2":
                raise Error(f"{op}: clustersize applies to qcow2 only", errno.EINVAL)
            opts.append(f"cluster_size={clustersize}")
        if opts:
            argv += ["-o", ",".join(opts)]
        argv.append(filename)
        if size >= 0:
            argv.append(str(size))
        p = subprocess.run(argv, capture_output=True, text=True)
        if p.returncode != 0:
            raise Error(f"{op}: {p.stderr.strip().removeprefix('qemu-img: ')}", errno.EINVAL)

    def disk_format(self, filename: str) -> str:
        return str(self._disk_info("disk_format", filename).get("format", "unknown"))

    def disk_virtual_size(self, filename: str) -> int:
        return int(self._disk_info("disk_virtual_size", filename)["virtual-size"])

    def disk_has_backing_file(self, filename: str) -> bool:
        return bool(self._disk_info("disk_has_backing_file", filename).get("backing-filename"))

    def _disk_info(self, op: str, filename: str) -> dict[str, Any]:
        if not os.path.exists(filename):
            raise error_for(f"{op}: {filename}: No such file or directory", errno.ENOENT)
        try:
            return _qemu_img_info(filename)
        except Error as e:
            raise Error(f"{op}: {filename}: {e}", e.errno) from None


def _stub() -> None:
    """A declaration's body."""
    ...


def _is_stub(fn: Any) -> bool:
    code = fn.__code__
    return code.co_code == _stub.__code__.co_code and all(
        c is None or c == fn.__doc__ for c in code.co_consts)


def _check_local_ops() -> None:
    """Every local operation has a body (here, or in the table when it composes other
    operations), with the declared parameters."""
    for spec in REGISTRY.values():
        if not spec.local:
            continue
        fn = getattr(GuestFS, spec.name, None)
        if fn is None or _is_stub(fn):
            raise TypeError(f"GuestFS does not implement the local operation {spec.name}")
        have = list(inspect.signature(fn).parameters)
        want = list(spec.signature.parameters)
        if have != want:
            raise TypeError(f"GuestFS.{spec.name} parameters {have} differ from the table {want}")
        fn.__doc__ = spec.doc


_check_local_ops()


@atexit.register
def _close_all() -> None:
    for g in list(_live):
        try:
            g.close()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass
