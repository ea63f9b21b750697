"""The inode table: numbers stay with guest files through links, renames and deletions."""

from __future__ import annotations

from guestbox.fuse.nodes import ROOT, Nodes, join
from guestbox.protocol.dirents import Dirent


def dirent(ino: int, name: bytes = b"x", dev: int = 1) -> Dirent:
    return Dirent(name, dev, ino, 0o100644, 1, 0, 0, 0, 0, 0, 4096, 0, 0, 0, b"")


def test_join() -> None:
    assert join("/", "a") == "/a"
    assert join("/a", "b") == "/a/b"


def test_the_root_keeps_its_number_and_learns_its_identity() -> None:
    nodes = Nodes()
    root = nodes.learn("/", dirent(2))
    assert root.ino == ROOT
    assert nodes.by_key[(1, 2)] is root


def test_hard_links_are_one_node_with_every_name() -> None:
    nodes = Nodes()
    a = nodes.learn("/a", dirent(10))
    b = nodes.learn("/b", dirent(10))
    assert a is b and a.paths == ["/a", "/b"]
    nodes.removed("/a")
    assert a.path == "/b" and nodes.by_key[(1, 10)] is a


def test_same_inode_number_on_another_filesystem_is_another_node() -> None:
    nodes = Nodes()
    assert nodes.learn("/a", dirent(10, dev=1)) is not nodes.learn("/boot/a", dirent(10, dev=2))


def test_a_deleted_file_number_is_not_reused_for_its_successor() -> None:
    nodes = Nodes()
    old = nodes.learn("/f", dirent(10))
    old.lookups = 1
    nodes.removed("/f")
    new = nodes.learn("/f", dirent(10))  # the guest reused the inode number
    assert new is not old and new.ino > old.ino
    assert nodes[old.ino] is old  # still known to the kernel until it forgets it


def test_a_path_naming_another_file_now_moves_to_the_new_node() -> None:
    nodes = Nodes()
    old = nodes.learn("/f", dirent(10))
    old.lookups = 1
    new = nodes.learn("/f", dirent(11))  # replaced behind our back
    assert new is not old and nodes.by_path["/f"] is new


def test_forget_drops_a_node_only_when_unreferenced_and_closed() -> None:
    nodes = Nodes()
    n = nodes.learn("/f", dirent(10))
    n.lookups, n.opened = 2, 1
    nodes.forget(n.ino, 2)
    assert n.ino in nodes.by_ino  # still open
    n.opened = 0
    nodes.drop_unused(n)
    assert n.ino not in nodes.by_ino and (1, 10) not in nodes.by_key and "/f" not in nodes.by_path
    nodes.forget(ROOT, 5)
    assert ROOT in nodes.by_ino


def test_renaming_a_directory_moves_every_path_under_it() -> None:
    nodes = Nodes()
    d = nodes.learn("/d", dirent(10))
    f = nodes.learn("/d/f", dirent(11))
    g = nodes.learn("/dd", dirent(12))  # a name that only starts like /d
    nodes.moved("/d", "/e")
    assert d.path == "/e" and f.path == "/e/f" and g.path == "/dd"
    assert nodes.by_path["/e/f"] is f and "/d/f" not in nodes.by_path


def test_rename_over_an_existing_name_unnames_the_replaced_file() -> None:
    nodes = Nodes()
    a = nodes.learn("/a", dirent(10))
    b = nodes.learn("/b", dirent(11))
    b.lookups = 1
    nodes.moved("/a", "/b")
    assert nodes.by_path["/b"] is a and (1, 11) not in nodes.by_key


def test_exchange_swaps_names() -> None:
    nodes = Nodes()
    a = nodes.learn("/a", dirent(10))
    b = nodes.learn("/b", dirent(11))
    nodes.learn("/a/x", dirent(12))
    nodes.exchanged("/a", "/b")
    assert a.path == "/b" and b.path == "/a" and nodes.by_path["/b/x"].attr == dirent(12)
