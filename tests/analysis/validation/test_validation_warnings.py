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


@pytest.mark.parametrize("depth", [5000, 100000])
def test_a_deeply_nested_jwks_is_a_parse_error_not_a_crash(depth):
    # Go's decoder refuses nesting past 10000 ("exceeded max depth"); Python's recursion stops sooner.
    from istio_notebook.config import Origin, load_text

    jwks = '{"keys":' + "[" * depth
    text = (
        "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: r, namespace: foo}\n"
        f"spec:\n  jwtRules:\n  - issuer: x\n    jwks: '{jwks}'\n"
    )
    (resource,) = load_text(text, Origin("ra.yaml")).resources
    assert [(d.code, d.message) for d in validate(resource)] == [
        ("IST0106", "Schema validation error: spec.jwtRules[0].jwks: jwks parse error: failed to unmarshal JWK set: exceeded max depth")
    ]


def test_a_proxy_version_past_1024_characters_is_warned_about_not_compiled():
    # release-1.30 d965b23: a longer pattern is ignored by istiod and only warned about.
    from istio_notebook.config import Origin, load_text

    text = (
        "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: f, namespace: foo}\n"
        "spec:\n  configPatches:\n  - applyTo: CLUSTER\n    match:\n"
        f"      proxy: {{proxyVersion: '{'(' * 1025}'}}\n    patch: {{operation: MERGE, value: {{}}}}\n"
    )
    (resource,) = load_text(text, Origin("ef.yaml")).resources
    found = [(d.code, d.message.split(": ", 1)[1]) for d in validate(resource) if "exposes internal" not in d.message]
    assert found == [
        ("IST0133", "spec.configPatches[0].match.proxy.proxyVersion: Envoy filter: proxyVersion match exceeds 1024 characters and will be ignored")
    ]
