"""tcp:// and tls:// connections replayed on real Envoy agree with the simulator (both engines).

Each case is decided by the simulator (routing/connect.py) and by a connection through the
listeners istiod builds (routing/l4_table.py, written by envoy/translate_l4.py): which filter
chain took it (per-chain tcp_proxy stats) and which echo upstream answered. Sources: istio.io tasks
traffic-management/tcp-traffic-shifting and ingress/ingress-sni-passthrough; istio 1.30.3
pilot/pkg/networking/core tls.go (matchTCP, chains per tcp/tls rule), listener.go (VIP listeners,
PassthroughFilterChain), gateway.go (TCP servers, PASSTHROUGH chains per SNI); Envoy docs
"Listener filter chain match" (server_names, prefix_ranges), "TCP proxy" statistics.
"""

from __future__ import annotations

import pytest
from envoy_testkit import requires_envoy
from istio_notebook.envoy import replay
from istio_notebook.envoy.compare import differences
from istio_notebook.envoy.echo import L4_PROBE
from istio_notebook.envoy.replay_l4 import OUTSIDE_ADDRESS, proxy_line
from istio_notebook.routing import Proxy, Request, route
from l4_meshes import EASTWEST, ECHO, EXTERNAL_TCP, EXTERNAL_TLS, MESH_SUBNET, MESH_TCP, NGINX, NS, SHIFTING, TCP_ECHO
from routing.routing_helpers import make_mesh

NGINX_POD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-nginx, namespace: default}
spec:
  selector: {matchLabels: {run: my-nginx}}
  template:
    metadata: {labels: {run: my-nginx}}
    spec: {containers: [{name: nginx, image: nginx}]}
"""
TCP_GATEWAY_ONLY = f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: tcp-echo-gateway, namespace: {NS}}}
spec:
  selector: {{istio: ingressgateway}}
  servers: [{{port: {{number: 31400, name: tcp, protocol: TCP}}, hosts: ["*"]}}]
"""
NGINX_CLUSTER = "outbound|443||my-nginx.default.svc.cluster.local"
GATEWAY = f"{NS}/tcp-echo-gateway"


def both(texts: tuple, url: str, *, gateway: str | None = None, source: str = "default/app=sleep", sni=None, alpn=None):
    mesh = make_mesh(*texts)
    proxy = Proxy.parse_gateway(gateway) if gateway else Proxy.parse_from(source)
    request = Request.parse(url, sni=sni, alpn=alpn)
    return route(mesh, request, proxy, lang="en").to_json(), replay.route(mesh, request, proxy)


def summary(out: dict) -> tuple:
    return (out["action"], out["virtual_service"], out["route_index"], out["match_index"],
            [(d["cluster"], d["weight"]) for d in out["destinations"]])


