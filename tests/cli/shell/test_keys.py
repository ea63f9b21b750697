"""Keys in `guestbox shell`: asked for, never words, never printed or traced; --key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[3] / "src")


def shell(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The shell without a controlling terminal, so keys come from stdin as in a script."""
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run([sys.executable, "-m", "guestbox.cli.main", "shell", *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=300,
                          start_new_session=True)


def test_key_is_read_not_typed_and_never_traced() -> None:
    r = shell("-x", "--keys-from-stdin", stdin="luks-open /dev/sda1 x\nS3cretKey\necho hi\n")
    assert r.returncode == 1 and r.stdout == ""
    assert "S3cretKey" not in r.stderr
    assert 'libguestfs: trace: luks_open "/dev/sda1" "***" "x"\n' in r.stderr  # no key
    # the key's line counts as a line of the script, as in guestfish
    assert "*stdin*:2: libguestfs: error: luks_open: call launch before" in r.stderr


def test_key_as_a_word_is_refused_with_the_usage_without_it() -> None:
    r = shell(stdin="luks-open /dev/sda1 S3cretKey x\n")
    assert (r.returncode, r.stderr) == (
        1, "error: incorrect number of arguments\nusage: luks-open device mapname\n"
           "type 'help luks-open' for more help on luks-open\n")
    r = shell("help", "luks-add-key")
    assert "     luks-add-key device keyslot\n" in r.stdout


def test_missing_key_is_a_clear_error() -> None:
    r = shell("--keys-from-stdin", stdin="luks-open /dev/sda1 x\n")
    assert r.returncode == 1
    assert r.stderr == ('guestfish: could not read key or passphrase ("key"): '
                        "end of input\n")


@pytest.mark.parametrize(("selector", "message"), [
    ("bad", "selector 'bad': missing TYPE"),
    ("dev:key", "selector 'dev:key:***': missing KEY_STRING, or too many fields"),
    ("dev:key:Pa55:x", "selector 'dev:key:***': missing KEY_STRING, or too many fields"),
    ("dev:file", "selector 'dev:file': missing FILENAME, or too many fields"),
    ("dev:clevis:x", "selector 'dev:clevis:x': too many fields"),
    ("dev:foo:x", "selector 'dev:foo:x': invalid TYPE"),
    (":key:Pa55", "selector ':key:***': missing ID (a device or a LUKS UUID)"),
    ("dev:file:/nonexistent/k", "--key: /nonexistent/k: No such file or directory"),
])
def test_bad_key_selectors(selector: str, message: str) -> None:
    r = shell("--key", selector, "echo", "no")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", f"guestbox shell: {message}\n")
    assert "Pa55" not in r.stderr


def test_good_selectors_are_accepted() -> None:
    r = shell("--key", "/dev/sda2:key:a b", "--key", "all:key:", "echo", "ok")
    assert (r.returncode, r.stdout, r.stderr) == (0, "ok\n", "")


def test_luks_with_prompted_keys_and_key_option(tmp_path: Path) -> None:
    """Format and open with keys from stdin; reopen with --key ID:file: through inspect-decrypt."""
    disk = tmp_path / "luks.img"
    with open(disk, "wb") as f:
        f.truncate(48 * 1024 * 1024)
    script = ("run\nluks-format /dev/sda 0\nPa55word\n"
              "luks-open /dev/sda clear\nPa55word\n"
              "mkfs ext4 /dev/mapper/clear\nmount /dev/mapper/clear /\nwrite /f secret-data\n"
              "umount /\nluks-close /dev/mapper/clear\n"
              "-luks-open /dev/sda other\nWrong\necho after\n")
    r = shell("-x", "--keys-from-stdin", "-a", str(disk), stdin=script)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "after\n"
    assert "Pa55word" not in r.stderr and "Wrong" not in r.stderr
    assert 'libguestfs: trace: luks_format "/dev/sda" "***" 0\n' in r.stderr
    assert "*stdin*:12: libguestfs: error: luks_open: " in r.stderr  # the wrong key, ignored
    keyfile = tmp_path / "key"
    keyfile.write_text("Pa55word\nnot this line\n")
    r = shell("--ro", "--key", f"/dev/sda:file:{keyfile}", "-a", str(disk),
              "run", ":", "inspect-decrypt", ":", "list-filesystems")
    assert r.returncode == 0, r.stderr
    mapper, fs = r.stdout.splitlines()
    assert mapper.startswith("/dev/mapper/luks-") and fs == f"{mapper}: ext4"
