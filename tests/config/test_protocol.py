"""Protocol selection (config.protocol) as istiod does it.

Sources: istio/istio pkg/config/kube/conversion.go ConvertProtocol and its conversion_test.go
TestConvertProtocol (the behaviours below are its cases, written as our own inputs);
pkg/config/protocol/instance.go (Parse, IsHTTP, IsTCP); pkg/config/validation ValidateProtocol
("Empty string is used for protocol sniffing"); pilot/pkg/networking/networking.go
ModelProtocolToListenerProtocol; istio.io docs/ops/configuration/traffic-management/protocol-selection.
"""

from __future__ import annotations

import pytest

from istio_notebook.config.protocol import Listener, Protocol, Reason, declared, kubernetes_port, parse


@pytest.mark.parametrize(
    ("number", "name", "transport", "app", "protocol", "reason"),
    [
        (8080, "", None, None, Protocol.UNSUPPORTED, Reason.SNIFFED),  # "resolves empty"
        (53, "dns", "UDP", None, Protocol.UDP, Reason.UDP),  # UDP before anything else
        (80, "http-something", None, None, Protocol.HTTP, Reason.PORT_NAME),
        (80, "HTTP2-x", None, None, Protocol.HTTP2, Reason.PORT_NAME),  # prefix parsed ignoring case
        (80, "http-something", None, "https", Protocol.HTTPS, Reason.APP_PROTOCOL),  # appProtocol wins
        (80, "something-httpx", None, "https", Protocol.HTTPS, Reason.APP_PROTOCOL),
        (80, "x", None, "http-web", Protocol.HTTP, Reason.APP_PROTOCOL),  # appProtocol goes through the prefix rule too
        (80, "grpc-web-x", None, None, Protocol.GRPC_WEB, Reason.PORT_NAME),  # grpc-web before the "-" split
        (80, "grpcweb-x", None, None, Protocol.UNSUPPORTED, Reason.SNIFFED),
        (3306, "random-name", None, None, Protocol.TCP, Reason.WELL_KNOWN_PORT),  # MySQL is server-first
        (27017, "", None, None, Protocol.TCP, Reason.WELL_KNOWN_PORT),
        (3306, "random-name", None, "kubernetes.io/h2c", Protocol.HTTP2, Reason.APP_PROTOCOL),
        (80, "ws", None, "kubernetes.io/wss", Protocol.HTTPS, Reason.APP_PROTOCOL),
        (80, "web", None, "h2c", Protocol.UNSUPPORTED, Reason.SNIFFED),  # only kubernetes.io/h2c is known
        (9000, "tcp", None, None, Protocol.TCP, Reason.PORT_NAME),
        (27018, "mongo-x", None, None, Protocol.MONGO, Reason.PORT_NAME),
    ],
)
def test_kubernetes_service_port_protocol(number, name, transport, app, protocol, reason):
    selection = kubernetes_port(number, name, transport, app)
    assert (selection.protocol, selection.reason) == (protocol, reason)


@pytest.mark.parametrize(
    ("protocol", "listener"),
    [
        (Protocol.HTTP, Listener.HTTP), (Protocol.GRPC, Listener.HTTP), (Protocol.HTTP_PROXY, Listener.HTTP),
        (Protocol.TCP, Listener.TCP), (Protocol.HTTPS, Listener.TCP), (Protocol.TLS, Listener.TCP),
        (Protocol.MONGO, Listener.TCP), (Protocol.REDIS, Listener.TCP), (Protocol.MYSQL, Listener.TCP),
        (Protocol.UNSUPPORTED, Listener.AUTO), (Protocol.UDP, Listener.NONE),
    ],
)
def test_sidecar_listener_kind_per_protocol(protocol, listener):
    # ModelProtocolToListenerProtocol: HTTPS from a client is opaque TLS to a sidecar, so a TCP listener.
    assert kubernetes_port(1, "", None, protocol.value).listener is listener
    assert declared(protocol.value).listener is listener


def test_service_entry_protocol_field_parsed_ignoring_case_and_empty_is_sniffed():
    assert declared("tls").protocol is Protocol.TLS
    assert declared("Http2").reason is Reason.PROTOCOL_FIELD
    assert declared(None).protocol is Protocol.UNSUPPORTED and declared(None).reason is Reason.SNIFFED
    assert declared("").listener is Listener.AUTO
    assert parse("bogus") is Protocol.UNSUPPORTED and parse(7) is Protocol.UNSUPPORTED


def test_selection_json_names_protocol_reason_and_text():
    assert kubernetes_port(9000, "tcp-echo").to_json() == {
        "name": "TCP", "selected_by": "port_name", "from": "tcp-echo", "listener": "TCP",
    }
    assert kubernetes_port(9000, "").to_json()["from"] is None
