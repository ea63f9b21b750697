"""The virt tools against guestbox's on the same images: the cases `make compare` runs after
the shell scripts (compare/run.py).

Each case runs `virt-TOOL ARGS` (libguestfs 1.48, `LIBGUESTFS_BACKEND_SETTINGS=force_tcg`)
and `guestbox TOOL ARGS` on the same disks, opened read-only by both, and compares
stdout (as bytes), stderr and the exit status.  Only the program's name is
normalised (`guestbox ls: ...` is compared as `virt-ls: ...`).  The disks are the
phony guests (tests/phony.py) and the scratch disk of the tools' tests
(tests/cli/tools/guestdisk.py: names that need quoting, every file type, setuid
and sticky modes, owners, sizes around the -h rounding points, vfat, swap and an
unformatted partition), built once and kept in guestbox's cache.  `{disks}` in a
case's arguments stands for `--format=raw -a DISK ...`.

The virt tools' outcomes can be kept in a cache directory, keyed by the command
and the disks' sizes and modification times.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 900
VIRT = {"cat": "virt-cat", "ls": "virt-ls", "df": "virt-df", "filesystems": "virt-filesystems",
        "inspect": "virt-inspector"}
LUKS_KEY = ["--key", "/dev/sda2:key:FEDORA"]
PV_NAMES = ("docs/compatibility.md#tools-pv-names",
            "libguestfs 1.48 may name PVs and btrfs subvolumes by the appliance's devices")
MOUNT_ERRORS = ("docs/compatibility.md#tools-common",
                "a mountpoint that does not exist: libguestfs 1.48 says it is not a directory")
MD = ("docs/compatibility.md#tools-md", "libguestfs 1.48 numbers md arrays and orders their "
      "members differently from run to run")
LS_ERRORS = ("docs/compatibility.md#tools-ls",
             "ls errors name ls, virt-ls 1.48's the internal ls0 and opendir")
FIND = ("docs/compatibility.md#tools-ls", "ls -R below / : relative paths (find's documented "
        "result), virt-ls 1.48 prints them with a leading /")


@dataclasses.dataclass(frozen=True)
class Case:
    """One comparison: `virt-TOOL ARGS` and `guestbox TOOL [EXTRA] ARGS` on image's disks."""

    name: str
    tool: str
    image: str  # a phony guest, or "scratch"
    args: tuple[str, ...]
    extra: tuple[str, ...] = ()  # guestbox's only (inspect --xml)
    known: tuple[str, str] | None = None  # (docs/compatibility.md#anchor, reason)


def _c(name: str, tool: str, image: str, *args: str, extra: tuple[str, ...] = (),
       known: tuple[str, str] | None = None) -> Case:
    return Case(name, tool, image, args, extra, known)


def _guest_cases() -> list[Case]:
    d = "{disks}"
    cases = [
        _c("cat-debian", "cat", "debian", d, "/etc/fstab", "/etc/hostname"),
        _c("cat-debian-missing", "cat", "debian", d, "/etc/fstab", "/nope", "/etc/hostname"),
        _c("ls-debian", "ls", "debian", d, "/", "/etc"),
        _c("ls-l-debian", "ls", "debian", d, "-l", "/etc", "/nope", "/bin"),
        _c("ls-R-debian", "ls", "debian", d, "-R", "/"),
        _c("ls-R-debian-etc", "ls", "debian", d, "-R", "/etc", known=FIND),
        _c("df-debian", "df", "debian", d),
        _c("df-h-debian", "df", "debian", d, "-h"),
        _c("df-i-debian", "df", "debian", d, "-i"),
        _c("cat-windows", "cat", "windows", d, "c:\\WINDOWS\\system32\\cmd.exe",
           "C:/autoexec.bat"),
        _c("cat-windows-drive", "cat", "windows", d, "x:\\boot.ini"),
        _c("fs-h-windows", "filesystems", "windows", d, "--all", "--long", "-h"),
        _c("cat-luks", "cat", "fedora-lvm-on-luks", d, *LUKS_KEY, "/etc/fstab"),
    ]
    for guest in ("debian", "ubuntu", "archlinux", "fedora", "fedora-md", "fedora-btrfs",
                  "fedora-lvm-on-luks", "windows"):
        keys = LUKS_KEY if guest == "fedora-lvm-on-luks" else []
        lvm = guest in ("debian", "fedora", "fedora-lvm-on-luks", "fedora-btrfs")
        md = MD if guest == "fedora-md" else None
        btrfs = MOUNT_ERRORS if guest == "fedora-btrfs" else None
        cases += [
            _c(f"ls-lR-{guest}", "ls", guest, d, *keys, "-lR", "/", known=btrfs),
            _c(f"ls-csv-{guest}", "ls", guest, d, *keys, "-lR", "--csv", "--uids", "--times",
               "--checksum", "/", known=btrfs),
            _c(f"df-csv-{guest}", "df", guest, d, "--csv", known=md),
            _c(f"fs-{guest}", "filesystems", guest, d, "--all", "--long", "--csv",
               known=md or (PV_NAMES if lvm else None)),
            _c(f"inspect-{guest}", "inspect", guest, d, *keys, extra=("--xml",),
               known=md or btrfs),
        ]
    return cases


