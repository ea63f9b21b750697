"""`guestbox customize` (virt-customize) on real images: qcow2 overlays of the phony
guests and of the debootstrap Debian 12 (whose own programs run for --run-command).

What a user would check: the files the operations leave, in the order given, with
the modes, owners, links and line endings virt-customize gives them; its progress
lines; password hashes that verify; first boot scripts and their systemd unit;
commands run in the guest and their log; errors and exit statuses (most before any
appliance starts); --dry-run leaving the disk byte-identical (even when it fails).
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
from pathlib import Path

import pytest

from guestbox.cli.tools.customizing import edit_expr, passwords, shacrypt, sysconf
from guestbox.cli.tools.customizing.cmdline import joined_lines
from guestbox.cli.tools.customizing.firstboot import sanitize_name
from guestbox.cli.tools.customizing.guest import libguestfs_mount_order
from tests import debootstrap, phony

from .guests import inspected_ro, messages, overlay, run_tool

PROG = "guestbox customize"
HINT = (f"\n\nIf reporting bugs, run {PROG} with debugging enabled and include the complete "
        f"output:\n\n  {PROG} -v -x [...]\n")


def customize(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    return run_tool(capsys, "customize", *argv)


# -- files, in command-line order ------------------------------------------------------
def test_file_operations_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    disk = overlay(phony.image("debian"), tmp_path)
    local = tmp_path / "local.txt"
    local.write_bytes(b"uploaded\n")
    local.chmod(0o640)
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / "sub" / "f").write_text("in tree\n")
    cmds = tmp_path / "cmds"
    cmds.write_text("# from a file\nwrite /etc/fromfile:one two\n\n"
                    "append-line /etc/fromfile:\\\nthree\n")
    status, out, err = customize(
        capsys, "--format=qcow2", "-a", disk,
        "--write", "/etc/order:first", "--append-line", "/etc/order:second",
        "--truncate", "/etc/order", "--append-line", "/etc/order:third",
        "--write", "/etc/dos:a\r\nb", "--append-line", "/etc/dos:c",
        "--upload", f"{local}:/etc", "--upload", f"{local}:/etc/renamed",
        "--copy-in", f"{tmp_path / 'tree'}:/home",
        "--mkdir", "/srv/a/b", "--touch", "/srv/a/b/t", "--copy", "/srv/a:/home",
        "--write", "/var/log/x.log:x", "--delete", "/var/log/*",
        "--write", "/etc/m1:m", "--move", "/etc/m1:/etc/m2",
        "--chmod", "0700:/etc/m2", "--write", "/etc/dec:d", "--chmod", "420:/etc/dec",
        "--link", "/etc/m2:/l1:/srv/l2",
        "--edit", "/etc/fstab:s/ext2/ext4/g", "--edit", "/etc/hostname:_.upper()",
        "--write", "/etc/hosts:127.0.1.1 DEBIAN.INVALID DEBIAN\n",
        "--hostname", "new.example.org", "--write", "/srv/big:data",
        "--truncate-recursive", "/srv", "--commands-from-file", cmds)
    assert (status, err) == (0, ""), err
    assert messages(out) == [
        "Examining the guest ...", "Setting a random seed",
        "Writing: /etc/order", "Appending line to /etc/order", "Truncating: /etc/order",
        "Appending line to /etc/order", "Writing: /etc/dos", "Appending line to /etc/dos",
        f"Uploading: {local} to /etc", f"Uploading: {local} to /etc/renamed",
        f"Copying: {tmp_path / 'tree'} to /home", "Making directory: /srv/a/b",
        "Running touch: /srv/a/b/t", "Copying (in image): /srv/a to /home",
        "Writing: /var/log/x.log", "Deleting: /var/log/*", "Writing: /etc/m1",
        "Moving: /etc/m1 -> /etc/m2", "Changing permissions of /etc/m2 to 0700",
        "Writing: /etc/dec", "Changing permissions of /etc/dec to 420",
        "Linking: /l1 -> /etc/m2", "Linking: /srv/l2 -> /etc/m2",
        "Editing: /etc/fstab", "Editing: /etc/hostname", "Writing: /etc/hosts",
        "Setting the hostname: new.example.org", "Writing: /srv/big",
        "Recursively truncating: /srv", "Writing: /etc/fromfile",
        "Appending line to /etc/fromfile", "Finishing off"]
    with inspected_ro(disk) as g:
        assert g.read_file("/etc/order") == b"third\n"
        assert g.read_file("/etc/dos") == b"a\r\nb\r\nc\r\n"  # the file's own line ending
        for name in ("local.txt", "renamed"):
            assert g.read_file(f"/etc/{name}") == b"uploaded\n"
            assert stat.S_IMODE(g.stat(f"/etc/{name}")["mode"]) == 0o640
            assert g.stat(f"/etc/{name}")["uid"] == os.getuid()
        assert g.read_file("/home/tree/sub/f") == b"in tree\n"
        assert g.is_file("/home/a/b/t") and g.is_dir("/srv/a/b")
        assert g.ls("/var/log") == []
        assert not g.exists("/etc/m1") and g.read_file("/etc/m2") == b"m"
        assert stat.S_IMODE(g.stat("/etc/m2")["mode"]) == 0o700
        assert stat.S_IMODE(g.stat("/etc/dec")["mode"]) == 420  # decimal: 0o644
        assert g.readlink("/l1") == g.readlink("/srv/l2") == "/etc/m2"
        assert b"ext2" not in g.read_file("/etc/fstab")
        assert g.read_file("/etc/fstab").count(b" ext4 ") == 5
        assert g.read_file("/etc/hostname") == b"new.example.org\n"
        assert g.read_file("/etc/hosts") == b"127.0.1.1 new.example.org new\n"
        assert g.filesize("/srv/big") == 0 and g.read_file("/etc/m2") == b"m"
        assert g.read_file("/etc/fromfile") == b"one two\nthree\n"
        assert g.filesize("/var/lib/urandom/random-seed") == 512


# -- passwords, SELinux, timezone: the phony Fedora -----------------------------------
def test_passwords_relabel_timezone_on_fedora(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    disk = overlay(phony.image("fedora"), tmp_path)
    status, out, err = customize(
        capsys, "--format=qcow2", "-a", disk, "--root-password", "password:s3cret",
        "--timezone", "Europe/London", "--hostname", "fedora.example.org",
        "--mkdir", "/etc/selinux", "--write", "/etc/selinux/config:SELINUXTYPE=targeted\n",
        "--mkdir", "/usr/sbin", "--touch", "/usr/sbin/load_policy", "--selinux-relabel")
    assert (status, err) == (0, ""), err
    assert messages(out)[-3:] == ["Setting passwords", "SELinux relabelling", "Finishing off"]
    with inspected_ro(disk) as g:
        field = g.read_file("/etc/shadow").decode().split(":")[1]
        assert field.startswith("$6$")  # Fedora 14: SHA-512, as virt-customize picks
        assert shacrypt.crypt("s3cret", field) == field
        assert shacrypt.crypt("wrong", field) != field
        st = g.lstat("/etc/shadow")  # replaced atomically, its attributes kept
        assert stat.S_IMODE(st["mode"]) == 0 and g.lgetxattr(
            "/etc/shadow", "security.selinux") == b"system_u:object_r:shadow_t:s0\0"
        assert g.readlink("/etc/localtime") == "/usr/share/zoneinfo/Europe/London"
        assert g.read_lines("/etc/sysconfig/network") == ["HOSTNAME=fedora.example.org"]
        relabelled = g.feature_available(["selinuxrelabel"]) and g.is_file(
            "/etc/selinux/targeted/contexts/files/file_contexts")
        assert g.exists("/.autorelabel") != relabelled  # setfiles now, else at next boot


def test_timezone_that_does_not_exist(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    disk = overlay(phony.image("debian"), tmp_path)
    status, out, err = customize(capsys, "--format=qcow2", "-a", disk, "--write", "/etc/before:1",
                                 "--timezone", "Mars/Olympus", "--write", "/etc/after:1")
    assert status == 1
    assert err == (f"{PROG}: error: timezone 'Mars/Olympus' does not exist, use a location "
                   f"like 'Europe/London'{HINT}")
    assert messages(out)[-2:] == ["Writing: /etc/before", "Setting the timezone: Mars/Olympus"]


# -- a real Debian 12: its own programs run -------------------------------------------
@pytest.fixture(scope="module")
def bookworm() -> Path:
    return debootstrap.image()


def test_commands_firstboot_keys_and_passwords(bookworm: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    disk = overlay(bookworm, tmp_path)
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho from script > /root/script-out\n")
    key = tmp_path / "key.pub"
    key.write_text("ssh-ed25519 AAAAkey1 user@host\n")
    status, out, err = customize(
        capsys, "--format=qcow2", "-a", disk, "--no-network",
        "--run-command", "echo cmd > /root/cmd-out; id -u", "--run", script,
        "--firstboot-command", "echo hi there", "--firstboot", script,
        "--ssh-inject", f"root:file:{key}", "--ssh-inject", "root:string:ssh-rsa AAAAkey2",
        "--root-password", "password:rootpw", "--password", "daemon:random",
        "--password", "sys:locked:password:syspw", "--password", "bin:disabled")
    assert (status, err) == (0, ""), err
    assert messages(out) == [
        "Examining the guest ...", "Setting a random seed",
        "Running: echo cmd > /root/cmd-out; id -u", f"Running: {script}",
        "Installing firstboot command: echo hi there", f"Installing firstboot script: {script}",
        "SSH key inject: root", "SSH key inject: root", "Setting passwords", "Finishing off"]
    random_pw = out.split(f"{PROG}: Setting random password of daemon to ")[1].split("\n")[0]
    assert len(random_pw) == 16
    with inspected_ro(disk, "qcow2") as g:
        assert g.read_file("/root/cmd-out") == b"cmd\n"
        assert g.read_file("/root/script-out") == b"from script\n"
        assert g.read_file("/tmp/builder.log") == b"0\n"  # the commands' output, logged
        fb = "/usr/lib/virt-sysprep"
        assert g.ls(f"{fb}/scripts") == ["5000-0001-echo-hi-there",
                                        f"5000-0002-{sanitize_name(str(script))}"]
        assert g.read_file(f"{fb}/scripts/5000-0001-echo-hi-there") == b"echo hi there"
        assert stat.S_IMODE(g.stat(f"{fb}/firstboot.sh")["mode"]) == 0o755
        unit = g.read_file("/usr/lib/systemd/system/guestfs-firstboot.service").decode()
        assert f"ExecStart={fb}/firstboot.sh start" in unit and "WantedBy=multi-user.target" in unit
        assert g.readlink("/etc/systemd/system/multi-user.target.wants/"
                          "guestfs-firstboot.service") == "/usr/lib/systemd/system/" \
                                                          "guestfs-firstboot.service"
        assert g.readlink("/etc/rc3.d/S99guestfs-firstboot") == "../init.d/guestfs-firstboot"
        assert g.read_file("/root/.ssh/authorized_keys") == \
            b"ssh-ed25519 AAAAkey1 user@host\nssh-rsa AAAAkey2\n"
        assert stat.S_IMODE(g.stat("/root/.ssh")["mode"]) == 0o700
        assert stat.S_IMODE(g.stat("/root/.ssh/authorized_keys")["mode"]) == 0o600
        shadow = {line.split(":")[0]: line.split(":")[1]
                  for line in g.read_lines("/etc/shadow")}
    assert shadow["bin"] == "*" and shadow["sys"].startswith("!!$y$")
    assert shadow["root"].startswith("$y$")  # Debian 12: yescrypt, as virt-customize picks
    try:
        checks = [("rootpw", shadow["root"]), (random_pw, shadow["daemon"]),
                  ("syspw", shadow["sys"][2:])]
        assert all(shacrypt.crypt(pw, h) == h for pw, h in checks)
    except shacrypt.CryptError:
        pytest.skip("no libxcrypt on this host to check yescrypt hashes")


def test_failing_command_shows_its_log(bookworm: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    disk = overlay(bookworm, tmp_path)
    before = hashlib.sha256(disk.read_bytes()).hexdigest()
    status, out, err = customize(capsys, "--dry-run", "--format=qcow2", "-a", disk,
                                 "--write", "/etc/x:y", "--run-command", "echo oops; exit 3")
    assert status == 1
    assert err == f"oops\n{PROG}: error: echo oops; exit 3: command exited with an error{HINT}"
    assert messages(out)[-1] == "Running: echo oops; exit 3"
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == before


def _reachable(host: str) -> bool:
    try:
        socket.create_connection((host, 80), timeout=5).close()
        return True
    except OSError:
        return False


def test_network_for_the_guests_programs(bookworm: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """--network: the guest's programs resolve names and connect (its resolv.conf is
    lent the appliance's while they run, then put back)."""
    if not _reachable("deb.debian.org"):
        pytest.skip("deb.debian.org is not reachable from here")
    disk = overlay(bookworm, tmp_path)
    status, _, err = customize(
        capsys, "--format=qcow2", "-a", disk, "--network",
        "--copy", "/etc/resolv.conf:/root/resolv.before", "--run-command",
        "getent hosts deb.debian.org > /root/dns; cat /etc/resolv.conf > /root/resolv")
    assert (status, err) == (0, ""), err
    with inspected_ro(disk) as g:
        assert g.read_file("/root/dns").split()[1:] == [b"deb.debian.org"]
        assert g.read_file("/root/resolv") == b"nameserver 10.0.2.3\n"
        assert g.read_file("/etc/resolv.conf") == g.read_file("/root/resolv.before")


