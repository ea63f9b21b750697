"""`guestbox inspect` run as a program on the phony guests, against virt-inspector's output.

Each guest's XML must equal ../shared/testdata/expected-inspector's, byte for
byte, except for what PHONY-GUESTS.md says cannot be reproduced (the random
NTFS serial of windows.img; the LUKS UUID in fedora-luks-on-lvm's device
names).  The JSON output must hold the same content, and the XML must validate
against virt-inspector's RelaxNG schema (from the Debian package guestfs-tools,
fetched with apt-get download when it is not installed).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import guestbox
from guestbox.appliance.cache import cache_dir, locked
from tests import phony

SRC = str(Path(__file__).resolve().parents[2] / "src")
EXPECTED = phony.TESTDATA / "expected-inspector"
KEYS = {
    "fedora-lvm-on-luks": ["--key", "/dev/sda2:key:FEDORA"],
    "fedora-luks-on-lvm": [arg for short, lv in (("Root", "Root"), ("LV1", "Logical-Volume-1"),
                                                 ("LV2", "Logical-Volume-2"),
                                                 ("LV3", "Logical-Volume-3"))
                           for arg in ("--key", f"/dev/Volume-Group/{lv}:key:FEDORA-{short}")],
}
COMPARED = {  # phony guest -> the expected XML it is compared with (PHONY-GUESTS.md)
    "debian": "debian", "ubuntu": "ubuntu", "archlinux": "archlinux", "fedora": "fedora",
    "fedora-lvm-on-luks": "fedora", "fedora-luks-on-lvm": "fedora", "windows": "windows",
}
NTFS_SERIAL = re.compile(r"<uuid>[0-9A-F]{16}</uuid>")


def inspect(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", "inspect", *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=600)


def disk_args(name: str) -> list[str]:
    return ["--format=raw", *(a for p in phony.images(name) for a in ("-a", str(p))),
            *KEYS.get(name, [])]


def ok(p: subprocess.CompletedProcess[str]) -> str:
    assert p.returncode == 0, p.stderr
    return p.stdout


# -- what the output must be ----------------------------------------------------------
def expected_xml(name: str) -> str:
    """The expected XML of guest name, with what PHONY-GUESTS.md says differs put right."""
    text = (EXPECTED / f"expected-{COMPARED[name]}.img.xml").read_text()
    if name == "fedora-luks-on-lvm":
        g = guestbox.GuestFS()
        try:
            g.add_drive_opts(str(phony.image(name)), readonly=True, format="raw")
            g.launch()
            uuid = g.luks_uuid("/dev/Volume-Group/Root")
        finally:
            g.close()
        assert text.count("/dev/VG/Root") == 3
        text = text.replace("/dev/VG/Root", f"/dev/mapper/luks-{uuid}")
    return text


def comparable(xml: str) -> str:
    """xml with the NTFS serial (random in each build of windows.img) masked."""
    return NTFS_SERIAL.sub("<uuid>NTFS-SERIAL</uuid>", xml)


def xml_as_json(xml: str) -> dict[str, Any]:
    """virt-inspector's XML turned into the structure --json prints (docs/inspect.md)."""
    oses = []
    for os_el in ET.fromstring(xml):
        os_: dict[str, Any] = {}
        for el in os_el:
            if el.tag == "mountpoints":
                os_[el.tag] = [{"dev": m.get("dev"), "mountpoint": m.text} for m in el]
            elif el.tag == "filesystems":
                os_[el.tag] = [{"dev": f.get("dev"), **{c.tag: c.text for c in f}} for f in el]
            elif el.tag == "drive_mappings":
                os_[el.tag] = [{"name": d.get("name"), "dev": d.text} for d in el]
            elif el.tag == "applications":
                os_[el.tag] = [{c.tag: int(c.text or "") if c.tag == "epoch" else c.text
                                for c in a} for a in el]
            elif el.tag == "icon":
                os_[el.tag] = "".join((el.text or "").split())
            elif el.tag in ("major_version", "minor_version"):
                os_[el.tag] = int(el.text or "")
            else:
                os_[el.tag] = el.text
        oses.append(os_)
    return {"operatingsystems": oses}


def ordered(value: Any) -> Any:
    """value with every dict as a list of its items: the key order is compared too."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


@pytest.fixture(scope="module")
def rng_schema() -> Path:
    """virt-inspector.rng: installed by guestfs-tools' docs, else from its .deb (cached)."""
    where = cache_dir() / "virt-inspector-rng"
    where.mkdir(exist_ok=True)
    schema = where / "virt-inspector.rng"
    with locked(where / "lock"):
        if not schema.exists():
            packed = Path("/usr/share/doc/guestfs-tools/virt-inspector.rng.gz")
            if not packed.exists():
                subprocess.run(["apt-get", "download", "-q", "guestfs-tools"], cwd=where,
                               check=True, capture_output=True)
                deb = next(where.glob("guestfs-tools_*.deb"))
                subprocess.run(["dpkg-deb", "-x", str(deb), str(where / "x")], check=True)
                packed = where / "x" / str(packed).lstrip("/")
            schema.write_bytes(gzip.decompress(packed.read_bytes()))
    return schema


