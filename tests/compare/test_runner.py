"""The comparison runner's pure logic: headers, normalisation, verdicts (no guestfish here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

RUN = Path(__file__).resolve().parents[2] / "compare" / "run.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_run"] = module
    spec.loader.exec_module(module)
    return module


run = _load()


def test_header_reads_args_and_known_difference() -> None:
    h = run.parse_header("# known-difference: docs/compatibility.md#keys key prompting\n"
                         "# args: -x --ro 'a b' : echo\n# args-like text in a comment\nrun\n")
    assert h.known == "docs/compatibility.md#keys"
    assert h.reason == "key prompting"
    assert h.args == ["-x", "--ro", "a b", ":", "echo"]


def test_header_stops_at_the_first_command() -> None:
    h = run.parse_header("echo hi\n# args: -x\n# known-difference: x#y\n")
    assert (h.args, h.known) == ([], None)


def test_normalise_replaces_only_what_must_differ() -> None:
    work = "/tmp/gbcompare-abc123"
    text = (f"{work}/d.img\nelapsed time: 12.34 seconds\n"
            "uuid: 0123abcd-89ab-cdef-0123-456789ABCDEF\nsize: 1234 elapsed\n")
    assert run.normalise(text, work) == ("$TMP/d.img\nelapsed time: N.NN seconds\n"
                                         "uuid: $UUID\nsize: 1234 elapsed\n")


def test_normalise_keeps_near_uuids() -> None:
    text = "0123abcd-89ab-cdef-0123-456789abcde\n"  # one digit short
    assert run.normalise(text, "/nowhere") == text


def test_differences_and_verdicts() -> None:
    a = run.Outcome("one\n", "", 0)
    assert run.differences(a, a) == ""
    diff = run.differences(a, run.Outcome("one\n", "err\n", 1))
    assert "+err" in diff and "-0" in diff and "+1" in diff and "stdout" not in diff
    plain, known = run.Header(), run.Header(known="docs/compatibility.md#x")
    assert run.verdict("", known) == "PASS"
    assert run.verdict(diff, plain) == "DIFF"
    assert run.verdict(diff, known) == "KNOWN"


def test_unprintable_characters_are_visible_in_diffs() -> None:
    diff = run.differences(run.Outcome("a\tb\n", "", 0), run.Outcome("a b\n", "", 0))
    assert "-a\\tb" in diff


def test_normalise_lvm_uuids_only_in_their_fields() -> None:
    text = ("  pv_uuid: dFL3mskOE02VEWZTmoWULmXrVzuIaciT\n"
            "vg_uuid: BPKEHiUV9O5PE44kxgchwtUxMqn4i3bo\n"
            "900150983cd24fb0d6963f7d28e17f72\n")  # an md5 sum stays
    assert run.normalise(text, "/nowhere") == ("  pv_uuid: $LVMUUID\nvg_uuid: $LVMUUID\n"
                                               "900150983cd24fb0d6963f7d28e17f72\n")
