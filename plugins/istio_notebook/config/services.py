"""The service registry: Kubernetes Services and ServiceEntries (with their workloads), one home.

Each service is one hostname with ports (and the protocol Istio selects for each port), its
namespace, exportTo, and the label sets of its endpoints (used to say whether a subset selects
anything). Malformed entries are skipped: the validator reports them, the simulator must not raise.
The routing simulator reads it as istiod's registry; the analyzers index it as istioctl's
service lookup does (analysis/services.py). ``registry_of`` builds it once per mesh.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from istio_notebook.config import Mesh, Resource
from istio_notebook.config import protocol as protocols
from istio_notebook.config.decimal import decimal_value
from istio_notebook.config.hosts import (
    EXPORT_TO_ANNOTATION,
    SERVICE_SUFFIX,
    export_targets,
    exported_to,
)
from istio_notebook.config.labels import label_map, selects
from istio_notebook.config.shape import items


@dataclass(frozen=True)
class ServicePort:
    number: int
    name: str
    selection: protocols.Selection  # the protocol Istio gives the port, and why (config.protocol)

    @property
    def protocol(self) -> str:
        return self.selection.protocol.value

    @property
    def is_http(self) -> bool:
        """Routed by HTTP route tables: declared HTTP, or sniffed (HTTP is detected on the wire)."""
        return self.selection.routes_http


@dataclass
class Service:
    hostname: str  # FQDN for Kubernetes services, the declared host for ServiceEntries
    namespace: str
    ports: list[ServicePort]
    source: Resource | None = None
    registry: str = "Kubernetes"  # or "ServiceEntry"
    export_to: tuple[str, ...] | None = None  # None = public (config.hosts.export_targets)
    addresses: list[str] = field(default_factory=list)
    endpoint_labels: list[dict[str, str]] = field(default_factory=list)
    resolution: str = ""
    location: str = "MESH_INTERNAL"

    def port(self, number: int) -> ServicePort | None:
        for port in self.ports:
            if port.number == number:
                return port
        return None

    def visible_from(self, namespace: str) -> bool:
        return exported_to(self.export_to, self.namespace, namespace)

    def selects_any(self, labels: dict[str, str]) -> bool:
        """Does some endpoint carry all of `labels` (a subset's labels)?"""
        return any(selects(labels, ep) for ep in self.endpoint_labels)



def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return decimal_value(value)


class Registry:
    """All services by hostname. Several ServiceEntries may declare one host: the oldest is kept."""

    def __init__(self, mesh: Mesh):
        self.mesh = mesh
        self.services: list[Service] = []
        self._by_host: dict[str, list[Service]] = {}
        for resource in sorted(mesh.of_kind("Service"), key=lambda r: r.creation_key):
            self._add(self._kubernetes_service(resource))
        for resource in sorted(mesh.of_kind("ServiceEntry"), key=lambda r: r.creation_key):
            for service in self._service_entry(resource):
                self._add(service)

    def _add(self, service: Service | None) -> None:
        if service is None:
            return
        self.services.append(service)
        self._by_host.setdefault(service.hostname, []).append(service)

    def lookup(self, hostname: str, client_namespace: str | None = None) -> Service | None:
        """The service for `hostname` visible from `client_namespace` (any namespace when None)."""
        for service in self._by_host.get(hostname.lower(), ()):
            if client_namespace is None or service.visible_from(client_namespace):
                return service
        return None

    def visible(self, client_namespace: str) -> list[Service]:
        return [s for s in self.services if s.visible_from(client_namespace)]

    def _kubernetes_service(self, resource: Resource) -> Service | None:
        ports: list[ServicePort] = []
        for item in items(resource.spec.get("ports")):
            if not isinstance(item, dict) or _int(item.get("port")) is None:
                continue
            name = str(item.get("name") or "")
            number = _int(item["port"])
            selection = protocols.kubernetes_port(number, name, item.get("protocol"), item.get("appProtocol"))
            ports.append(ServicePort(number, name, selection))
        selector = label_map(resource.spec.get("selector"))
        endpoints = [w.labels for w in self.mesh.workloads.service_endpoints(selector, resource.namespace)]
        cluster_ip = resource.spec.get("clusterIP")
        addresses = [cluster_ip] if isinstance(cluster_ip, str) and cluster_ip not in ("", "None") else []
        return Service(
            hostname=f"{resource.name}.{resource.namespace}{SERVICE_SUFFIX}",
            namespace=resource.namespace,
            ports=ports,
            source=resource,
            registry="Kubernetes",
            export_to=export_targets(resource.annotations.get(EXPORT_TO_ANNOTATION)),
            addresses=addresses,
            endpoint_labels=endpoints,
            resolution="Passthrough" if cluster_ip == "None" else "ClientSideLB",
        )

    def _service_entry(self, resource: Resource) -> list[Service]:
        spec = resource.spec
        ports: list[ServicePort] = []
        for item in items(spec.get("ports")):
            if isinstance(item, dict) and _int(item.get("number")) is not None:
                ports.append(ServicePort(_int(item["number"]), str(item.get("name") or ""), protocols.declared(item.get("protocol"))))
        endpoints: list[dict[str, str]] = []
        for item in items(spec.get("endpoints")):
            if isinstance(item, dict):
                endpoints.append(label_map(item.get("labels")))
        if isinstance(spec.get("workloadSelector"), dict):
            # A present selector picks the namespace's workloads, all of them when it has no labels
            # (krt.FilterLabel in pilot/pkg/serviceregistry/serviceentry/conversion.go).
            selector = label_map(spec["workloadSelector"].get("labels"))
            endpoints.extend(w.labels for w in self.mesh.workloads.select(selector, resource.namespace))
        addresses = [a for a in items(spec.get("addresses")) if isinstance(a, str)]
        services = []
        for host in items(spec.get("hosts")):
            if not isinstance(host, str) or not host.strip():
                continue
            services.append(
                Service(
                    hostname=host.strip().lower(),
                    namespace=resource.namespace,
                    ports=ports,
                    source=resource,
                    registry="ServiceEntry",
                    export_to=export_targets(spec.get("exportTo")),
                    addresses=addresses,
                    endpoint_labels=endpoints,
                    resolution=str(spec.get("resolution") or "NONE"),
                    location=str(spec.get("location") or "MESH_EXTERNAL"),
                )
            )
        return services


_CACHE: weakref.WeakKeyDictionary[Mesh, Registry] = weakref.WeakKeyDictionary()


def registry_of(mesh: Mesh) -> Registry:
    """The mesh's registry, built once (the mesh is read-only)."""
    registry = _CACHE.get(mesh)
    if registry is None:
        registry = _CACHE[mesh] = Registry(mesh)
    return registry
