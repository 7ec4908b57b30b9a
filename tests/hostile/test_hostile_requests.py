"""Requests HTTP/1.1 cannot carry (issue 13, point 3): Envoy's own answer on both backends, never
an exception. Expected statuses replayed on Envoy 1.40.0 with raw bytes on a socket (the model:
routing/wire.py; tests/hostile/test_hostile_wire.py checks it on Envoy): 400 for non-ASCII or
control characters in the method, path, host or a header name, 431 beyond 60 KiB of headers;
UTF-8 in a header value is carried. CR/LF are refused by the request parser for both backends
(one line, exit 2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from istio_notebook.envoy.binary import envoy_available

MESH = Path(__file__).resolve().parent.parent / "envoy" / "fixtures" / "reviews.yaml"


def route(request: str, *headers: str, backend: str = "envoy") -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "istio_notebook", "route", str(MESH), "--from", "default/app=productpage",
            "--request", request, "--backend", backend, "--format", "json"]
    for header in headers:
        argv += ["-H", header]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("backend", [
    "sim",
    pytest.param("envoy", marks=[pytest.mark.envoy, pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")]),
])
@pytest.mark.parametrize(
    ("request_line", "headers", "status"),
    [
        ("GET http://reviews:9080/é", (), 400),
        ("GÉT http://reviews:9080/", (), 400),
        ("GET http://rév:9080/", (), 400),
        ("GET http://reviews:9080/", ("é: b",), 400),
        ("GET http://reviews:9080/", ("x-a: a\x01b",), 400),
        ("GET http://reviews:9080/", ("x-a: " + "a" * 70_000,), 431),
        ("FOO http://reviews:9080/", (), 400),
        ("GET http://reviews:9080/", ("x-a: é",), None),  # carried: the route's own answer
    ],
)
def test_both_backends_answer_what_http_cannot_carry_as_envoy_does(backend, request_line, headers, status):
    result = route(request_line, *headers, backend=backend)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert (out["action"], out["status"]) == ("route" if status is None else "rejected", status)


@pytest.mark.parametrize("backend", ["sim", "envoy"])
def test_cr_or_lf_in_a_header_is_a_usage_error_on_both_backends(backend):
    result = route("GET http://reviews:9080/", "x-a: a\r\nx-b: injected", backend=backend)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "istio-notebook route: error: a request line or header cannot contain CR or LF (it would end the line)"
    ]


# A body announced and not sent: Envoy forwards the headers and waits for the body (replayed on
# Envoy 1.40.0: no answer within 4 s for `content-length: 99999` or `transfer-encoding: chunked`
# without a body; the Envoy backend used to stall 30 s on its client timeout, then say blackhole).
@pytest.mark.parametrize("backend", ["sim", "envoy"])
@pytest.mark.parametrize(("header", "message"), [
    ("content-length: 99999", "content-length: 99999 announces a body, and route sends none: Envoy would wait for it "
                              "(leave the header out, or send content-length: 0)"),
    ("Transfer-Encoding: Chunked", "transfer-encoding: chunked announces a body, and route sends none: "
                                   "Envoy would wait for it (leave the header out)"),
])
def test_a_body_announced_but_not_sent_is_a_usage_error_on_both_backends(backend, header, message):
    result = route("GET http://reviews:9080/", header, backend=backend)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"istio-notebook route: error: {message}"]


@pytest.mark.parametrize(("lines", "refused"), [
    ([("content-length", "0")], False),
    ([("content-length", "00")], False),
    ([("content-length", "7")], True),
    ([("transfer-encoding", "chunked")], True),
    # Malformed framing is Envoy's codec's to answer (400/501 at once), not a wait.
    ([("content-length", "abc")], False),
    ([("content-length", "7"), ("content-length", "7")], False),
    ([("content-length", "7"), ("transfer-encoding", "chunked")], False),
    ([("transfer-encoding", "gzip")], False),
])
def test_only_well_formed_framing_announces_a_body(lines, refused):
    from istio_notebook.routing.wire import unsent_body

    assert (unsent_body(lines) is not None) is refused


_ENVOY = pytest.param("envoy", marks=[pytest.mark.envoy, pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")])


@pytest.mark.parametrize("backend", ["sim", _ENVOY])
def test_a_lone_surrogate_in_a_batch_line_is_answered_not_an_internal_error(tmp_path, backend):
    # JSON can spell a lone surrogate ("\ud800"); UTF-8 cannot: it went out as its bytes, and the
    # answer echoing it could not be printed (UnicodeEncodeError, exit 3, on the Envoy backend).
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"request": "GET http://reviews:9080/\\ud800"}\n'
                     '{"request": "GET http://reviews:9080/", "headers": ["x-a: \\ud800"]}\n')
    result = subprocess.run([sys.executable, "-m", "istio_notebook", "route", str(MESH), "--from", "default/app=productpage",
                             "--requests", str(batch), "--backend", backend], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["action"], first["status"]) == ("rejected", 400)  # a byte >= 0x80 in the path
    assert second["action"] == "route"  # a header value carries it


@pytest.mark.parametrize("backend", ["sim", _ENVOY])
def test_authz_of_a_request_envoy_answers_itself_is_rejected_on_both_backends(backend):
    # "decision" takes a new value rather than null: the contract's "ALLOW"|"DENY" string stays a
    # string ("extend only compatibly": new keys, new values), and a 400 before RBAC is neither.
    argv = [sys.executable, "-m", "istio_notebook", "authz", str(MESH), "--request", "GÉT http://reviews:9080/",
            "--to", "default/app=reviews", "--backend", backend]
    as_json = subprocess.run(argv + ["--format", "json"], capture_output=True, text=True, timeout=120)
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert (answer["decision"], answer["policy"], answer["rule_index"]) == ("REJECTED", None, None)
    as_text = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert as_text.returncode == 0 and as_text.stdout.startswith("REJECTED\n"), as_text.stderr
