"""The hivex_* operations on the registry hives of the test data, in the shared guest."""

from __future__ import annotations

from pathlib import Path

import pytest

import guestbox
from guestbox.protocol import hives

PRODUCT = "Microsoft Windows 7 Phony Edition"


@pytest.fixture
def software(g: guestbox.GuestFS, gdir: str, testdata: Path) -> str:
    """The phony SOFTWARE hive in the guest."""
    g.upload(str(testdata / "hives" / "windows-software"), f"{gdir}/SOFTWARE")
    return f"{gdir}/SOFTWARE"


def child(g: guestbox.GuestFS, node: int, *names: str) -> int:
    for name in names:
        node = g.hivex_node_get_child(node, name)
        assert node, name
    return node


def test_keys_and_values_are_read(g: guestbox.GuestFS, software: str) -> None:
    g.hivex_open(software)
    try:
        root = g.hivex_root()
        kids = [c["hivex_node_h"] for c in g.hivex_node_children(root)]
        assert sorted(g.hivex_node_name(k) for k in kids) == ["Microsoft", "WOW6432node"]
        ms = g.hivex_node_get_child(root, "MICROSOFT")  # names compared without case
        assert ms in kids and g.hivex_node_name(ms) == "Microsoft"
        assert g.hivex_node_parent(ms) == root
        assert g.hivex_node_get_child(root, "Nope") == 0
        cv = child(g, ms, "Windows NT", "CurrentVersion")
        keys = {g.hivex_value_key(v["hivex_value_h"]) for v in g.hivex_node_values(cv)}
        assert keys == {"ProductName", "CurrentVersion", "InstallationType"}
        v = g.hivex_node_get_value(cv, "productname")
        assert g.hivex_value_key(v) == "ProductName" and g.hivex_value_type(v) == 1
        assert g.hivex_value_value(v) == (PRODUCT + "\0").encode("utf-16le")
        assert g.hivex_value_string(v) == PRODUCT == g.hivex_value_utf8(v)
        assert g.hivex_node_get_value(cv, "Nope") == 0
        with pytest.raises(guestbox.Error, match="^hivex_node_name: failed: "):
            g.hivex_node_name(7)
    finally:
        g.hivex_close()


def test_a_whole_key_is_exported_in_one_call(g: guestbox.GuestFS, software: str) -> None:
    g.hivex_open(software)
    try:
        nodes = hives.unpack(g.internal_hivex_export(g.hivex_root(), True))
        names = {n.name for n in nodes}
        assert {b"Microsoft", b"Uninstall", b"test1", b"test4", b"WOW6432node"} <= names
        cv = next(n for n in nodes if n.name == b"CurrentVersion" and n.values)
        assert nodes[nodes[cv.parent].parent].name == b"Microsoft"
        product = next(v for v in cv.values if v.key == b"ProductName")
        assert (product.type, product.data) == (1, (PRODUCT + "\0").encode("utf-16le"))
        one = hives.unpack(g.internal_hivex_export(g.hivex_root(), False))
        assert len(one) == 1 and one[0].parent == -1
    finally:
        g.hivex_close()


def test_changes_are_committed(g: guestbox.GuestFS, gdir: str, testdata: Path) -> None:
    hive = f"{gdir}/minimal"
    g.upload(str(testdata / "hives" / "minimal-hive"), hive)
    g.hivex_open(hive, write=True)
    root = g.hivex_root()
    foo = g.hivex_node_add_child(root, "Foo")
    g.hivex_node_set_value(foo, "answer", 4, (42).to_bytes(4, "little"))
    bar = g.hivex_node_add_child(foo, "Bar")
    g.internal_hivex_set_values(bar, b"".join(hives.pack_value(v) for v in (
        hives.Value(b"", 1, "d\0".encode("utf-16le")), hives.Value(b"bin", 3, b"\x01\x02"))))
    gone = g.hivex_node_add_child(root, "Gone")
    g.hivex_node_delete_child(gone)
    g.hivex_commit(f"{gdir}/copy")  # the original is left as it was
    g.hivex_commit(None)
    g.hivex_close()
    for path in (hive, f"{gdir}/copy"):
        g.hivex_open(path)
        root = g.hivex_root()
        assert g.hivex_node_get_child(root, "Gone") == 0
        foo = child(g, root, "Foo")
        assert g.hivex_value_value(g.hivex_node_get_value(foo, "answer")) == b"*\0\0\0"
        bar = child(g, foo, "Bar")
        values = {g.hivex_value_key(v["hivex_value_h"]): g.hivex_value_value(v["hivex_value_h"])
                  for v in g.hivex_node_values(bar)}
        assert values == {"": "d\0".encode("utf-16le"), "bin": b"\x01\x02"}
        g.hivex_close()


def test_errors(g: guestbox.GuestFS, gdir: str, software: str) -> None:
    with pytest.raises(guestbox.Error, match=f"^hivex_open: hivex failed to open {gdir}/nope: "
                       "No such file or directory$"):
        g.hivex_open(f"{gdir}/nope")
    with pytest.raises(guestbox.Error, match="^hivex_root: you must call 'hivex-open' first "
                       "to initialize the hivex handle$"):  # a failed open leaves none
        g.hivex_root()
    g.hivex_open(software)
    try:
        with pytest.raises(guestbox.Error, match="filename argument must be an absolute path"):
            g.hivex_commit("relative")
        with pytest.raises(guestbox.Error, match="^hivex_node_add_child: failed: "):
            g.hivex_node_add_child(g.hivex_root(), "x")  # not opened for writing
    finally:
        g.hivex_close()
