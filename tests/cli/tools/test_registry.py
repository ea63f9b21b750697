"""The tools' registry: docs/tools.md up to date, usage errors as the virt tools give them."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from guestbox.cli.tools import TOOLS
from guestbox.cli.tools.registry import Tool, render_docs

DOCS = Path(__file__).resolve().parents[3] / "docs" / "tools.md"


def test_docs_tools_md_is_generated_from_the_declarations() -> None:
    assert DOCS.read_text() == render_docs(), \
        "docs/tools.md is stale: run `guestbox docs --tools docs/tools.md`"
    for t in TOOLS.values():
        assert f"## guestbox {t.name}\n" in DOCS.read_text()


def test_a_usage_error_exits_1_naming_the_tool(capsys: pytest.CaptureFixture[str]) -> None:
    def options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--size", type=int)

    t = Tool("probe", "virt-probe", "a test tool", "Nothing.", options, lambda a: 0)
    with pytest.raises(SystemExit) as e:
        t.main(["--size", "x"])
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("guestbox probe: error: argument --size: invalid int value")
    assert "Try ‘guestbox probe --help’" in err
    assert t.main(["--size", "3"]) == 0
