"""VirtualService `tcp` and `tls` rules, Gateway TLS PASSTHROUGH / AUTO_PASSTHROUGH, TCP outcomes.

Sources: istio 1.30 pilot/pkg/networking/core/tls.go (matchTCP, matchTLS,
buildSidecarOutboundTCPFilterChainOpts, buildSidecarOutboundTLSFilterChainOpts), gateway.go
(TCP/TLS servers), model.BuildDNSSrvSubsetKey (AUTO_PASSTHROUGH SNI); istio.io tasks
traffic-management/tcp-traffic-shifting and traffic-management/ingress/ingress-sni-passthrough.
"""

from __future__ import annotations

import pytest
from istio_notebook.routing import Proxy, Request, RequestError, route
from l4_meshes import ECHO, EASTWEST, EXTERNAL_TCP, EXTERNAL_TLS, MESH_SUBNET, MESH_TCP, NGINX, NS, SHIFTING, TCP_ECHO
from routing_helpers import make_mesh


def connect(mesh, url: str, *, via: str | None = None, source: str | None = None, sni: str | None = None) -> dict:
    proxy = Proxy.parse_gateway(via) if via else Proxy.parse_from(source)
    return route(mesh, Request.parse(url, sni=sni), proxy, lang="en").to_json()


def summary(out: dict) -> tuple:
    return out["action"], out["status"], [(d["cluster"], d["weight"]) for d in out["destinations"]]


def test_tcp_traffic_shifting_through_the_ingress_gateway():
    out = connect(make_mesh(TCP_ECHO, SHIFTING), "tcp://203.0.113.10:31400", via=f"{NS}/tcp-echo-gateway")
    assert summary(out) == ("route", None, [(f"outbound|9000|v1|{ECHO}", 80.0), (f"outbound|9000|v2|{ECHO}", 20.0)])
    assert (out["virtual_service"], out["route_index"], out["match_index"]) == (f"{NS}/tcp-echo", 0, 0)


def test_a_gateway_without_a_tcp_server_on_the_port_refuses():
    out = connect(make_mesh(TCP_ECHO, SHIFTING), "tcp://203.0.113.10:31401", via=f"{NS}/tcp-echo-gateway")
    assert summary(out) == ("no_route", None, [])


@pytest.mark.parametrize(
    ("source", "url", "cluster"),
    [
        # matchTCP: sourceLabels select the proxy.
        (f"{NS}/app=canary-client", "tcp://tcp-echo:9000", f"outbound|9000|v2|{ECHO}"),
        # matchTCP checks gateways AND sourceLabels (unlike HTTP's sourceMatchHTTP): rule 1 never applies.
        (f"{NS}/app=sleep", "tcp://tcp-echo:9000", f"outbound|9000|v1|{ECHO}"),
        # destinationSubnets: the service VIP 10.96.0.90 is not in 10.200.0.0/16.
        (f"{NS}/app=sleep", "tcp://10.96.0.90:9000", f"outbound|9000|v1|{ECHO}"),
        # No rule for port 9001 (rule 2 has a subnet the VIP is not in): the service's own cluster.
        (f"{NS}/app=sleep", "tcp://tcp-echo:9001", f"outbound|9001||{ECHO}"),
    ],
)
def test_sidecar_tcp_rules(source, url, cluster):
    out = connect(make_mesh(TCP_ECHO, MESH_TCP), url, source=source)
    assert summary(out) == ("route", None, [(cluster, 100.0)])


@pytest.mark.parametrize("url", ["tcp://tcp-echo:9000", "tcp://10.96.0.90:9000", "tcp://tcp-echo:9001"])
def test_destination_subnets_that_hold_the_vip_match(url):
    # istio/api L4MatchAttributes destinationSubnets ("IPv4 or IPv6 ip addresses of destination
    # with optional subnet"); tls.go buildSidecarOutboundTCPFilterChainOpts: a rule whose matches
    # carry subnets becomes a chain for them on the VIP listener. 10.96.0.7/32 (rule 0) does not
    # hold the VIP 10.96.0.90, 10.96.0.0/24 (rule 1) does, on every port of the service.
    out = connect(make_mesh(TCP_ECHO, MESH_SUBNET), url, source=f"{NS}/app=sleep")
    assert (out["virtual_service"], out["route_index"], out["match_index"]) == (f"{NS}/tcp-echo-subnet", 1, 0)
    assert summary(out) == ("route", None, [(f"outbound|9000|v2|{ECHO}", 100.0)])


def test_sidecar_without_virtual_service_uses_the_service_cluster():
    out = connect(make_mesh(TCP_ECHO), "tcp://tcp-echo:9000", source=f"{NS}/app=sleep")
    assert summary(out) == ("route", None, [(f"outbound|9000||{ECHO}", 100.0)])
    assert out["virtual_service"] is None


