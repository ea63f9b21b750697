"""`guestbox win-reg` on a copy of the phony Windows guest and the hives of the test data.

The guest's SOFTWARE hive was made by merging testdata/hives/windows-software.reg
into an empty hive: its export must hold the same keys and values, and merging
the same file into an empty user hive (HKU\\test) must give the same export.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from guestbox import GuestFS
from guestbox.cli.toolopts import ToolError
from guestbox.cli.tools import regedit
from guestbox.cli.tools.win_reg import Registry
from guestbox.protocol.hives import Node, Value
from tests import phony

from .cli_run import guestbox, run

KEY = "HKEY_LOCAL_MACHINE\\SOFTWARE"
USERS = ("test", "second", "third")  # each given an empty hive (testdata's minimal-hive)


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory, testdata: Path) -> Path:
    img = tmp_path_factory.mktemp("winreg") / "windows.img"
    subprocess.run(["cp", "--sparse=always", str(phony.image("windows")), str(img)],
                   check=True)
    g = GuestFS()
    try:
        g.add_drive_opts(str(img), format="raw")
        g.launch()
        g.mount("/dev/sda2", "/")
        for user in USERS:
            g.mkdir_p(f"/Users/{user}")
            g.upload(str(testdata / "hives" / "minimal-hive"), f"/Users/{user}/NTUSER.DAT")
        g.shutdown()
    finally:
        g.close()
    return img


def content(reg: bytes) -> dict[str, set[tuple[bytes, int, bytes]]]:
    """The keys of a .reg text and their values."""
    return {s.path: {(v.key, v.type, v.data) for v in s.values}
            for s in regedit.parse(reg.splitlines(keepends=True))}


@pytest.fixture(scope="module")
def software(guest: Path) -> bytes:
    """`win-reg DISK 'HKLM\\SOFTWARE'`'s output."""
    r = guestbox("win-reg", guest.as_posix(), "HKLM\\SOFTWARE")
    assert (r.returncode, r.stderr) == (0, b""), r.stderr
    return r.stdout


def test_the_export_holds_what_the_hive_was_made_from(software: bytes,
                                                      testdata: Path) -> None:
    assert software.startswith(f"[{KEY}\\]\n\n[{KEY}\\Microsoft]\n\n".encode())
    product = "Microsoft Windows 7 Phony Edition\0".encode("utf-16le")
    assert b'"ProductName"=hex(1):' + ",".join(f"{c:02x}" for c in product).encode() \
        + b"\n" in software
    made_from = content((testdata / "hives" / "windows-software.reg").read_bytes())
    assert content(software) == {f"{KEY}\\": set(), **made_from}


