"""Shared libraries made smaller for the appliance, when the bulk of one is data never read there.

ICU's libicudata is 31 MB of locale data in one exported object.  The agent
needs it only because libaugeas links libxml2, which links ICU, so the
dynamic loader insists on the file; nothing in the appliance converts text
with ICU.  `drop_data_object` copies such a library without that object's
bytes: the loader maps zero pages in their place, everything else (the
symbol, its size, the code) is unchanged.
"""

from __future__ import annotations

import struct

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
PT_LOAD = 1
PF_R = 4
SHT_DYNSYM = 11
STT_OBJECT = 1


class _Phdr:
    """One program header, editable."""

    def __init__(self, raw: bytes) -> None:
        (self.type, self.flags, self.offset, self.vaddr, self.paddr, self.filesz, self.memsz,
         self.align) = PHDR.unpack(raw)

    def pack(self) -> bytes:
        return PHDR.pack(self.type, self.flags, self.offset, self.vaddr, self.paddr,
                         self.filesz, self.memsz, self.align)


def _biggest_object(data: bytes, shoff: int, shnum: int) -> tuple[int, int] | None:
    """(address, size) of the biggest data object in the dynamic symbol table."""
    best: tuple[int, int] | None = None
    for i in range(shnum):
        _, typ, _, _, off, size, _, _, _, entsize = SHDR.unpack_from(data, shoff + i * SHDR.size)
        if typ != SHT_DYNSYM or entsize != SYM.size:
            continue
        for pos in range(off, off + size, entsize):
            _, info, _, shndx, value, symsize = SYM.unpack_from(data, pos)
            if info & 0xF == STT_OBJECT and shndx != 0 and (best is None or symsize > best[1]):
                best = (value, symsize)
    return best


def drop_data_object(data: bytes) -> bytes:
    """data (an x86-64/little-endian ELF64 shared library) without the bytes of its biggest
    exported data object, which the loader then zero-fills; data unchanged if the library
    is not laid out so that this is safe (the object alone, with zeros, in a read-only segment).
    """
    if len(data) < EHDR.size or data[:6] != b"\x7fELF\x02\x01":
        return data
    ehdr = list(EHDR.unpack_from(data))
    phoff, shoff, phentsize, phnum, shnum = ehdr[5], ehdr[6], ehdr[9], ehdr[10], ehdr[12]
    if phentsize != PHDR.size or not shoff:
        return data
    phdrs = [_Phdr(data[phoff + i * PHDR.size: phoff + (i + 1) * PHDR.size])
             for i in range(phnum)]
    obj = _biggest_object(data, shoff, shnum)
    loads = [p for p in phdrs if p.type == PT_LOAD]
    if obj is None or not loads:
        return data
    seg = max(loads, key=lambda p: p.filesz)
    start = seg.offset + obj[0] - seg.vaddr  # the object's place in the file
    end = seg.offset + seg.filesz
    align = max(p.align for p in loads)
    cut = seg.filesz // align * align
    if (seg.flags != PF_R or seg.offset <= phoff + phnum * PHDR.size or cut == 0
            or not seg.vaddr <= obj[0] <= obj[0] + obj[1] <= seg.vaddr + seg.filesz
            or data[seg.offset:start].strip(b"\0") or data[start + obj[1]:end].strip(b"\0")):
        return data
    for p in phdrs:
        if p is seg:
            continue
        if p.offset < end and p.offset + p.filesz > seg.offset and p.filesz:
            return data  # another header describes bytes inside the object's segment
        if p.offset >= end:
            p.offset -= cut  # a multiple of every alignment: offsets stay congruent
    seg.filesz = 0
    ehdr[6] = ehdr[12] = ehdr[13] = 0  # no section headers: the loader does not use them
    head = bytearray(data[:seg.offset])
    head[:EHDR.size] = EHDR.pack(*ehdr)
    for i, p in enumerate(phdrs):
        head[phoff + i * PHDR.size: phoff + (i + 1) * PHDR.size] = p.pack()
    return bytes(head) + data[seg.offset + cut:]
