"""A scratch guest disk for the listing tools (cat, ls, df, filesystems): their tests and
`make compare` (compare/tools.py) use it.

256 MiB, MBR: p1 160 MiB ext4 labelled "scratch data" with the files below, p2 48 MiB
vfat "FATDATA" (type 0c), p3 16 MiB swap "swp" (type 82), p4 24 MiB unformatted.
The files: names that need quoting or are not UTF-8, every file type, setuid,
setgid and sticky modes, owners, sizes around the points where `-h` rounds
(sparse), fixed times.  Built once per version of this file and kept in the
cache, as the phony guests.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import guestbox
from guestbox.appliance.cache import cache_dir, locked

MiB = 1024 * 1024
PARTITIONS = [160 * MiB, 48 * MiB, 16 * MiB, 24 * MiB]
"""The partitions' sizes, from sector 2048 on, one after the other."""
NAMES = ["with space", "comma,name", 'quo"te', "new\nline", "tab\tname",
         "\u00fcn\u00efc\u00f6d\u00e9", "caf\udce9", "-dash", ".hidden"]
"""Files in /names, each holding its own name (UTF-8, the undecodable byte as itself)."""
SIZES = {"0": 0, "1023": 1023, "1024": 1024, "1536": 1536, "10188": 10188,
         "10189": 10189, "1048063": 1048063, "1048064": 1048064,
         "5.1G": 5 * 1024**3 + 10**8, "1023.95M": 1023 * MiB + 972 * 1024,
         "2T": 2 * 1024**4}
"""Sparse files in /sizes."""
MODES = {"setuid": (0o4755, 0, 0), "setgid": (0o2711, 1000, 100),
         "none": (0o000, 65534, 65534), "all": (0o777, 1, 2)}
"""Files in /modes: (mode, uid, gid); each holds its name."""
OLD = 981173106  # 2001-02-03 04:05:06 UTC: atime and mtime of /names/plain, /modes/setuid


def build(path: Path) -> None:
    """Make the disk at path."""
    with open(path, "wb") as f:
        f.truncate(256 * MiB)
    g = guestbox.GuestFS()
    try:
        g.add_drive_opts(str(path), format="raw")
        g.launch()
        g.part_init("/dev/sda", "mbr")
        start = 2048
        for size in PARTITIONS:
            g.part_add("/dev/sda", "p", start, start + size // 512 - 1)
            start += size // 512
        g.part_set_mbr_id("/dev/sda", 2, 0x0C)
        g.part_set_mbr_id("/dev/sda", 3, 0x82)
        g.mkfs("ext4", "/dev/sda1", label="scratch data")
        g.mkfs("vfat", "/dev/sda2", label="FATDATA")
        g.mkswap("/dev/sda3", label="swp")
        g.mount("/dev/sda1", "/")
        _files(g)
        g.shutdown()
    finally:
        g.close()


def _files(g: Any) -> None:
    g.write("/bytes", bytes(range(256)) * 3)
    g.mkdir_p("/names")
    g.write("/names/plain", b"plain\n")
    for name in NAMES:
        g.write(f"/names/{name}", name.encode("utf-8", "surrogateescape"))
    g.ln("/names/plain", "/names/hard")
    g.ln_s("with space", "/names/link")
    g.ln_s("/nowhere, at all", "/names/dangle")
    g.ln_s("../special", "/names/dirlink")
    g.lchown(1000, 1000, "/names/link")
    g.mkdir_p("/special")
    g.mkfifo(0o644, "/special/fifo")
    g.mknod_c(0o600, 1, 3, "/special/null")
    g.mknod_b(0o660, 8, 17, "/special/sdb1")
    g.mknod(0o140755, 0, 0, "/special/socket")
    g.mkdir_p("/modes/sticky")
    g.chmod(0o1777, "/modes/sticky")
    for name, (mode, uid, gid) in MODES.items():
        g.write(f"/modes/{name}", name.encode())
        g.chown(uid, gid, f"/modes/{name}")  # before chmod: chown clears setuid and setgid
        g.chmod(mode, f"/modes/{name}")
    g.mkdir_p("/sizes")
    for name, size in SIZES.items():
        g.write(f"/sizes/{name}", b"")
        g.truncate_size(f"/sizes/{name}", size)
    g.mkdir_p("/deep/a/b/c/d")
    g.write("/deep/a/b/c/d/leaf", b"leaf\n")
    for path in ("/names/plain", "/modes/setuid"):
        g.utimens(path, OLD, 123456789, OLD, 0)


def image() -> Path:
    """The disk, built first if it is not in the cache."""
    key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    directory = cache_dir()
    path = directory / f"tools-scratch-{key}.img"
    with locked(directory / "tools-scratch.lock"):
        if not path.exists():
            part = path.with_suffix(".part")
            build(part)
            part.rename(path)
            for stale in directory.glob("tools-scratch-*.img"):
                if stale != path:
                    stale.unlink()
    return path
