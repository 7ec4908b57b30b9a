"""Ambient mode: does a request from an ambient workload go through a waypoint, and which one?

An ambient pod has no sidecar: its node's ztunnel carries the request, and when the destination
Service has a waypoint, ztunnel hands it to that waypoint, whose Envoy does the HTTP routing
(routing/waypoint.py builds its route table). The rules, as istio 1.30.3 has them:

- Enrolment (cni/pkg/util/podutil_test.go TestPodRedirectionEnabled, the default ambient
  selector): the pod label ``istio.io/dataplane-mode=ambient``, or that label on its Namespace;
  the pod label ``istio.io/dataplane-mode=none`` opts the pod out.
- Which waypoint (pilot/pkg/serviceregistry/ambient/waypoints.go fetchWaypointForService /
  fetchWaypointForTarget / getUseWaypoint): the Service's (or ServiceEntry's) own
  ``istio.io/use-waypoint`` label, else its Namespace's; ``none`` on the Service opts out even
  when the Namespace names one; ``istio.io/use-waypoint-namespace`` names the waypoint's
  namespace (default: the Service's). A Service that is itself a waypoint's or an east-west
  gateway's (label ``gateway.istio.io/managed``) has none.
- The waypoint is the Gateway API Gateway of that name; its traffic type (``istio.io/waypoint-for``
  on the Gateway, else on its GatewayClass, default ``service``) must be ``service`` or ``all``;
  the Service's namespace must be allowed by the allowedRoutes of its HBONE listener on 15008
  (makeAllowedRoutes / AllowsAttachmentFromNamespace: default Same).
A waypoint the input does not define is "not ready" in istiod's words: no waypoint is used. A
Gateway of a class istiod does not program as a waypoint (controller istio.io/mesh-controller)
is not simulated: the trace says so and the request is treated as having no waypoint.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config import Mesh, Resource
from istio_notebook.config.labels import label_selector_matches
from istio_notebook.gatewayapi.listeners import WAYPOINT_CONTROLLER, controller_of
from istio_notebook.gatewayapi.model import of_kind
from istio_notebook.routing.port_protocol import destination_service
from istio_notebook.routing.proxy import Proxy
from istio_notebook.config.services import Registry, Service
from istio_notebook.routing.request import Request
from istio_notebook.routing.trace import Note

DATAPLANE_MODE = "istio.io/dataplane-mode"
USE_WAYPOINT = "istio.io/use-waypoint"
USE_WAYPOINT_NAMESPACE = "istio.io/use-waypoint-namespace"
WAYPOINT_FOR = "istio.io/waypoint-for"
MANAGED = "gateway.istio.io/managed"
_NO_WAYPOINT_MANAGERS = ("istio.io-mesh-controller", "istio.io-eastwest-controller")  # constants.ManagedGateway*Label
_SERVICE_TRAFFIC = ("service", "all")  # constants.ServiceTraffic, AllTraffic
HBONE_PORT = 15008


@dataclass(frozen=True)
class WaypointHop:
    """The waypoint a request is handed to, and why: the label that bound the Service to it."""

    namespace: str
    name: str
    service: str  # the destination Service's hostname
    bound_by: str  # "Service ns/name" | "Namespace ns" (where istio.io/use-waypoint was read)

    @property
    def proxy(self) -> Proxy:
        return Proxy.waypoint(self.namespace, self.name, self.service)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Binding:
    """What the ambient rules say about one destination Service: its waypoint, or why it has none."""

    hop: WaypointHop | None
    note: Note | None = None  # why a named waypoint is not used (not defined, wrong traffic type, denied)


def client_is_ambient(mesh: Mesh, proxy: Proxy) -> bool:
    """The default ambient selector: pod label, else Namespace label; ``none`` on the pod opts out."""
    if proxy.kind != "sidecar":
        return False
    mode = proxy.labels.get(DATAPLANE_MODE)
    if mode is not None:
        return mode == "ambient"
    namespace = _namespace(mesh, proxy.namespace)
    return namespace is not None and namespace.labels.get(DATAPLANE_MODE) == "ambient"


def _namespace(mesh: Mesh, name: str) -> Resource | None:
    """The Namespace named ``name`` (its first definition), from the mesh's index: every sidecar
    request asks, and a scan of the Namespaces made each one linear in them."""
    return mesh.get("Namespace", "", name)  # cluster-scoped: the loader gives it no namespace


def _use_waypoint(labels: dict[str, str], fallback_namespace: str) -> tuple[tuple[str, str] | None, bool]:
    """getUseWaypoint: ((namespace, name) or None, is "none")."""
    value = labels.get(USE_WAYPOINT)
    if value is None:
        return None, False
    if value == "none":
        return None, True
    return (labels.get(USE_WAYPOINT_NAMESPACE, fallback_namespace), value), False


def _traffic_type(mesh: Mesh, gateway: Resource) -> str:
    value = gateway.labels.get(WAYPOINT_FOR)
    if value is not None:
        return value
    for cls in of_kind(mesh, "GatewayClass"):
        if cls.name == gateway.spec.get("gatewayClassName") and WAYPOINT_FOR in cls.labels:
            return cls.labels[WAYPOINT_FOR]
    return "service"


def _allows_namespace(mesh: Mesh, gateway: Resource, namespace: str) -> bool:
    """AllowsAttachmentFromNamespace over the HBONE listener on 15008 (none: Same)."""
    listeners = [lst for lst in gateway.spec.get("listeners") or [] if isinstance(lst, dict)]
    hbone = next((lst for lst in listeners if lst.get("protocol") == "HBONE" and lst.get("port") == HBONE_PORT), None)
    allowed = hbone.get("allowedRoutes") if isinstance(hbone, dict) else None
    namespaces = allowed.get("namespaces") if isinstance(allowed, dict) else None
    frm = namespaces.get("from") if isinstance(namespaces, dict) else None
    if frm == "All":
        return True
    if frm == "Selector":
        ns = _namespace(mesh, namespace)
        labels = {**(ns.labels if ns is not None else {}), "kubernetes.io/metadata.name": namespace}
        return label_selector_matches(namespaces.get("selector"), labels)
    return gateway.namespace == namespace


def binding(mesh: Mesh, service: Service) -> Binding:
    """fetchWaypointForService for one registry Service."""
    labels = service.source.labels if service.source is not None else {}
    if labels.get(MANAGED) in _NO_WAYPOINT_MANAGERS:
        return Binding(None)
    named, none = _use_waypoint(labels, service.namespace)
    bound_by = f"{service.source.kind} {service.namespace}/{service.source.name}" if service.source is not None else service.hostname
    if none:
        return Binding(None, Note("a_opt_out", service=bound_by))
    if named is None:
        ns = _namespace(mesh, service.namespace)
        named, _ = _use_waypoint(ns.labels if ns is not None else {}, service.namespace)
        bound_by = f"Namespace {service.namespace}"
    if named is None:
        return Binding(None)
    waypoint = f"{named[0]}/{named[1]}"
    gateway = next((g for g in of_kind(mesh, "Gateway") if (g.namespace, g.name) == named), None)
    if gateway is None:
        return Binding(None, Note("a_not_ready", waypoint=waypoint, bound_by=bound_by))
    if controller_of(mesh, gateway) != WAYPOINT_CONTROLLER:
        # istiod would still send to it; its routing is another controller's, which we do not model.
        return Binding(None, Note("a_not_istio", waypoint=waypoint))
    if not _allows_namespace(mesh, gateway, service.namespace):
        return Binding(None, Note("a_denied", waypoint=waypoint, namespace=service.namespace))
    traffic = _traffic_type(mesh, gateway)
    if traffic not in _SERVICE_TRAFFIC:
        return Binding(None, Note("a_traffic_type", waypoint=waypoint, traffic=traffic))
    return Binding(WaypointHop(named[0], named[1], service.hostname, bound_by))


def waypoint_hop(mesh: Mesh, registry: Registry, request: Request, proxy: Proxy) -> tuple[WaypointHop | None, list[Note]]:
    """The waypoint an ambient client's HTTP request goes through (None: no waypoint), and notes on why not."""
    if request.is_connection or not client_is_ambient(mesh, proxy):
        return None, []
    service = destination_service(registry, request.host, request.port, proxy.namespace)
    if service is None:
        return None, []
    found = binding(mesh, service)
    notes = [found.note] if found.note is not None else []
    port = service.port(request.port)
    if found.hop is None or port is None or not port.is_http:
        return None, notes
    return found.hop, notes
