"""The shell's command line, as guestfish's: drives, mounts, scripts, commands after ` : `."""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable

from ... import __version__
from .. import prepared
from ..prepared import Prepared, PreparedError, is_help
from ..toolmount import MountSpec
from . import complete, progress, remote
from .inspector import greeting, inspect_mount
from .keys import KeyProblem, key_of, parse_selector, settings
from .remote import RemoteError, daemonize, remote_pid
from .repl import Quit, Shell
from .winpath import WinPathProblem, resolve

USAGE = """\
guestbox shell: guestfish-compatible shell for editing disk images
usage: guestbox shell [--options] [command [args] [: command ...]]
  -a|--add FILE         add a disk image (--format=FMT before it sets its format)
  -m|--mount DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]  mount DEV after launch
  -f|--file SCRIPT      read commands from SCRIPT
  --ro / --rw           add drives read-only / read-write (default)
  -x                    trace each command to stderr
  -v|--verbose          verbose messages
  -i|--inspector        inspect the disks and mount the guest's filesystems
  -N [FILE=]TYPE        a prepared disk (-N help lists the types)
  --progress-bars       progress bars even when not interactive (--no-progress-bars: none)
  --blocksize[=512|4096] sector size of the -a that follow
  --key ID:key:KEY | ID:file:FILENAME   a LUKS key, for inspect-decrypt
  --keys-from-stdin     read passphrases from stdin (one line each)
  --echo-keys           do not turn off echo when asking for passphrases
  --listen              serve commands in the background (prints GUESTFISH_PID)
  --csh                 make --listen's output csh-compatible
  --remote[=PID]        send commands to a listening shell ($GUESTFISH_PID)
  --pipe-error          a pipe command that stops reading fails the command
  --network             enable the appliance's network
  -n|--no-sync          accepted (guestbox always syncs at close)
  -D|--no-dest-paths    do not tab-complete guest paths
  --selinux             accepted, does nothing (as guestfish)
  -V|--version          print the version and exit
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
    progress_bars: bool | None = None
    """--progress-bars / --no-progress-bars; None: only in an interactive session."""
    help: list[str] | None = None
    commands: list[list[str]] = dataclasses.field(default_factory=list)
    blocksizes: dict[int, int] = dataclasses.field(default_factory=dict)
    """--blocksize, by the index in drives of the -a it applies to."""
    keys: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    """--key selectors: (id, key), files already read."""
    keys_from_stdin: bool = False
    echo_keys: bool = False
    listen: bool = False
    csh: bool = False
    remote: int | None = None
    pipe_error: bool = False
    network: bool = False
    dest_paths: bool = True
    version: bool = False


_VALUE = {"-a": "add", "--add": "add", "-m": "mount", "--mount": "mount", "-f": "file",
          "--file": "file", "-N": "new", "--new": "new", "--key": "key"}

_FLAGS = {"--keys-from-stdin": "keys_from_stdin", "--echo-keys": "echo_keys",
          "--listen": "listen", "--csh": "csh", "--pipe-error": "pipe_error",
          "--network": "network", "-V": "version", "--version": "version"}
"""Options that set a field of Options to True."""

_IGNORED = ("-n", "--no-sync", "--selinux")
"""Accepted for compatibility: guestbox always syncs at close; SELinux does nothing in 1.48."""


def parse(argv: list[str]) -> Options:
    """Parse the shell's arguments (raises OptionError)."""
    o = Options()
    fmt: str | None = None
    blocksize: int | None = None
    pending_blocksize = False
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
                if blocksize is not None:
                    o.blocksizes[len(o.drives)] = blocksize
                    pending_blocksize = False
                o.drives.append((val, fmt))
            elif what == "key":
                o.keys.append(_key(val))
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
        elif a in _FLAGS:
            setattr(o, _FLAGS[a], True)
        elif a in _IGNORED:
            pass
        elif a in ("-D", "--no-dest-paths"):
            o.dest_paths = False
        elif name == "--remote":
            try:
                o.remote = remote_pid(inline if eq else None)
            except RemoteError as e:
                raise OptionError(str(e)) from None
        elif name == "--blocksize":
            blocksize = _blocksize(inline if eq else "512")
            pending_blocksize = True
        elif a in ("--ro", "-r"):
            o.readonly = True
        elif a in ("--rw", "-w"):
            o.readonly = False
        elif a == "-x":
            o.trace = True
        elif a in ("-v", "--verbose"):
            o.verbose = True
        elif a in ("--progress-bars", "--no-progress-bars"):
            o.progress_bars = a == "--progress-bars"
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
            break
    if pending_blocksize:
        raise OptionError("--blocksize parameter must appear before -a parameter")
    return o


def _key(selector: str) -> tuple[str, str]:
    """--key SELECTOR: (id, key); a key file is read now, so that a bad one is told early."""
    try:
        id_, kind, value = parse_selector(selector)
        return id_, key_of(kind, value)
    except KeyProblem as e:
        raise OptionError(str(e)) from None