def test_merging_the_same_file_into_an_empty_hive_gives_the_same_keys(
        guest: Path, software: bytes, testdata: Path,
        capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    reg = (testdata / "hives" / "windows-software.reg").read_bytes()
    r = run(capfdbinary, "win-reg", "--merge", str(guest),
            stdin=reg.replace(KEY.encode(), b"HKEY_USERS\\test"))
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    r = run(capfdbinary, "win-reg", str(guest), "HKU\\test")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == software.replace(f"[{KEY}".encode(), b"[HKEY_USERS\\test")


CHANGES = (b"""\
Windows Registry Editor Version 5.00

; keys and values to change below
[HKEY_USERS\\second\\Software]

[HKEY_USERS\\second\\Software\\App]
"Name"="first"
"Keep"=dword:00000001
"Drop"=hex:01,02
@="default"
"Multi"=hex(7):61,00,00,00,62,00,00,00,00,00

[HKEY_USERS\\second\\Software\\Gone]
"x"=dword:00000000
""", b"""\
REGEDIT4

[HKU\\second\\Software\\App]
"name"="second"
"Drop"=-
@=-
"Bin"=hex:de,ad,\\
  be,ef
"Exp"=str(2):"%SystemRoot%\\\\x"

[-HKU\\second\\Software\\Gone]
""")


def utf16_hex(text: str) -> bytes:
    return ",".join(f"{c:02x}" for c in (text + "\0").encode("utf-16le")).encode()


def test_merged_files_set_replace_and_delete(
        guest: Path, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    files = []
    for i, text in enumerate(CHANGES):
        files.append(tmp_path / f"{i}.reg")
        files[-1].write_bytes(text.replace(b"\n", b"\r\n") if i else text)  # CRLF too
    r = run(capfdbinary, "win-reg", "--merge", str(guest), *map(str, files))
    assert (r.returncode, r.stderr) == (0, b"")
    r = run(capfdbinary, "win-reg", str(guest), "HKEY_USERS\\second")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == (
        b"[HKEY_USERS\\second\\]\n\n[HKEY_USERS\\second\\Software]\n\n"
        b"[HKEY_USERS\\second\\Software\\App]\n"
        b'"Bin"=hex(3):de,ad,be,ef\n'
        b'"Exp"=hex(2):' + utf16_hex("%SystemRoot%\\x") + b"\n"
        b'"Keep"=dword:00000001\n'
        b'"Multi"=hex(7):61,00,00,00,62,00,00,00,00,00\n'
        b'"name"=hex(1):' + utf16_hex("second") + b"\n\n")


def test_a_failed_merge_changes_nothing(guest: Path, tmp_path: Path, testdata: Path,
                                       capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    bad = tmp_path / "bad.reg"
    bad.write_bytes(b'[HKU\\third\\New]\n"a"="b"\n\n[HKU\\third\\Missing\\Child]\n"c"="d"\n')
    r = run(capfdbinary, "win-reg", "--merge", str(guest), str(bad))
    assert (r.returncode, r.stderr) == (
        255, b"reg_import: cannot create \\Missing\\Child since parent \\Missing\\ does not "
        b"exist\n")
    g = GuestFS()
    try:
        g.add_drive_opts(str(guest), format="raw", readonly=True)
        g.launch()
        g.mount_ro("/dev/sda2", "/")
        assert g.ls("/Users/third") == ["NTUSER.DAT"]  # no new version left beside it
        assert g.checksum("md5", "/Users/third/NTUSER.DAT") == hashlib.md5(
            (testdata / "hives" / "minimal-hive").read_bytes()).hexdigest()
    finally:
        g.close()
    bad.write_bytes(b"[HKU\\third\\New]\n\"a\"=\"b\"\nbogus\n")
    r = run(capfdbinary, "win-reg", "--merge", str(guest), str(bad))  # read before launching
    assert (r.returncode, r.stderr) == (
        255, b"reg_import: parse error: unexpected text found at line 3 near\nbogus\n")


@pytest.fixture(scope="module")
def registry(guest: Path) -> Iterator[Registry]:
    """The guest's registry in this process (its SOFTWARE hive is never changed here)."""
    g = GuestFS()
    g.add_drive_opts(str(guest), format="raw", readonly=True)
    g.launch()
    g.mount_ro("/dev/sda2", "/")
    yield Registry(g, "/Windows", argparse.Namespace(debug=False,
                                                     unsafe_printable_strings=False))
    g.close()


def test_values_as_hivexget_prints_them(registry: Registry,
                                        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
    assert registry.export(path, ["ProductName"]) == 0
    assert registry.export("hklm\\system\\select", ["LastKnownGood"]) == 0
    assert capsysbinary.readouterr().out == b"Microsoft Windows 7 Phony Edition\n2\n"
    assert registry.export(path, ["Nope"]) == 1
    assert capsysbinary.readouterr() == (
        b"", b"guestbox win-reg: Nope: key not found\n")


def test_paths_that_do_not_exist_or_are_not_supported(registry: Registry) -> None:
    with pytest.raises(ToolError, match=r"^\\Nope: path not found in this hive$"):
        registry.export("HKLM\\SOFTWARE\\Nope", [])
    with pytest.raises(ToolError, match=r"HKLM\\NOPE: not a supported Windows Registry path"):
        registry.export("HKLM\\NOPE", [])
    with pytest.raises(ToolError, match=r"nobody: cannot find user directory"):
        registry.export("HKU\\nobody", [])
    assert registry.map_path("HKU\\.DEFAULT\\X") == (
        "/Windows/system32/config/default", "\\X", "HKEY_LOCAL_MACHINE\\.DEFAULT")


# -- the .reg logic alone ---------------------------------------------------------------
def test_parse_errors_name_the_line() -> None:
    with pytest.raises(regedit.RegError, match="^reg_import: parse error: at line 2 near\n"
                       '"k"=dword:12$'):
        regedit.parse([b"[A]\n", b'"k"=dword:12\n'])
    with pytest.raises(regedit.RegError, match="unexpected text found at line 1 near\nA$"):
        regedit.parse([b"A\n"])


def test_values_of_every_kind_are_parsed() -> None:
    [s] = regedit.parse([b"[K]\n", b'"a"=hex:1,2\n', b'"b"=hex(b):0102030\n',
                         b'"c"="x\\"y"\n', b'"d"=str(2):"z"\n', b"@=dword:0000000a\n",
                         b'"e"=-\n'], encoding="ascii")
    assert s.values == [Value(b"a", 3, b"\x12"), Value(b"b", 11, b"\x01\x02\x03\x00"),
                        Value(b"c", 1, b'x"y\0'), Value(b"d", 2, b"z\0"),
                        Value(b"", 4, b"\n\0\0\0")]
    assert s.deleted_values == [b"e"]
    old = [Value(b"A", 1, b""), Value(b"keep", 1, b""), Value(b"E", 1, b"")]
    assert regedit.merged_values(old, s) == [Value(b"keep", 1, b""), *s.values]


def test_export_text_and_printable_strings() -> None:
    nodes = [Node(b"root", -1, [Value(b'q"\\', 1, "hi\0".encode("utf-16le")),
                                Value(b"", 4, b"\x01\0\0\0")]),
             Node(b"b", 0), Node(b"a", 0, [Value(b"n", 2, 'a"b\0'.encode("utf-16le"))])]
    out = b"".join(regedit.export_key(nodes, b"\\", b"HKU\\x\\", True))
    assert out == (b'[HKU\\x\\]\n@=dword:00000001\n"q\\"\\\\"=str(1):"hi"\n\n'
                   b'[HKU\\x\\a]\n"n"=str(2):"a\\"b"\n\n[HKU\\x\\b]\n\n')


def test_values_printed_as_hivexget_does() -> None:
    assert regedit.value_text(1, "ab\0junk".encode("utf-16le")) == b"ab\n"
    assert regedit.value_text(4, b"\xff\xff\xff\xff") == b"-1\n"
    assert regedit.value_text(5, b"\0\0\0\x02") == b"2\n"
    assert regedit.value_text(11, (2**40).to_bytes(8, "little")) == b"1099511627776\n"
    assert regedit.value_text(7, "a\0bc\0\0".encode("utf-16le")) == b"a\nbc\n"
    assert regedit.value_text(3, b"\x00\x01") == b"\x00\x01"
