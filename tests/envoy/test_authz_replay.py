"""AuthorizationPolicy on real Envoy's RBAC filter, principals proven over mTLS, vs the evaluator.

Behaviour from istio.io/latest/docs/reference/config/security/authorization-policy/ (DENY before
ALLOW, default deny once an ALLOW policy applies, `rules: [{}]` matches everything, prefix
paths, hosts case-insensitive, principals and namespaces need mTLS) and
istio.io/latest/docs/reference/config/security/peer_authentication/ (STRICT refuses plaintext).
"""

from __future__ import annotations

import pytest
from envoy_testkit import load_mesh, requires_envoy
from istio_notebook.authz import Source, Workload
from istio_notebook.authz import authorize as evaluate
from istio_notebook.authz.ports import workload_port
from istio_notebook.envoy.authz_replay import InboundScenario, peer_mode
from istio_notebook.routing import Request

pytestmark = [pytest.mark.envoy, requires_envoy]
HTTPBIN = Workload("foo", {"app": "httpbin"})
SLEEP = "cluster.local/ns/foo/sa/sleep"


@pytest.fixture(scope="module")
def mesh():
    return load_mesh("authz.yaml")


@pytest.fixture(scope="module")
def httpbin(mesh):
    with InboundScenario(mesh, HTTPBIN, peer_mode(mesh, HTTPBIN, 8000), 8000) as scenario:
        yield scenario


CASES = [
    # (request, headers, source, decision, deny policy)
    ("GET http://httpbin.foo:8000/get", [], Source(principal=SLEEP), "ALLOW", None),
    ("POST http://httpbin.foo:8000/post", [], Source(principal=SLEEP), "DENY", None),
    ("GET http://httpbin.foo:8000/private", [], Source(principal=SLEEP), "DENY", None),
    ("GET http://httpbin.foo:8000/get", [], Source(principal="cluster.local/ns/bar/sa/sleep"), "DENY", None),
    ("GET http://httpbin.foo:8000/admin/users", [], Source(principal=SLEEP), "DENY", "foo/deny-admin"),
    ("GET http://httpbin.foo:8000/get", [], Source(principal=SLEEP, ip="203.0.113.9"), "DENY", "foo/deny-admin"),
    ("GET http://httpbin.foo:8000/get", ["x-block: yes"], Source(principal=SLEEP), "DENY", "foo/deny-admin"),
    ("DELETE http://httpbin.foo:8000/x", [], Source(principal="cluster.local/ns/ops/sa/admin"), "ALLOW", None),
    ("DELETE http://httpbin.foo:8000/x", [], Source(namespace="ops", mtls=False), "DENY", None),
    ("GET http://public.example.com:8000/x", [], Source(mtls=False), "ALLOW", None),
    ("GET http://public.example.com:9000/x", [], Source(mtls=False), "DENY", None),
    ("GET http://httpbin.foo:8000/get", [], Source(mtls=False), "DENY", None),
]


@pytest.mark.parametrize("line,headers,source,decision,policy", CASES, ids=[f"{c[0]} {c[2]}" for c in CASES])
def test_envoy_rbac_decides_as_istio_documents(httpbin, mesh, line, headers, source, decision, policy):
    request = Request.parse(line, headers)
    observed = httpbin.authorize(request, source, workload_port(mesh, HTTPBIN, request.host, request.port))
    expected = evaluate(mesh, request, HTTPBIN, source).to_json()
    assert observed["decision"] == expected["decision"] == decision, (observed, expected)
    if decision == "DENY" and policy:
        assert observed["policy"] == expected["policy"] == policy
        assert observed["rule_index"] == expected["rule_index"]


def test_strict_mtls_refuses_a_plaintext_caller(mesh):
    locked = Workload("foo", {"app": "locked"})
    request = Request.parse("GET http://locked.foo:8000/")
    with InboundScenario(mesh, locked, peer_mode(mesh, locked, 8000), 8000) as scenario:
        assert scenario.mode == "STRICT"
        assert scenario.authorize(request, Source(mtls=False))["decision"] == "DENY"
        assert scenario.authorize(request, Source(principal=SLEEP))["decision"] == "ALLOW"


def test_hosts_match_the_authority_as_sent_including_its_port(httpbin):
    # Istio turns `hosts` into a case-insensitive exact match on :authority
    # (istio/istio pilot/pkg/security/authz/matcher/header.go HostMatcher): the port is part of it.
    with_port = Request.parse("GET http://portless.example.com:8000/x")
    without_port = Request.parse("GET http://portless.example.com:8000/x", ["host: portless.example.com"])
    assert httpbin.authorize(with_port, Source(mtls=False))["decision"] == "DENY"
    assert httpbin.authorize(without_port, Source(mtls=False))["decision"] == "ALLOW"


API = Workload("foo", {"app": "api"})
ISSUER = "https://accounts.example.com"
JWT_CASES = [
    # istio.io/latest/docs/tasks/security/authorization/authz-jwt/: requestPrincipals "iss/sub",
    # request.auth.claims[...]; a token from an unknown issuer is rejected (401), no token = no principal.
    ("GET http://api.foo:8000/x", {"iss": ISSUER, "sub": "alice"}, "ALLOW"),
    ("GET http://api.foo:8000/x", {"iss": ISSUER, "sub": "bob"}, "DENY"),
    ("GET http://api.foo:8000/x", {"iss": ISSUER, "sub": "bob", "groups": "admins"}, "ALLOW"),
    ("GET http://api.foo:8000/x", {"iss": "https://evil.example.net", "sub": "alice"}, "DENY"),
    ("GET http://api.foo:8000/x", {}, "DENY"),
]


@pytest.fixture(scope="module")
def api(mesh):
    with InboundScenario(mesh, API, peer_mode(mesh, API, 8000), 8000) as scenario:
        yield scenario


@pytest.mark.parametrize("line,claims,decision", JWT_CASES, ids=[f"{c[1]}" for c in JWT_CASES])
def test_jwt_claims_are_verified_by_envoy_with_a_real_token(api, mesh, line, claims, decision):
    request = Request.parse(line)
    source = Source(mtls=False, claims=claims)
    observed = api.authorize(request, source)
    expected = evaluate(mesh, request, API, source).to_json()
    assert observed["decision"] == expected["decision"] == decision, (observed, expected)


def test_custom_rule_match_is_reported_not_guessed(api):
    asked = api.authorize(Request.parse("GET http://api.foo:8000/ext/a"), Source(claims={"iss": ISSUER, "sub": "alice"}))
    not_asked = api.authorize(Request.parse("GET http://api.foo:8000/x"), Source(claims={"iss": ISSUER, "sub": "alice"}))
    assert asked["decision"] is None and asked["envoy"]["unsupported"] == ["CUSTOM"]
    assert not_asked["decision"] == "ALLOW"