def _blocksize(text: str) -> int:
    if text not in ("512", "4096"):
        raise OptionError(f"--blocksize={text}: the sector size must be 512 or 4096")
    return int(text)


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
    if o.version:
        print(f"guestbox shell {__version__}")
        return 0
    problem = _listen_conflict(o)
    if problem:
        print(f"guestfish: {problem}", file=sys.stderr)
        return 1
    if o.remote is not None:
        return _remote(o)
    try:
        for prep in o.prepared.values():
            prep.create()
    except PreparedError as e:
        print(f"guestbox shell: {e}", file=sys.stderr)
        return 1
    settings.from_stdin, settings.echo = o.keys_from_stdin, o.echo_keys
    if o.listen:
        child = daemonize(o.csh)
        return child if isinstance(child, int) else _listener(o, child)
    interactive = not o.commands and o.script is None and sys.stdin.isatty()
    sh = Shell(interactive=interactive, trace=o.trace)
    _win_paths(sh)
    if o.progress_bars if o.progress_bars is not None else interactive:
        progress.enable(sh)
    sh.pipe_error = o.pipe_error
    complete.settings.dest_paths = o.dest_paths
    if not o.commands and o.script is None:  # keys interleave with the script on stdin
        settings.stream = sys.stdin
        settings.on_stdin_line = functools.partial(_count_line, sh)
    try:
        return _session(sh, o)
    finally:
        sh.g.close()


def _count_line(sh: Shell) -> None:
    sh.lineno += 1  # a key read from stdin is a line of the script, as in guestfish


def _remote(o: Options) -> int:
    """--remote: the commands, or else the script, run by the listening shell."""
    assert o.remote is not None
    if o.commands:
        return remote.run_commands(o.remote, o.commands)
    if o.script is not None:
        try:
            with open(o.script, encoding="utf-8", errors="surrogateescape") as f:
                return remote.run_script(o.remote, iter(f.read().splitlines()))
        except OSError as e:
            print(f"guestbox shell: {o.script}: {e.strerror}", file=sys.stderr)
            return 1
    return remote.run_script(o.remote, iter(sys.stdin))


def _listen_conflict(o: Options) -> str | None:
    """guestfish's refusals of --listen with what cannot go with it."""
    if o.listen and o.remote is not None:
        return "cannot use --listen and --remote options at the same time"
    if o.listen and o.commands:
        return "extra parameters on the command line with --listen flag"
    if o.listen and o.script is not None:
        return "cannot use --listen and --file options at the same time"
    return None


def _listener(o: Options, ready: Callable[[bool], None]) -> int:
    """The background shell of --listen: set up as asked, then serve until quit."""
    sh = Shell(interactive=False, trace=o.trace)
    _win_paths(sh)
    sh.pipe_error = o.pipe_error
    try:
        status = _setup(sh, o)
        if status is None:
            try:
                sock, path = remote.listening_socket()
            except (OSError, remote.RemoteError) as e:
                print(f"guestfish: --listen: {e}", file=sys.stderr)
                status = 1
        if status is not None:
            ready(False)
            return status
        ready(True)
        return remote.serve(sock, path, functools.partial(_run_remote, sh))
    finally:
        sh.g.close()


def _run_remote(sh: Shell, words: list[str]) -> tuple[int, bool]:
    """One command sent by --remote: (its status, whether it was quit)."""
    try:
        sh.run_words_list(words)
    except Quit:
        return 0, True
    except Exception:  # noqa: BLE001 - CommandFailed, already reported to the client
        return 1, False
    return 0, False


def _setup(sh: Shell, o: Options) -> int | None:
    """Options' settings, drives, launch and mounts; None if all went well, else the status."""
    if o.verbose:
        sh.g.set_verbose(True)
    if o.network:
        sh.g.set_backend_settings([*sh.g.get_backend_settings(), "network"])
    for id_, key in o.keys:
        sh.g.set_luks_key(id_, key)
    try:
        for n, (path, fmt) in enumerate(o.drives):
            bs = o.blocksizes.get(n)
            sh.run_words_list(["add-drive", path, f"readonly:{str(o.readonly).lower()}",
                               *([f"format:{fmt}"] if fmt else []),
                               *([f"blocksize:{bs}"] if bs else [])])
        if o.mounts or o.prepared or o.inspector:
            sh.run_words_list(["run"])  # as guestfish: -m, -N and -i launch the appliance
        if o.inspector:
            root = inspect_mount(sh, o.keys, o.readonly)
            if root is None:
                return 1
            if sh.interactive:
                sh.greeting = greeting(sh, root)
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
    return None


def _win_paths(sh: Shell) -> None:
    """`win:` paths in the arguments of sh's commands, as guestfish (winpath.py)."""
    from . import args

    def hook(word: str) -> str:
        try:
            return resolve(sh.g, word)
        except WinPathProblem as e:
            raise args.BadArgs(str(e)) from None

    args.path_hook = hook


def _session(sh: Shell, o: Options) -> int:
    status = _setup(sh, o)
    if status is not None:
        return status
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
            f = open(o.script, encoding="utf-8", errors="surrogateescape")
        except OSError as e:
            print(f"guestbox shell: {o.script}: {e.strerror}", file=sys.stderr)
            return 1
        with f:  # -f replaces stdin, as in guestfish: --keys-from-stdin reads keys from it
            settings.stream = f
            settings.on_stdin_line = functools.partial(_count_line, sh)
            return sh.run_lines(f, o.script, stop_on_error=True)
    return sh.loop(sys.stdin)


def _mount_words(spec: str, readonly: bool) -> list[str]:
    """The mount command for -m DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]."""
    m = MountSpec.parse(spec)
    dev, mp, opts, fstype = m.device, m.mountpoint or "/", m.options or "", m.fstype or ""
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
