"""Expectation clauses against outcomes written in the DESIGN.md JSON shape (read back as typed outcomes)."""

import pytest

from istio_notebook.examples.expectations import Observed, evaluate, parse_clause
from istio_notebook.examples.model import Request
from istio_notebook.routing.outcome import outcome_from_json

REQUEST = Request("GET", "http://reviews:9080/reviews/1?x=1", ["end-user: jason"])


def dest(host, subset=None, weight=100.0, port=9080):
    return {"host": host, "subset": subset, "port": port, "weight": weight, "cluster": f"outbound|{port}|{subset or ''}|{host}"}


ROUTED = {
    "action": "route",
    "status": None,
    "virtual_service": "default/reviews",
    "route_index": 1,
    "match_index": None,
    "destinations": [dest("reviews.default.svc.cluster.local", "v1")],
    "rewrite": None,
    "fault": {"abort": {"http_status": 500, "percentage": 50.0}},
    "timeout": "10s",
    "retries": {"attempts": 2, "per_try_timeout": "2s", "retry_on": "connect-failure,5xx"},
    "mirrors": [{"host": "reviews.default.svc.cluster.local", "subset": "v2", "port": 9080, "percentage": 100.0}],
    "headers": {"request": {"set": {"x-foo": "bar"}, "add": {}, "remove": []}},
    "policy": {"tls": {"mode": "ISTIO_MUTUAL", "auto": True}, "load_balancer": {"simple": "LEAST_REQUEST"}},
}


def judge(text, route=ROUTED, authz=None):
    name, args = parse_clause(text)
    typed = outcome_from_json(route) if route is not None else None
    return evaluate(name, args, Observed(route=typed, authz=authz, request=REQUEST))


@pytest.mark.parametrize(
    "text",
    [
        "reviews v1",
        "reviews.default.svc.cluster.local:9080 v1",
        "reviews.default v1 100%",
        "virtual-service default/reviews rule 1",
        "fault abort 500 50%",
        "timeout 10s",
        "retries 2 2s on=5xx,connect-failure",
        "mirror reviews v2 100%",
        "cluster outbound|9080|v1|reviews.default.svc.cluster.local",
        "header request x-foo: bar",
        "tls ISTIO_MUTUAL",
        "lb LEAST_REQUEST",
        "path /reviews/1",
        "path /reviews/1?x=1",
        "authority reviews:9080",
    ],
)
def test_clauses_that_hold(text):
    holds, actual = judge(text)
    assert holds, actual


@pytest.mark.parametrize(
    "text, actual",
    [
        ("reviews v2", "reviews v1"),
        ("reviews v1 50% | reviews v2 50%", "reviews v1 100%"),
        ("ratings v1", "reviews v1"),
        ("404", "no status (reviews.default v1)"),
        ("timeout 5s", "timeout 10s"),
        ("retries 3", "retries 2 2s"),
        ("fault delay 7s", "no delay fault"),
        ("virtual-service default/other", "virtual-service default/reviews rule 1"),
        ("header response x-bar: baz", "no header response x-bar"),
        ("lb ROUND_ROBIN", "lb LEAST_REQUEST"),
        ("passthrough", "reviews.default v1"),
    ],
)
def test_clauses_that_fail_say_what_actually_holds(text, actual):
    holds, described = judge(text)
    assert not holds
    assert described == actual


def test_weighted_destinations_compare_as_a_set():
    route = {**ROUTED, "destinations": [dest("reviews.default.svc.cluster.local", "v1", 75.0), dest("reviews.default.svc.cluster.local", "v3", 25.0)]}
    assert judge("reviews v3 25% | reviews v1 75%", route)[0]
    holds, actual = judge("reviews v1 50% | reviews v3 50%", route)
    assert not holds and actual == "reviews v1 75% | reviews v3 25%"


def test_actions_and_statuses():
    redirect = {"action": "redirect", "status": 301, "redirect": {"location": "https://a/x", "status": 301}}
    assert judge("redirect 301 https://a/x", redirect)[0]
    assert judge("status 301", redirect)[0]
    direct = {"action": "direct_response", "status": 503, "direct_response": {"status": 503, "body": "down for maintenance"}}
    assert judge("direct-response 503 down for maintenance", direct)[0]
    assert judge("no-route", {"action": "no_route", "status": 404})[0]
    assert judge("404", {"action": "no_route", "status": 404})[0]


def test_rewritten_path_and_authority():
    route = {**ROUTED, "rewrite": {"uri": "/v2/reviews/1", "authority": "api.internal"}}
    assert judge("path /v2/reviews/1", route)[0]
    assert judge("authority api.internal", route)[0]


def test_authz_decisions():
    decision = {"decision": "DENY", "policy": "foo/deny-bar", "action": "DENY", "rule_index": 0}
    assert judge("DENY", authz=decision)[0]
    assert judge("DENY by foo/deny-bar", authz=decision)[0]
    holds, actual = judge("ALLOW", authz=decision)
    assert not holds and actual == "DENY by foo/deny-bar"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("reviews v1 | reviews v2", "need a weight"),
        ("status abc", "write a status"),
        ("fault abort x", "not a status"),
        ("timeout soon", "not a duration"),
        ("retries many", "ATTEMPTS"),
        ("redirect 301", "redirect STATUS LOCATION"),
        ("DENY by", "DENY by NAMESPACE/POLICY"),
        ("header sideways x: y", "header request"),
        ("virtual-service reviews", "NAMESPACE/NAME"),
    ],
)
def test_bad_clauses_are_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_clause(text)
