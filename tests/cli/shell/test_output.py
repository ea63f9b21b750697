"""Results printed as guestfish prints them."""

from __future__ import annotations

from guestbox.api import REGISTRY
from guestbox.cli.shell.output import render


def out(name: str, value: object) -> str:
    return render(REGISTRY[name].ret, value, name).decode()


def test_scalars() -> None:
    assert out("exists", True) == "true\n"
    assert out("is_dir", False) == "false\n"
    assert out("filesize", 9) == "9\n"
    assert out("cat", "hi\n") == "hi\n\n"
    assert render(REGISTRY["read_file"].ret, b"raw\x00") == b"raw\x00"
    assert out("get_umask", 0o22) == "022\n"


def test_lists_and_hashtables() -> None:
    assert out("ls", ["a", "b"]) == "a\nb\n"
    assert out("ls", []) == ""
    assert out("blkid", {"TYPE": "ext4", "USAGE": "filesystem"}) == \
        "TYPE: ext4\nUSAGE: filesystem\n"


def test_structs() -> None:
    assert out("statvfs", {"bsize": 1024, "namemax": 255}) == "bsize: 1024\nnamemax: 255\n"
    parts = [{"part_num": 1, "part_start": 2, "part_end": 3, "part_size": 2},
             {"part_num": 2, "part_start": 4, "part_end": 5, "part_size": 2}]
    assert out("part_list", parts) == (
        "[0] = {\n  part_num: 1\n  part_start: 2\n  part_end: 3\n  part_size: 2\n}\n"
        "[1] = {\n  part_num: 2\n  part_start: 4\n  part_end: 5\n  part_size: 2\n}\n")


def test_struct_buffers_and_percent() -> None:
    x = [{"attrname": "user.a", "attrval": b"v\x01"}]
    assert out("getxattrs", x) == "[0] = {\n  attrname: user.a\n  attrval: v\\x01\n}\n"
