"""Run each compare/scripts/*.gf through guestfish and `guestbox shell`, and the virt tools
against guestbox's (compare/tools.py); report differences.

Each script runs on stdin, in a fresh temporary directory as the current
directory (a copy of it is there as `script.gf`, for `-f`), with the
command-line arguments of its `# args: ...` header line.  stdout, stderr and
the exit status of the two tools are compared after `normalise`, which only
replaces what must differ between two runs: the temporary directory, elapsed
times and random UUIDs.  A `# known-difference: docs/compatibility.md#anchor`
header line makes a difference KNOWN instead of DIFF.

Usage: python compare/run.py [--guestfish CMD] [--guestbox CMD] [--guestfish-cache DIR]
                             [--only scripts|tools] [-j N] [SCRIPT|NAME ...]
NAME selects the scripts and the tool cases whose names contain it.  The cache
directory also keeps the virt tools' outcomes.
Exit status: 0 when every difference is known, 1 otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tools  # noqa: E402 - compare/tools.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).resolve().parent / "scripts"
TIMEOUT = 600

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\b")
_LVM_UUID = re.compile(r"(?m)^(\s*(?:pv|vg|lv)_uuid: )[0-9A-Za-z]{32}$")
_ELAPSED = re.compile(r"elapsed time: \d+\.\d\d seconds")
_KNOWN = re.compile(r"#\s*known-difference:\s*(\S+)\s*(.*)")
_ARGS = re.compile(r"#\s*args:\s*(.*)")


@dataclasses.dataclass(frozen=True)
class Header:
    """What a script's leading comment lines declare."""

    args: list[str] = dataclasses.field(default_factory=list)
    known: str | None = None
    """The docs/compatibility.md#anchor that documents the script's difference."""
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One tool's run of one script: what it printed and its exit status."""

    stdout: str
    stderr: str
    status: int


def parse_header(text: str) -> Header:
    """The `# args:` and `# known-difference:` lines among the script's leading comments."""
    args: list[str] = []
    known, reason = None, ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := _ARGS.fullmatch(line.strip()):
            args = shlex.split(m.group(1))
        elif m := _KNOWN.fullmatch(line.strip()):
            known, reason = m.group(1), m.group(2).strip()
    return Header(args, known, reason)


def normalise(text: str, workdir: str) -> str:
    """text with the run's temporary directory, elapsed times and UUIDs made constant.

    UUIDs: the standard 8-4-4-4-12 form anywhere, and LVM's 32-character ones in
    the pv_uuid/vg_uuid/lv_uuid fields of pvs-full, vgs-full and lvs-full.
    """
    text = text.replace(os.path.realpath(workdir), "$TMP").replace(workdir, "$TMP")
    text = _ELAPSED.sub("elapsed time: N.NN seconds", text)
    text = _LVM_UUID.sub(r"\1$LVMUUID", text)
    return _UUID.sub("$UUID", text)


def run_one(tool: list[str], script: Path, header: Header) -> tuple[Outcome, str]:
    """Run script through tool (stdin, fresh temporary cwd): its raw outcome and that cwd."""
    with tempfile.TemporaryDirectory(prefix="gbcompare-") as work:
        shutil.copy(script, Path(work) / "script.gf")
        env = dict(os.environ, LIBGUESTFS_BACKEND_SETTINGS="force_tcg")
        try:
            p = subprocess.run([*tool, *header.args], input=script.read_bytes(), cwd=work,
                               env=env, capture_output=True, timeout=TIMEOUT, check=False)
            out, err, status = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired:
            out, err, status = b"", f"TIMEOUT after {TIMEOUT} s\n".encode(), -1
        return Outcome(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                       status), work


def normalised(run: tuple[Outcome, str]) -> Outcome:
    """The outcome of run with normalise applied to stdout and stderr."""
    o, work = run
    return Outcome(normalise(o.stdout, work), normalise(o.stderr, work), o.status)


def cached(cache: Path | None, tool: list[str], script: Path,
           header: Header) -> tuple[Outcome, str]:
    """run_one, or its stored raw outcome in cache for the same script text (guestfish is slow)."""
    if cache is None:
        return run_one(tool, script, header)
    key = hashlib.sha256(script.read_bytes() + repr(tool).encode()).hexdigest()[:16]
    path = cache / f"{script.stem}-{key}.raw.json"
    if path.exists():
        doc = json.loads(path.read_text())
        return Outcome(doc["stdout"], doc["stderr"], doc["status"]), doc["workdir"]
    outcome, work = run_one(tool, script, header)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(outcome) | {"workdir": work}))
    return outcome, work