@pytest.mark.skipif(not os.environ.get("GUESTBOX_SLOW_TESTS"),
                    reason="apt-get under TCG takes minutes: GUESTBOX_SLOW_TESTS=1 runs it")
def test_install_a_package(bookworm: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    if not _reachable("deb.debian.org"):
        pytest.skip("deb.debian.org is not reachable from here")
    disk = overlay(bookworm, tmp_path)
    status, out, err = customize(capsys, "--format=qcow2", "-a", disk, "--network",
                                 "--install", "hello")
    assert (status, err) == (0, ""), err
    assert "Installing packages: hello" in messages(out)
    with inspected_ro(disk) as g:
        assert g.is_file("/usr/bin/hello")
        assert b"Package: hello\nStatus: install ok installed" in g.read_file(
            "/var/lib/dpkg/status")


# -- errors found before the appliance starts -----------------------------------------
@pytest.mark.parametrize(("argv", "message"), [
    ([], "you must give either -a or -d options. Read virt-customize(1) man page for further "
         "information."),
    (["-a", "x", "--write", "nocolon"], "invalid format for '--write' parameter, see the man "
                                        "page"),
    (["-a", "x", "--link", "/only"], "invalid format for '--link' parameter, see the man page"),
    (["-a", "x", "--root-password", "plain"], "invalid password selector ‘plain’; see the "
                                              "man page"),
    (["-a", "x", "--ssh-inject", "root:foo:bar"], "invalid ssh-inject selector ‘foo:bar’; see "
                                                  "the man page"),
    (["-a", "x", "--password-crypto", "des"], 'password-crypto: unknown algorithm des, use '
                                              '"md5", "sha256", "sha512" or "yescrypt"'),
    (["-a", "x", "--chmod", "rwx:/f"], "--chmod: ‘rwx’ is not a valid mode (use octal with a "
                                       "leading 0, as 0755)"),
    (["-a", "x", "--install", "vim"], "--install needs the network: add --network (guestbox "
                                      "starts the appliance without one unless asked)"),
    (["-a", "x", "--update"], "--update needs the network: add --network (guestbox starts the "
                              "appliance without one unless asked)"),
    (["-a", "x", "--format"], "--format parameter must appear before -a parameter"),
])
def test_option_errors(argv: list[str], message: str,
                       capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = customize(capsys, *argv)
    assert (status, out, err) == (1, "", f"{PROG}: error: {message}{HINT}")


def test_commands_from_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad"
    bad.write_text("write /x:y\nbogus z\n")
    assert customize(capsys, "--commands-from-file", bad)[2] == \
        f"{PROG}: error: command 'bogus' not valid, see the man page{HINT}"
    bad.write_text("commands-from-file /x\n")
    assert customize(capsys, "--commands-from-file", bad)[2] == \
        f"{PROG}: error: command 'commands-from-file' cannot be used in command files, see " \
        f"the man page{HINT}"


def test_missing_disk_is_a_library_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = customize(capsys, "-a", tmp_path / "none.img", "--touch", "/x")
    assert status == 1 and messages(out) == ["Examining the guest ..."]
    assert err.startswith(f"{PROG}: error: libguestfs error: ") and "none.img" in err


# -- pure logic --------------------------------------------------------------------------
def test_sha_crypt_vectors() -> None:
    """Ulrich Drepper's SHA-crypt specification's examples, and MD5-crypt's."""
    assert shacrypt.crypt("Hello world!", "$6$saltstring") == (
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcb"
        "YEdFCoEOfaS35inz1")
    assert shacrypt.crypt("Hello world!", "$5$saltstring") == (
        "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5")
    assert shacrypt.crypt("Hello world!", "$6$rounds=10000$saltstringsaltstring") == (
        "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0"
        "Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.")
    assert shacrypt.crypt("Hello world!", "$1$saltstri") == "$1$saltstri$YMyguxXMBpd2TEZ.vS/3q1"
    h = passwords.encrypt("pw", "sha512")
    assert h.startswith("$6$") and shacrypt.crypt("pw", h) == h != passwords.encrypt("pw",
                                                                                    "sha512")


def test_password_selectors() -> None:
    parse = passwords.parse_password_selector
    assert parse("password:a:b") == passwords.PasswordSelector("password", "a:b")
    assert parse("locked") == passwords.PasswordSelector("disabled", locked=True)
    assert parse("locked:random") == passwords.PasswordSelector("random", locked=True)
    assert parse("disabled") == passwords.PasswordSelector("disabled")


def test_edit_expressions() -> None:
    def edit(expr: str, text: str) -> str:
        return edit_expr.edit_text(text, edit_expr.compile_expr(expr))

    text = "a foo\n#c\nfoo foo\nlast"
    assert edit("s/foo/bar/", text) == "a bar\n#c\nbar foo\nlast"
    assert edit("s|o+|0|g", text) == "a f0\n#c\nf0 f0\nlast"
    assert edit(r"s/(\w+) (\w+)/\2 \1/", text) == "foo a\n#c\nfoo foo\nlast"
    assert edit("s/$/;/", "x\ny") == "x;\ny;"  # $ before the line's newline, as Perl's
    assert edit(r"s/\//-/g", "a/b/c\n") == "a-b-c\n"
    assert edit('"" if _.startswith("#") else _', text) == "a foo\nfoo foo\nlast"
    with pytest.raises(edit_expr.ExprError):
        edit_expr.compile_expr("_.upper(")
    with pytest.raises(edit_expr.ExprError):
        edit("len(_)", "x\n")


def test_hosts_renamed_in_name_columns_only() -> None:
    hosts = ("127.0.0.1\tlocalhost\n127.0.1.1 old.dom old # old\n"
             "10.0.0.1 unassigned-hostname.unassigned-domain unassigned-hostname\n")
    assert sysconf.hosts_renamed(hosts, "old.dom", "new.example.org") == (
        "127.0.0.1\tlocalhost\n127.0.1.1 new.example.org new # old\n"
        "10.0.0.1 new.example.org new\n")


def test_small_parsers() -> None:
    assert joined_lines("a \\\nb\nc\\\n") == ["a b", "c"]
    assert libguestfs_mount_order({"/home": "h", "/var": "v", "/usr": "u", "/": "r",
                                   "/boot": "b"}) == [
        ("/", "r"), ("/var", "v"), ("/usr", "u"), ("/home", "h"), ("/boot", "b")]
