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


@pytest.mark.parametrize("word", ["2147483648", "-2147483649", "0x80000000", "4294967297"])
def test_int_parameters_are_32_bit(word: str) -> None:
    """libguestfs `Int` parameters are range-checked as guestfish does; Int64 ones are not."""
    with pytest.raises(BadArgs) as e:
        convert(REGISTRY["part_get_bootable"], ["/dev/sda", word])
    assert str(e.value) == "part-get-bootable: partnum: integer out of range"
    assert convert(REGISTRY["part_get_bootable"], ["/dev/sda", "2147483647"])["partnum"] == \
        2**31 - 1
    assert convert(REGISTRY["truncate_size"], ["/f", word])["size"] == parse_int(word, "", "")
    assert convert(REGISTRY["part_add"], ["/dev/sda", "p", "0", word])["endsect"] == \
        parse_int(word, "", "")


def test_optional_arguments_as_guestfish_names_them() -> None:
    with pytest.raises(BadArgs) as e:
        convert(REGISTRY["mkfs"], ["ext4", "/dev/sda", "blocksize:"])
    assert str(e.value) == ("mkfs: optargs_s.blocksize: invalid integer parameter "
                            "(xstrtoll returned 4)")
    with pytest.raises(BadArgs) as e:
        convert(REGISTRY["mkfs"], ["ext4", "/dev/sda", "blocksize:4294967296"])
    assert str(e.value) == "mkfs: optargs_s.blocksize: integer out of range"
    with pytest.raises(BadArgs) as e:
        convert(REGISTRY["add_drive"], ["d.img", "readonly:true", "readonly:false"])
    assert str(e.value) == 'add-drive: optional argument "readonly" given more than once'
    assert convert(REGISTRY["mkfs"], ["ext4", "/dev/sda", "label:a:b"])["label"] == "a:b"


def test_string_list_argument_errors() -> None:
    with pytest.raises(BadArgs) as e:
        convert(REGISTRY["readlinklist"], ["/", "'x"])
    assert str(e.value) == "Runaway quote in string \"'x\""
    assert convert(REGISTRY["readlinklist"], ["/", "'a b' c"])["names"] == ["a b", "c"]
