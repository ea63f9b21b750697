"""Trace lines in libguestfs's format (what `guestbox shell -x` and LIBGUESTFS_TRACE print)."""

from __future__ import annotations

from guestbox.api import REGISTRY
from guestbox.api.tracing import call_line, error_line, result_line


def test_call_lines() -> None:
    assert call_line(REGISTRY["part_add"], {"device": "/dev/sda", "prlogex": "p",
                                            "startsect": 2048, "endsect": -1}) == \
        'part_add "/dev/sda" "p" 2048 -1'
    assert call_line(REGISTRY["mkfs"], {"fstype": "ext4", "device": "/dev/sda1",
                                        "blocksize": 4096, "label": "x"}) == \
        'mkfs "ext4" "/dev/sda1" "blocksize:4096" "label:x"'
    assert call_line(REGISTRY["readlinklist"], {"path": "/", "names": ["a b", "c"]}) == \
        'readlinklist "/" "a b c"'
    assert call_line(REGISTRY["write"], {"path": "/f", "content": b"a\nb"}) == \
        'write "/f" "a\\x0ab"'
    assert call_line(REGISTRY["add_drive_opts"], {"filename": "d", "readonly": True}) == \
        'add_drive_opts "d" "readonly:true"'


def test_keys_are_hidden() -> None:
    line = call_line(REGISTRY["luks_open"], {"device": "/dev/sda1", "key": "secret",
                                             "mapname": "m"})
    assert "secret" not in line and '"***"' in line


def test_result_lines() -> None:
    assert result_line(REGISTRY["part_init"], None) == "part_init = 0"
    assert result_line(REGISTRY["exists"], True) == "exists = 1"
    assert result_line(REGISTRY["filesize"], 12) == "filesize = 12"
    assert result_line(REGISTRY["cat"], "hi") == 'cat = "hi"'
    assert result_line(REGISTRY["ls"], ["a", "b"]) == 'ls = ["a", "b"]'
    assert result_line(REGISTRY["mountpoints"], {"/dev/sda1": "/"}) == \
        'mountpoints = ["/dev/sda1", "/"]'
    assert result_line(REGISTRY["part_list"], [
        {"part_num": 1, "part_start": 512, "part_end": 1023, "part_size": 512}]) == (
        "part_list = <struct guestfs_partition_list(1) = "
        "[0]{part_num: 1, part_start: 512, part_end: 1023, part_size: 512, }>")
    assert result_line(REGISTRY["part_list"], []) == \
        "part_list = <struct guestfs_partition_list(0)>"


def test_error_lines() -> None:
    assert error_line(REGISTRY["exists"]) == "exists = -1 (error)"
    assert error_line(REGISTRY["mkdir"]) == "mkdir = -1 (error)"
    assert error_line(REGISTRY["cat"]) == "cat = NULL (error)"
    assert error_line(REGISTRY["ls"]) == "ls = NULL (error)"


def test_unprintable_characters() -> None:
    """Buffers get \\xHH, strings and string lists \\xH, as libguestfs 1.48 traces them."""
    assert result_line(REGISTRY["pread"], b"a\n") == 'pread = "a\\x0a"'
    assert result_line(REGISTRY["read_lines"], ["a", "b\x01"]) == \
        'read_lines = ["a", "b\\x1"]'