def differences(expected: Any, got: Any, reference: str = "guestfish") -> str:
    """A unified diff of stdout, stderr and status (reference first); empty if equal."""
    parts: list[str] = []
    for what in ("stdout", "stderr", "status"):
        a, b = str(getattr(expected, what)), str(getattr(got, what))
        if a != b:
            parts += difflib.unified_diff(_lines(a), _lines(b), f"{reference} {what}",
                                          f"guestbox {what}", lineterm="")
    return "\n".join(parts)


def _lines(text: str) -> list[str]:
    return [repr(line)[1:-1] for line in text.split("\n")]


def verdict(diff: str, header: Header) -> str:
    """PASS when equal, KNOWN when different as documented, DIFF otherwise."""
    if not diff:
        return "PASS"
    return "KNOWN" if header.known else "DIFF"


def _guestbox_default() -> str:
    venv = ROOT / ".venv" / "bin" / "guestbox"
    return str(venv) if venv.exists() else f"{shlex.quote(sys.executable)} -m guestbox.cli.main"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guestfish", default="guestfish", help="guestfish command")
    ap.add_argument("--guestbox", default=_guestbox_default(), help="guestbox command")
    ap.add_argument("--guestfish-cache", type=Path, metavar="DIR",
                    help="keep guestfish's and the virt tools' outcomes in DIR and reuse them "
                    "for unchanged scripts and disks")
    ap.add_argument("--only", choices=["scripts", "tools"], help="run only these")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument("scripts", nargs="*", help="scripts or their name parts (default all)")
    a = ap.parse_args(argv)
    scripts = _select(a.scripts) if a.only != "tools" else []
    cases = tools.select(a.scripts) if a.only != "scripts" else []
    fish, box = shlex.split(a.guestfish), shlex.split(a.guestbox)
    if a.guestbox == _guestbox_default() and not (ROOT / ".venv").exists():
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
        sys.path.insert(0, str(ROOT / "src"))
    headers = {s: parse_header(s.read_text(errors="replace")) for s in scripts}
    counts = {"PASS": 0, "KNOWN": 0, "DIFF": 0}
    disks = {image: tools.disks(image) for image in sorted({c.image for c in cases})}
    with ThreadPoolExecutor(max(1, a.jobs)) as pool:
        runs: dict[tuple[object, str], Future[Any]] = {}
        for s in scripts:
            runs[s, "fish"] = pool.submit(cached, a.guestfish_cache, fish, s, headers[s])
            runs[s, "box"] = pool.submit(run_one, [*box, "shell"], s, headers[s])
        for c in cases:
            runs[c, "virt"] = pool.submit(tools.run_virt, a.guestfish_cache,
                                          tools.argv(c, disks[c.image], None), disks[c.image])
            runs[c, "box"] = pool.submit(tools.run, tools.argv(c, disks[c.image], box))
        for s in scripts:
            diff = differences(normalised(runs[s, "fish"].result()),
                               normalised(runs[s, "box"].result()))
            h = headers[s]
            counts[_report(verdict(diff, h), s.name, diff, h.known, h.reason)] += 1
        for c in cases:
            diff = differences(runs[c, "virt"].result(),
                               tools.normalise(runs[c, "box"].result(), c.tool),
                               tools.VIRT[c.tool])
            known, reason = c.known or (None, "")
            counts[_report(verdict(diff, Header(known=known)), f"tool {c.name}", diff, known,
                           reason)] += 1
    print(f"{len(scripts)} scripts, {len(cases)} tool cases: {counts['PASS']} PASS, "
          f"{counts['KNOWN']} KNOWN, {counts['DIFF']} DIFF (unexpected differences)")
    return 1 if counts["DIFF"] else 0


def _report(v: str, name: str, diff: str, known: str | None, reason: str) -> str:
    """Print one verdict line (and the diff); the verdict."""
    note = f"  ({known} {reason})".rstrip() if v == "KNOWN" else ""
    print(f"{v:5} {name}{note}", flush=True)
    if diff:
        print(diff, flush=True)
    return v


def _select(names: list[str]) -> list[Path]:
    every = sorted(SCRIPTS.glob("*.gf"))
    if not names:
        return every
    chosen = []
    for n in names:
        p = Path(n)
        chosen += [p] if p.is_file() else [s for s in every if n in s.name]
    return chosen


if __name__ == "__main__":
    sys.exit(main())
