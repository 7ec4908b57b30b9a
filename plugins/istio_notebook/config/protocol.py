"""Which protocol Istio gives a port, and why: the one home of protocol selection.

Istio reads a protocol from (istio/istio pkg/config/kube/conversion.go ConvertProtocol,
pkg/config/protocol/instance.go, pilot/pkg/serviceregistry/serviceentry/conversion.go):
- a Kubernetes Service port: UDP is UDP; else ``appProtocol`` when set (with Kubernetes' own
  ``kubernetes.io/h2c``, ``kubernetes.io/ws``, ``kubernetes.io/wss``), else the port name; of the
  name, ``grpc-web...`` is GRPC-Web, otherwise the part before the first ``-`` is parsed
  case-insensitively (``http-web`` → HTTP, ``tcp`` → TCP). Nothing recognised: the well-known
  server-first ports 25, 53, 3306, 27017 are TCP, any other port is left to sniffing;
- a ServiceEntry, Gateway or Sidecar port: its ``protocol`` field, parsed the same way; an empty
  protocol "is used for protocol sniffing" (pkg/config/validation ValidateProtocol).

A sidecar builds one listener kind per protocol (pilot/pkg/networking/networking.go
ModelProtocolToListenerProtocol): HTTP-family protocols get an HTTP listener (VirtualService
``http`` routes), TCP/HTTPS/TLS/Mongo/Redis/MySQL a TCP listener (``tcp`` and ``tls`` routes
only), an unrecognised protocol an "auto" listener that inspects the first bytes and takes the
HTTP chain for HTTP/1.x and h2c, the TCP chain for anything else; UDP gets no listener.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Protocol(str, Enum):
    """pkg/config/protocol.Instance, spelled as Istio spells it."""

    HTTP = "HTTP"
    HTTP2 = "HTTP2"
    HTTP_PROXY = "HTTP_PROXY"
    HTTPS = "HTTPS"
    GRPC = "GRPC"
    GRPC_WEB = "GRPC-Web"
    TCP = "TCP"
    TLS = "TLS"
    UDP = "UDP"
    MONGO = "Mongo"
    REDIS = "Redis"
    MYSQL = "MySQL"
    UNSUPPORTED = "UnsupportedProtocol"  # nothing recognised: sniffed on sidecars

    def __str__(self) -> str:
        return self.value

    @property
    def is_http(self) -> bool:
        return self in (Protocol.HTTP, Protocol.HTTP2, Protocol.HTTP_PROXY, Protocol.GRPC, Protocol.GRPC_WEB)

    @property
    def is_tcp(self) -> bool:
        return self in (Protocol.TCP, Protocol.HTTPS, Protocol.TLS, Protocol.MONGO, Protocol.REDIS, Protocol.MYSQL)

    @property
    def is_tls(self) -> bool:
        return self in (Protocol.HTTPS, Protocol.TLS)


class Listener(str, Enum):
    """What a sidecar's outbound listener does with a port (istionetworking.ListenerProtocol)."""

    HTTP = "HTTP"  # HTTP connection manager: VirtualService http routes
    TCP = "TCP"  # tcp_proxy (tls routes by SNI): VirtualService tcp/tls routes
    AUTO = "AUTO"  # protocol sniffing: HTTP chain for HTTP traffic, TCP chain for the rest
    NONE = "NONE"  # UDP: no listener

    def __str__(self) -> str:
        return self.value


class Reason(str, Enum):
    """What decided the protocol (the outcome's ``protocol.selected_by``)."""

    APP_PROTOCOL = "appProtocol"
    PORT_NAME = "port_name"
    WELL_KNOWN_PORT = "well_known_port"
    UDP = "udp"
    PROTOCOL_FIELD = "protocol_field"
    SNIFFED = "sniffed"  # no recognised protocol: the sidecar sniffs

    def __str__(self) -> str:
        return self.value


# Server-first protocols that sniffing would break (pkg/config/kube/conversion.go wellKnownPorts).
WELL_KNOWN_PORTS = frozenset({25, 53, 3306, 27017})

_KUBERNETES_APP_PROTOCOLS = {
    "kubernetes.io/h2c": Protocol.HTTP2,
    "kubernetes.io/ws": Protocol.HTTP,
    "kubernetes.io/wss": Protocol.HTTPS,
}
_BY_LOWER = {p.value.lower(): p for p in Protocol if p is not Protocol.UNSUPPORTED}


