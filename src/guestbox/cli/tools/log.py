"""`guestbox log`: the guest's log, as virt-log (guestfs-tools 1.48) shows it.

The disks are added read-only and the guest is inspected and mounted as -i
does.  A Linux guest whose /var/log/journal holds anything has its systemd
journal printed in journalctl's short format without the host name (virt-log's
`Mon DD HH:MM:SS IDENTIFIER[PID] LEVEL: MESSAGE`, local time), read in the
appliance with sd-journal (the journal_* operations).  Otherwise the first of
/var/log/syslog and /var/log/messages that exists is copied out as it is; with
neither, nothing is printed.  Windows Vista and later: System.evtx is printed
by python-evtx's evtxdump.py on the host, as virt-log does, if it is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import locale
import os
import shutil
import subprocess
import sys
import tempfile
import time

from ...api.journal import decode_entries
from ...api.types import XAttr
from ...errors import Error
from ...handle import GuestFS
from .. import toolopts
from ..toolopts import ToolError
from . import stdout
from .registry import Tool, register

NAME = "log"
PROG = f"guestbox {NAME}"
JOURNAL_DIR = "/var/log/journal"
TEXT_LOGS = ("/var/log/syslog", "/var/log/messages")
EVTX = "/Windows/System32/winevt/Logs/System.evtx"
LEVELS = (b"emerg", b"alert", b"crit", b"err", b"warning", b"notice", b"info", b"debug")
BATCH = 1000  # journal entries per call


def options(p: argparse.ArgumentParser) -> None:
    toolopts.add_options(p, inspector=False, mount=False, readonly=False)
    p.add_argument("extra", nargs="*", help=argparse.SUPPRESS)


def run(ns: argparse.Namespace) -> int:
    if ns.extra:
        raise toolopts.usage_error(
            PROG, f"extra argument ‘{ns.extra[0]}’ on command line.\nMake sure to specify "
            f"the argument for --format like '--format={ns.extra[0]}'.")
    toolopts.check(ns)
    if not ns.drives:
        raise toolopts.usage_error(PROG, "you must specify at least one -a or -d option.")
    ns.inspector = True  # virt-log always inspects; it has no -i and no -m
    with toolopts.opened(ns, PROG, readonly=True) as g:
        return stdout.until_reader_leaves(lambda: show(g))


def show(g: GuestFS) -> int:
    """Print the log of the inspected, mounted guest on g; the exit status."""
    root = g.inspect_get_roots()[0]
    kind = g.inspect_get_type(root)
    if kind == "windows":
        if g.inspect_get_major_version(root) >= 6:
            return _windows_evtx(g)
        raise ToolError("Windows Event Log for pre-Vista guests is not supported.")
    if kind == "linux" and _has_journal(g):
        return _journal(g)
    for path in TEXT_LOGS:
        if g.is_file(path, followsymlinks=True):
            sys.stdout.flush()
            try:
                g.download(path, "-")
            except Error as e:
                if e.errno == errno.EPIPE:  # the reader went away: as SIGPIPE, quietly
                    raise BrokenPipeError(errno.EPIPE, str(e)) from None
                raise
            return 0
    return 0


def _has_journal(g: GuestFS) -> bool:
    try:
        return bool(g.ls(JOURNAL_DIR))
    except Error:
        return False


def _journal(g: GuestFS) -> int:
    with contextlib.suppress(locale.Error):  # month names as the C tools' (LC_TIME)
        locale.setlocale(locale.LC_TIME, "")
    g.journal_open(JOURNAL_DIR)
    while True:
        entries = decode_entries(g.internal_journal_read(BATCH))
        stdout.write(b"".join(line(e.realtime_usec, e.fields) for e in entries))
        if len(entries) < BATCH:
            break
    g.journal_close()
    return 0


def line(usec: int, fields: list[XAttr]) -> bytes:
    """One entry as virt-log prints it (journalctl's short format, no host name)."""
    found: dict[str, bytes] = {}
    for f in fields:  # the first of fields with the same name, as sd_journal_get_data
        found.setdefault(f["attrname"], f["attrval"].split(b"\0", 1)[0])
    out = b""
    if usec >= 0:
        out = time.strftime("%b %d %H:%M:%S", time.localtime(usec // 1000000)).encode()
    who = found.get("SYSLOG_IDENTIFIER", found.get("_COMM"))
    if who is not None:
        out += b" " + who
    if "_PID" in found:
        out += b"[" + found["_PID"] + b"]"
    prio = found.get("PRIORITY", b"")[:1]
    level = LEVELS[int(prio)] if prio in (b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7") \
        else LEVELS[6]
    out += b" " + level + b":"
    if "MESSAGE" in found:
        out += b" " + found["MESSAGE"]
    return out + b"\n"


def _windows_evtx(g: GuestFS) -> int:
    """System.evtx through evtxdump.py, as virt-log: the one guest format read on the host,
    by a program the user installed for it."""
    program = shutil.which("evtxdump.py")
    if program is None:
        raise ToolError(
            "you need to install ‘evtxdump.py’ (from the python-evtx package)\n"
            "in order to parse Windows Event Logs.  If you cannot install this, then\n"
            "use virt-copy-out(1) to copy the contents of /Windows/System32/winevt/Logs\n"
            "from this guest, and examine in a binary file viewer.")
    path = g.case_sensitive_path(EVTX)
    if not g.is_file(path, followsymlinks=True):
        raise ToolError(f"Windows Event Log file ({path}) not found")
    with tempfile.TemporaryDirectory(prefix="guestbox-log-") as tmp:
        local = os.path.join(tmp, "System.evtx")
        g.download(path, local)
        sys.stdout.flush()
        status = subprocess.run([program, local], check=False).returncode
    if status:
        raise ToolError(f"evtxdump.py: command failed with exit status {status}"
                        if status > 0 else f"evtxdump.py: killed by signal {-status}")
    return 0


register(Tool(
    NAME, "virt-log", "display the log files of a guest",
    __doc__.split("\n\n", 1)[1], options, run))