def validate(schema: Path, xml: str, tmp_path: Path) -> None:
    f = tmp_path / "out.xml"
    f.write_text(xml)
    p = subprocess.run(["xmllint", "--noout", "--relaxng", str(schema), str(f)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


# -- the phony guests -------------------------------------------------------------------
@pytest.fixture(scope="module")
def outputs() -> Callable[[str, str], str]:
    """guest name, "--xml" | "--json" -> guestbox inspect's output (each run once)."""
    done: dict[tuple[str, str], str] = {}

    def get(name: str, fmt: str) -> str:
        if (name, fmt) not in done:
            done[name, fmt] = ok(inspect(*disk_args(name), fmt))
        return done[name, fmt]

    return get


@pytest.mark.parametrize("name", list(COMPARED))
def test_xml_is_virt_inspectors(name: str, outputs: Callable[[str, str], str]) -> None:
    assert comparable(outputs(name, "--xml")) == comparable(expected_xml(name))


@pytest.mark.parametrize("name", list(COMPARED))
def test_json_has_the_same_content(name: str, outputs: Callable[[str, str], str]) -> None:
    got = json.loads(outputs(name, "--json"))
    want = xml_as_json(comparable(expected_xml(name)))
    for os_ in got["operatingsystems"]:
        for fs in os_["filesystems"]:
            if "uuid" in fs and re.fullmatch(r"[0-9A-F]{16}", fs["uuid"]):
                fs["uuid"] = "NTFS-SERIAL"
    assert ordered(got) == ordered(want)


@pytest.mark.parametrize("name", ["debian", "fedora", "windows", "ubuntu"])
def test_xml_validates_against_virt_inspectors_schema(
        name: str, outputs: Callable[[str, str], str], rng_schema: Path,
        tmp_path: Path) -> None:
    validate(rng_schema, outputs(name, "--xml"), tmp_path)


def test_xml_is_the_default(outputs: Callable[[str, str], str]) -> None:
    assert ok(inspect(*disk_args("archlinux"))) == outputs("archlinux", "--xml")


def test_no_applications(outputs: Callable[[str, str], str]) -> None:
    out = ok(inspect(*disk_args("debian"), "--no-applications"))
    whole = outputs("debian", "--xml")
    apps = re.search(r"    <applications>\n.*</applications>\n", whole, re.S)
    assert apps is not None and "<applications" not in out
    assert out == whole.replace(apps.group(0), "")


def test_key_from_stdin() -> None:
    disk = str(phony.image("fedora-lvm-on-luks"))
    p = inspect("--format=raw", "-a", disk, "--keys-from-stdin", stdin="FEDORA\n")
    assert ok(p) == expected_xml("fedora-lvm-on-luks")


def test_wrong_key_is_an_error() -> None:
    disk = str(phony.image("fedora-lvm-on-luks"))
    p = inspect("--format=raw", "-a", disk, "--key", "/dev/sda2:key:WRONG")
    assert p.returncode == 1 and p.stdout == ""
    assert "could not find key to open LUKS encrypted /dev/sda2" in p.stderr
    p = inspect("--format=raw", "-a", disk, "--keys-from-stdin", stdin="")
    assert p.returncode == 1
    assert p.stderr == ('guestbox inspect: could not read key or passphrase ("/dev/sda2"): '
                        "end of input\n")


# -- an icon ----------------------------------------------------------------------------
def png(width: int, height: int) -> bytes:
    """A small valid PNG (grey, 8 bits) of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\0" + bytes(range(width)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                               8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def test_icon(tmp_path: Path, rng_schema: Path) -> None:
    """Debian's icon (/usr/share/pixmaps/debian-logo.png), base64 in lines of 72, CR LF."""
    disk = tmp_path / "debian-icon.img"
    subprocess.run(["cp", "--sparse=always", str(phony.image("debian")), str(disk)], check=True)
    icon = png(48, 48)
    assert 100 < len(icon) <= 2048  # libguestfs takes a Debian logo of up to 2048 bytes
    g = guestbox.GuestFS()
    try:
        g.add_drive_opts(str(disk), format="raw")
        g.launch()
        g.mount("/dev/debian/usr", "/")
        g.mkdir_p("/share/pixmaps")
        g.write("/share/pixmaps/debian-logo.png", icon)
        g.shutdown()
    finally:
        g.close()
    raw = subprocess.run([sys.executable, "-m", "guestbox.cli.main", "inspect", "--format=raw",
                          "-a", str(disk)], capture_output=True, timeout=600,
                         env=dict(os.environ, PYTHONPATH=SRC))
    assert raw.returncode == 0, raw.stderr
    xml = raw.stdout.decode()  # bytes: text mode would turn the CR LF into LF
    m = re.search(r"\n    <icon>([^<]*)</icon>\n  </operatingsystem>", xml)
    assert m is not None, xml
    lines = m.group(1).split("\r\n")
    assert all(len(line) == 72 for line in lines[:-1]) and 0 < len(lines[-1]) <= 72
    assert base64.b64decode("".join(lines)) == icon
    validate(rng_schema, xml, tmp_path)
    data = json.loads(ok(inspect("--format=raw", "-a", str(disk), "--json")))
    assert base64.b64decode(data["operatingsystems"][0]["icon"]) == icon
    no_icon = ok(inspect("--format=raw", "-a", str(disk), "--no-icon"))
    assert no_icon == xml.replace(m.group(0), "\n  </operatingsystem>")


# -- disks without an OS, and mistakes ---------------------------------------------------
def test_empty_disk(tmp_path: Path) -> None:
    """As virt-inspector 1.48: an empty report, not an error (its own schema wants at least
    one <operatingsystem>, so this output, virt-inspector's too, does not validate)."""
    disk = tmp_path / "empty.img"
    with open(disk, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    xml = ok(inspect("--format=raw", "-a", str(disk), "--xml"))
    assert xml == '<?xml version="1.0"?>\n<operatingsystems/>\n'
    assert json.loads(ok(inspect("-a", str(disk), "--json"))) == {"operatingsystems": []}


@pytest.mark.parametrize(("args", "status", "message"), [  # status 1, as virt-inspector's
    ([], 1, "guestbox inspect: error: you must specify at least one -a option"),
    (["-a", "x.img", "--format=raw"], 1, "--format parameter must appear before -a parameter"),
    (["-a", "x.img", "--xml", "--json"], 1, "argument --json: not allowed with argument --xml"),
    (["-a", "x.img", "--key", "/dev/sda2"], 1, "selector '/dev/sda2': missing TYPE"),
    (["-a", "x.img", "--key", "/dev/sda2:key:a:b"], 1,
     "selector '/dev/sda2:key:***': missing KEY_STRING, or too many fields"),
    (["-a", "x.img", "-d", "guest"], 1, "unrecognized arguments: -d guest"),
])
def test_bad_options(args: list[str], status: int, message: str) -> None:
    p = inspect(*args)
    assert (p.returncode, p.stdout) == (status, "")
    assert message in p.stderr


def test_missing_disk(tmp_path: Path) -> None:
    p = inspect("-a", str(tmp_path / "nothing.img"))
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.startswith("guestbox inspect: ")
    assert "nothing.img" in p.stderr


def test_help() -> None:
    p = inspect("--help")
    assert p.returncode == 0
    for option in ("-a DISK", "--format", "--json", "--no-applications", "--no-icon", "--key",
                   "--keys-from-stdin"):
        assert option in p.stdout
    assert shutil.which("xmllint"), "xmllint (libxml2-utils, scripts/setup-host) is needed"


# -- the writer alone (pure logic) -------------------------------------------------------
def test_xml_escaping_as_libxml2() -> None:
    """Text: & < > " and CR escaped; attributes also LF and TAB, non-ASCII as &#xN;."""
    from guestbox.cli.inspect_report import to_xml

    os_ = {"root": "/dev/sda1", "major_version": 1, "minor_version": 0,
           "hostname": 'a&b<c>"d\r\ne é',
           "mountpoints": [{"dev": "/dev/é\t\n\"", "mountpoint": "/"}],
           "filesystems": [{"dev": "/dev/sda1"}],
           "applications": [], "icon": "A" * 150}
    xml = to_xml([os_])
    assert '<hostname>a&amp;b&lt;c&gt;&quot;d&#13;\ne é</hostname>' in xml
    assert '<mountpoint dev="/dev/&#xE9;&#9;&#10;&quot;">/</mountpoint>' in xml
    assert '      <filesystem dev="/dev/sda1"/>\n' in xml
    assert "    <applications/>\n" in xml
    assert f"<icon>{'A' * 72}\r\n{'A' * 72}\r\nAAAAAA</icon>" in xml
    assert ET.fromstring(xml).findtext("operatingsystem/hostname") == 'a&b<c>"d\r\ne é'
