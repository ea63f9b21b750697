"""`guestbox ls` (virt-ls) on the scratch disk and a phony guest: the four modes, the -lR
long and CSV formats with their optional fields, --json, errors and exit statuses."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator

import pytest

from guestbox.cli.tools.output import csv_field, human_size
from tests import phony
from tests.cli.tools import guestdisk
from tests.cli.tools.guestdisk import MODES, NAMES, OLD
from tests.cli.tools.running import disk_args, run

LINKS = {"link": "with space", "dangle": "/nowhere, at all", "dirlink": "../special"}


@pytest.fixture(scope="module")
def scratch() -> list[str]:
    return [*disk_args(guestdisk.image()), "-m", "/dev/sda1"]


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC (--times prints local times, as virt-ls)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _names() -> dict[bytes, tuple[str, int, str]]:
    """/names/NAME -> (type, size, link target) as the builder made them."""
    out = {n.encode("utf-8", "surrogateescape"): ("-", len(n.encode("utf-8", "surrogateescape")),
                                                  "") for n in NAMES}
    out |= {b"plain": ("-", 6, ""), b"hard": ("-", 6, "")}
    out |= {k.encode(): ("l", len(v), v) for k, v in LINKS.items()}
    return out


def test_long_recursive_format_and_errors(scratch: list[str],
                                          capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """virt-ls -lR: the top directory, then its entries sorted by their bytes, a line each;
    a DIR that is missing or not a directory is told and the others are listed."""
    r = run(capfdbinary, "ls", *scratch, "-lR", "/names", "/nowhere", "/names/plain")
    want = [b"d 0755       1024 /names"]
    for name, (kind, size, target) in sorted(_names().items()):
        mode = "0777" if kind == "l" else "0644"
        line = f"{kind} {mode} {size:10d} ".encode() + b"/names/" + name
        want.append(line + (f" -> {target}".encode() if target else b""))
    want.append(b"- 0644          6 /names/plain")  # a file: its line, then ls fails
    assert r.out == b"\n".join(want) + b"\n"
    assert r.err == ("libguestfs: error: lstatns: /nowhere: No such file or directory\n"
                     "libguestfs: error: ls: /names/plain: Not a directory\n")
    assert r.status == 1


def test_csv_with_every_field(scratch: list[str], utc: None,
                              capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "ls", *scratch, "-lR", "--csv", "--uids", "--times", "--extra-stats",
            "--checksum", "/modes", "/names")
    assert r.status == 0, r.err
    rows = r.text.split("\n")
    md5 = hashlib.md5(b"setuid").hexdigest()
    old = "2001-02-03 04:05:06"
    when = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert re.fullmatch(rf"-,4755,6,   0,   0,{old},{old},{when},8:1,\d+,1,0:0,\d+,{md5},"
                        "/modes/setuid", rows[4]), rows[4]
    for name, (mode, uid, gid) in MODES.items():
        assert any(re.fullmatch(rf"-,{mode:04o},{len(name)},{uid:4d},{gid:4d},.*,/modes/{name}",
                                row) for row in rows), name
    assert re.fullmatch(rf"d,1777,1024,   0,   0,{when},{when},{when},8:1,\d+,2,0:0,\d+,,"
                        "/modes/sticky", rows[5]), rows[5]
    # text fields are quoted when they hold a space, a quote, a comma or a newline
    assert any(row.endswith(',"/names/with space"') for row in rows)
    assert any(row.endswith(',"/names/quo""te"') for row in rows)
    assert ',"/names/new\nline"\n' in r.text
    assert re.search(r'\nl,0777,10,1000,1000,[^\n]*,,/names/link,"with space"\n', r.text)
    assert ',/names/dangle,"/nowhere, at all"\n' in r.text


def test_human_sizes(scratch: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """gnulib's rounding (to nearest; one decimal below 10), as virt-ls -h prints them."""
    r = run(capfdbinary, "ls", *scratch, "-lR", "-h", "/sizes")
    sizes = dict(line.split()[::-1][:2] for line in r.text.splitlines())
    assert sizes == {
        "/sizes": "1.0K", "/sizes/0": "0", "/sizes/1023": "1023", "/sizes/1024": "1.0K",
        "/sizes/1536": "1.5K", "/sizes/10188": "9.9K", "/sizes/10189": "10K",
        "/sizes/1048063": "1023K", "/sizes/1048064": "1.0M", "/sizes/5.1G": "5.1G",
        "/sizes/1023.95M": "1.0G", "/sizes/2T": "2.0T"}
    assert r.text.startswith("d 0755       1.0K /sizes\n")  # right-aligned in 10 columns


def test_json(scratch: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "ls", *scratch, "--json", "-R", "--checksum=sha1", "/names",
            "/special")
    assert r.status == 0, r.err
    entries = {e["path"]: e for e in json.loads(r.out)}
    assert entries["/names"]["type"] == "d"
    plain = entries["/names/plain"]
    assert (plain["size"], plain["mode"], plain["mtime"], plain["nlink"]) == (6, 0o644, OLD, 2)
    assert plain["checksum"] == hashlib.sha1(b"plain\n").hexdigest()
    assert entries["/names/link"]["link"] == "with space"
    assert entries["/names/link"]["uid"] == 1000
    assert "checksum" not in entries["/names/link"]
    assert {entries[f"/special/{n}"]["type"] for n in ("fifo", "null", "sdb1", "socket")} == \
        {"p", "c", "b", "s"}
    assert entries["/special/sdb1"]["rdev"] == "8:17"
    assert len(entries) == 2 + len(_names()) + 4


