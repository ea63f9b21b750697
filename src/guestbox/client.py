"""Calls to the agent over an open channel: the frames of one call, its streams, its reply.

Everything the agent sends is checked: frame types, serials, the shape of the
result against the table's declared return type.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import stat
import sys
import tempfile
import time
from typing import IO, Any

from .api.kinds import base_kind, conforms
from .api.table import OpSpec
from .api.types import FileIn, FileOut
from .errors import ApplianceError, Error, error_for
from .events import EVENT_LIBRARY, EVENT_PROGRESS, Events
from .interrupt import DeferredInterrupt
from .launch.vm import VM
from .protocol.bulk import BULK_MIN, BULK_OUT_SIZE, MAILBOX_MIN
from .protocol.frames import (
    CHUNK_SIZE,
    MAX_BUFFER,
    Channel,
    FrameType,
    ProtocolError,
    decode_doc,
    encode_call,
)

log = logging.getLogger(__name__)
BULK_OUT_OPS = frozenset({"download", "download_offset"})
"""FileOut operations that may write their stream to a transfer disk (protocol/bulk.py)."""


class Client:
    """Sends calls to one running agent and receives their replies."""

    def __init__(self, vm: VM, chan: Channel, events: Events) -> None:
        self.vm = vm
        self.chan = chan
        self.events = events
        self._serial = 0
        self.bulk_size: object = None  # of the last reply, when a transfer disk carried it

    def call(self, spec: OpSpec, args: dict[str, Any], timeout: float | None) -> Any:
        """Run spec with args (already checked) and return its checked result."""
        wire: dict[str, Any] = {}
        blob: bytes | None = None  # a buffer big enough for the mailbox (protocol/bulk.py)
        boxed: dict[str, Any] | None = None
        infile = outfile = None
        for p in spec.params:
            if p.name not in args:
                continue
            v = args[p.name]
            kind = base_kind(p.kind)
            if kind == FileIn:
                infile = v
            elif kind == FileOut:
                outfile = v
            elif kind is bytes and len(v) >= MAILBOX_MIN:
                blob, boxed = v, {"arg": p.name, "size": len(v)}
            else:
                wire[p.name] = v
        if blob is not None and len(blob) > MAX_BUFFER:
            raise Error(f"{spec.name}: buffer of {len(blob)} bytes is larger than the limit "
                        f"of {MAX_BUFFER} bytes; use upload instead", errno.EFBIG)
        self._serial += 1
        serial = self._serial
        src = _open_in(spec.name, infile) if infile is not None else None
        self.vm.deadline = time.monotonic() + timeout if timeout else None
        self.vm.interrupt = guard = DeferredInterrupt()
        doc: dict[str, Any] = {"op": spec.name, "args": wire}
        transfer: str | None = None
        if blob is not None:
            self.vm.put_mailbox(blob)
            doc["mailbox"] = boxed
        try:
            with guard:
                try:
                    stream = src
                    size = _regular_size(src) if src is not None else 0
                    if size >= BULK_MIN and infile not in (None, "-"):  # stdin: from its offset
                        transfer, target = self.vm.attach_transfer(
                            os.path.realpath(infile), readonly=True)
                        doc["bulk"] = {"target": target, "size": size}
                        stream = None  # the agent reads the transfer disk, not the channel
                    with _Sink(spec.name, outfile) as sink:
                        if sink.tmp is not None and self._big_download(spec.name, wire):
                            os.truncate(sink.tmp, BULK_OUT_SIZE)  # sparse
                            transfer, target = self.vm.attach_transfer(sink.tmp, readonly=False)
                            doc["bulk"] = {"target": target}
                        self.bulk_size = None
                        self.chan.send(FrameType.CALL, serial, encode_call(doc))
                        early = self._send_stream(serial, stream) if stream else None
                        if early is not None:
                            return self._finish(spec, *early)
                        return self._receive(spec, serial, sink)
                except KeyboardInterrupt:
                    self.vm.interrupt = None  # a second Ctrl-C does not stop the cancelling
                    self._cancel(spec.name, serial)
                    raise
        except (EOFError, ProtocolError, OSError) as e:
            if isinstance(e, Error):
                raise
            raise self.vm.failure(f"{spec.name}: the appliance connection failed: {e}") from None
        finally:
            self.vm.deadline = None
            self.vm.interrupt = None
            if transfer is not None:
                self._detach(transfer)
            if src is not None and src is not sys.stdin.buffer:
                src.close()

    def _big_download(self, name: str, wire: dict[str, Any]) -> bool:
        """Whether a download is long enough to be worth a transfer disk."""
        if name not in BULK_OUT_OPS:
            return False
        size = wire.get("size")
        if not isinstance(size, int):
            size = self.call_internal("_size", 30, path=wire.get("remotefilename"))
        return isinstance(size, int) and size >= BULK_MIN

    def _detach(self, transfer: str) -> None:
        try:
            self.vm.detach_transfer(transfer)
        except OSError as e:
            log.warning("detaching transfer disk %s: %s", transfer, e)

    def call_internal(self, op: str, timeout: float, **args: Any) -> Any:
        """A call that is not an operation (power off, waking a restored appliance)."""
        self._serial += 1
        self.vm.deadline = time.monotonic() + timeout
        try:
            self.chan.send(FrameType.CALL, self._serial, encode_call({"op": op, "args": args}))
            ftype, body = self._next_reply(self._serial)
        finally:
            self.vm.deadline = None
        doc, _ = decode_doc(body)
        if ftype != FrameType.OK:
            raise ApplianceError(f"{op}: {doc.get('message')}")
        return doc.get("ret")

    def start_session(self, op: str, args: dict[str, Any]) -> int:
        """Send the CALL of an internal call that goes on as a session (the rescue shell,
        guestbox/rescue.py), with no deadline; its serial, for the session's frames."""
        self._serial += 1
        self.vm.deadline = None
        self.chan.send(FrameType.CALL, self._serial, encode_call({"op": op, "args": args}))
        return self._serial

    def _send_stream(self, serial: int, src: IO[bytes]) -> tuple[FrameType, bytes] | None:
        """Send a FileIn stream; if the agent replies early (an error), cancel and return it.

        Progress events come from here: only the host knows how much is still to send.
        """
        try:
            st = os.fstat(src.fileno())
            total = st.st_size if stat.S_ISREG(st.st_mode) else 0
        except (OSError, ValueError):
            total = 0
        sent = 0
        while True:
            data = src.read(CHUNK_SIZE)
            if self._reply_waiting():
                ftype, body = self._next_reply(serial)
                if ftype in (FrameType.OK, FrameType.ERR):
                    self.chan.send(FrameType.CANCEL, serial)
                    return ftype, body
            if not data:
                self.chan.send(FrameType.END, serial)
                return None
            if self.vm.interrupt is not None:
                self.vm.interrupt.check()
            self.chan.send(FrameType.CHUNK, serial, data)
            sent += len(data)
            if total:
                self.events.fire(EVENT_PROGRESS, b"", [0, serial, sent, total])

    def _reply_waiting(self) -> bool:
        sock = self.vm.sock
        return self.chan.pending() or (
            sock is not None and bool(select.select([sock], [], [], 0)[0])
        )

    def _next_reply(self, serial: int) -> tuple[FrameType, bytes]:
        """The next frame of this call, handling progress and log frames on the way."""
        while True:
            if self.vm.interrupt is not None:
                self.vm.interrupt.check()  # between frames: a safe point
            ftype, fserial, body = self.chan.recv()
            if fserial != serial:
                log.debug("dropping stale %s frame of call %d", ftype.name, fserial)
                continue
            if ftype == FrameType.PROGRESS:
                doc, _ = decode_doc(body)
                pos, total = doc.get("position"), doc.get("total")
                if isinstance(pos, int) and isinstance(total, int):
                    self.events.fire(EVENT_PROGRESS, b"", [0, serial, pos, total])
                continue
            if ftype == FrameType.LOG:
                doc, _ = decode_doc(body)
                self.events.fire(EVENT_LIBRARY, str(doc.get("message", "")).encode())
                continue
            return ftype, body

    def _receive(self, spec: OpSpec, serial: int, sink: _Sink) -> Any:
        while True:
            ftype, body = self._next_reply(serial)
            if ftype == FrameType.CHUNK:
                if not sink.open:
                    raise ProtocolError(f"{spec.name}: file data from the agent, none expected")
                try:
                    sink.write(body)
                except OSError as e:
                    self.chan.send(FrameType.CANCEL, serial)
                    self._drain(serial)
                    raise error_for(f"{spec.name}: {sink.name}: {e.strerror}", e.errno) from None
            elif ftype == FrameType.END:
                sink.complete = True
            elif ftype == FrameType.CANCEL:
                sink.complete = False
            else:
                value = self._finish(spec, ftype, body)
                if isinstance(self.bulk_size, int) and sink.tmp is not None:
                    sink.bulk_done(self.bulk_size)
                if sink.open and not sink.complete:
                    raise ProtocolError(f"{spec.name}: reply before the end of the file data")
                return value

    def _cancel(self, name: str, serial: int) -> None:
        """After Ctrl-C: cancel the call's stream and wait briefly for its reply, so that the
        appliance stays usable; ApplianceError if the call cannot be ended cleanly."""
        if self.vm.partial_send:
            raise ApplianceError(f"{name}: interrupted in the middle of a message")
        self.vm.deadline = time.monotonic() + 30
        try:
            self.chan.send(FrameType.CANCEL, serial)
            self._drain(serial)
        except (EOFError, ProtocolError, OSError) as e:
            raise self.vm.failure(f"{name}: could not cancel after an interrupt: {e}") from None

    def _drain(self, serial: int) -> None:
        while self._next_reply(serial)[0] not in (FrameType.OK, FrameType.ERR):
            pass

    def _finish(self, spec: OpSpec, ftype: FrameType, body: bytes) -> Any:
        doc, blob = decode_doc(body)
        if ftype == FrameType.ERR:
            message = doc.get("message")
            eno = doc.get("errno")
            if not isinstance(message, str) or not (eno is None or isinstance(eno, int)):
                raise ProtocolError(f"{spec.name}: malformed error reply")
            raise error_for(message, eno)
        if ftype != FrameType.OK:
            raise ProtocolError(f"{spec.name}: unexpected {ftype.name} frame as reply")
        self.bulk_size = doc.get("bulk_size")
        value: Any = doc.get("ret")
        if "mailbox" in doc:
            value = self.vm.take_mailbox(doc["mailbox"])
        elif doc.get("blob"):
            value = blob
        if not conforms(spec.ret, value):
            raise ApplianceError(f"{spec.name}: the appliance returned a result of the wrong "
                                 f"type: {str(value)[:200]}")
        return value


