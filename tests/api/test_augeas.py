"""Augeas: the guest's configuration files as a tree, edited and saved back.

Every test builds its own small guest tree (/etc/hosts, fstab, passwd, a
sysconfig network script ...) in its own directory of the shared handle and
opens Augeas with that directory as root.  Loading every lens module
(aug_init without AUG_NO_MODL_AUTOLOAD) takes seconds under TCG, so only the
first test does it; the others name the lenses they need with aug_transform.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import guestbox

AUG_SAVE_BACKUP, AUG_SAVE_NEWFILE, AUG_SAVE_NOOP = 1, 2, 16
AUG_NO_LOAD, AUG_NO_MODL_AUTOLOAD = 32, 64
IFCFG = "/etc/sysconfig/network-scripts/ifcfg-eth0"
HOSTS = "127.0.0.1 localhost\n::1 localhost6\n"
FILES = {
    "/etc/hosts": HOSTS,
    "/etc/fstab": "/dev/sda1 / ext4 defaults 0 1\n",
    "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\n",
    IFCFG: "DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\n",
    "/etc/myapp.conf": "KEY=value\n",  # no standard lens handles it
}
LENSES = {"/etc/hosts": "Hosts.lns", "/etc/fstab": "Fstab.lns", "/etc/passwd": "Passwd.lns",
          IFCFG: "Shellvars.lns"}


@pytest.fixture
def root(g: guestbox.GuestFS, gdir: str) -> Iterator[str]:
    """gdir filled with FILES, to use as the Augeas root; the Augeas handle closed afterwards."""
    for path, text in FILES.items():
        g.mkdir_p(gdir + path.rsplit("/", 1)[0])
        g.write(gdir + path, text)
    yield gdir
    try:
        g.aug_close()
    except guestbox.Error:
        pass  # the test closed it


def quick_init(g: guestbox.GuestFS, root: str, flags: int = 0) -> None:
    """aug_init loading only the lens modules of LENSES (fast), then the files."""
    g.aug_init(root, flags | AUG_NO_LOAD | AUG_NO_MODL_AUTOLOAD)
    for path, lens in LENSES.items():
        g.aug_transform(lens, path)
    g.aug_load()


def test_default_init_loads_get_set_save(g: guestbox.GuestFS, root: str) -> None:
    g.aug_init(root, 0)
    assert sorted(g.aug_match("/files/etc/*")) == [
        "/files/etc/fstab", "/files/etc/hosts", "/files/etc/passwd", "/files/etc/sysconfig"]
    assert g.aug_match("/augeas//error") == []
    assert g.aug_get("/augeas/root") == "/"  # the guest directory, nothing of the appliance
    assert g.aug_get("/files/etc/hosts/1/ipaddr") == "127.0.0.1"
    assert g.aug_get("/files/etc/hosts/2/canonical") == "localhost6"
    assert g.aug_get("/files/etc/fstab/1/vfstype") == "ext4"
    assert g.aug_get("/files/etc/passwd/root/shell") == "/bin/bash"
    assert g.aug_get(f"/files{IFCFG}/BOOTPROTO") == "dhcp"
    assert g.aug_match("/files/etc/hosts/*/ipaddr") == [
        "/files/etc/hosts/1/ipaddr", "/files/etc/hosts/2/ipaddr"]
    assert g.aug_match("/files/etc/hosts/*[canonical='localhost6']") == ["/files/etc/hosts/2"]
    assert g.aug_match("/files/nothing") == []

    g.aug_set("/files/etc/hosts/1/alias", "myhost")
    g.aug_set("/files/etc/fstab/1/opt", "noatime")
    g.aug_set("/files/etc/passwd/bin/shell", "/bin/false")
    g.aug_set(f"/files{IFCFG}/BOOTPROTO", "static")
    g.aug_set(f"/files{IFCFG}/IPADDR", "192.0.2.10")
    g.aug_set("/files/etc/sysconfig/network/HOSTNAME", "guest")  # a new file
    g.aug_save()
    assert g.cat(root + "/etc/hosts") == "127.0.0.1 localhost myhost\n::1 localhost6\n"
    assert g.cat(root + "/etc/fstab") == "/dev/sda1 / ext4 noatime 0 1\n"
    assert g.cat(root + "/etc/passwd") == (
        "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/bin/false\n")
    assert g.cat(root + IFCFG) == "DEVICE=eth0\nBOOTPROTO=static\nONBOOT=yes\nIPADDR=192.0.2.10\n"
    assert g.cat(root + "/etc/sysconfig/network") == "HOSTNAME=guest\n"

    # A file no standard lens handles is loaded once a transform names it.
    assert g.aug_match("/files/etc/myapp.conf") == []
    g.aug_transform("Shellvars.lns", "/etc/myapp.conf")
    g.aug_load()
    assert g.aug_get("/files/etc/myapp.conf/KEY") == "value"


def test_calls_without_a_handle_fail_clearly(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    g.aug_close()
    for name, call in [("aug_get", lambda: g.aug_get("/files/etc/hosts/1/ipaddr")),
                       ("aug_close", g.aug_close), ("aug_save", g.aug_save),
                       ("aug_match", lambda: g.aug_match("/files"))]:
        with pytest.raises(guestbox.Error) as ei:
            call()
        assert str(ei.value) == f"{name}: you must call 'aug-init' first to initialize Augeas"


def test_get_errors_carry_augeas_messages(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    with pytest.raises(guestbox.Error) as ei:
        g.aug_get("/files/etc/hosts/*/ipaddr")
    assert str(ei.value) == (
        "aug_get: aug_get: /files/etc/hosts/*/ipaddr: Too many matches for path expression: "
        "There are 2 nodes matching /files/etc/hosts/*/ipaddr")
    with pytest.raises(guestbox.Error, match=r"^aug_get: no matching node: /files/etc/hosts/9$"):
        g.aug_get("/files/etc/hosts/9")
    with pytest.raises(guestbox.Error) as ei:
        g.aug_match("/files/etc/hosts[[")
    assert str(ei.value) == ("aug_match: aug_match: /files/etc/hosts[[: Invalid path expression: "
                             "empty name: /files/etc/hosts[|=|[")
    with pytest.raises(guestbox.Error, match=r"/files/etc/hosts: the node has no value"):
        g.aug_get("/files/etc/hosts")
    with pytest.raises(guestbox.Error, match=r"^aug_set: aug_set: /files/etc/hosts/\*/ipaddr: x: "
                                             r"Too many matches for path expression$"):
        g.aug_set("/files/etc/hosts/*/ipaddr", "x")


def test_insert_before_and_after(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    g.aug_insert("/files/etc/hosts/1", "3", True)
    g.aug_insert("/files/etc/hosts/2", "4", False)
    assert g.aug_match("/files/etc/hosts/*") == [
        "/files/etc/hosts/3", "/files/etc/hosts/1", "/files/etc/hosts/2", "/files/etc/hosts/4"]
    for label, ip, name in [("3", "192.0.2.1", "first"), ("4", "192.0.2.4", "last")]:
        g.aug_set(f"/files/etc/hosts/{label}/ipaddr", ip)
        g.aug_set(f"/files/etc/hosts/{label}/canonical", name)
    g.aug_save()
    assert g.cat(root + "/etc/hosts") == f"192.0.2.1\tfirst\n{HOSTS}192.0.2.4\tlast\n"
    with pytest.raises(guestbox.Error, match=re.escape(
            "aug_insert: aug_insert: /files/etc/hosts/*: x [before=1]: "
            "Too many matches for path expression")):
        g.aug_insert("/files/etc/hosts/*", "x", True)
    with pytest.raises(guestbox.Error, match=re.escape(
            "aug_insert: aug_insert: /files/etc/hosts/1: a/b [before=0]: invalid label")):
        g.aug_insert("/files/etc/hosts/1", "a/b", False)


def test_rm_counts_and_mv_moves(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    assert g.aug_rm("/files/etc/hosts/*[canonical='localhost6']") == 3  # entry, ipaddr, canonical
    assert g.aug_rm("/files/etc/hosts/9") == 0
    g.aug_mv("/files/etc/passwd/root", "/files/etc/passwd/toor")
    g.aug_save()
    assert g.cat(root + "/etc/hosts") == "127.0.0.1 localhost\n"
    assert g.cat(root + "/etc/passwd") == (
        "bin:x:1:1:bin:/bin:/sbin/nologin\ntoor:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(guestbox.Error) as ei:
        g.aug_mv("/files/etc/hosts", "/files/etc/hosts/1/x")
    assert str(ei.value) == (
        "aug_mv: aug_mv: /files/etc/hosts: /files/etc/hosts/1/x: Cannot move node into its "
        "descendant: destination /files/etc/hosts/1/x is a descendant of /files/etc/hosts")
    with pytest.raises(guestbox.Error, match=r"No match for path expression$"):
        g.aug_mv("/files/etc/none", "/files/etc/x")


def test_setm(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    assert g.aug_setm("/files/etc/passwd/*", "shell", "/bin/zsh") == 2
    assert g.aug_setm("/files/etc/hosts/*[ipaddr='::1']", None, "v") == 1
    assert g.aug_get("/files/etc/hosts/2") == "v"
    g.aug_clear("/files/etc/hosts/2")
    g.aug_save()
    assert g.cat(root + "/etc/passwd") == (
        "root:x:0:0:root:/root:/bin/zsh\nbin:x:1:1:bin:/bin:/bin/zsh\n")
    with pytest.raises(guestbox.Error, match=re.escape(
            "aug_setm: aug_setm: /files[[: (null): v: Invalid path expression")):
        g.aug_setm("/files[[", None, "v")


def test_defvar_and_defnode(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    assert g.aug_defvar("hosts", "/files/etc/hosts/*") == 2
    assert g.aug_match("$hosts/canonical") == [
        "/files/etc/hosts/1/canonical", "/files/etc/hosts/2/canonical"]
    assert g.aug_defvar("n", "1 + 1") == 0  # not a nodeset
    assert g.aug_defvar("hosts", None) == 0
    with pytest.raises(guestbox.Error, match=r"undefined variable: \$hosts"):
        g.aug_match("$hosts")
    assert g.aug_defnode("new", "/files/etc/hosts/3/ipaddr", "192.0.2.3") == {"i": 1, "b": 1}
    assert g.aug_defnode("new", "/files/etc/hosts/3/ipaddr", "x") == {"i": 1, "b": 0}
    assert g.aug_get("$new") == "192.0.2.3"
    assert g.aug_defnode("all", "/files/etc/hosts/*/ipaddr", "x") == {"i": 3, "b": 0}
    with pytest.raises(guestbox.Error, match=re.escape(
            "aug_defvar: aug_defvar: v: /files[[: Invalid path expression")):
        g.aug_defvar("v", "/files[[")


def test_label_ls_clear(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    assert g.aug_label("/files/etc/hosts/1/ipaddr") == "ipaddr"
    assert g.aug_label("/files/etc/hosts/*[ipaddr='::1']") == "2"
    assert g.aug_ls("/files/etc/hosts/1") == [
        "/files/etc/hosts/1/canonical", "/files/etc/hosts/1/ipaddr"]
    assert g.aug_ls("/") == ["/augeas", "/files"]
    with pytest.raises(guestbox.Error, match="don't use aug-ls with a path that ends with / ] *"):
        g.aug_ls("/files/etc/")
    with pytest.raises(guestbox.Error, match=r"^aug_label: no matching nodes found: /files/x$"):
        g.aug_label("/files/x")
    with pytest.raises(guestbox.Error, match=r"^aug_label: aug_label: /files/etc/hosts/\*: "
                                             r"Too many matches for path expression"):
        g.aug_label("/files/etc/hosts/*")
    g.aug_clear("/files/etc/hosts/1/alias")
    assert g.aug_match("/files/etc/hosts/1/alias") == ["/files/etc/hosts/1/alias"]
    with pytest.raises(guestbox.Error, match="the node has no value"):
        g.aug_get("/files/etc/hosts/1/alias")


def test_transform_adds_and_removes_a_lens(g: guestbox.GuestFS, root: str) -> None:
    g.aug_init(root, AUG_NO_LOAD | AUG_NO_MODL_AUTOLOAD)
    g.aug_load()
    assert g.aug_match("/files//*") == []  # no lens module, no file
    g.aug_transform("Shellvars.lns", "/etc/myapp.conf")
    g.aug_load()
    assert g.aug_get("/files/etc/myapp.conf/KEY") == "value"
    g.aug_set("/files/etc/myapp.conf/OTHER", "2")
    g.aug_transform("Hosts.lns", "/etc/hosts.new")  # a module not loaded yet: aug_save loads it
    g.aug_set("/files/etc/hosts.new/1/ipaddr", "192.0.2.1")
    g.aug_set("/files/etc/hosts.new/1/canonical", "new")
    g.aug_save()
    assert g.cat(root + "/etc/myapp.conf") == "KEY=value\nOTHER=2\n"
    assert g.cat(root + "/etc/hosts.new") == "192.0.2.1\tnew\n"
    assert [p for p in g.aug_match("/augeas/*") if p.endswith(("/text", "-text", "-tree"))] == []
    g.aug_transform("Shellvars.lns", "/etc/myapp.conf", remove=True)
    g.aug_load()
    assert g.aug_match("/files/etc/myapp.conf") == []
    g.aug_transform("Nosuch.lns", "/etc/myapp.conf")
    g.aug_load()  # as Augeas: a missing lens is an error node, not a failure
    assert g.aug_get("/augeas/load/Nosuch/error") == "Can not find lens Nosuch.lns"


@pytest.mark.parametrize(("flags", "original", "extra"), [
    (AUG_SAVE_NEWFILE, HOSTS, {".augnew": "127.0.0.1 localhost\n"}),
    (AUG_SAVE_BACKUP, "127.0.0.1 localhost\n", {".augsave": HOSTS}),
    (AUG_SAVE_NOOP, HOSTS, {}),
])
def test_save_flags(g: guestbox.GuestFS, root: str, flags: int, original: str,
                    extra: dict[str, str]) -> None:
    quick_init(g, root, flags)
    g.aug_rm("/files/etc/hosts/2")
    g.aug_save()
    assert g.cat(root + "/etc/hosts") == original
    assert sorted(n for n in g.ls(root + "/etc") if n.startswith("hosts")) == \
        sorted(["hosts", *(f"hosts{suffix}" for suffix in extra)])
    for suffix, text in extra.items():
        assert g.cat(f"{root}/etc/hosts{suffix}") == text
    assert g.aug_get("/augeas/events/saved") == "/files/etc/hosts"


def test_save_error_quotes_augeas(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    g.aug_set("/files/etc/hosts/1/bogus", "x")
    with pytest.raises(guestbox.Error) as ei:
        g.aug_save()
    assert str(ei.value).startswith(
        "aug_save: aug_save: /etc/hosts: Failed to match tree under /files/etc/hosts/1\n")
    assert '{ "bogus" = "x" }' in str(ei.value)
    assert g.cat(root + "/etc/hosts") == HOSTS


def test_parse_error_is_reported_in_the_tree(g: guestbox.GuestFS, root: str) -> None:
    g.write(root + "/etc/hosts", "127.0.0.1 localhost\nnot-an-address\n")
    quick_init(g, root)
    assert g.aug_match("/files/etc/hosts") == []
    assert g.aug_get("/augeas/files/etc/hosts/error") == "parse_failed"
    assert g.aug_get("/augeas/files/etc/hosts/error/message")


def test_guest_symlinks_resolve_inside_the_guest(g: guestbox.GuestFS, root: str) -> None:
    """An absolute symlink leads into the guest root, never to the appliance's files."""
    g.write(root + "/etc/hosts.real", "192.0.2.9 real\n")
    g.rm(root + "/etc/hosts")
    g.ln_s("/etc/hosts.real", root + "/etc/hosts")
    g.rm(root + "/etc/fstab")
    g.ln_s("/etc/mtab", root + "/etc/fstab")  # the appliance has /etc/mtab, this guest has not
    quick_init(g, root)
    assert g.aug_get("/files/etc/hosts/1/canonical") == "real"
    assert g.aug_match("/files/etc/fstab") == []
    g.aug_set("/files/etc/hosts/1/canonical", "changed")
    g.aug_save()
    assert g.readlink(root + "/etc/hosts") == "/etc/hosts.real"
    assert g.cat(root + "/etc/hosts.real") == "192.0.2.9 changed\n"


def test_init_replaces_the_open_handle(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    g.aug_set("/files/scratch", "1")
    g.aug_defvar("v", "/files/etc/hosts")
    quick_init(g, root)
    assert g.aug_match("/files/scratch") == []
    with pytest.raises(guestbox.Error, match="undefined variable"):
        g.aug_match("$v")


def test_init_errors(g: guestbox.GuestFS, root: str) -> None:
    quick_init(g, root)
    with pytest.raises(guestbox.Error, match=r"^aug_init: etc: path must start with a / character"):
        g.aug_init("etc", 0)
    with pytest.raises(FileNotFoundError, match=f"^aug_init: {root}/nonexist: No such file"):
        g.aug_init(root + "/nonexist", 0)
    with pytest.raises(NotADirectoryError, match=f"^aug_init: {root}/etc/hosts: Not a directory"):
        g.aug_init(root + "/etc/hosts", 0)
    for flags in (4096, -1):
        with pytest.raises(guestbox.Error, match=f"^aug_init: flags {flags}: not a combination"):
            g.aug_init(root, flags)
    # A refused aug_init leaves the open handle as it was.
    assert g.aug_get("/files/etc/hosts/1/ipaddr") == "127.0.0.1"
