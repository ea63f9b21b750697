"""`guestbox shell` as a program: the differences `make compare` found, fixed and kept fixed.

Each expectation is what guestfish 1.48 printed for the same input (see compare/scripts).
"""

from __future__ import annotations

from pathlib import Path

from .test_shell_runs import shell


def test_unknown_command_hints_only_for_the_first_command() -> None:
    r = shell(stdin="nosuch\n")
    assert r.stderr.startswith("nosuch: unknown command\nDid you mean to open a disk image?")
    r = shell(stdin="echo a\n-nosuch\necho b\n")
    assert (r.stdout, r.stderr, r.returncode) == ("a\nb\n", "nosuch: unknown command\n", 0)


def test_shell_commands_check_their_arguments_as_guestfish() -> None:
    r = shell(stdin="-sparse\n-alloc a\n-lcd\n-setenv X\n-unsetenv\n-time\n-glob\n-reopen x\n")
    assert r.stderr.splitlines() == [
        "use 'sparse file size' to create a sparse image",
        "use 'alloc file size' to create an image",
        "use 'lcd directory' to change local directory",
        "use 'setenv VAR value' to set an environment variable",
        "use 'unsetenv VAR' to unset an environment variable",
        "use 'time command [args...]'", "use 'glob command [args...]'",
        "'reopen' command takes no parameters"]
    assert r.returncode == 0


def test_a_failed_sparse_leaves_no_file(tmp_path: Path) -> None:
    r = shell(stdin="-sparse j.img 9223372036854775807\n!ls\n", cwd=tmp_path)
    assert r.stderr == "*stdin*:1: libguestfs: error: j.img: truncate: File too large\n"
    assert r.stdout == "" and list(tmp_path.iterdir()) == []


def test_host_commands_and_pipes() -> None:
    r = shell(stdin="!echo one\n!false\necho not reached\n")
    assert (r.stdout, r.stderr, r.returncode) == ("one\n", "", 1)
    r = shell(stdin="echo x | false\necho a |\necho end\n")
    assert (r.stdout, r.stderr, r.returncode) == ("end\n", "", 0)


def test_argument_conversion_errors() -> None:
    r = shell(stdin="-part-get-bootable /dev/sda 2147483648\n"
                    "-add-drive d.img readonly:true readonly:false\n"
                    "-readlinklist / \"'x\"\n-mkfs ext4 /dev/sda blocksize:\n")
    assert r.stderr.splitlines() == [
        "part-get-bootable: partnum: integer out of range",
        'add-drive: optional argument "readonly" given more than once',
        "Runaway quote in string \"'x\"",
        "mkfs: optargs_s.blocksize: invalid integer parameter (xstrtoll returned 4)"]


def test_trace_glob_and_stub_errors(tmp_path: Path) -> None:
    """One launch: -x trace lines, glob over devices and paths, the daemon stubs' texts."""
    script = """\
sparse d.img 64M
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 20479
part-add /dev/sda p 20480 -34
glob mkfs ext2 /dev/sda?
-exists /x
-mount /dev/sda9 /
mount /dev/sda1 /
touch /a1
touch /a2
mkdir /d
glob echo /a? /d
-glob nosuch /a*
supported | head -n 1
"""
    r = shell("-x", stdin=script, cwd=tmp_path)
    trace = [line for line in r.stderr.splitlines() if line.startswith("libguestfs: trace: ")]
    assert 'libguestfs: trace: part_add "/dev/sda" "p" 20480 -34' in trace
    assert 'libguestfs: trace: mkfs "ext2" "/dev/sda2"' in trace
    assert "libguestfs: trace: exists = -1 (error)" in trace
    errors = [line for line in r.stderr.splitlines() if not line.startswith("libguestfs: ")]
    assert errors == [
        "*stdin*:7: libguestfs: error: exists: exists_stub: you must call 'mount' first to "
        "mount the root filesystem",
        "*stdin*:8: libguestfs: error: mount: /dev/sda9: No such file or directory",
        "nosuch: unknown command", "nosuch: unknown command"]
    lines = r.stdout.splitlines()
    assert lines[:2] == ["/a1 /d/", "/a2 /d/"]
    group, ok = lines[2].split()  # supported: right-aligned names, then yes or no
    assert ok in ("yes", "no") and lines[2].endswith(f"{group} {ok}")
    assert r.returncode == 0


def test_add_drive_format_must_be_a_word(tmp_path: Path) -> None:
    (tmp_path / "d.img").write_bytes(b"")
    r = shell(stdin="add-drive d.img format:\n", cwd=tmp_path)
    assert r.stderr == ("*stdin*:1: libguestfs: error: format parameter is empty or contains "
                        "disallowed characters\n")
    assert r.returncode == 1