CASES = [
    # istio.io tcp-traffic-shifting: 80/20 on the ingress gateway's TCP server (weighted_clusters).
    pytest.param((TCP_ECHO, SHIFTING), "tcp://203.0.113.10:31400", {"gateway": GATEWAY},
                 ("route", f"{NS}/tcp-echo", 0, 0, [(f"outbound|9000|v1|{ECHO}", 80.0), (f"outbound|9000|v2|{ECHO}", 20.0)]),
                 id="gateway-tcp-weights"),
    pytest.param((TCP_ECHO, SHIFTING), "tcp://203.0.113.10:31401", {"gateway": GATEWAY},
                 ("no_route", None, None, None, []), id="gateway-no-tcp-server"),
    # A TCP server no VirtualService gives a rule: no filter chain, so no listener (gateway.go).
    pytest.param((TCP_ECHO, TCP_GATEWAY_ONLY), "tcp://203.0.113.10:31400", {"gateway": GATEWAY},
                 ("no_route", None, None, None, []), id="gateway-tcp-server-without-rule"),
    # matchTCP: sourceLabels select the client; the rule without subnet ends the chains.
    pytest.param((TCP_ECHO, MESH_TCP), "tcp://tcp-echo:9000", {"source": f"{NS}/app=canary-client"},
                 ("route", f"{NS}/tcp-echo-mesh", 0, 0, [(f"outbound|9000|v2|{ECHO}", 100.0)]), id="sidecar-source-labels"),
    # The VIP is not in the rule's destinationSubnets: the prefix-range chain does not take it.
    pytest.param((TCP_ECHO, MESH_TCP), "tcp://tcp-echo:9000", {"source": f"{NS}/app=sleep"},
                 ("route", f"{NS}/tcp-echo-mesh", 3, 0, [(f"outbound|9000|v1|{ECHO}", 100.0)]), id="sidecar-subnet-missed"),
    # destinationSubnets that hold the VIP: the prefix-range chain of rule 1 takes it (rule 0's /32 does not).
    pytest.param((TCP_ECHO, MESH_SUBNET), "tcp://tcp-echo:9000", {"source": f"{NS}/app=sleep"},
                 ("route", f"{NS}/tcp-echo-subnet", 1, 0, [(f"outbound|9000|v2|{ECHO}", 100.0)]), id="sidecar-subnet-matched"),
    pytest.param((TCP_ECHO, MESH_SUBNET), "tcp://tcp-echo:9001", {"source": f"{NS}/app=sleep"},
                 ("route", f"{NS}/tcp-echo-subnet", 1, 0, [(f"outbound|9000|v2|{ECHO}", 100.0)]), id="sidecar-subnet-matched-other-port"),
    pytest.param((TCP_ECHO, MESH_TCP), "tcp://tcp-echo:9001", {"source": f"{NS}/app=sleep"},
                 ("route", None, None, None, [(f"outbound|9001||{ECHO}", 100.0)]), id="sidecar-service-cluster"),
    # An address no listener has: virtualOutbound's PassthroughCluster (ALLOW_ANY).
    pytest.param((TCP_ECHO,), "tcp://db.example.com:5432", {}, ("passthrough", None, None, None, []), id="unknown-passthrough"),
    # A TCP connection to an HTTP port: the HTTP listener has no TCP chain for it.
    pytest.param((), "tcp://reviews:9080", {}, ("blackhole", None, None, None, []), id="tcp-on-http-port"),
    # ServiceEntry TCP hosts (istio/api service_entry.proto `addresses`): with addresses the VIP
    # listener 240.0.0.10_27018 takes only that IP; without, 0.0.0.0_5433 takes any address on the port.
    pytest.param((EXTERNAL_TCP,), "tcp://240.0.0.10:27018", {},
                 ("route", None, None, None, [("outbound|27018||mongo.example.com", 100.0)]), id="service-entry-tcp-vip"),
    pytest.param((EXTERNAL_TCP,), "tcp://240.0.0.99:27018", {},
                 ("passthrough", None, None, None, []), id="service-entry-tcp-other-ip"),
    pytest.param((EXTERNAL_TCP,), "tcp://db.example.com:5433", {},
                 ("route", None, None, None, [("outbound|5433||db.example.com", 100.0)]), id="service-entry-tcp-no-address"),
    pytest.param((EXTERNAL_TCP,), "tcp://10.1.2.3:5433", {},
                 ("route", None, None, None, [("outbound|5433||db.example.com", 100.0)]), id="service-entry-tcp-any-ip-on-port"),
    # A sidecar tls rule by SNI (ServiceEntry without addresses: 0.0.0.0_443, server_names).
    pytest.param((EXTERNAL_TLS,), "tls://api.example.com:443", {},
                 ("route", "default/external", 0, 0, [("outbound|443||backup.example.net", 100.0)]), id="sidecar-tls-sni"),
    pytest.param((EXTERNAL_TLS,), "tls://api.example.com:443", {"sni": "other.example.com"},
                 ("passthrough", None, None, None, []), id="sidecar-tls-unknown-sni"),
    # A TLS port without a VIP is one 0.0.0.0_443 listener for every such service: the SNI picks the
    # chain (a service's own chain by its hostname, or a tls rule), not the host dialled (listener.go).
    pytest.param((EXTERNAL_TLS,), "tls://api.example.com:443", {"sni": "backup.example.net"},
                 ("route", None, None, None, [("outbound|443||backup.example.net", 100.0)]), id="shared-listener-service-sni"),
    pytest.param((EXTERNAL_TLS,), "tls://backup.example.net:443", {"sni": "api.example.com"},
                 ("route", "default/external", 0, 0, [("outbound|443||backup.example.net", 100.0)]), id="shared-listener-rule-sni"),
    # AUTO_PASSTHROUGH (east-west gateway): an Istio mTLS client's SNI names the SNI-DNAT cluster.
    pytest.param((EASTWEST,), "tls://203.0.113.7:15443", {"gateway": "istio-system/cross-network-gateway",
                                                          "sni": "outbound_.9080_.v1_.reviews.default.svc.cluster.local"},
                 ("route", None, None, None, [("outbound_.9080_.v1_.reviews.default.svc.cluster.local", 100.0)]),
                 id="auto-passthrough"),
    pytest.param((EASTWEST,), "tls://203.0.113.7:15443", {"gateway": "istio-system/cross-network-gateway",
                                                          "sni": "reviews.default.svc.cluster.local"},
                 ("no_route", None, None, None, []), id="auto-passthrough-plain-sni"),
    # gateway.go builtAutoPassthroughFilterChains: the chain of an SNI-DNAT name also matches
    # application_protocols allIstioMtlsALPNs, so a client offering none of them (openssl without
    # -alpn, or h2) finds no chain and Envoy closes the connection; any one of them is enough.
    pytest.param((EASTWEST,), "tls://203.0.113.7:15443", {"gateway": "istio-system/cross-network-gateway",
                                                          "sni": "outbound_.9080_.v1_.reviews.default.svc.cluster.local", "alpn": ""},
                 ("no_route", None, None, None, []), id="auto-passthrough-no-alpn"),
    pytest.param((EASTWEST,), "tls://203.0.113.7:15443", {"gateway": "istio-system/cross-network-gateway",
                                                          "sni": "outbound_.9080_.v1_.reviews.default.svc.cluster.local", "alpn": "h2,http/1.1"},
                 ("no_route", None, None, None, []), id="auto-passthrough-other-alpn"),
    pytest.param((EASTWEST,), "tls://203.0.113.7:15443", {"gateway": "istio-system/cross-network-gateway",
                                                          "sni": "outbound_.9080_.v1_.reviews.default.svc.cluster.local", "alpn": "h2,istio"},
                 ("route", None, None, None, [("outbound_.9080_.v1_.reviews.default.svc.cluster.local", 100.0)]),
                 id="auto-passthrough-alpn-istio"),
    # istio.io ingress-sni-passthrough: the gateway forwards the client's TLS by SNI.
    pytest.param((NGINX, NGINX_POD), "tls://nginx.example.com:443", {"gateway": "default/mygateway"},
                 ("route", "default/nginx", 0, 0, [(NGINX_CLUSTER, 100.0)]), id="gateway-passthrough"),
    pytest.param((NGINX, NGINX_POD), "tls://nginx.example.com:443", {"gateway": "default/mygateway", "sni": "x.example.com"},
                 ("no_route", None, None, None, []), id="gateway-passthrough-other-sni"),
]


