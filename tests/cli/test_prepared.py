"""-N prepared disks (guestbox.cli.prepared) against what guestfish 1.48 makes.

The expected layouts below were recorded by running `guestfish -N FILE=SPEC exit`
(libguestfs 1.48, force_tcg) and reopening each image read-only with libguestfs:
partitions and their byte boundaries, partition table type and MBR ids, volume
groups, logical volumes and their sizes, filesystems.  Here the same SPEC is made
with guestbox (create, launch, setup), the image reopened in a fresh read-only
handle, and the same facts compared.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import guestbox
from guestbox.cli.prepared import PreparedError, help_text, is_help, parse, parse_size

HERE = Path(__file__).resolve().parent
G = 1024 ** 3
M = 1024 ** 2

Launch = Callable[..., guestbox.GuestFS]


def _expected() -> dict[str, dict[str, Any]]:
    with open(HERE / "data" / "guestfish-N-layouts.json") as f:
        data: dict[str, dict[str, Any]] = json.load(f)
    return data


EXPECTED = _expected()


# -- the help text and parsing (no appliance) ----------------------------------

def test_help_text_is_guestfish_s() -> None:
    assert help_text() == (HERE / "data" / "guestfish-N-help.txt").read_text()


@pytest.mark.parametrize("word", ["help", "HELP", "list", "h", "?"])
def test_help_words(word: str) -> None:
    assert is_help(word)


def test_not_help_words() -> None:
    assert not is_help("disk") and not is_help("helpme")


def test_defaults_of_every_type() -> None:
    got = {spec: parse(spec, 1).params for spec in
           ("disk", "part", "fs", "lv", "lvfs", "bootroot", "bootrootlv")}
    assert got == {
        "disk": {"size": "1G"},
        "part": {"size": "1G", "partition": "mbr"},
        "fs": {"filesystem": "ext2", "size": "1G", "partition": "mbr"},
        "lv": {"name": "/dev/VG/LV", "size": "1G", "partition": "mbr"},
        "lvfs": {"name": "/dev/VG/LV", "filesystem": "ext2", "size": "1G", "partition": "mbr"},
        "bootroot": {"bootfs": "ext2", "rootfs": "ext2", "size": "1G", "bootsize": "128M",
                     "partition": "mbr"},
        "bootrootlv": {"name": "/dev/VG/LV", "bootfs": "ext2", "rootfs": "ext2", "size": "1G",
                       "bootsize": "128M", "partition": "mbr"},
    }


def test_parameters_in_guestfish_order() -> None:
    p = parse("bootrootlv:/dev/A/B:ext3:ext4:300M:32M:gpt", 1)
    assert p.params == {"name": "/dev/A/B", "bootfs": "ext3", "rootfs": "ext4", "size": "300M",
                        "bootsize": "32M", "partition": "gpt"}
    assert parse("part:100M:gpt", 1).params == {"size": "100M", "partition": "gpt"}
    assert parse("fs:ext4:100M", 1).params == {"filesystem": "ext4", "size": "100M",
                                               "partition": "mbr"}


def test_empty_parameter_takes_the_default() -> None:
    assert parse("fs::100M:", 1).params == {"filesystem": "ext2", "size": "100M",
                                             "partition": "mbr"}


def test_file_names() -> None:
    assert parse("disk", 1).filename == "test1.img"
    assert parse("fs", 3).filename == "test3.img"
    p = parse("my.img=lv:/dev/V/L", 2)
    assert (p.filename, p.spec, p.type) == ("my.img", "lv:/dev/V/L", "lv")
    with pytest.raises(PreparedError, match="‘b.img=disk’"):  # the first '=' splits
        parse("a=b.img=disk", 1)


@pytest.mark.parametrize(("spec", "type_"), [
    ("DISK", "disk"), ("d", "disk"), ("p", "part"), ("l", "lv"), ("lv", "lv"), ("lvf", "lvfs"),
    ("b", "bootroot"), ("bootroot", "bootroot"), ("bootrootl", "bootrootlv"), ("Fs:ext4", "fs"),
])
def test_types_by_prefix_and_any_case(spec: str, type_: str) -> None:
    assert parse(spec, 1).type == type_


@pytest.mark.parametrize(("text", "size"), [
    ("1G", G), ("100M", 100 * M), ("512K", 512 * 1024), ("1k", 1024), ("1MB", 1000000),
    ("1MiB", M), ("1048576", M), ("0x100000", M), ("010", 8), ("2T", 2 * 1024 * G),
])
def test_sizes_as_guestfish_reads_them(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(("arg", "message"), [
    ("foo", "-N parameter ‘foo’: no such prepared disk image known.\n"
            "Use 'guestfish -N help' to list possible values for the -N parameter."),
    ("x.img=", "-N parameter ‘’: no such prepared disk image known."),
    ("diskx", "-N parameter ‘diskx’: no such prepared disk image known."),
    ("lv:bad", "error creating prepared disk image ‘lv:bad’ on ‘test1.img’: "
               "incorrect format for LV name, use '/dev/VG/LV'"),
    ("lvfs:/dev/VG", "incorrect format for LV name, use '/dev/VG/LV'"),
    ("bootrootlv:/dev/VG/", "incorrect format for LV name, use '/dev/VG/LV'"),
    ("disk:abc", "error creating prepared disk image ‘disk:abc’ on ‘test1.img’: "
                 "failed to allocate disk: invalid size ‘abc’"),
    ("disk:10Q", "failed to allocate disk: invalid size ‘10Q’"),
    ("disk:1.5M", "failed to allocate disk: invalid size ‘1.5M’"),
    ("disk:-1", "failed to allocate disk: invalid size ‘-1’"),
    ("disk:0", "failed to allocate disk: invalid size ‘0’: the size must be more than 0"),
    ("fs:ext2:1M:mbr:extra", "too many parameters (4) for ‘fs’, which takes at most 3: "
                             "-N fs:<filesystem>:<size>:<partition>"),
    ("bootroot:ext2:ext2:1G:abc", "could not parse boot size: invalid size ‘abc’"),
])
def test_bad_arguments(arg: str, message: str) -> None:
    with pytest.raises(PreparedError) as e:
        parse(arg, 1)
    assert message in str(e.value)
    assert isinstance(e.value, ValueError)


# -- the image file ------------------------------------------------------------

def test_create_makes_a_sparse_raw_file_and_replaces_an_old_one(tmp_path: Path) -> None:
    path = tmp_path / "d.img"
    path.write_bytes(b"old" * 1000)
    p = parse(f"{path}=disk:100M", 1)
    p.create()
    st = path.stat()
    assert st.st_size == 100 * M and st.st_blocks == 0
    assert p.format == "raw"


def test_create_in_a_missing_directory_fails_clearly(tmp_path: Path) -> None:
    p = parse(f"{tmp_path}/nodir/x.img=disk", 1)
    with pytest.raises(PreparedError, match=r"failed to allocate disk: .*/nodir/x.img: "
                                             r"No such file or directory"):
        p.create()


def test_parse_makes_no_file(tmp_path: Path) -> None:
    parse(f"{tmp_path}/x.img=lv", 1)
    assert os.listdir(tmp_path) == []


# -- every type, made and reopened -----------------------------------------------

def _layout(h: guestbox.GuestFS, path: Path) -> dict[str, Any]:
    """The facts that ref records for guestfish's image, read the same way."""
    res: dict[str, Any] = {"size": path.stat().st_size,
                           "list_partitions": h.list_partitions()}
    if res["list_partitions"]:
        res["part_type"] = h.part_get_parttype("/dev/sda")
        res["part_list"] = h.part_list("/dev/sda")
        res["mbr_ids"] = [h.part_get_mbr_id("/dev/sda", p["part_num"])
                          if res["part_type"] == "msdos" else None for p in res["part_list"]]
    res["lvs"] = h.lvs()
    res["vgs"] = h.vgs()
    res["pvs"] = h.pvs()
    res["lv_sizes"] = {lv: h.blockdev_getsize64(lv) for lv in res["lvs"]}
    res["list_filesystems"] = h.list_filesystems()
    res["vfs_types"] = {d: h.vfs_type(d) for d in res["list_filesystems"]}
    res["dev_size"] = h.blockdev_getsize64("/dev/sda")
    return res


