"""Warnings whose cases do not fit a fixture line: the direct-response body size, in bytes Istio counts
(validation.go:2716-2719), and Go's ``%q`` quoting that the warning texts use."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from istio_notebook.analysis.validation import validate
from istio_notebook.analysis.validation.values import go_quote
from istio_notebook.config import load_paths

KIB = 1024
LARGE = "large direct_responses may impact control plane performance"


def _direct_response(tmp_path: Path, body: str) -> list[tuple[str, str]]:
    path = tmp_path / "vs.yaml"
    path.write_text(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: big}\n"
        f"spec:\n  hosts: [a]\n  http:\n  - directResponse: {{status: 200, body: {body}}}\n",
        encoding="utf-8",
    )
    loaded = load_paths([str(path)])
    return [(d.code, d.message) for resource in loaded.resources for d in validate(resource)]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (100 * KIB, []),
        (100 * KIB + 1, [("IST0133", LARGE)]),
        (1024 * KIB, [("IST0133", LARGE)]),
        (1024 * KIB + 1, [("IST0106", LARGE + ", must be less than 1MB")]),
    ],
)
def test_direct_response_body_size_warns_above_100_kib_and_fails_above_1_mib(tmp_path: Path, size: int, expected: list) -> None:
    for body in (f"{{string: {'x' * size}}}", f"{{bytes: {base64.b64encode(b'x' * size).decode()}}}"):
        found = _direct_response(tmp_path, body)
        assert [(code, text.partition("spec.http[0].directResponse.body: ")[2]) for code, text in found] == expected


def test_string_body_counts_utf8_bytes(tmp_path: Path) -> None:
    found = _direct_response(tmp_path, "{string: " + "é" * (50 * KIB + 1) + "}")  # 2 bytes each
    assert [code for code, _ in found] == ["IST0133"]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("a.b", '"a.b"'), ('say "hi"\\', r'"say \"hi\"\\"'), ("tab\there\n", r'"tab\there\n"'), ("\x01\x7f", r'"\x01\x7f"'), ("é\u200b", r'"é\u200b"')],
)
def test_go_quote_matches_strconv_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted
