"""What virt-sparsify does to each filesystem, swap and volume group of a launched guest.

Copying mode (zero_free_space, on the overlay): free space filled with zeroes,
swap cleared; in-place mode (discard): free space trimmed, swap discarded.  Swap
keeps its first 4 KiB (label, UUID and format version: the guest's own mkswap's
choice), as virt-sparsify does.  Ignored filesystems, read-only LVs, read-only
btrfs snapshots and filesystems that mount read-only are left alone.
"""

from __future__ import annotations

import errno
import random
import string
from collections.abc import Callable

from ...errors import Error
from ...handle import GuestFS
from .virt_messages import Messages

SWAP_MAGIC = b"SWAPSPACE2"  # at 4086 on x86 (4 KiB pages); not there if hibernated
ST_RDONLY = 0x1


def random8() -> str:
    """Eight random lowercase letters and digits: a temporary LV's name."""
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=8))


class Sparsifier:
    """The guest's filesystems and volume groups, as virt-sparsify walks them."""

    def __init__(self, g: GuestFS, out: Messages, ignores: list[str], zeroes: list[str]
                 ) -> None:
        self.g, self.out, self.ignores, self.zeroes = g, out, ignores, zeroes
        self.filesystems = dict(sorted(g.list_filesystems().items()))
        self.ignored = {self._canonical(fs) for fs in ignores}
        self.read_only_lvs = {lv["lv_uuid"].replace("-", "") for lv in g.lvs_full()
                              if lv["lv_attr"][1:2] == "r"}

    def _canonical(self, name: str) -> str:
        try:
            return str(self.g.canonical_device_name(name))
        except Error:
            return name

    def _skipped(self, fs: str) -> bool:
        if self._canonical(fs) in self.ignored:
            return True
        try:
            return (self.g.is_lv(fs)
                    and self.g.lvuuid(fs).replace("-", "") in self.read_only_lvs)
        except Error:
            return False

    # -- copying mode --------------------------------------------------------------------
    def zero_free_space(self) -> None:
        """Fill each filesystem's free space with zeroes; clear swap; zero free VG space."""
        g = self.g
        for fs, fstype in self.filesystems.items():
            if self._skipped(fs):
                continue
            if fs in self.zeroes:
                self.out.message(f"Zeroing {fs}")
                g.zero_device(fs)
            elif self._mount(fs, ""):
                if fstype == "btrfs" and self._readonly_snapshot():
                    self.out.info(f"Skipping {fs}, as it is a read-only btrfs snapshot.")
                elif self._readonly_mount():
                    self.out.info(f"Skipping {fs}, as it is a read-only device.")
                else:
                    self.out.message(f"Fill free space in {fs} with zero")
                    g.zero_free_space("/")
            elif self._is_swap(fs):
                self.out.message(f"Clearing Linux swap on {fs}")
                self._keeping_header(fs, g.zero_device)
            g.umount_all()
        for vg in self._volume_groups():
            self._with_free_lv(vg, f"Fill free space in volgroup {vg} with zero", g.zero_device)

    # -- in-place mode -------------------------------------------------------------------
    def discard(self) -> None:
        """Trim each filesystem's free space; discard swap and free VG space."""
        g = self.g
        for fs in self.filesystems:
            if self._skipped(fs):
                continue
            if fs in self.zeroes:
                self.out.message(f"Zeroing {fs}")
                if not g.blkdiscardzeroes(fs):
                    g.zero_device(fs)
                g.blkdiscard(fs)
            elif self._mount(fs, "discard"):
                self.out.message(f"Trimming {fs}")
                self._trim(fs)
            elif self._is_swap(fs):
                self.out.message(f"Clearing Linux swap on {fs}")
                self._keeping_header(fs, g.blkdiscard)
            g.umount_all()
        for vg in self._volume_groups():
            self._with_free_lv(vg, f"Discard space in volgroup {vg}", g.blkdiscard)

    def _trim(self, fs: str) -> None:
        try:
            self.g.fstrim("/")
        except Error as e:
            if e.errno != errno.ENOTSUP:
                raise
            try:
                fstype = self.g.vfs_type(fs)
            except Error:
                fstype = "unknown"
            self.out.warning(f"fstrim operation is not supported on {fs} ({fstype}).  "
                             f"Suppress this warning using '--ignore {fs}', or use copying "
                             "mode instead.")

    # -- helpers -------------------------------------------------------------------------
    def _mount(self, fs: str, options: str) -> bool:
        try:
            self.g.mount_options(options, fs, "/")
        except Error:
            return False
        return True

    def _readonly_snapshot(self) -> bool:
        try:
            return "readonly" in self.g.btrfs_subvolume_show("/").get("Flags", "")
        except Error:
            return False

    def _readonly_mount(self) -> bool:
        flag = int(self.g.statvfs("/")["flag"])
        return flag != -1 and bool(flag & ST_RDONLY)

    def _is_swap(self, fs: str) -> bool:
        try:
            return bytes(self.g.pread_device(fs, len(SWAP_MAGIC), 4096 - len(SWAP_MAGIC))
                         ) == SWAP_MAGIC
        except Error:
            return False

    def _keeping_header(self, dev: str, clear: Callable[[str], None]) -> None:
        """clear(dev), its first 4 KiB put back."""
        header = bytes(self.g.pread_device(dev, 4096, 0))
        clear(dev)
        if self.g.pwrite_device(dev, header, 0) != len(header):
            raise Error("pwrite: short write restoring swap partition header")

    def _volume_groups(self) -> list[str]:
        return [vg for vg in sorted(self.g.vgs()) if vg not in self.ignores]

    def _with_free_lv(self, vg: str, message: str, clear: Callable[[str], None]) -> None:
        """Say message and clear() the free space of vg, through a temporary LV that takes
        all of it (nothing if there is none)."""
        name = random8()
        try:
            self.g.lvcreate_free(name, vg, 100)
        except Error:
            return
        lv = f"/dev/{vg}/{name}"
        self.out.message(message)
        clear(lv)
        self.g.sync()
        self.g.lvremove(lv)