@requires_envoy
@pytest.mark.parametrize(("texts", "url", "where", "expected"), CASES)
def test_connections_agree_on_both_engines(texts, url, where, expected):
    sim, envoy = both(texts, url, **where)
    assert summary(sim) == expected
    assert summary(envoy) == expected, envoy["trace"]
    assert differences(sim, envoy) == []
    assert sim["status"] is None and envoy["status"] is None  # no HTTP status on a TCP connection


@requires_envoy
def test_the_passthrough_upstream_receives_the_clients_own_tls():
    # PASSTHROUGH: no TLS context on the gateway chain; the handshake completed with the echo upstream.
    _, envoy = both((NGINX, NGINX_POD), "tls://nginx.example.com:443", gateway="default/mygateway")
    assert envoy["envoy"]["upstream_cluster"] == NGINX_CLUSTER
    assert envoy["envoy"]["chain"] is not None


@requires_envoy
def test_a_chain_whose_cluster_has_no_endpoints_still_names_its_destination():
    # Without the Deployment the cluster has no endpoints: Envoy's tcp_proxy closes the connection.
    sim, envoy = both((NGINX,), "tls://nginx.example.com:443", gateway="default/mygateway")
    assert summary(envoy) == summary(sim) == ("route", "default/nginx", 0, 0, [(NGINX_CLUSTER, 100.0)])
    assert envoy["envoy"]["upstream_cluster"] is None
    assert any("Envoy found no healthy endpoint" in step for step in envoy["trace"])


def test_the_proxy_line_names_the_dialled_address():
    # PROXY protocol v1 (haproxy proxy-protocol.txt): family, source, destination, ports.
    assert proxy_line("10.96.0.90", 9000) == b"PROXY TCP4 10.0.0.2 10.96.0.90 40000 9000\r\n"
    assert proxy_line("fd00::5", 443).startswith(b"PROXY TCP6 ::1 fd00::5 ")
    assert OUTSIDE_ADDRESS.startswith("198.51.100.")


def test_only_istio_sni_clients_offer_istio_alpns_unless_told():
    # An Istio sidecar offers util.go ALPNInMeshWithMxc to in-mesh clusters; openssl's -alpn
    # (Request.parse alpn=) says exactly what is offered, "" nothing.
    istio_sni = "outbound_.9080_.v1_.reviews.default.svc.cluster.local"
    assert Request.parse("tls://r:15443", sni=istio_sni).offered_alpn == ("istio-peer-exchange", "istio")
    assert Request.parse("tls://nginx.example.com:443").offered_alpn == ()
    assert Request.parse("tls://r:15443", sni=istio_sni, alpn="").offered_alpn == ()
    assert Request.parse("tls://r:443", alpn="h2,http/1.1").offered_alpn == ("h2", "http/1.1")
    assert L4_PROBE.endswith(b" ")
    assert L4_PROBE.endswith(b" ")


@requires_envoy
def test_route_backend_envoy_on_a_tcp_url_answers_the_simulators_json(tmp_path, capsys):
    import json

    from istio_notebook.cli import main

    path = tmp_path / "mesh.yaml"
    path.write_text(TCP_ECHO + "---" + SHIFTING)
    argv = ["route", str(path), "--request", "tcp://203.0.113.10:31400", "--gateway", GATEWAY, "--format", "json"]
    outputs = []
    for backend in ("sim", "envoy"):
        assert main([*argv, "--backend", backend]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    sim, envoy = outputs
    assert differences(sim, envoy) == []
    # protocol and policy are the simulator's reading of the config (null from Envoy, as for HTTP).
    unobserved = ("trace", "envoy", "policy", "protocol")
    assert {k: v for k, v in envoy.items() if k not in unobserved} == {k: v for k, v in sim.items() if k not in unobserved}
