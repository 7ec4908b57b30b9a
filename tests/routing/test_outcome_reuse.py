"""A route's outcome worked out once per table and reused (routing/decide.py ``apply``) is the
outcome the full computation gives every request that route takes.

The reuse is only allowed for forwards that read nothing of the request; these tests send many
requests onto the same routes of one mesh (so later ones take the reused outcome), in both
languages and in two orders, and compare each answer with the full computation's (reuse turned
off). Variants differ in what a reused outcome must not carry over: the path (rewrites), the
query, the Origin header (CORS), extra headers. Were reuse allowed for a rewrite or a CORS route,
the second path or origin would get the first one's answer and these comparisons fail.
"""

from __future__ import annotations

import random

import pytest
from istio_notebook.config.json_lines import compact
from istio_notebook.routing import Request, RouteOutcome, decide, route
from routing_helpers import make_mesh
from test_outcome_json import PINS, ROUTE_CASES, _proxy

VARIANTS = [
    ("", ()),
    ("/deeper/path", ()),
    ("?z=9", ()),
    ("/x?k=v", ("origin: https://app.example.com",)),
    ("", ("origin: https://other.example.net", "x-extra: 1")),
    ("", ("origin: https://app.example.com", "access-control-request-method: GET")),
]


def _requests() -> list[tuple[str, str, tuple[str, ...], str]]:
    out = []
    for _case, proxy, line, headers in ROUTE_CASES:
        method, url = line.split(" ", 1)
        for suffix, extra in VARIANTS:
            # A preflight is an OPTIONS request with Access-Control-Request-Method.
            verb = "OPTIONS" if any(h.startswith("access-control-request-method") for h in extra) else method
            for lang in ("en", "ja"):
                out.append((proxy, f"{verb} {url}{suffix}", tuple(headers) + extra, lang))
    # The CORS route (matched on any Origin) under origins allowed and not, with and without preflight.
    for origin in ("https://app.example.com", "https://a.example.org", "http://other.example.net"):
        for extra in ((), ("access-control-request-method: POST",)):
            verb = "OPTIONS" if extra else "GET"
            out.append(("from default", f"{verb} http://reviews:9080/c", (f"origin: {origin}", *extra), "en"))
    return out


def _answers(mesh, requests) -> dict:
    return {r: route(mesh, Request.parse(r[1], list(r[2])), _proxy(r[0]), lang=r[3]).to_json() for r in requests}


@pytest.fixture(scope="module")
def full_answers():
    """Each request's outcome with reuse turned off: the full computation, the oracle."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(decide, "_request_independent", lambda action: False)
        return _answers(make_mesh(PINS), _requests())


@pytest.mark.parametrize("seed", [None, 7])
def test_reused_outcomes_equal_the_full_computation(full_answers, seed):
    requests = _requests()
    if seed is not None:
        random.Random(seed).shuffle(requests)
    mesh = make_mesh(PINS)
    # Twice over one mesh: the second pass answers every route from its reused outcome.
    for _ in range(2):
        for r, got in _answers(mesh, requests).items():
            assert got == full_answers[r], r


def test_reuse_is_taken_by_plain_forwards_only():
    mesh = make_mesh(PINS)
    plain = route(mesh, Request.parse("GET http://reviews:9080/weighted"), _proxy("from default"), lang="en").route
    rewritten = route(mesh, Request.parse("GET http://reviews:9080/old/x"), _proxy("from default"), lang="en").route
    cors = route(mesh, Request.parse("GET http://reviews:9080/c", ["origin: https://a.example.org"]), _proxy("from default"),
                 lang="en").route
    redirect = route(mesh, Request.parse("GET http://reviews:9080/moved"), _proxy("from default"), lang="en").route
    assert decide._request_independent(plain.action)
    assert not decide._request_independent(rewritten.action)
    assert not decide._request_independent(cors.action)
    assert not decide._request_independent(redirect.action)


def test_json_line_is_the_compact_json_of_to_json(full_answers):
    """RouteOutcome.json_line (the batch's encoder, its head shared by reused outcomes) writes
    the bytes of compact(to_json()), including the escaped-ASCII line of a lone surrogate."""
    mesh = make_mesh(PINS)
    requests = _requests() + [("from default", "GET http://reviews:9080/weighted/\ud800", (), "ja"),
                              ("from default", "GET http://reviews:9080/old/\udfff", ("x-extra: \u30c6",), "en")]
    for _ in range(2):
        for proxy, line, headers, lang in requests:
            outcome = route(mesh, Request.parse(line, list(headers)), _proxy(proxy), lang=lang)
            assert outcome.json_line() == compact(outcome.to_json()), line
    lone = RouteOutcome("route", virtual_service="default/r\u30c6").replaced(trace=("path /\ud800",))
    assert lone.json_line() == compact(lone.to_json()) and lone.json_line().isascii() and "\\ud800" in lone.json_line()


def test_an_outcome_replaced_on_its_head_fields_encodes_them_anew():
    first = RouteOutcome("route", status=200).replaced(trace=("one",))
    assert '"status":200' in first.json_line()
    second = first.replaced(status=503, trace=("two",))
    assert second.json_line() == compact(second.to_json()) and '"status":503' in second.json_line()
    assert first.replaced(protocol={"protocol": "HTTP"}).json_line().startswith(first.json_line()[:40])
