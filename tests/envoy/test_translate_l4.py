"""TCP/TLS listeners on the Envoy backend: the filter chains istiod builds, accepted by real Envoy.

Sources (istio 1.30.3 pilot/pkg/networking/core): listener.go buildSidecarOutboundListener (a TCP
service port listens on the service VIP), buildListenerFromEntry (a match-all chain becomes the
default chain; without one, the catch-all PassthroughFilterChain), toFilterChainMatch (sorted
server names, destination CIDRs as prefix ranges); tls.go buildSidecarOutboundTCPFilterChainOpts
(the first rule without a subnet ends the chains) and ...TLSFilterChainOpts (a chain per SNI);
gateway.go createGatewayTCPFilterChainOpts, buildGatewayNetworkFiltersFromTLSRoutes,
builtAutoPassthroughFilterChains; networkfilter.go (weighted_clusters for several destinations).
"""

from __future__ import annotations

import pytest
from envoy_testkit import requires_envoy
from istio_notebook.envoy.runner import validate
from istio_notebook.envoy.translate import envoy_config
from istio_notebook.routing import Proxy
from l4_meshes import ECHO, EASTWEST, EXTERNAL_TLS, MESH_TCP, NGINX, NS, SHIFTING, TCP_ECHO
from routing.routing_helpers import make_mesh


def listeners(mesh, proxy) -> dict[str, dict]:
    return {item["name"]: item for item in envoy_config(mesh, proxy)["static_resources"]["listeners"]}


def proxy_of(chain: dict) -> dict:
    return chain["filters"][0]["typed_config"]


def test_a_sidecar_tcp_port_listens_on_the_service_vip_with_chains_in_istiods_order():
    found = listeners(make_mesh(TCP_ECHO, MESH_TCP), Proxy.parse_from(f"{NS}/app=canary-client"))
    listener = found["10.96.0.90_9000"]
    assert listener["address"]["socket_address"] == {"address": "10.96.0.90", "port_value": 9000}
    # Rule 0 (sourceLabels app=canary-client, no subnet) applies to this proxy and ends the list:
    # one match-all chain, so no default chain and no catch-all.
    assert [proxy_of(c)["cluster"] for c in listener["filter_chains"]] == [f"outbound|9000|v2|{ECHO}"]
    assert "default_filter_chain" not in listener
    assert listener["filter_chains"][0]["metadata"]["filter_metadata"]["istio"]["config"].endswith(
        f"/namespaces/{NS}/virtual-service/tcp-echo-mesh")


def test_a_subnet_rule_gets_a_prefix_range_and_the_terminal_rule_the_default_chain():
    listener = listeners(make_mesh(TCP_ECHO, MESH_TCP), Proxy.parse_from(f"{NS}/app=sleep"))["10.96.0.90_9000"]
    chain = listener["filter_chains"][0]
    assert chain["filter_chain_match"] == {"prefix_ranges": [{"address_prefix": "10.200.0.0", "prefix_len": 16}]}
    assert proxy_of(chain)["cluster"] == f"outbound|9000|v2|{ECHO}"
    assert proxy_of(listener["default_filter_chain"])["cluster"] == f"outbound|9000|v1|{ECHO}"


def test_weighted_tcp_routes_become_weighted_clusters_on_the_gateway():
    found = listeners(make_mesh(TCP_ECHO, SHIFTING), Proxy.parse_gateway(f"{NS}/tcp-echo-gateway"))
    chains = found["0.0.0.0_31400"]["filter_chains"]
    assert len(chains) == 1 and "filter_chain_match" not in chains[0]
    weighted = proxy_of(chains[0])["weighted_clusters"]["clusters"]
    assert [(c["name"], c["weight"]) for c in weighted] == [
        (f"outbound|9000|v1|{ECHO}", 8000), (f"outbound|9000|v2|{ECHO}", 2000)]


def test_sidecar_tls_port_without_vip_matches_sni_and_falls_back_to_the_catch_all():
    listener = listeners(make_mesh(EXTERNAL_TLS), Proxy.sidecar("default"))["0.0.0.0_443"]
    names = [c["filter_chain_match"]["server_names"] for c in listener["filter_chains"]]
    assert ["api.example.com"] in names and ["backup.example.net"] in names
    assert listener["default_filter_chain"]["name"] == "PassthroughFilterChain"
    assert proxy_of(listener["default_filter_chain"])["cluster"] == "PassthroughCluster"
    assert any(f["name"] == "envoy.filters.listener.tls_inspector" for f in listener["listener_filters"])


def test_gateway_tls_passthrough_chain_per_sni_host():
    listener = listeners(make_mesh(NGINX), Proxy.parse_gateway("default/mygateway"))["0.0.0.0_8443"]
    (chain,) = listener["filter_chains"]
    assert chain["filter_chain_match"] == {"server_names": ["nginx.example.com"]}
    assert "transport_socket" not in chain  # passthrough: no TLS context on the gateway
    assert proxy_of(chain)["cluster"] == "outbound|443||my-nginx.default.svc.cluster.local"


def test_auto_passthrough_chain_per_service_port_and_subset_by_sni_and_istio_alpn():
    listener = listeners(make_mesh(EASTWEST), Proxy.parse_gateway("istio-system/cross-network-gateway"))
    chains = next(v for k, v in listener.items() if k.endswith("_15443"))["filter_chains"]
    by_sni = {c["filter_chain_match"]["server_names"][0]: c for c in chains}
    chain = by_sni["outbound_.9080_.v1_.reviews.default.svc.cluster.local"]
    assert chain["filter_chain_match"]["application_protocols"][:2] == ["istio", "istio-peer-exchange"]
    assert "outbound_.9080_._.reviews.default.svc.cluster.local" in by_sni
    # The chain forwards to the SNI-DNAT cluster of the same name, which has no TLS of its own: the
    # client's mTLS goes through (cluster_builder.go buildOutboundSniDnatClusters, SniDnatClusterMode).
    assert proxy_of(chain)["cluster"] == "outbound_.9080_.v1_.reviews.default.svc.cluster.local"
    clusters = {c["name"]: c for c in envoy_config(make_mesh(EASTWEST), Proxy.parse_gateway("istio-system/cross-network-gateway"))
                ["static_resources"]["clusters"]}
    dnat = clusters["outbound_.9080_.v1_.reviews.default.svc.cluster.local"]
    assert dnat["type"] == "EDS" and "transport_socket" not in dnat


@requires_envoy
@pytest.mark.parametrize(("texts", "proxy"), [
    ((TCP_ECHO, MESH_TCP), Proxy.parse_from(f"{NS}/app=sleep")),
    ((TCP_ECHO, SHIFTING), Proxy.parse_gateway(f"{NS}/tcp-echo-gateway")),
    ((EXTERNAL_TLS,), Proxy.sidecar("default")),
    ((NGINX,), Proxy.parse_gateway("default/mygateway")),
    ((EASTWEST,), Proxy.parse_gateway("istio-system/cross-network-gateway")),
], ids=["sidecar-tcp", "gateway-tcp", "sidecar-tls", "gateway-passthrough", "auto-passthrough"])
def test_envoy_validate_accepts_tcp_and_tls_listeners(texts, proxy):
    accepted, message = validate(envoy_config(make_mesh(*texts), proxy))
    assert accepted, message
