"""Table-driven tests of ``istioctl validate``'s rules, one fixture per kind in testdata/.

Each fixture is its own table: a line ending in ``!IST0106 <detail>`` must get exactly that
diagnostic (code, line, field path and text); every other line and every document without a
marker must pass. The fixtures cite the istio/istio source they follow in their header.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from istio_notebook.analysis.validation import validate
from istio_notebook.config import load_paths
from istio_notebook.diagnostics.catalogue import message

TESTDATA = Path(__file__).parent / "testdata"
# A marker starts at "!" + a code; message texts may themselves contain "!" (as in "!=").
_MARKER_START = re.compile(r"!(?=(?:IST|INB)\d{4} )")


def expected(path: Path) -> set[tuple[int, str, str]]:
    """(line, code, rendered message) for every marker in the fixture."""
    wanted = set()
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        _, hash_sign, comment = text.partition("# !")
        if not hash_sign:
            continue
        for marker in _MARKER_START.split("!" + comment)[1:]:
            code, _, detail = marker.partition(" ")
            wanted.add((number, code, message(code).render(detail=detail.strip())))
    return wanted


def found(path: Path) -> set[tuple[int, str, str]]:
    loaded = load_paths([str(path)])
    assert loaded.diagnostics == [], "fixtures must load cleanly"
    return {(d.position.line, d.code, d.message) for resource in loaded.resources for d in validate(resource)}


@pytest.mark.parametrize("fixture", sorted(p.name for p in TESTDATA.glob("*.yaml")))
def test_fixture_flags_exactly_the_marked_lines(fixture: str) -> None:
    path = TESTDATA / fixture
    want, got = expected(path), found(path)
    assert want, f"{fixture} has no marker: every fixture must show at least one rejected field"
    assert sorted(got - want) == [], "flagged but not marked"
    assert sorted(want - got) == [], "marked but not flagged"


def test_marker_parser_reads_several_markers_on_one_line(tmp_path: Path) -> None:
    fixture = tmp_path / "two.yaml"
    fixture.write_text("a: 1  # !IST0106 spec.x: one != 1 !IST0106 spec.y: two\n", encoding="utf-8")
    assert {detail for _, _, detail in expected(fixture)} == {
        message("IST0106").render(detail="spec.x: one != 1"),
        message("IST0106").render(detail="spec.y: two"),
    }