def _recorded(spec: str) -> dict[str, Any]:
    want = {k: v for k, v in EXPECTED[spec].items()
            if k not in ("rc", "stderr", "stdout", "blocks", "part_err")}
    return want


@pytest.mark.parametrize("spec", sorted(s for s, r in EXPECTED.items() if r["rc"] == 0))
def test_made_as_guestfish_makes_it(spec: str, tmp_path: Path, launch_handle: Launch) -> None:
    path = tmp_path / "p.img"
    p = parse(f"{path}={spec}", 1)
    p.create()
    h = launch_handle(path, format="raw")
    p.setup(h, "/dev/sda")
    h.shutdown()
    h.close()
    assert path.stat().st_blocks * 512 < path.stat().st_size / 2  # still sparse
    ro = launch_handle(path, readonly=True, format="raw")
    assert _layout(ro, path) == _recorded(spec)


# -- failures after launch ---------------------------------------------------------

def test_setup_failures_name_the_step(tmp_path: Path, launch_handle: Launch) -> None:
    specs = ["part:10M:bogus", "fs:bogusfs:10M", "lv:/dev/V/L:10M", "lvfs:/dev/V/L2:10M"]
    preps = [parse(f"{tmp_path}/{i}.img={s}", i + 1) for i, s in enumerate(specs)]
    for p in preps:
        p.create()
    h = launch_handle(*(p.filename for p in preps), format="raw")
    with pytest.raises(PreparedError) as e:
        preps[0].setup(h, "/dev/sda")
    assert str(e.value).startswith(
        f"error creating prepared disk image ‘part:10M:bogus’ on ‘{tmp_path}/0.img’: "
        "failed to partition disk: ")
    assert "bogus" in str(e.value)
    with pytest.raises(PreparedError) as e:
        preps[1].setup(h, "/dev/sdb")
    assert "‘fs:bogusfs:10M’" in str(e.value)
    assert "failed to create filesystem (bogusfs): " in str(e.value)
    assert h.list_partitions() == ["/dev/sdb1"]  # partitioned, as guestfish leaves it
    preps[2].setup(h, "/dev/sdc")
    with pytest.raises(PreparedError, match="‘lvfs:/dev/V/L2:10M’ on .*: failed to create VG: V: "):
        preps[3].setup(h, "/dev/sdd")  # a second VG named V
    assert h.lvs() == ["/dev/V/L"]