@dataclass(frozen=True)
class Selection:
    """The protocol of one port, what selected it and the text it came from."""

    protocol: Protocol
    reason: Reason
    value: str = ""  # the port name, appProtocol or protocol field that decided ("" when none)

    @property
    def listener(self) -> Listener:
        return listener_of(self.protocol)

    @property
    def routes_http(self) -> bool:
        """Does a sidecar apply VirtualService http routes to HTTP traffic on this port?"""
        return self.listener in (Listener.HTTP, Listener.AUTO)

    def to_json(self) -> dict:
        return {"name": self.protocol.value, "selected_by": self.reason.value, "from": self.value or None,
                "listener": self.listener.value}


def parse(text: object) -> Protocol:
    """protocol.Parse: case-insensitive; anything else is UNSUPPORTED."""
    if not isinstance(text, str):
        return Protocol.UNSUPPORTED
    return _BY_LOWER.get(text.lower(), Protocol.UNSUPPORTED)


def listener_of(protocol: Protocol) -> Listener:
    if protocol.is_http:
        return Listener.HTTP
    if protocol.is_tcp:
        return Listener.TCP
    if protocol is Protocol.UDP:
        return Listener.NONE
    return Listener.AUTO


def _from_name(name: str) -> Protocol:
    if name[: len("grpc-web")].lower() == "grpc-web":
        return Protocol.GRPC_WEB
    return parse(name.split("-", 1)[0])


def kubernetes_port(number: object, name: object, transport: object = None, app_protocol: object = None) -> Selection:
    """A Kubernetes Service port (``port``, ``name``, ``protocol``, ``appProtocol``)."""
    if isinstance(transport, str) and transport.upper() == "UDP":
        return Selection(Protocol.UDP, Reason.UDP, "UDP")
    if isinstance(app_protocol, str):
        known = _KUBERNETES_APP_PROTOCOLS.get(app_protocol)
        if known is not None:
            return Selection(known, Reason.APP_PROTOCOL, app_protocol)
        found = _from_name(app_protocol)
        reason, text = Reason.APP_PROTOCOL, app_protocol
    else:
        text = name if isinstance(name, str) else ""
        found, reason = _from_name(text), Reason.PORT_NAME
    if found is Protocol.UNSUPPORTED:
        if isinstance(number, int) and not isinstance(number, bool) and number in WELL_KNOWN_PORTS:
            return Selection(Protocol.TCP, Reason.WELL_KNOWN_PORT, str(number))
        return Selection(Protocol.UNSUPPORTED, Reason.SNIFFED, text)
    return Selection(found, reason, text)


def declared(protocol: object) -> Selection:
    """A ServiceEntry, Gateway or Sidecar port's ``protocol`` field (empty: sniffed)."""
    found = parse(protocol)
    if found is Protocol.UNSUPPORTED:
        return Selection(found, Reason.SNIFFED, protocol if isinstance(protocol, str) else "")
    return Selection(found, Reason.PROTOCOL_FIELD, str(protocol))


def ports_of(kind: str, spec: object) -> list[tuple[int, Selection]]:
    """(port number, protocol) of each port of a Service or ServiceEntry spec; malformed ports skipped."""
    ports = spec.get("ports") if isinstance(spec, dict) else None
    out: list[tuple[int, Selection]] = []
    for item in ports if isinstance(ports, list) else ():
        if not isinstance(item, dict):
            continue
        number = item.get("port" if kind == "Service" else "number")
        if not isinstance(number, int) or isinstance(number, bool):
            continue
        if kind == "Service":
            out.append((number, kubernetes_port(number, item.get("name"), item.get("protocol"), item.get("appProtocol"))))
        else:
            out.append((number, declared(item.get("protocol"))))
    return out


def describe(selection: Selection) -> str:
    """Why, in English, for diagnostics: `port name "tcp-echo"`, `well-known port 3306`."""
    return {
        Reason.APP_PROTOCOL: f'appProtocol "{selection.value}"',
        Reason.PORT_NAME: f'port name "{selection.value}"',
        Reason.WELL_KNOWN_PORT: f"well-known port {selection.value}",
        Reason.UDP: "protocol UDP",
        Reason.PROTOCOL_FIELD: f"protocol {selection.value}",
        Reason.SNIFFED: "no protocol (sniffed)",
    }[selection.reason]
