"""Python calls written as guestfish command lines (cli/shell/script.py): pure logic.

Every line is read back with the shell's own parser and argument conversion
(words.py, args.py), which must give the Python arguments again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from guestbox.api import REGISTRY, OpSpec
from guestbox.api.kinds import plain
from guestbox.api.table import Param
from guestbox.cli.shell.args import convert, dashed
from guestbox.cli.shell.script import (
    NotScriptable,
    ScriptRecorder,
    command_line,
    disk_answers,
    quote,
)
from guestbox.cli.shell.words import parse_line

TRICKY = "a b\"c\\d\n\t\r\x01\x7f'é ~|#"
TRICKY_BYTES = b"\x01a b\"\\\n\t\x80\xff'~|#"


def _sample(p: Param, i: int) -> Any:
    """A value of p's kind, awkward to quote."""
    kind = plain(p.kind)
    if kind is bool:
        return i % 2 == 0
    if kind is int:
        return 0o755 if p.name == "mode" else -7 - i
    if kind is bytes:
        return TRICKY_BYTES
    if kind == list[str]:
        return ["/dev/sda1", "x=y", "~a|b#"]
    if p.meaning in ("FileIn", "FileOut", "HostPath"):
        return f"/tmp/host dir {i}/x\"y"
    return ["~user/x", "|pipe", TRICKY, "-x", "#x", "", "name:value"][i % 7]


def _read_back(line: str, spec: OpSpec) -> dict[str, Any]:
    parsed = parse_line(line)
    assert parsed.kind == "command" and parsed.pipe is None and not parsed.ignore_error
    assert parsed.words[0] == dashed(spec.name)
    return convert(spec, list(parsed.words[1:]))


KEYLESS = [s for s in REGISTRY.values() if not any(p.meaning == "Key" for p in s.params)]


@pytest.mark.parametrize("spec", KEYLESS, ids=lambda s: s.name)
def test_every_operation_reads_back_as_called(spec: OpSpec) -> None:
    args = {p.name: _sample(p, i) for i, p in enumerate(spec.params)}
    line, keys = command_line(spec, args)
    assert keys == [] and "\n" not in line
    assert _read_back(line, spec) == args
    required_only = {p.name: args[p.name] for p in spec.required}
    assert _read_back(command_line(spec, required_only)[0], spec) == required_only


def test_plain_words_stay_bare_and_others_are_quoted() -> None:
    r = ScriptRecorder()
    r.mkfs("ext2", "/dev/sda1", blocksize=4096, label="my label")
    r.chmod(0o640, "/etc/x")
    r.mkdir_p("/Program Files")
    r.write("/f", b"line\n\x00\xff"[:-2] + b"\xe9")
    r.write_append("/g", "é".encode())
    r.vgcreate("VG", ["/dev/sda2", "/dev/sdb2"])
    r.mount_options("", "/dev/sda1", "/")
    r.mkfs("ext4", "/dev/sda1", label=None)
    assert r.script == (
        'mkfs ext2 /dev/sda1 blocksize:4096 "label:my label"\n'
        "chmod 0640 /etc/x\n"
        'mkdir-p "/Program Files"\n'
        'write /f "line\\n\\xe9"\n'
        'write-append /g "\\xc3\\xa9"\n'
        'vgcreate VG "/dev/sda2 /dev/sdb2"\n'
        'mount-options "" /dev/sda1 /\n'
        "mkfs ext4 /dev/sda1\n")
    assert r.keys == []


def test_text_arguments_keep_non_ascii_as_written() -> None:
    assert quote("/é") == '"/é"'
    assert quote("é", binary=True) == '"\\xe9"'
    assert quote("tab\there") == '"tab\\there"'


def test_keys_are_left_out_and_collected_in_order() -> None:
    r = ScriptRecorder()
    r.luks_format("/dev/sda2", "first key", 0)
    r.luks_add_key("/dev/sda2", "first key", "second key", 1)
    r.cryptsetup_open("/dev/sda2", "second key", "luks", readonly=True)
    assert r.lines == ["luks-format /dev/sda2 0", "luks-add-key /dev/sda2 1",
                       "cryptsetup-open /dev/sda2 luks readonly:true"]
    assert r.keys == ["first key", "first key", "second key", "second key"]
    assert "first" not in r.script and "second" not in r.script
    assert r.script_with_keys == (  # for --keys-from-stdin: each key on the line after
        "luks-format /dev/sda2 0\nfirst key\nluks-add-key /dev/sda2 1\nfirst key\n"
        "second key\ncryptsetup-open /dev/sda2 luks readonly:true\nsecond key\n")