def _regular_size(f: IO[bytes]) -> int:
    """The size of f if it is a regular file (else 0: a pipe or a device streams)."""
    try:
        st = os.fstat(f.fileno())
    except (OSError, ValueError):
        return 0
    return st.st_size if stat.S_ISREG(st.st_mode) else 0


def _open_in(name: str, path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as e:
        raise error_for(f"{name}: {path}: {e.strerror}", e.errno) from None


class _Sink:
    """Where a FileOut stream goes: a regular file is written beside and renamed on success,
    so a failed download never leaves partial data under the destination name."""

    def __init__(self, name: str, path: str | None) -> None:
        self.name = path or ""
        self.open = path is not None
        self.complete = False
        self._path = path
        self._f: IO[bytes] | None = None
        self.tmp: str | None = None  # the file written beside the destination
        self._op = name

    def __enter__(self) -> _Sink:
        path = self._path
        if path is None:
            return self
        try:
            if path == "-":
                self._f = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
            elif os.path.isdir(path):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            elif os.path.exists(path) and not os.path.isfile(path):
                self._f = open(path, "wb")  # a device, a fifo, /dev/stdout ...
            else:
                fd, self.tmp = tempfile.mkstemp(
                    prefix=".guestbox-", dir=os.path.dirname(os.path.abspath(path)))
                self._f = os.fdopen(fd, "wb")
        except OSError as e:
            raise error_for(f"{self._op}: {path}: {e.strerror}", e.errno) from None
        return self

    def write(self, data: bytes) -> None:
        assert self._f is not None
        self._f.write(data)

    def bulk_done(self, size: int) -> None:
        """The agent wrote size bytes into tmp through a transfer disk."""
        assert self.tmp is not None
        os.truncate(self.tmp, size)
        self.complete = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._f is None:
            return
        try:
            self._f.close()
        finally:
            if self.tmp is not None:
                if exc_type is None and self.complete:
                    assert self._path is not None
                    os.chmod(self.tmp, 0o666 & ~_umask())
                    os.replace(self.tmp, self._path)
                else:
                    os.unlink(self.tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
