"""The outcome and trace say which protocol the request's port was given, and why.

Sources: istio.io docs/ops/configuration/traffic-management/protocol-selection ("Manual protocol
selection": port name `<protocol>[-<suffix>]` or appProtocol; "Automatic protocol selection":
HTTP and HTTP/2 are detected, other traffic is treated as plain TCP); istio/istio
pkg/config/kube/conversion.go ConvertProtocol (appProtocol first, well-known ports TCP) and
pilot/pkg/networking/networking.go ModelProtocolToListenerProtocol (TCP-family protocols get a
TCP proxy: VirtualService http routes do not apply to them).
"""

from __future__ import annotations

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


def test_port_no_service_declares_has_no_protocol():
    out = send(make_mesh(SERVICES), "GET http://unknown.example.com:7777/")
    assert out["protocol"] is None and out["action"] == "passthrough"
    assert "no service declares port 7777" in out["trace"][1]


def test_trace_in_japanese_names_the_protocol_too():
    from istio_notebook.routing import Proxy, Request, route

    out = route(make_mesh(SERVICES), Request.parse("GET http://echo:9000/"), Proxy.sidecar(), lang="ja").to_json()
    assert "ポート名 'tcp-echo'" in out["trace"][1]
