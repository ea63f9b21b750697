"""The framing and codec, over an in-memory transport (pure logic)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import pytest

from guestbox.protocol.frames import (
    HEADER,
    MAX_FRAME,
    Channel,
    FrameType,
    ProtocolError,
    decode_call,
    decode_doc,
    encode_call,
    encode_doc,
    encode_int_reply,
    send_parts,
)


def pair() -> tuple[Channel, Channel, socket.socket, socket.socket]:
    a, b = socket.socketpair()
    def sender(s: socket.socket) -> Callable[..., None]:
        return lambda *parts: [s.sendall(p) for p in parts]

    return Channel(a.recv_into, sender(a)), Channel(b.recv_into, sender(b)), a, b


def test_doc_and_blob_round_trip() -> None:
    body = encode_doc({"op": "write", "args": {"path": "/x"}}, b"\x00\xff raw")
    doc, blob = decode_doc(body)
    assert doc == {"op": "write", "args": {"path": "/x"}}
    assert blob == b"\x00\xff raw"


def test_call_round_trip_carries_buffers_inside() -> None:
    doc = {"op": "pwrite", "args": {"path": "/x", "content": b"\x00\xff", "offset": 2**40,
                                    "flag": True, "list": ["a", None]}}
    assert decode_call(encode_call(doc)) == doc


@pytest.mark.parametrize("body", [b"", b"\xff\x00", encode_call(["not", "a", "dict"])])  # type: ignore[arg-type]
def test_malformed_calls_are_protocol_errors(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_call(body)


def test_frames_cross_a_socket_in_order() -> None:
    left, right, a, b = pair()
    with a, b:

        def sender() -> None:
            left.send(FrameType.CALL, 7, encode_call({"op": "ls"}))
            left.send(FrameType.CHUNK, 7, b"x" * 300_000)  # more than the socket buffers
            left.send(FrameType.END, 7)

        t = threading.Thread(target=sender)
        t.start()
        kind, serial, body = right.recv()
        assert (kind, serial, decode_call(body)) == (FrameType.CALL, 7, {"op": "ls"})
        assert right.recv() == (FrameType.CHUNK, 7, b"x" * 300_000)
        assert right.recv() == (FrameType.END, 7, b"")
        t.join()


def test_oversized_frame_is_refused_on_both_sides() -> None:
    left, right, a, b = pair()
    with a, b:
        with pytest.raises(ProtocolError):
            left.send(FrameType.CHUNK, 1, b"\0" * MAX_FRAME)
        a.sendall(HEADER.pack(MAX_FRAME + 1, FrameType.CHUNK, 1))
        with pytest.raises(ProtocolError, match="out of range"):
            right.recv()


@pytest.mark.parametrize("raw", [b"\x00\x00\x00\x05\x63\x00\x00\x00\x01", b"\x00\x00\x00\x01xxxxx"])
def test_malformed_headers_are_protocol_errors(raw: bytes) -> None:
    _, right, a, b = pair()
    with a, b:
        a.sendall(raw)
        with pytest.raises(ProtocolError):
            right.recv()


@pytest.mark.parametrize(
    "body", [b"", b"\x00\x00\x00\x09{}", b"\x00\x00\x00\x02[]", b"\x00\x00\x00\x01{"]
)
def test_malformed_documents_are_protocol_errors(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_doc(body)


def test_peer_closing_is_eof() -> None:
    _, right, a, b = pair()
    with b:
        a.sendall(HEADER.pack(20, FrameType.OK, 1)[:5])
        a.close()
        with pytest.raises(EOFError):
            right.recv()


def test_send_parts_finishes_whatever_each_write_takes() -> None:
    out = bytearray()

    def stingy(views: list[bytes | memoryview]) -> int:
        """Takes at most 3 bytes of the first buffer, as a full pipe might."""
        first = bytes(views[0][:3])
        out.extend(first)
        return len(first)

    send_parts(stingy, (b"header", b"", memoryview(b"body of the frame"), b"!"))
    assert bytes(out) == b"headerbody of the frame!"


@pytest.mark.parametrize("value", [0, 4096, -1, 2**63 - 1, -(2**63)])
def test_int_replies_are_the_same_document(value: int) -> None:
    assert encode_int_reply(value) == encode_doc({"ret": value})
    assert decode_doc(encode_int_reply(value))[0] == {"ret": value}
