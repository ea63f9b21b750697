"""The appliance's kernel as an uncompressed ELF image that QEMU boots directly (PVH).

A bzImage decompresses itself in the guest first; under TCG that takes 2-3 s
of an 8 s cold boot (Debian's kernels are xz-compressed).  QEMU boots an
uncompressed vmlinux straight into 64-bit code when the kernel carries a PVH
entry note, so the builder unpacks it once, on the host, at native speed.
"""

from __future__ import annotations

import lzma
import struct
import zlib
from pathlib import Path

PT_NOTE = 4
XEN_ELFNOTE_PHYS32_ENTRY = 18
MAGICS = {b"\xfd7zXZ\x00": "xz", b"\x1f\x8b\x08": "gzip"}


def decompress(image: bytes) -> bytes | None:
    """The ELF kernel inside a bzImage, if it is compressed in a way the stdlib reads."""
    for magic, kind in MAGICS.items():
        start = image.find(magic)
        while start >= 0:
            try:
                if kind == "xz":
                    out = lzma.LZMADecompressor().decompress(image[start:])
                else:
                    out = zlib.decompressobj(wbits=31).decompress(image[start:])
            except (lzma.LZMAError, zlib.error):
                out = b""
            if out.startswith(b"\x7fELF"):
                return out
            start = image.find(magic, start + 1)
    return None


def has_pvh_entry(elf: bytes) -> bool:
    """True if a 64-bit little-endian ELF image has Xen's PVH entry note."""
    if elf[:5] != b"\x7fELF\x02" or elf[5] != 1:
        return False
    (phoff,) = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        header = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        p_type, p_offset, p_filesz = header[0], header[2], header[5]
        if p_type != PT_NOTE:
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12 : pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def unpack_for_pvh(vmlinuz: Path, dest: Path) -> bool:
    """Write the kernel of vmlinuz, uncompressed, to dest if QEMU can boot it by PVH."""
    elf = decompress(vmlinuz.read_bytes())
    if elf is None or not has_pvh_entry(elf):
        return False
    dest.write_bytes(elf)
    return True
