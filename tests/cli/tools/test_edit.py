"""`guestbox edit`: guest files edited with $EDITOR or -e, as virt-edit edits them.

A small image made with the API holds the files (an owner, a mode, a symlink, bytes
that are not UTF-8, a device); each run edits some and the API checks the result:
content, attributes kept, backups, files left alone when anything fails.  The phony
Windows guest checks -i and Windows paths (copy-out's tests run -i on a Linux guest).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import guestbox
from guestbox.cli.tools import TOOLS
from guestbox.cli.tools.edit_expr import ExprError, compile_expr, edit_lines
from tests import phony
from tests.cli.tools.hostile import ext4_image, opened, run

LATIN1 = b"caf\xe9 cr\xe8me\nid:3:initdefault:\nlast line without newline"
INITTAB = b"# inittab\nid:3:initdefault:\nsi::sysinit:/etc/init.d/rcS\n"
PASSWD = (b"root:x:0:0::/root:/bin/sh\napache:x:48:48::/var/www:/sbin/nologin\n"
          b"bob:x:1000:1000::/home/bob:/bin/sh\n")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[int, ...]]:
    """The image, and unchanging(/etc/keep) as made."""
    path = tmp_path_factory.mktemp("edit") / "disk.img"
    with ext4_image(path) as g:
        g.mkdir("/etc")
        g.write("/etc/conf", b"key=value\nother=1\n")
        g.chown(12, 34, "/etc/conf")
        g.chmod(0o640, "/etc/conf")
        g.ln_s("conf", "/etc/link")
        for name, data in (("inittab", INITTAB), ("latin1", LATIN1), ("passwd", PASSWD),
                           ("keep", b"keep\n")):
            g.write(f"/etc/{name}", data)
        g.mknod_c(0o666, 1, 3, "/etc/null")
        keep = unchanging(g, "/etc/keep")
    return path, keep


@pytest.fixture
def disk(made: tuple[Path, tuple[int, ...]]) -> Path:
    return made[0]


@pytest.fixture
def keep_stat(made: tuple[Path, tuple[int, ...]]) -> tuple[int, ...]:
    return made[1]


def edit(disk: Path, *args: str, editor: str = "false") -> tuple[int, str, str]:
    """`guestbox edit -a DISK -m /dev/sda1 ARGS` with EDITOR=editor; (status, out, err)."""
    p = run("edit", "-a", str(disk), "-m", "/dev/sda1", *args, env={"EDITOR": editor})
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_with_the_editor(disk: Path) -> None:
    # through the symlink: the file it leads to is replaced, its attributes kept
    assert edit(disk, "-b", ".orig", "/etc/link", editor="sed -i s/value/VALUE/") == \
        (0, "", "")
    # an editor that changes nothing: nothing written, no backup
    assert edit(disk, "-b", ".bak", "/etc/keep", editor="true") == \
        (0, "File not changed.\n", "")
    g = opened(disk)
    try:
        assert g.read_file("/etc/conf") == b"key=VALUE\nother=1\n"
        st = g.lstatns("/etc/conf")
        assert (st["st_mode"] & 0o7777, st["st_uid"], st["st_gid"]) == (0o640, 12, 34)
        assert g.readlink("/etc/link") == "conf"
        assert g.read_file("/etc/conf.orig") == b"key=value\nother=1\n"
        assert not g.exists("/etc/keep.bak")
    finally:
        g.close()


def test_with_expressions(disk: Path) -> None:
    # the sed-like form, on two files (bytes that are not UTF-8 kept)
    assert edit(disk, "-e", "s/^id:3:/id:5:/", "/etc/inittab", "/etc/latin1") == (0, "", "")
    # a Python expression on `line`: "" deletes it
    assert edit(disk, "--expr", '"" if line.startswith("apache:") else line',
                "/etc/passwd") == (0, "", "")
    g = opened(disk)
    try:
        assert g.read_file("/etc/inittab") == INITTAB.replace(b"id:3:", b"id:5:")
        assert g.read_file("/etc/latin1") == LATIN1.replace(b"id:3:", b"id:5:")
        assert g.read_file("/etc/passwd") == PASSWD.replace(
            b"apache:x:48:48::/var/www:/sbin/nologin\n", b"")
    finally:
        g.close()


def unchanging(g: guestbox.GuestFS, path: str) -> tuple[int, ...]:
    """What replacing or writing path would change in its lstat (not the time it was read)."""
    st = g.lstatns(path)
    return tuple(st[k] for k in ("st_ino", "st_mode", "st_uid", "st_size", "st_mtime_sec",
                                 "st_mtime_nsec", "st_ctime_sec", "st_ctime_nsec"))


FAILURES = [  # (arguments, $EDITOR, the start of stderr)
    (["-e", "line if lineno < 1 else 1 / 0"],
     "guestbox edit: -e: line 1: ZeroDivisionError: division by zero\n"),
    (["-e", "s/keep/x/", "-b", ".orig", "/etc/null"],
     "guestbox edit: /etc/null: not a regular file\n"),
    (["-m", "/dev/sda1:/:ro", "-e", "line"], "guestbox edit: /etc/keep: Read-only file system\n"),
    ([], "guestbox edit: command failed (exit status 1): false /"),
]


def test_failures_leave_the_file(disk: Path, keep_stat: tuple[int, ...]) -> None:
    for args, message in FAILURES:
        mount = [] if "-m" in args else ["-m", "/dev/sda1"]
        files = [] if "/etc/null" in args else ["/etc/keep"]
        p = run("edit", "-a", str(disk), *mount, *args, *files, env={"EDITOR": "false"})
        assert (p.returncode, p.stdout) == (1, b""), args
        assert p.stderr.decode().startswith(message), p.stderr
    g = opened(disk)
    try:
        assert unchanging(g, "/etc/keep") == keep_stat  # not even rewritten
        assert g.read_file("/etc/keep") == b"keep\n"
        assert not g.exists("/etc/null.orig")
    finally:
        g.close()


def test_inspection_and_windows_paths(tmp_path: Path) -> None:
    # -i (the default without -m) on the phony Windows guest: C: is the drive inspection
    # maps, and the case of each element is the guest's (AUTOEXEC.BAT is autoexec.bat)
    disk = tmp_path / "windows.img"
    subprocess.run(["cp", "--sparse=always", str(phony.image("windows")), str(disk)],
                   check=True)
    p = run("edit", "-a", str(disk), "-b", ".orig", "-e", "line", r"c:\AUTOEXEC.BAT")
    assert (p.returncode, p.stdout, p.stderr) == (0, b"", b"")
    with guestbox.GuestFS() as g:
        g.add_drive_opts(str(disk), readonly=True, format="raw")
        g.launch()
        g.mount_ro("/dev/sda2", "/")
        assert sorted(f for f in g.ls("/") if f.lower().startswith("autoexec")) == \
            ["autoexec.bat", "autoexec.bat.orig"]


@pytest.mark.parametrize(("args", "message"), [
    (["--ro", "/etc/x"], "guestbox edit: --ro: edit writes into the guest: it cannot open the "
     "disks read-only\n"),
    (["-e", "s/a/b", "/etc/x"], "guestbox edit: -e: not a complete s/PATTERN/REPLACEMENT/FLAGS "
     "(flags: g i m s x)\n"),
    (["-e", "line +", "/etc/x"], "guestbox edit: -e: not s/PATTERN/REPLACEMENT/ nor a Python "
     "expression: invalid syntax\n"),
    (["-e", "s/(a)/$2/", "/etc/x"], "guestbox edit: -e: the replacement refers to group 2, "
     "which the pattern does not have\n"),
    (["-e", "line", "-e", "line", "/etc/x"], "guestbox edit: -e option given multiple times\n"),
    (["-b", ".a", "--backup", ".b", "/etc/x"], "guestbox edit: -b option given multiple "
     "times\n"),
    ([], "guestbox edit: error: name at least one guest FILE to edit.\n"
     "Try ‘guestbox edit --help’ for more information.\n"),
])
def test_errors_before_launching(args: list[str], message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    assert TOOLS["edit"].main(["-a", str(disk), *args]) == 1
    assert capsys.readouterr().err == message


def test_old_style_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert TOOLS["edit"].main(["myguest", "/etc/x"]) == 1  # a libvirt guest's name
    assert capsys.readouterr().err == ("guestbox edit: myguest: libvirt guests are not "
                                       "supported by guestbox; add the disk images with -a\n")
    assert TOOLS["edit"].main([str(tmp_path / "missing.img"), "/etc/x"]) == 1  # has a '/'
    assert capsys.readouterr().err == (f"guestbox edit: access: {tmp_path}/missing.img: "
                                       "No such file or directory\n")
    assert TOOLS["edit"].main(["/etc/x"]) == 1
    assert capsys.readouterr().err == (
        "guestbox edit: error: you must specify at least one -a or -d option.\n"
        "Try ‘guestbox edit --help’ for more information.\n")


@pytest.mark.parametrize(("expr", "data", "result"), [
    ("s/^id:.*/id:5:initdefault:/", b"x\nid:3:initdefault:\n", b"x\nid:5:initdefault:\n"),
    (r"s|(\w+)@(\w+)|$2 at ${1} \1 \$ $&|g", b"a@b c@d\n", b"b at a a $ a@b d at c c $ c@d\n"),
    ("s/A/x/i", b"aAa\n", b"xAa\n"),
    (r"s/a\/b/X\tY/", b"a/b a/b", b"X\tY a/b"),
    ("s/o$/0/", b"foo\nfoo", b"fo0\nfo0"),  # $ before the line's "\n", as Perl's
    ("s/\xe9/e/", b"caf\xc3\xa9 \xff\n", b"cafe \xff\n"),  # bytes not UTF-8 kept
    ('line.upper() if lineno == 2 else line', b"a\nb\nc", b"a\nB\nc"),
    ('"" if re.match("apache:", line) else line', b"root\napache:x\n", b"root\n"),
    ('line + "added\\n" if lineno == 1 else line', b"one\n", b"one\nadded\n"),
    ("line", b"", b""),
])
def test_expressions(expr: str, data: bytes, result: bytes) -> None:
    assert edit_lines(data, compile_expr(expr)) == result


@pytest.mark.parametrize(("expr", "message"), [
    ('die("no b") if line == "b\\n" else line', "-e: line 2: no b"),
    ("lineno", "-e: line 1: the expression gave int, not a string"),
    ("undefined", "-e: line 1: NameError: name 'undefined' is not defined"),
    ("s/(/x/", "-e: bad regular expression '(': missing ), unterminated subpattern at "
     "position 0"),
])
def test_expressions_that_fail(expr: str, message: str) -> None:
    with pytest.raises(ExprError) as e:
        edit_lines(b"a\nb\n", compile_expr(expr))
    assert str(e.value) == message
