"""compare/tools.py's logic: command lines, the cache of the virt tools' outcomes, the
program-name normalisation (no libguestfs run here)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[2] / "compare" / "tools.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_tools", TOOLS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_tools"] = module
    spec.loader.exec_module(module)
    return module


tools = _load()


def test_command_lines_of_both_tools() -> None:
    case = tools.Case("x", "inspect", "debian", ("{disks}", "--key", "k"), extra=("--xml",))
    disks = [Path("/d/a.img"), Path("/d/b.img")]
    assert tools.argv(case, disks, None) == [
        "virt-inspector", "--format=raw", "-a", "/d/a.img", "-a", "/d/b.img", "--key", "k"]
    assert tools.argv(case, disks, ["gb"]) == [
        "gb", "inspect", "--xml", "--format=raw", "-a", "/d/a.img", "-a", "/d/b.img", "--key",
        "k"]
    no_disks = tools.Case("y", "cat", "scratch", ("/etc/fstab",))
    assert tools.argv(no_disks, disks, None) == ["virt-cat", "/etc/fstab"]


def test_every_case_is_for_a_known_tool_and_named_once() -> None:
    names = [c.name for c in tools.CASES]
    assert len(names) == len(set(names))
    assert {c.tool for c in tools.CASES} == set(tools.VIRT)
    docs = (TOOLS.parents[1] / "docs" / "compatibility.md").read_text()
    for c in tools.CASES:
        if c.known:
            anchor = c.known[0].split("#")[1]
            assert f'<a id="{anchor}"></a>' in docs, anchor


def test_select_by_name_part() -> None:
    assert {c.name for c in tools.select(["df-h-"])} == {"df-h-debian", "df-h-scratch",
                                                          "df-h-csv-usage"}
    assert tools.select([]) == tools.CASES


def test_normalise_only_the_program_name() -> None:
    o = tools.Outcome("guestbox ls stays in stdout? no: guestbox ls\n",
                      "guestbox ls: error\nTry ‘guestbox ls --help’\n", 1)
    n = tools.normalise(o, "ls")
    assert n.stderr == "virt-ls: error\nTry ‘virt-ls --help’\n"
    assert n.status == 1
    assert tools.normalise(tools.Outcome("", "guestbox inspect: x\n", 1),
                           "inspect").stderr == "virt-inspector: x\n"


def test_outcomes_keep_every_byte() -> None:
    o = tools.run(["printf", "caf\\351\\n"])
    assert (o.stdout.encode("utf-8", "surrogateescape"), o.status) == (b"caf\xe9\n", 0)


def test_cache_keyed_by_command_and_disks(tmp_path: Path) -> None:
    disk, cache = tmp_path / "d.img", tmp_path / "cache"
    disk.write_bytes(b"x")
    counter = tmp_path / "runs"
    command = ["sh", "-c", f"echo run >> {counter}; cat {counter}"]
    first = tools.run_virt(cache, command, [disk])
    assert tools.run_virt(cache, command, [disk]) == first  # stored
    assert counter.read_text() == "run\n"
    os.utime(disk, ns=(0, 0))  # the disk changed: run again
    assert tools.run_virt(cache, command, [disk]).stdout == "run\nrun\n"
    assert tools.run_virt(None, command, [disk]).stdout == "run\nrun\nrun\n"  # no cache