def _scratch_cases() -> list[Case]:
    d, s = "{disks}", "scratch"
    m = ("-m", "/dev/sda1")
    return [
        _c("cat-scratch", "cat", s, d, *m, "/bytes", "/names/link", "/names/plain", "/sizes"),
        _c("ls-scratch", "ls", s, d, *m, "/names", "/nowhere", "/special", known=LS_ERRORS),
        _c("ls-lR-scratch", "ls", s, d, *m, "-lR", "/"),
        _c("ls-lR-h-scratch", "ls", s, d, *m, "-lR", "-h", "/sizes"),
        _c("ls-csv-scratch", "ls", s, d, *m, "-lR", "--csv", "--uids", "--times",
           "--extra-stats", "--checksum=sha256", "/names", "/special", "/modes"),
        _c("ls-lR-times-scratch", "ls", s, d, *m, "-lR", "--time-t", "--uids", "/names"),
        _c("ls-lR-file-scratch", "ls", s, d, *m, "-lR", "/bytes", "/nowhere", "/names/dangle",
           known=LS_ERRORS),
        _c("df-scratch", "df", s, d),
        _c("df-h-scratch", "df", s, d, "-h"),
        _c("df-csv-scratch", "df", s, d, "--csv"),
        _c("df-i-scratch", "df", s, d, "--inodes", "--csv"),
        _c("fs-scratch", "filesystems", s, d),
        _c("fs-extra-scratch", "filesystems", s, d, "--extra", "--long"),
        _c("fs-all-scratch", "filesystems", s, d, "--all", "--long", "--csv"),
        _c("fs-all-h-scratch", "filesystems", s, d, "--all", "--long", "-h", "--uuid"),
        _c("fs-parts-scratch", "filesystems", s, d, "--parts", "--blkdevs", "--no-title", "-l"),
        # usage errors (no appliance)
        _c("ls-usage", "ls", s, d),
        _c("ls-flags-usage", "ls", s, d, "-l", "--csv", "/"),
        _c("ls-h-csv-usage", "ls", s, d, "-lR", "-h", "--csv", "/"),
        _c("df-h-csv-usage", "df", s, d, "-h", "--csv"),
        _c("fs-extra-arg-usage", "filesystems", s, d, "raw"),
        _c("cat-usage", "cat", s, d),
        _c("cat-no-disk-usage", "cat", s, "/etc/fstab"),
    ]


CASES = [*_guest_cases(), *_scratch_cases()]


# -- the disks ---------------------------------------------------------------------------
def disks(image: str) -> list[Path]:
    """The disk images of a case's image (built first if they are not in the cache)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if image == "scratch":
        from tests.cli.tools import guestdisk

        return [guestdisk.image()]
    from tests import phony

    return list(phony.images(image))


# -- running and comparing ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a tool printed (stdout and stderr decoded with surrogateescape: no byte is lost)
    and its exit status."""

    stdout: str
    stderr: str
    status: int


def argv(case: Case, paths: list[Path], guestbox: list[str] | None) -> list[str]:
    """The command line of the virt tool (guestbox None) or of guestbox's."""
    words: list[str] = []
    for a in case.args:
        words += [w for p in paths for w in ("-a", str(p))] if a == "{disks}" else [a]
    if "{disks}" in case.args:
        words.insert(words.index("-a"), "--format=raw")
    if guestbox is None:
        return [VIRT[case.tool], *words]
    return [*guestbox, case.tool, *case.extra, *words]


def run(command: list[str]) -> Outcome:
    env = dict(os.environ, LIBGUESTFS_BACKEND_SETTINGS="force_tcg")
    try:
        p = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL, check=False)
        out, err, status = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired:
        out, err, status = b"", f"TIMEOUT after {TIMEOUT} s\n".encode(), -1
    return Outcome(out.decode("utf-8", "surrogateescape"),
                   err.decode("utf-8", "surrogateescape"), status)


def run_virt(cache: Path | None, command: list[str], paths: list[Path]) -> Outcome:
    """run(command), or its stored outcome for the same command and unchanged disks."""
    if cache is None:
        return run(command)
    ident = [command, [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths]]
    key = hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:16]
    path = cache / f"tool-{Path(command[0]).name}-{key}.json"
    if path.exists():
        return Outcome(**json.loads(path.read_text()))
    outcome = run(command)
    if outcome.status >= 0:
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dataclasses.asdict(outcome)))
    return outcome


def select(names: list[str]) -> list[Case]:
    """The cases whose names contain one of names (all without names)."""
    return [c for c in CASES if not names or any(n in c.name for n in names)]


def normalise(outcome: Outcome, tool: str) -> Outcome:
    """guestbox's outcome with its program name written as the virt tool's."""
    def fix(text: str) -> str:
        return text.replace(f"guestbox {tool}", VIRT[tool])

    return Outcome(fix(outcome.stdout), fix(outcome.stderr), outcome.status)
