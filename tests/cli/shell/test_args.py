"""Words to typed arguments, from the operation table."""

from __future__ import annotations

import pytest

from guestbox.api import REGISTRY
from guestbox.cli.shell.args import BadArgs, convert, parse_bool, parse_int, usage


@pytest.mark.parametrize(("word", "n"), [
    ("10", 10), ("0x10", 16), ("010", 8), ("-5", -5), ("1k", 1024), ("1K", 1024),
    ("2M", 2 * 1024**2), ("1G", 1024**3), ("1KB", 1000), ("1KiB", 1024), ("k", 1024),
])
def test_integers(word: str, n: int) -> None:
    assert parse_int(word, "x", "xstrtoll") == n


@pytest.mark.parametrize(("word", "code"), [("abc", 4), ("", 4), ("1Z", 1), ("10q", 2),
                                            ("99999999999999999999", 1)])
def test_bad_integers(word: str, code: int) -> None:
    with pytest.raises(BadArgs) as e:
        parse_int(word, "set-memsize: memsize", "xstrtoll")
    assert str(e.value) == (f"set-memsize: memsize: invalid integer parameter "
                            f"(xstrtoll returned {code})")


def test_booleans() -> None:
    for w in ("true", "T", "yes", "y", "on", "1"):
        assert parse_bool(w) is True
    for w in ("false", "F", "no", "n", "off", "0"):
        assert parse_bool(w) is False
    with pytest.raises(BadArgs, match="^guestfish: 'maybe': invalid boolean value, use "
                       "'true' or 'false'$"):
        parse_bool("maybe")


def test_convert_required_and_optional() -> None:
    spec = REGISTRY["mkfs"]
    got = convert(spec, ["ext4", "/dev/sda1", "blocksize:4k", "label:root"])
    assert got == {"fstype": "ext4", "device": "/dev/sda1", "blocksize": 4096, "label": "root"}
    assert convert(REGISTRY["vgcreate"], ["vg", "/dev/sda /dev/sdb"]) == {
        "volgroup": "vg", "physvols": ["/dev/sda", "/dev/sdb"]}


def test_convert_errors() -> None:
    with pytest.raises(BadArgs) as e:
        convert(REGISTRY["cat"], [])
    assert str(e.value) == ("error: incorrect number of arguments\nusage: cat path\n"
                            "type 'help cat' for more help on cat")
    with pytest.raises(BadArgs, match='^add-drive-opts: unknown optional argument "foo"$'):
        convert(REGISTRY["add_drive_opts"], ["/x", "foo"])
    with pytest.raises(BadArgs, match="invalid boolean value"):
        convert(REGISTRY["add_drive_opts"], ["/x", "readonly:true:1"])


def test_usage() -> None:
    assert usage(REGISTRY["add_drive_scratch"]).startswith(
        "add-drive-scratch size [name:..] [label:..] [blocksize:N]")