def test_json_without_r_lists_the_entries(scratch: list[str],
                                          capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "ls", *scratch, "--json", "/deep")
    assert [e["path"] for e in json.loads(r.out)] == ["/deep/a"]


def test_recursive_names(scratch: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """-R: paths relative to DIR (guestfs_find's documented result)."""
    r = run(capfdbinary, "ls", *scratch, "-R", "/deep")
    assert (r.status, r.text) == (0, "a\na/b\na/b/c\na/b/c/d\na/b/c/d/leaf\n")


def test_plain_names(scratch: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "ls", *scratch, "/special", "/deep")
    assert (r.status, r.text) == (0, "fifo\nnull\nsdb1\nsocket\na\n")


def test_long_is_ls_la_with_numeric_owners(scratch: list[str],
                                           capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "ls", *scratch, "-l", "/modes")
    assert r.status == 0, r.err
    lines = r.text.splitlines()
    assert lines[0].startswith("total ")
    assert re.fullmatch(r"---------- +1 +65534 +65534 +4 .* none", lines[4]), lines
    assert re.fullmatch(r"-rwx--s--x +1 +1000 +100 +6 .* setgid", lines[5]), lines
    assert re.fullmatch(r"-rwsr-xr-x +1 +0 +0 +6 Feb +3 +2001 setuid", lines[6]), lines
    assert re.fullmatch(r"drwxrwxrwt +2 +0 +0 +1024 .* sticky", lines[7]), lines


def test_times_as_numbers(scratch: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "ls", *scratch, "-lR", "--time-t", "--uids", "/modes")
    line = next(x for x in r.text.splitlines() if x.endswith(" /modes/setuid"))
    assert re.fullmatch(rf"- 4755          6    0    0  {OLD}  {OLD} +\d+ /modes/setuid", line)


def test_days_ago(scratch: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    before = int(time.time())
    r = run(capfdbinary, "ls", *scratch, "-lR", "--time-days", "/modes/setuid")
    days = [(t - OLD) // 86400 for t in (before, int(time.time()))]
    fields = r.text.splitlines()[0].split()
    assert fields[:3] == ["-", "4755", "6"] and int(fields[3]) in days
    assert int(fields[4]) in days and fields[6] == "/modes/setuid"


def test_inspected_guest(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """Without -m: the guest's filesystems mounted where inspection says."""
    r = run(capfdbinary, "ls", *disk_args(phony.image("debian")), "-lR", "/")
    assert r.status == 0, r.err
    lines = r.text.splitlines()
    assert lines[0] == "d 0755       4096 /"
    assert "- 0644         14 /etc/hostname" in lines
    assert lines.index("d 0755       4096 /boot") + 2 == \
        lines.index("- 0644          0 /boot/grub/grub.conf")
    assert "- 0644        972 /var/lib/dpkg/status" in lines  # /var is its own filesystem


@pytest.mark.parametrize(("args", "message"), [
    (["-l", "--csv", "/"], "guestbox ls: used a flag which can only be combined with -lR mode\n"
                           "For more information, read the virt-ls(1) man page.\n"),
    (["--times", "/"], "guestbox ls: used a flag which can only be combined with -lR mode\n"
                       "For more information, read the virt-ls(1) man page.\n"),
    (["-lR", "-h", "--csv", "/"], "guestbox ls: you cannot use -h and --csv options together.\n"),
    (["-lR", "--json", "--csv", "/"],
     "guestbox ls: you cannot use --csv and --json options together.\n"),
    ([], "Try ‘guestbox ls --help’ for more information.\n"),
])
def test_usage_errors(args: list[str], message: str,
                      capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "ls", "-a", "/dev/null", *args)
    assert (r.status, r.out, r.err) == (1, b"", message)


def test_checksum_does_not_take_a_directory(scratch: list[str],
                                            capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """`--checksum /dir`: /dir is a directory to list, as with getopt (not a checksum type)."""
    r = run(capfdbinary, "ls", *scratch, "-lR", "--checksum", "/deep/a/b/c/d")
    md5 = hashlib.md5(b"leaf\n").hexdigest()
    assert r.text.endswith(f"- 0644          5 {md5} /deep/a/b/c/d/leaf\n"), r.text
    r = run(capfdbinary, "ls", "-a", "/dev/null", "-lR", "--checksum")
    assert (r.status, r.err) == (1, "Try ‘guestbox ls --help’ for more information.\n")


@pytest.mark.parametrize(("n", "block", "text"), [
    # from virt-ls -h and virt-df -h 1.48 (the scratch disk, the phony debian guest)
    (0, 1, "0"), (1023, 1, "1023"), (1024, 1, "1.0K"), (1536, 1, "1.5K"), (10188, 1, "9.9K"),
    (10189, 1, "10K"), (1048063, 1, "1023K"), (1048064, 1, "1.0M"),
    (5 * 1024**3 + 10**8, 1, "5.1G"), (1023 * 1024**2 + 972 * 1024, 1, "1.0G"),
    (2 * 1024**4, 1, "2.0T"), (61394, 4096, "240M"), (7, 4096, "28K"), (58111, 4096, "227M"),
    (53, 4096, "212K"), (7675, 4096, "30M")])
def test_human_size_as_gnulib(n: int, block: int, text: str) -> None:
    assert human_size(n, block) == text


def test_csv_quoting() -> None:
    assert [csv_field(s) for s in ("plain", "a b", 'q"t', "c,d", "n\nl", "t\tx", "")] == \
        ["plain", '"a b"', '"q""t"', '"c,d"', '"n\nl"', "t\tx", ""]
