"""`guestbox win-reg`: export and merge Windows registry keys, as virt-win-reg (1.48).

Export (the default): `guestbox win-reg DISK 'HKLM\\SOFTWARE\\Microsoft' [NAME]`
prints the key and everything below it in regedit's .reg format, or with NAME
only that value, as hivexget prints it.  Merge: `guestbox win-reg --merge DISK
[FILE.reg ...]` reads the .reg files (or stdin) and checks them first; then
each hive they touch is changed, written beside itself, and copied over the
original once every hive was written, so a failure leaves the guest as it was.
Keys are HKLM\\SAM, SECURITY, SOFTWARE, SYSTEM, HKU\\.DEFAULT, HKU\\SID
(LocalSystem, LocalService, NetworkService) and HKU\\USERNAME, as virt-win-reg
maps them to hive files.  The hives are read and written in the appliance
(libhivex); nothing of the guest is parsed on the host.  The disk may also be
given with -a (several for a guest on more than one disk).  Failures end with
virt-win-reg's exit status 255 (1 when NAME is not there); merging a running
guest's registry corrupts it.
"""

from __future__ import annotations

import argparse
import codecs
import errno
import os
import re
import sys

from ...errors import ApplianceError, Error
from ...handle import GuestFS
from ...protocol import hives
from .. import toolopts
from ..toolopts import ToolError
from . import regedit, stdout
from .registry import Tool, register

NAME = "win-reg"
PROG = f"guestbox {NAME}"
DIED, NOT_FOUND = 255, 1  # virt-win-reg's statuses: Perl's die; hivexget's failure
NO_OS = (f"{PROG}: No operating system could be detected inside this disk image.\n\n"
         "This may be because the file is not a disk image, or is not a virtual machine\n"
         "image, or because the OS type is not understood by libguestfs.\n\n"
         "If you feel this is an error, please file a bug report including as much\n"
         "information about the disk image as possible.")
MERGE_SUFFIX = ".guestbox-merge"  # a hive's new version, written beside it


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False, keys=False,
                         libvirt=False)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--export", dest="merge", action="store_false",
                      help="print KEY (and what is below it) or its value NAME (the default)")
    mode.add_argument("--merge", dest="merge", action="store_true",
                      help="merge the .reg FILEs (or stdin) into the guest's registry")
    p.add_argument("--encoding", default="utf-16le", metavar="ENCODING",
                   help="the encoding strings of a merged .reg file get (default utf-16le)")
    p.add_argument("--unsafe-printable-strings", action="store_true",
                   help="export REG_SZ and REG_EXPAND_SZ values as str(T):\"TEXT\" "
                   "(UTF-8), guessing they are UTF-16LE strings")
    p.add_argument("-d", "--debug", action="store_true", help="say what is being done")
    p.add_argument("-c", "--connect", metavar="URI", help=argparse.SUPPRESS)
    p.add_argument("args", nargs="*", metavar="ARG",
                   help="DISK (unless -a), then KEY [NAME] to export, or the FILE.reg to merge")
    p.set_defaults(merge=False)


def run(ns: argparse.Namespace) -> int:
    try:
        return _run(ns)
    except ToolError as e:
        if e.message:
            print(e.message, file=sys.stderr)
        return DIED
    except Error as e:
        print(e, file=sys.stderr)
        return DIED


def _say(ns: argparse.Namespace, what: str) -> None:
    if ns.debug:
        print(what, file=sys.stderr, flush=True)


def _run(ns: argparse.Namespace) -> int:
    args = list(ns.args)
    if not ns.drives:
        if not args:
            raise ToolError("no libvirt domain name or disk image given")
        image = args.pop(0)
        if not os.path.exists(image):
            raise ToolError(f"{PROG}: {image}: no such disk image (libvirt guests are not "
                            "supported by guestbox: give a disk image)")
        ns.drives = [(image, ns.format)]
        ns.format_pending = False
    toolopts.check(ns)
    codec = _encoding(ns.encoding)
    if ns.merge:
        sections = _read_sections(args, codec)
    elif not 1 <= len(args) <= 2:
        raise ToolError("expecting 1 or 2 more parameters, subkey path and optionally the "
                        "value to export")
    _say(ns, "launching libguestfs ...")
    with toolopts.opened(ns, PROG, readonly=not ns.merge) as g:
        _say(ns, "inspecting guest ...")
        systemroot = _mount(g, write=ns.merge)
        reg = Registry(g, systemroot, ns)
        if ns.merge:
            reg.merge(sections)
            g.shutdown()
            return 0
        return stdout.until_reader_leaves(lambda: reg.export(args[0], args[1:]))


def _encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ToolError(f"Unknown encoding '{name}'") from None


def _read_sections(files: list[str], codec: str) -> list[regedit.Section]:
    """Every section of the .reg files (stdin if none), parsed before anything is changed."""
    try:
        if not files:
            return regedit.parse(sys.stdin.buffer, codec)
        out = []
        for name in files:
            try:
                f = open(name, "rb")  # noqa: SIM115 - closed below
            except OSError as e:
                raise ToolError(f"open: {name}: {e.strerror}") from None
            with f:
                out += regedit.parse(f, codec)
        return out
    except regedit.RegError as e:
        raise ToolError(str(e)) from None


