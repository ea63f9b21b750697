"""The operation table checks itself: one declaration, one agent function, docs in step."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

import guestbox
from guestbox.agent import families  # noqa: F401 - registers the agent functions
from guestbox.agent.registry import IMPLS
from guestbox.api import REGISTRY, Operations
from guestbox.api.docs import render
from guestbox.handle import GuestFS

ROOT = Path(__file__).resolve().parents[2]


def test_every_remote_operation_has_one_agent_function_with_its_parameters() -> None:
    for spec in REGISTRY.values():
        if spec.local:
            assert spec.name not in IMPLS, f"{spec.name} is local but has an agent function"
            continue
        assert spec.name in IMPLS, f"{spec.name} has no agent function"
        params = list(inspect.signature(IMPLS[spec.name]).parameters)[1:]
        assert params == [p.name for p in spec.params], spec.name


def test_every_agent_function_is_declared() -> None:
    assert set(IMPLS) <= set(REGISTRY)


def test_every_operation_is_a_documented_method_of_the_handle() -> None:
    for name, spec in REGISTRY.items():
        method = getattr(guestbox.GuestFS, name)
        assert method.__doc__ and method.__doc__.strip(), name
        assert getattr(method, "__guestbox_op__", None) is spec or spec.local, name
        assert hasattr(Operations, name)
        if spec.deprecated_by:
            assert spec.deprecated_by in REGISTRY, f"{name}: unknown {spec.deprecated_by}"


def test_generated_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "api.md").read_text()
    assert committed == render(), "docs/api.md is stale: run `guestbox docs docs/api.md`"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.exists(), "exists: missing a required argument: 'path'"),
        (lambda g: g.exists("/a", "/b"), "exists: too many positional arguments"),
        (lambda g: g.exists(path="/a", nosuch=1), "exists: got an unexpected keyword argument"),
        (lambda g: g.mkfs("ext4"), "mkfs: missing a required argument: 'device'"),
        (lambda g: g.mkfs("ext4", None), "mkfs: device must be Device, not None"),
        (lambda g: g.write("/f", content=None), "write: content must be bytes, not None"),
    ],
)
def test_wrong_arguments_are_type_errors_naming_the_operation(
    call: Callable[[GuestFS], object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        call(GuestFS())
