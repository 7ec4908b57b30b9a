"""The service registry the analyzers look hosts up in: ServiceEntries and Kubernetes Services.

Built as istioctl's ``InitServiceEntryHostMap`` does (pkg/config/analysis/analyzers/util/
service_lookup.go) over the one service registry (config/services.py): every host is stored
under ``scope/fqdn`` for each namespace it is exported to (``*`` for all), a Service as the host
``name.ns.svc.cluster.local`` with its ports and the ``networking.istio.io/exportTo`` annotation
as its visibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.analysis.hosts import export_namespaces, export_scopes
from istio_notebook.analysis.util import as_dict
from istio_notebook.config import Mesh, Resource
from istio_notebook.config.hosts import (
    EXPORT_ALL,
    fqdn,
    hosts_overlap,
    is_wildcard,
    service_namespace,
    truncated_service_namespace,
)
from istio_notebook.config.labels import label_map
from istio_notebook.config.services import Service, registry_of


@dataclass(eq=False)
class ServiceInfo:
    """What a host resolves to: its ports and (for ServiceEntries) its workload selector."""

    resource: Resource
    ports: list[int] = field(default_factory=list)
    workload_selector: dict[str, str] = field(default_factory=dict)


class ServiceRegistry:
    """istioctl's host map over the one registry (config/services.py)."""

    def __init__(self, mesh: Mesh):
        self._scoped: dict[str, ServiceInfo] = {}
        self._wildcards: list[tuple[str, str, ServiceInfo]] = []  # (scope, "*.suffix", info)
        # Namespaces whose Kubernetes services the input describes (a Service there, or a
        # ServiceEntry for a ``*.ns.svc.cluster.local`` host): a host there that is not found is a
        # real mistake, not a service the example simply did not show. A ServiceEntry for an
        # external host says nothing about the Kubernetes services of its namespace.
        self.described_namespaces: set[str] = set()
        self.has_service_entries = bool(mesh.of_kind("ServiceEntry"))
        # ServiceEntries first: a Service then takes a host both declare, as istioctl fills its map.
        for service in sorted(registry_of(mesh).services, key=lambda s: s.registry != "ServiceEntry"):
            if service.source is not None:
                self._add(service)

    def _put(self, scope: str, host: str, info: ServiceInfo) -> None:
        self._scoped[f"{scope}/{host}"] = info
        if is_wildcard(host):
            self._wildcards.append((scope, host, info))
        namespace = service_namespace(host)
        if namespace:
            self.described_namespaces.add(namespace)

    def _add(self, service: Service) -> None:
        ports = [p.number for p in service.ports]
        export_to = list(service.export_to) if service.export_to else None
        if service.registry == "ServiceEntry":
            selector = label_map(as_dict(service.source.get("spec", "workloadSelector")).get("labels"))
            info = ServiceInfo(service.source, ports=ports, workload_selector=selector)
            scopes = export_scopes(export_to, service.namespace)
        else:
            info = ServiceInfo(service.source, ports=ports)
            self.described_namespaces.add(service.namespace)
            scopes = export_namespaces(export_to, service.namespace) or [EXPORT_ALL]
        for scope in scopes:
            self._put(scope, fqdn(service.hostname, service.namespace), info)

    def lookup(self, source_namespace: str, export_to: object, host: str) -> ServiceInfo | None:
        """istioctl's ``GetDestinationHost``: public hosts, then the caller's scopes, then wildcards."""
        name = fqdn(host, source_namespace)
        found = self._scoped.get(f"{EXPORT_ALL}/{name}")
        if found:
            return found
        scopes = (export_namespaces(export_to, source_namespace) if isinstance(export_to, list) else None) or [source_namespace]
        for scope in scopes:
            found = self._scoped.get(f"{scope}/{name}")
            if found:
                return found
        bare = host[1:] if is_wildcard(host) else host
        for scope, wildcard, info in self._wildcards:
            if scope in (EXPORT_ALL, source_namespace) and bare.endswith(wildcard[1:]):
                return info
        return None

    def any_overlapping(self, source_namespace: str, pattern: str) -> bool:
        """Whether some visible registry host overlaps the wildcard ``pattern`` (``*.local``)."""
        for key in self._scoped:
            scope, _, host = key.partition("/")
            if scope in (EXPORT_ALL, source_namespace) and hosts_overlap(pattern, host):
                return True
        return False

    def describes(self, source_namespace: str, host: str) -> bool:
        """Whether the input holds the registry ``host`` would live in (rule in ``analysis/__init__``).

        A cluster-local host ``name.ns.svc.cluster.local`` (short names expand to it) is judged
        only when the input has a Service or ServiceEntry in ``ns``; so is a cut-short form of it
        (``name.ns``, ``name.ns.svc``, ``name.ns.svc.cluster``), which Istio does not expand
        (ResolveShortnameToFQDN expands only names without a dot) and so never finds; any other
        host only when the input has at least one ServiceEntry. Otherwise the example simply does
        not show the registry, and "not found" would be noise.
        """
        name = fqdn(host, source_namespace)
        namespace = service_namespace(name)
        if namespace is not None:
            return namespace in self.described_namespaces
        cut_short = truncated_service_namespace(name)
        return cut_short in self.described_namespaces or self.has_service_entries