def _mount(g: GuestFS, write: bool) -> str:
    """Inspect and mount the one Windows OS (read-only unless writing); its systemroot."""
    roots = g.inspect_os()
    if not roots:
        raise ToolError(NO_OS)
    if len(roots) > 1:
        raise ToolError(f"{PROG}: multiboot operating systems are not supported.")
    mps: dict[str, str] = dict(g.inspect_get_mountpoints(roots[0]))
    for mp in sorted(mps, key=len):
        g.mount_options("" if write else "ro", mps[mp], mp)
    return str(g.inspect_get_windows_systemroot(roots[0]))


_HKLM = r"^\\?(?:HKEY_LOCAL_MACHINE|HKLM)\\"
_HKU = r"^\\?(?:HKEY_USERS|HKU)\\"
_WELL_KNOWN = {"localsystem": "S-1-5-18", "localservice": "S-1-5-19",
               "networkservice": "S-1-5-20"}


class Registry:
    """The guest's hives as virt-win-reg maps keys to them, opened one at a time in the
    appliance (its single hivex handle)."""

    def __init__(self, g: GuestFS, systemroot: str, ns: argparse.Namespace) -> None:
        self.g, self.systemroot, self.ns = g, systemroot, ns
        self.opened: tuple[str, bool] | None = None

    # -- keys and hive files -----------------------------------------------------------
    def map_path(self, path: str) -> tuple[str, str, str]:
        """(hive file in the guest, path inside the hive, the prefix exports print)."""
        def rest(m: re.Match[str], group: int) -> str:
            return m[group] if m[group] is not None else "\\"

        for hive in ("SAM", "SECURITY", "SOFTWARE", "SYSTEM"):
            if m := re.fullmatch(_HKLM + hive + r"(\\.*)?", path, re.I):
                return (f"{self.systemroot}/system32/config/{hive.lower()}", rest(m, 1),
                        f"HKEY_LOCAL_MACHINE\\{hive}")
        if m := re.fullmatch(_HKU + r"\.DEFAULT(\\.*)?", path, re.I):
            return (f"{self.systemroot}/system32/config/default", rest(m, 1),
                    "HKEY_LOCAL_MACHINE\\.DEFAULT")  # sic, as virt-win-reg
        if m := re.fullmatch(_HKU + r"(S-1-5-[-\d]+)(\\.*)?", path, re.I):
            return self._user_hive(m[1]), rest(m, 2), f"HKEY_USERS\\{m[1]}"
        if m := re.fullmatch(_HKU + r"(LocalSystem|LocalService|NetworkService)(\\.*)?",
                             path, re.I):
            sid = _WELL_KNOWN[m[1].lower()]
            return self._user_hive(sid), rest(m, 2), f"HKEY_USERS\\{sid}"
        if m := re.fullmatch(_HKU + r"(.*?)(\\.*)?", path, re.I):
            user = m[1]
            for home in (f"/Users/{user}", f"/Documents and Settings/{user}"):
                if self._is_dir_nocase(home):
                    return f"{home}/ntuser.dat", rest(m, 2), f"HKEY_USERS\\{user}"
            raise ToolError(f"{PROG}: {user}: cannot find user directory")
        raise ToolError(f"{PROG}: {path}: not a supported Windows Registry path")

    def _user_hive(self, sid: str) -> str:
        """The ntuser.dat of the user SID, from ProfileList's ProfileImagePath."""
        key = f"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\{sid}"
        hivefile, inner, _ = self.map_path(key)
        self.open(hivefile, write=False)
        node = self.lookup(inner)
        value = self.g.hivex_node_get_value(node, "ProfileImagePath") if node else 0
        if not value:
            raise ToolError(f"{PROG}: {sid}: no ProfileImagePath in {key}")
        text = regedit.value_text(self.g.hivex_value_type(value),
                                  self.g.hivex_value_value(value))
        pip = text.decode("utf-8", "replace").removesuffix("\n")
        pip = re.sub("%systemroot%", lambda _: self.systemroot, pip, count=1, flags=re.I)
        pip = re.sub("%systemdrive%", "", pip, count=1, flags=re.I)
        pip = re.sub("^c:", "", pip, count=1, flags=re.I).replace("\\", "/")
        return f"{pip}/ntuser.dat"

    def _is_dir_nocase(self, path: str) -> bool:
        try:
            return bool(self.g.is_dir(self.g.case_sensitive_path(path)))
        except Error:
            return False

    def open(self, hivefile: str, write: bool) -> str:
        """Open the hive file (as the guest spells its name); that name."""
        winfile = str(self.g.case_sensitive_path(hivefile))
        if self.opened != (winfile, write):
            _say(self.ns, f"opening {winfile} ...")
            try:
                self.g.hivex_open(winfile, write=write, unsafe=not write)
            except Error as e:
                raise ToolError(f"{PROG}: {winfile}: could not open registry file: {e}") \
                    from None
            self.opened = (winfile, write)
        return winfile

    def lookup(self, inner: str) -> int:
        """The node at path inner of the open hive (names without case), 0 if none."""
        node = int(self.g.hivex_root())
        for part in regedit.split_path(inner):
            node = int(self.g.hivex_node_get_child(node, part))
            if not node:
                return 0
        return node

    def _canonical(self, node: int) -> bytes:
        """The node's path as the hive names it (\\ for the root)."""
        root = self.g.hivex_root()
        names = []
        while node != root:
            names.append(stdout.text(self.g.hivex_node_name(node)))
            node = self.g.hivex_node_parent(node)
        return b"\\" + b"\\".join(reversed(names))

    def _nodes(self, node: int) -> list[hives.Node]:
        """The node and everything below it; in several calls if too big for one."""
        try:
            return _unpack(self.g.internal_hivex_export(node, True))
        except Error as e:
            if e.errno != errno.EOVERFLOW:
                raise
        out = _unpack(self.g.internal_hivex_export(node, False))
        for child in self.g.hivex_node_children(node):
            sub = self._nodes(child["hivex_node_h"])
            base = len(out)
            for i, n in enumerate(sub):
                n.parent = 0 if i == 0 else n.parent + base
            out += sub
        return out

    # -- export --------------------------------------------------------------------------
    def export(self, path: str, name: list[str]) -> int:
        hivefile, inner, prefix = self.map_path(path)
        self.open(hivefile, write=False)
        node = self.lookup(inner)
        if not name:
            if not node:
                raise ToolError(f"{inner}: path not found in this hive")
            _say(self.ns, f"exporting {inner} from {hivefile} with prefix {prefix} ...")
            for chunk in regedit.export_key(self._nodes(node), self._canonical(node),
                                            prefix.encode(), self.ns.unsafe_printable_strings):
                stdout.write(chunk)
            return 0
        key = "" if name[0] in ("", "@") else name[0]
        value = self.g.hivex_node_get_value(node, key) if node else 0
        if not value:
            print(f"{PROG}: {name[0] if node else inner}: "
                  f"{'key' if node else 'path'} not found", file=sys.stderr)
            return NOT_FOUND
        try:
            stdout.write(regedit.value_text(self.g.hivex_value_type(value),
                                            self.g.hivex_value_value(value)))
        except regedit.RegError as e:
            print(f"{PROG}: {name[0]}: {e}", file=sys.stderr)
            return NOT_FOUND
        return 0

    # -- merge ---------------------------------------------------------------------------
    def merge(self, sections: list[regedit.Section]) -> None:
        """Apply the sections, hive by hive, each written beside itself; then the new
        versions copied over the hives (no hive changes if anything failed before)."""
        plan: dict[str, list[tuple[regedit.Section, str]]] = {}
        for s in sections:
            hivefile, inner, _ = self.map_path(s.path)
            plan.setdefault(str(self.g.case_sensitive_path(hivefile)), []).append((s, inner))
        written: list[str] = []
        try:
            for winfile, changes in plan.items():
                self.open(winfile, write=True)
                for s, inner in changes:
                    self._apply(s, inner)
                _say(self.ns, f"committing {winfile} ...")
                written.append(winfile)
                self.g.hivex_commit(winfile + MERGE_SUFFIX)
            self.g.hivex_close()
            self.opened = None
        except BaseException:
            for winfile in written:
                self.g.rm_f(winfile + MERGE_SUFFIX)
            raise
        for winfile in written:
            self.g.cp(winfile + MERGE_SUFFIX, winfile)  # in place: the hive keeps its ACL
            self.g.rm(winfile + MERGE_SUFFIX)

    def _apply(self, s: regedit.Section, inner: str) -> None:
        node = self.lookup(inner)
        if s.delete:
            if not node:
                return  # not an error, as Regedit
            if node == self.g.hivex_root():
                raise ToolError("reg_import: the root node of a hive cannot be deleted")
            self.g.hivex_node_delete_child(node)
            return
        if not node:
            parentpath, name = regedit.split_last(inner)
            parent = self.lookup(parentpath)
            if not parent:
                raise ToolError(f"reg_import: cannot create {inner} since parent "
                                f"{parentpath} does not exist")
            node = self.g.hivex_node_add_child(parent, name)
        old = _unpack(self.g.internal_hivex_export(node, False))[0].values
        values = regedit.merged_values(old, s)
        self.g.internal_hivex_set_values(node, b"".join(hives.pack_value(v) for v in values))


def _unpack(blob: bytes) -> list[hives.Node]:
    try:
        nodes = hives.unpack(blob)
    except ValueError as e:
        raise ApplianceError(f"internal_hivex_export: malformed reply: {e}") from None
    if not nodes:
        raise ApplianceError("internal_hivex_export: empty reply")
    return nodes


register(Tool(
    NAME, "virt-win-reg", "export and merge Windows registry keys of a guest",
    __doc__.split("\n\n", 1)[1], options, run))
