"""`guestbox diff` between the phony Arch Linux guest and a changed copy of it; its fields."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from guestbox import GuestFS
from guestbox.cli.tools.diff_output import Line, human_size
from tests import phony

from .cli_run import guestbox, run

CHANGES = b"""\
- - 0644          0 /etc/arch-release
= - 0644         14 /etc/hostname
@@ -1 +1 @@
-archlinux.test
\\ No newline at end of file
+other.test
@@ End of diff @@
- d 0755       1024 /home
+ d 0700       1024 /home
# changed: st_mode
+ l 0777         13 /link -> /etc/hostname
+ - 0644          2 /new file
- d 0755       1024 /usr
+ d 0755       1024 /usr
# changed: xattrs
"""
"""What changed between the guests (the `changed` fixture), as virt-diff 1.48 prints it."""


@pytest.fixture(scope="module")
def guests(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The phony Arch Linux guest and a copy of it with a file changed, one deleted, one
    added (a space in its name), a symbolic link added, a directory's mode changed and
    an extended attribute set on another."""
    before = phony.image("archlinux")
    after = tmp_path_factory.mktemp("diff") / "after.img"
    subprocess.run(["cp", "--sparse=always", str(before), str(after)], check=True)
    g = GuestFS()
    try:
        g.add_drive_opts(str(after), format="raw")
        g.launch()
        g.mount("/dev/sda1", "/")
        g.write("/etc/hostname", b"other.test\n")
        g.rm("/etc/arch-release")
        g.chmod(0o700, "/home")
        g.write("/new file", b"x\n")
        g.setxattr("user.note", b'a\x01\xff "q"\x00', 8, "/usr")
        g.ln_s("/etc/hostname", "/link")
        g.shutdown()
    finally:
        g.close()
    return before, after


def test_the_differences_as_virt_diff_prints_them(
        guests: tuple[Path, Path], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    before, after = guests
    r = run(capfdbinary, "diff", "--format=raw", "-a", str(before), "-A", str(after))
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == CHANGES


def test_csv_with_owners_checksums_and_attributes(
        guests: tuple[Path, Path], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    before, after = guests
    r = run(capfdbinary, "diff", "--format=raw", "--csv", "--uids", "--checksum", "--xattrs",
            "-a", str(before), "-A", str(after))
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == b"""\
-,-,0644,0,0,0,d41d8cd98f00b204e9800998ecf8427e,/etc/arch-release
=,-,0644,14,0,0,7f005d2ec7d727dbe0245eb3cd37d602,/etc/hostname
-,d,0755,1024,0,0,/home
+,d,0700,1024,0,0,/home
#,changed:,st_mode
+,l,0777,13,0,0,/link,/etc/hostname
+,-,0644,2,0,0,401b30e3b8b5d629635a5c613cdb7919,"/new file"
-,d,0755,1024,0,0,/usr
+,d,0755,1024,0,0,/usr,user.note,"a\\x 1\\xffffffff ""q""\\x 0"
#,changed:,xattrs
"""


def test_json(guests: tuple[Path, Path], capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    before, after = guests
    r = run(capfdbinary, "diff", "--format=raw", "--json", "--checksum=sha1",
            "-a", str(before), "-A", str(after))
    assert (r.returncode, r.stderr) == (0, b"")
    changes = json.loads(r.stdout)
    assert [(c["change"], (c.get("old") or c.get("new"))["path"]) for c in changes] == [
        ("deleted", "/etc/arch-release"), ("content", "/etc/hostname"), ("status", "/home"),
        ("added", "/link"), ("added", "/new file"), ("status", "/usr")]
    deleted, content, home, link, new, usr = changes
    assert deleted["old"]["checksum"] == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert content["diff"] == ("@@ -1 +1 @@\n-archlinux.test\n\\ No newline at end of file\n"
                               "+other.test\n")
    assert (content["old"]["size"], content["new"]["size"]) == (14, 11)
    assert (home["old"]["mode"], home["new"]["mode"], home["fields"]) == (
        0o755, 0o700, ["st_mode"])
    assert (link["new"]["type"], link["new"]["link"]) == ("l", "/etc/hostname")
    assert (new["new"]["type"], new["new"]["size"]) == ("-", 2)
    assert usr["fields"] == ["xattrs"] and usr["old"]["xattrs"] == {}
    assert usr["new"]["xattrs"] == {"user.note": 'a\x01\\xff "q"\x00'}


def test_usage_errors(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    r = run(capfdbinary, "diff", "-h", "--csv", "-a", "/dev/null", "-A", "/dev/null")
    assert (r.returncode, r.stderr) == (
        1, b"guestbox diff: you cannot use -h and --csv options together.\n")
    r = run(capfdbinary, "diff", "-a", "/dev/null")
    assert r.returncode == 1
    assert r.stderr.startswith(b"guestbox diff: error: you must specify at least one -A or -D "
                               b"option.\n")
    r = guestbox("diff", "--help")  # the command itself, in a process of its own
    assert r.returncode == 0 and b"-h, --human-readable" in r.stdout


@pytest.mark.parametrize(("size", "text"), [
    (0, "0"), (1023, "1023"), (1024, "1.0K"), (1075, "1.0K"), (1126, "1.1K"),
    (1536, "1.5K"), (10239, "10K"), (10240, "10K"), (1048575, "1.0M"), (1048576, "1.0M"),
    (5 * 1024**3 + 1, "5.0G"), (1023 * 1024 + 1000, "1.0M")])
def test_human_sizes_as_gnulib_rounds_them(size: int, text: str) -> None:
    assert human_size(size) == text


def test_fields_quoted_and_escaped() -> None:
    line = Line(csv=False)
    line.size(123, human=False)
    line.binary(b"ok \x00\xff")
    line.link(b"t")
    assert line.render() == b"       123 ok \\x00\\xff -> t\n"
    line = Line(csv=True)
    line.string(b'a,"b"')
    line.binary(b"plain")
    line.uid(5)
    assert line.render() == b'"a,""b""",plain,5\n'