def test_a_key_with_a_newline_cannot_be_read_from_a_line() -> None:
    r = ScriptRecorder()
    r.luks_format("/dev/sda2", "two\nlines", 0)
    assert r.script == "luks-format /dev/sda2 0\n"
    with pytest.raises(NotScriptable, match="a key read from a line cannot hold a newline"):
        print(r.script_with_keys)


def test_an_optional_key_cannot_be_written() -> None:
    with pytest.raises(NotScriptable, match="add_drive: key"):
        ScriptRecorder().add_drive("/tmp/d.img", key="secret")


def test_host_paths_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = ScriptRecorder()
    r.upload("data/file", "/file")
    r.upload("-", "/stdin")
    r.download("/file", "out")
    r.tar_in("x.tar.xz", "/", compress="xz")
    r.add_drive("disk.img", format="raw", readonly=True)
    assert r.lines == [f"upload {tmp_path}/data/file /file", "upload - /stdin",
                       f"download /file {tmp_path}/out",
                       f"tar-in {tmp_path}/x.tar.xz / compress:xz",
                       f"add-drive {tmp_path}/disk.img readonly:true format:raw"]
    assert os.path.isabs(_read_back(r.lines[0], REGISTRY["upload"])["filename"])


def test_a_last_nul_counted_by_its_length_is_the_c_strings() -> None:
    r = ScriptRecorder()
    label = b"system_u:object_r:shadow_t:s0\0"
    r.setxattr("security.selinux", label, len(label), "/etc/shadow")
    assert r.lines == ["setxattr security.selinux system_u:object_r:shadow_t:s0 30 /etc/shadow"]
    with pytest.raises(NotScriptable, match="setxattr: val: guestfish words cannot hold a NUL"):
        r.setxattr("user.x", b"a\0b", 3, "/f")
    with pytest.raises(NotScriptable, match="NUL"):
        r.setxattr("user.x", b"ab\0", 2, "/f")  # the NUL is not counted: not a C string's
    with pytest.raises(NotScriptable, match="write: content"):
        r.write("/f", b"\0")


@pytest.mark.parametrize("items", [["a b"], [""], ['a"'], ["x\ty"]])
def test_list_items_that_guestfish_cannot_split_back(items: list[str]) -> None:
    with pytest.raises(NotScriptable, match="vgcreate: physvols: .*string list item"):
        ScriptRecorder().vgcreate("VG", items)


def test_wrong_arguments_are_refused_before_anything_is_written() -> None:
    r = ScriptRecorder()
    with pytest.raises(TypeError, match="chmod: mode must be int, not str"):
        r.chmod("0755", "/x")
    with pytest.raises(TypeError, match="mkdir: path must be Pathname, not NoneType"):
        r.mkdir(None)
    with pytest.raises(TypeError, match="mkdir: missing a required argument: 'path'"):
        r.mkdir()
    with pytest.raises(TypeError, match="mkfs: got an unexpected keyword argument 'size'"):
        r.mkfs("ext2", "/dev/sda", size=1)
    with pytest.raises(AttributeError, match="no operation 'no_such_op'"):
        r.no_such_op()
    assert r.lines == [] and r.keys == []


def test_queries_need_answers_and_are_noted() -> None:
    r = ScriptRecorder(disk_answers([512 * 1024 * 1024, 1024 * 1024]))
    assert r.blockdev_getsz("/dev/sda") == 1048576
    assert r.blockdev_getsize64("/dev/sdb") == 1024 * 1024
    assert r.list_devices() == ["/dev/sda", "/dev/sdb"]
    assert r.lines == ["# blockdev-getsz /dev/sda = 1048576",
                       "# blockdev-getsize64 /dev/sdb = 1048576",
                       "# list-devices = ['/dev/sda', '/dev/sdb']"]
    with pytest.raises(NotScriptable, match=r"/dev/sdc: not one of the declared disks"):
        r.blockdev_getsz("/dev/sdc")
    with pytest.raises(NotScriptable, match="luks_uuid: a script cannot hand its result back"):
        r.luks_uuid("/dev/sda2")
    assert len(r.lines) == 3


def test_writing_operations_with_results_are_recorded() -> None:
    r = ScriptRecorder()
    assert r.pwrite_device("/dev/sda", b"1234", 0x1B8) is None
    answered = ScriptRecorder({"mkdtemp": lambda tmpl: tmpl.replace("XXXXXX", "abcdef")})
    assert answered.mkdtemp("/tmp/dirXXXXXX") == "/tmp/dirabcdef"
    assert (r.lines, answered.lines) == (["pwrite-device /dev/sda 1234 440"],
                                        ["mkdtemp /tmp/dirXXXXXX"])
