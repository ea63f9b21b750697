"""Unpacking the kernel for a direct PVH boot: synthetic images (pure logic) and the host's."""

from __future__ import annotations

import gzip
import lzma
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from guestbox.appliance import closure
from guestbox.appliance.kernel import decompress, has_pvh_entry, unpack_for_pvh


def elf_with_note(name: bytes, ntype: int) -> bytes:
    """A minimal ELF64 image with one PT_NOTE segment holding one note."""
    desc = struct.pack("<I", 0x1000000)
    padded = name + b"\0" * (-len(name) % 4)
    note = struct.pack("<III", len(name), len(desc), ntype) + padded + desc
    phoff, phentsize = 64, 56
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x20, phoff)
    struct.pack_into("<HH", header, 0x36, phentsize, 1)
    offset = phoff + phentsize
    phdr = struct.pack("<IIQQQQQQ", 4, 0, offset, 0, 0, len(note), len(note), 4)
    return bytes(header) + phdr + note + b"kernel text" * 100


PVH = elf_with_note(b"Xen\0", 18)


@pytest.mark.parametrize("compress", [lzma.compress, gzip.compress])
def test_the_elf_inside_a_bzimage_is_found(compress: Callable[[bytes], bytes]) -> None:
    image = b"setup code \xfd7zXZ\x00 not a stream \x1f\x8b\x08 nor this" + compress(PVH) + b"pad"
    assert decompress(image) == PVH


def test_pvh_note_is_recognised_and_others_are_not() -> None:
    assert has_pvh_entry(PVH)
    assert not has_pvh_entry(elf_with_note(b"Xen\0", 17))
    assert not has_pvh_entry(elf_with_note(b"GNU\0", 18))
    assert not has_pvh_entry(b"\x7fELF\x01\x01" + bytes(64))  # 32-bit


def test_unpack_writes_only_a_bootable_kernel(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_bytes(b"MZ" + lzma.compress(PVH))
    bad.write_bytes(b"MZ" + lzma.compress(elf_with_note(b"GNU\0", 3)))
    assert unpack_for_pvh(good, tmp_path / "vmlinux")
    assert (tmp_path / "vmlinux").read_bytes() == PVH
    assert not unpack_for_pvh(bad, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_the_host_kernel_unpacks_for_pvh(tmp_path: Path) -> None:
    vmlinuz, _ = closure.kernel()
    assert unpack_for_pvh(Path(vmlinuz), tmp_path / "vmlinux")
    assert (tmp_path / "vmlinux").stat().st_size > Path(vmlinuz).stat().st_size
