"""The shell's command line, as guestfish's: drives, mounts, scripts, commands after ` : `."""

from __future__ import annotations

import dataclasses
import sys

from .. import prepared
from ..prepared import Prepared, PreparedError, is_help
from .repl import Shell

USAGE = """\
guestbox shell: guestfish-compatible shell for editing disk images
usage: guestbox shell [--options] [command [args] [: command ...]]
  -a|--add FILE         add a disk image (--format=FMT before it sets its format)
  -m|--mount DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]  mount DEV after launch
  -f|--file SCRIPT      read commands from SCRIPT
  --ro / --rw           add drives read-only / read-write (default)
  -x                    trace each command to stderr
  -v|--verbose          verbose messages
  -i|--inspector        inspect and mount the guest (not available yet)
  -N [FILE=]TYPE        a prepared disk (-N help lists the types)
  -h|--cmd-help [CMD]   list commands or describe CMD
"""


class OptionError(Exception):
    """A bad command line: the message says what was wrong."""


@dataclasses.dataclass
class Options:
    """What the command line asked for."""

    drives: list[tuple[str, str | None]] = dataclasses.field(default_factory=list)
    mounts: list[str] = dataclasses.field(default_factory=list)
    prepared: dict[int, Prepared] = dataclasses.field(default_factory=dict)
    """-N disks, by their index in drives (they are added in command-line order)."""
    script: str | None = None
    readonly: bool = False
    trace: bool = False
    verbose: bool = False
    inspector: bool = False
    help: list[str] | None = None
    commands: list[list[str]] = dataclasses.field(default_factory=list)


_VALUE = {"-a": "add", "--add": "add", "-m": "mount", "--mount": "mount", "-f": "file",
          "--file": "file", "-N": "new", "--new": "new"}


def parse(argv: list[str]) -> Options:
    """Parse the shell's arguments (raises OptionError)."""
    o = Options()
    fmt: str | None = None
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        name, eq, inline = a.partition("=") if a.startswith("--") else (a, "", "")
        if name in _VALUE:
            if eq:
                val = inline
            elif i < len(argv):
                val, i = argv[i], i + 1
            else:
                raise OptionError(f"option '{a}' requires an argument")
            what = _VALUE[name]
            if what == "add":
                o.drives.append((val, fmt))
            elif what == "mount":
                o.mounts.append(val)
            elif what == "file":
                o.script = val
            elif is_help(val):
                o.help = ["-N"]
                return o
            else:
                try:
                    prep = prepared.parse(val, len(o.prepared) + 1)
                except PreparedError as e:
                    raise OptionError(str(e)) from None
                o.prepared[len(o.drives)] = prep
                o.drives.append((prep.filename, prep.format))
        elif name == "--format":
            fmt = (inline or None) if eq else None
        elif a in ("--ro", "-r"):
            o.readonly = True
        elif a in ("--rw", "-w"):
            o.readonly = False
        elif a == "-x":
            o.trace = True
        elif a in ("-v", "--verbose"):
            o.verbose = True
        elif a in ("-i", "--inspector"):
            o.inspector = True
        elif a in ("-d", "--domain", "-c", "--connect") or name in ("--domain", "--connect"):
            raise OptionError(f"{a}: libvirt guests are not supported by guestbox; "
                              "add the disk images with -a")
        elif a in ("-h", "--cmd-help"):
            o.help = argv[i:i + 1]
            return o
        elif a == "--help":
            o.help = ["--usage"]
            return o
        elif a == "--":
            o.commands = _commands(argv[i:])
            return o
        elif a.startswith("-") and len(a) > 1:
            raise OptionError(f"unknown option {a} (guestbox shell --help)")
        else:
            o.commands = _commands(argv[i - 1:])
            return o
    return o


def _commands(words: list[str]) -> list[list[str]]:
    """Command-line words split into commands at each lone `:`."""
    out: list[list[str]] = [[]]
    for w in words:
        if w == ":":
            out.append([])
        else:
            out[-1].append(w)
    return [c for c in out if c]


def main(argv: list[str]) -> int:
    """`guestbox shell ARGS`: the exit status as guestfish's."""
    try:
        o = parse(argv)
    except OptionError as e:
        print(f"guestbox shell: {e}", file=sys.stderr)
        return 1
    if o.help == ["-N"]:
        sys.stdout.write(prepared.help_text())
        return 0
    if o.help is not None:
        return _help(o.help)
    try:
        for prep in o.prepared.values():
            prep.create()
    except PreparedError as e:
        print(f"guestbox shell: {e}", file=sys.stderr)
        return 1
    if o.inspector:
        print("guestbox shell: -i/--inspector needs inspection, which guestbox does not "
              "have yet; mount filesystems with -m DEV[:MOUNTPOINT]", file=sys.stderr)
        return 1
    interactive = not o.commands and o.script is None and sys.stdin.isatty()
    sh = Shell(interactive=interactive, trace=o.trace)
    try:
        return _session(sh, o)
    finally:
        sh.g.close()


def _session(sh: Shell, o: Options) -> int:
    if o.verbose:
        sh.g.set_verbose(True)
    try:
        for path, fmt in o.drives:
            sh.run_words_list(["add-drive", path, f"readonly:{str(o.readonly).lower()}",
                               *([f"format:{fmt}"] if fmt else [])])
        if o.mounts or o.prepared:
            sh.run_words_list(["run"])  # as guestfish: -m and -N launch the appliance
        devices = sh.g.list_devices() if o.prepared else []
        for index, prep in o.prepared.items():
            prep.setup(sh.g, devices[index])
        for m in o.mounts:
            sh.run_words_list(_mount_words(m, o.readonly))
    except PreparedError as e:
        print(f"guestbox shell: {e}", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - CommandFailed, already reported
        return 1
    sh.lineno = sh.commands_issued = 0
    if o.commands:
        for cmd in o.commands:
            try:
                sh.run_words_list(cmd)
            except Exception:  # noqa: BLE001 - CommandFailed, already reported
                return 1
        return 0
    if o.script is not None:
        try:
            with open(o.script, encoding="utf-8", errors="surrogateescape") as f:
                return sh.run_lines(f.read().splitlines(), o.script, stop_on_error=True)
        except OSError as e:
            print(f"guestbox shell: {o.script}: {e.strerror}", file=sys.stderr)
            return 1
    return sh.loop(sys.stdin)


def _mount_words(spec: str, readonly: bool) -> list[str]:
    """The mount command for -m DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]."""
    dev, _, rest = spec.partition(":")
    mp, _, rest = rest.partition(":")
    opts, _, fstype = rest.partition(":")
    mp = mp or "/"
    if fstype:
        return ["mount-vfs", opts, fstype, dev, mp]
    if opts or readonly:
        opts = ",".join(x for x in ("ro" if readonly else "", opts) if x)
        return ["mount-options", opts, dev, mp]
    return ["mount", dev, mp]


def _help(words: list[str]) -> int:
    from .args import BadArgs
    from .docs import help_text, listing

    if words == ["--usage"]:
        sys.stdout.write(USAGE)
        return 0
    try:
        sys.stdout.write(help_text(words) if words else listing())
    except BadArgs as e:
        print(e, file=sys.stderr)
        return 1
    return 0
