"""The protocol of the port a request arrives on, as the proxy's listener sees it.

Sidecar: the port of the destination service (the host as the pod's resolver expands it), with
the protocol config.protocol selects for it; a port no service declares has no protocol (the
catch-all decides). Gateway: the protocol of the Gateway server on that port (a Gateway
server's protocol is always declared: pkg/config/validation validateServerPort).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from types import MappingProxyType

from istio_notebook.config import Mesh
from istio_notebook.config.hosts import CLUSTER_DOMAIN
from istio_notebook.config.protocol import Reason, Selection, declared
from istio_notebook.routing.proxy import Proxy
from istio_notebook.config.services import Registry, Service
from istio_notebook.routing.trace import Note, Trace
from istio_notebook.routing.views import GatewayView, gateway_view


@dataclass(frozen=True)
class PortProtocol:
    port: int
    selection: Selection
    host: str | None = None  # the service whose port it is (sidecars)
    server: str | None = None  # the Gateway server declaring it (gateways)
    # Its JSON and trace line, made once: the answers are cached per mesh and every route() asks.
    _json: MappingProxyType | None = field(default=None, init=False, repr=False, compare=False)
    _lines: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def to_json(self) -> dict:
        return {**self.selection.to_json(), "port": self.port, "host": self.host, "server": self.server}

    def json_view(self) -> MappingProxyType:
        """:meth:`to_json`, made once and read-only (RouteOutcome.protocol of every request on this port)."""
        if self._json is None:
            object.__setattr__(self, "_json", MappingProxyType(self.to_json()))
        return self._json

    def step(self, lang: str | None) -> str:
        """The trace line "port P of H is PROTOCOL (why): L listener" in ``lang``."""
        if lang in self._lines:  # "en" / "ja" once rendered (None follows the locale: resolved below)
            return self._lines[lang]
        trace = Trace(lang)
        if trace.lang not in self._lines:
            trace.add("protocol", port=self.port, where=self.host or self.server, protocol=self.selection.protocol.value,
                      why=self.note(), listener=self.selection.listener.value)
            self._lines[trace.lang] = trace.lines[0]
        return self._lines[trace.lang]

    def note(self) -> Note:
        """Why the port has its protocol, as a trace line argument."""
        value = self.selection.value
        key = {
            Reason.APP_PROTOCOL: "p_app_protocol",
            Reason.PORT_NAME: "p_port_name",
            Reason.WELL_KNOWN_PORT: "p_well_known",
            Reason.UDP: "p_udp",
            Reason.PROTOCOL_FIELD: "p_field",
            Reason.SNIFFED: "p_sniffed",
        }[self.selection.reason]
        return Note(key, value=value)


def dns_candidates(host: str, namespace: str) -> list[str]:
    """How a pod's resolver expands a name (search path `<ns>.svc.cluster.local svc.cluster.local cluster.local`)."""
    return [host, f"{host}.{namespace}.svc.{CLUSTER_DOMAIN}", f"{host}.svc.{CLUSTER_DOMAIN}", f"{host}.{CLUSTER_DOMAIN}"]


def destination_service(registry: Registry, host: str, port: int, namespace: str) -> Service | None:
    """The service a sidecar client reaches as `host:port` (one that declares the port)."""
    for candidate in dns_candidates(host, namespace):
        service = registry.lookup(candidate, namespace)
        if service is not None and service.port(port) is not None:
            return service
    return None


# Gateway views per mesh and proxy: building one scans every Service of the mesh (the ports in
# front of the gateway pods), which per request made `route` on a gateway linear in the mesh
# (benchmarks/route_scale.py: 2 ms per request at 1,000 services). The mesh is read-only.
_VIEWS: weakref.WeakKeyDictionary[Mesh, dict[tuple, GatewayView]] = weakref.WeakKeyDictionary()


def _gateway_view(mesh: Mesh, proxy: Proxy) -> GatewayView:
    views = _VIEWS.setdefault(mesh, {})
    if proxy.key not in views:
        views[proxy.key] = gateway_view(mesh, proxy)
    return views[proxy.key]


# Answers per mesh and (host, port, proxy): they depend on nothing else, and every route() asks
# (a DNS expansion and up to four registry lookups each time otherwise). The mesh is read-only.
_FOUND: weakref.WeakKeyDictionary[Mesh, dict[tuple, PortProtocol | None]] = weakref.WeakKeyDictionary()


def port_protocol(mesh: Mesh, registry: Registry, host: str, port: int, proxy: Proxy,
                  listener_port: int | None = None) -> PortProtocol | None:
    """The protocol the proxy gives `host:port`, or None when nothing declares the port."""
    found = _FOUND.get(mesh)
    if found is None:
        found = _FOUND.setdefault(mesh, {})
    key = (host, port, proxy.key, listener_port, id(registry))
    if key not in found:
        found[key] = _port_protocol(mesh, registry, host, port, proxy, listener_port)
    return found[key]


def _port_protocol(mesh: Mesh, registry: Registry, host: str, port: int, proxy: Proxy,
                   listener_port: int | None) -> PortProtocol | None:
    if proxy.kind == "gateway":
        view = _gateway_view(mesh, proxy)
        wanted = {port, listener_port if listener_port is not None else view.listener_port(port)}
        for server in view.servers:
            if view.listener_port(server.port) in wanted or server.port in wanted:
                return PortProtocol(port, declared(server.protocol), server=server.label)
        return None
    service = destination_service(registry, host, port, proxy.namespace)
    if service is None:
        return None
    found = service.port(port)
    return PortProtocol(port, found.selection, host=service.hostname)