def test_unknown_destinations_follow_the_outbound_policy():
    mesh = make_mesh(TCP_ECHO)
    assert connect(mesh, "tcp://db.example.com:5432")["action"] == "passthrough"
    blocked = make_mesh(TCP_ECHO, """
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
""")
    assert connect(blocked, "tcp://db.example.com:5432")["action"] == "blackhole"


@pytest.mark.parametrize(
    ("url", "action", "clusters"),
    [
        # addresses: the VIP listener 240.0.0.10_27018 takes the dialled VIP (or the host, resolved to it).
        ("tcp://240.0.0.10:27018", "route", ["outbound|27018||mongo.example.com"]),
        ("tcp://mongo.example.com:27018", "route", ["outbound|27018||mongo.example.com"]),
        # ... and no other address on that port: the catch-all (ALLOW_ANY: PassthroughCluster).
        ("tcp://240.0.0.99:27018", "passthrough", []),
        # No addresses: 0.0.0.0_5433 takes every address on the port, the host's and any other.
        ("tcp://db.example.com:5433", "route", ["outbound|5433||db.example.com"]),
        ("tcp://10.1.2.3:5433", "route", ["outbound|5433||db.example.com"]),
        ("tcp://10.1.2.3:5434", "passthrough", []),
    ],
)
def test_service_entry_tcp_hosts(url, action, clusters):
    # istio/api ServiceEntry `addresses` (service_entry.proto): with addresses, "the incoming traffic
    # will be identified as belonging to this service if the destination IP matches"; without,
    # "traffic will be identified solely based on the destination port ... the sidecar will behave
    # as a simple TCP proxy". istio 1.30 listener.go buildSidecarOutboundListener (VIP or 0.0.0.0).
    out = connect(make_mesh(EXTERNAL_TCP), url, source="default/app=sleep")
    assert (out["action"], out["status"], [d["cluster"] for d in out["destinations"]]) == (action, None, clusters)


def test_a_tcp_connection_to_an_http_port_is_not_routed_by_tcp_rules():
    out = connect(make_mesh(), "tcp://reviews:9080")
    assert out["action"] == "blackhole"
    assert any("is HTTP to Istio" in step for step in out["trace"])


def test_sidecar_tls_rules_match_the_sni():
    out = connect(make_mesh(EXTERNAL_TLS), "tls://api.example.com:443")
    assert summary(out) == ("route", None, [("outbound|443||backup.example.net", 100.0)])
    assert (out["virtual_service"], out["route_index"]) == ("default/external", 0)


def test_an_sni_no_tls_rule_takes_has_no_filter_chain():
    out = connect(make_mesh(EXTERNAL_TLS), "tls://api.example.com:443", sni="other.example.com")
    assert out["action"] == "passthrough"
    assert any("SNI other.example.com is not in sniHosts" in step for step in out["trace"])


def test_ingress_tls_passthrough_by_sni():
    # istio.io tasks/traffic-management/ingress/ingress-sni-passthrough.
    mesh = make_mesh(NGINX)
    out = connect(mesh, "tls://nginx.example.com:443", via="default/mygateway")
    assert summary(out) == ("route", None, [("outbound|443||my-nginx.default.svc.cluster.local", 100.0)])
    refused = connect(mesh, "tls://nginx.example.com:443", via="default/mygateway", sni="other.example.com")
    assert refused["action"] == "no_route"  # no server takes that SNI: no filter chain


def test_auto_passthrough_forwards_by_the_sni_cluster_name():
    mesh = make_mesh(EASTWEST)
    sni = "outbound_.9080_.v1_.reviews.default.svc.cluster.local"
    out = connect(mesh, "tls://203.0.113.7:15443", via="istio-system/cross-network-gateway", sni=sni)
    # The chain's tcp_proxy names the SNI-DNAT cluster of that very name (gateway.go
    # builtAutoPassthroughFilterChains; cluster_builder.go buildOutboundSniDnatClusters, 1.30.3).
    assert summary(out) == ("route", None, [(sni, 100.0)])
    assert (out["destinations"][0]["host"], out["destinations"][0]["subset"]) == ("reviews.default.svc.cluster.local", "v1")


@pytest.mark.parametrize(("url", "sni", "why"), [
    ("tcp://tcp-echo", None, "needs a port"),
    ("tcp://tcp-echo:9000", "x.example.com", "--sni is for tls://"),
    ("ftp://tcp-echo:21", None, "http, https, tcp or tls"),
])
def test_bad_connection_requests_are_one_line_errors(url, sni, why):
    with pytest.raises(RequestError, match=why):
        Request.parse(url, sni=sni)
