"""Ctrl-C held during a call: raised when the call ends, however it ends."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from guestbox.errors import Error
from guestbox.interrupt import DeferredInterrupt


@pytest.fixture(autouse=True)
def sigint_as_on_a_terminal() -> Iterator[None]:
    """Python's own SIGINT handler, whatever this process inherited (tests/ctrl_c.py)."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


def test_a_ctrl_c_during_a_call_is_raised_when_it_returns() -> None:
    with pytest.raises(KeyboardInterrupt), DeferredInterrupt() as d:
        signal.raise_signal(signal.SIGINT)  # noted, not raised here
        assert d.pending
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_ctrl_c_during_a_call_that_fails_is_not_lost_to_its_error() -> None:
    with pytest.raises(KeyboardInterrupt) as e, DeferredInterrupt():
        signal.raise_signal(signal.SIGINT)
        raise Error("the call failed")
    assert isinstance(e.value.__context__, Error)  # the error goes with it


def test_without_ctrl_c_a_call_s_error_is_its_own() -> None:
    with pytest.raises(Error), DeferredInterrupt():
        raise Error("the call failed")
