"""The route table of a waypoint for one destination Service, as istiod builds a waypoint's inbound.

(pilot/pkg/networking/core/listener_waypoint.go at istio 1.30.3: buildWaypointInternal,
buildWaypointInboundHTTPRouteConfig, getVirtualServiceForWaypoint, waypointInboundRoute,
getWaypointDestinationCluster, portToSubset; pilot/pkg/model/sidecar.go
DefaultSidecarScopeForGateway; push_context.go VirtualServicesForGateway.)

- One HTTP route config per HTTP (or sniffed) port of the Service, named after its cluster
  ``inbound-vip|<port>|http|<host>``, with one virtual host ``inbound|http|<port>`` whose domains
  are ``*``: at the waypoint the Service VIP has already chosen the chain, the Host header does not.
- Its routes: the VirtualServices bound to ``mesh`` that the waypoint's namespace sees, in
  VirtualServicesForGateway's order (private to it, exported to it, then public, same-namespace
  Gateway API routes first among those), kept when they live in the waypoint's or the Service's
  namespace and a host matches the Service; their http routes concatenated. A Gateway API
  HTTPRoute with a Service parentRef (GAMMA) reaches the waypoint as such a VirtualService
  (gatewayapi/). Matches with ``sourceLabels`` are dropped (ambient has no source labels,
  istio/istio#51565); ``sourceNamespace`` compares with the waypoint's namespace.
- No route: buildSidecarInboundHTTPRouteConfig's waypoint default, the outbound default route
  (Istio's default retries) to ``inbound-vip|<port>|http|<host>``.
- A destination whose Service this waypoint serves goes to ``inbound-vip|<port>|<http|tcp>[/<subset>]|<host>``
  (the waypoint balances over the endpoints itself); any other to ``outbound|<port>|<subset>|<host>``.
"""

from __future__ import annotations

from dataclasses import replace

from istio_notebook.config.hosts import export_targets, hosts_overlap
from istio_notebook.gatewayapi import gateway_semantics
from istio_notebook.routing import actions
from istio_notebook.routing.ambient import binding
from istio_notebook.routing.match_filters import BuildFilter
from istio_notebook.config.services import Service
from istio_notebook.routing.table import (
    Cluster,
    Destination,
    Route,
    RouteAction,
    RouteConfig,
    RouteMatch,
    RouteOrigin,
    RouteTable,
    VirtualHost,
)
from istio_notebook.routing.trace import Note
from istio_notebook.routing.views import ordered_virtual_services, vs_gateways, vs_hosts

INBOUND_VIP = "inbound-vip"  # model.TrafficDirectionInboundVIP


def vip_cluster(port: int, subset: str, host: str) -> str:
    """model.BuildSubsetKey(TrafficDirectionInboundVIP, subset, host, port)."""
    return f"{INBOUND_VIP}|{port}|{subset}|{host}"


def _vip_subset(service: Service, port: int | None, subset: str | None) -> str:
    """portToSubset: ``http`` or ``tcp`` by the port's protocol (unknown port: http), then ``/subset``."""
    found = service.port(port) if port is not None else None
    kind = "tcp" if found is not None and not found.is_http else "http"
    return f"{kind}/{subset}" if subset else kind


def waypoint_virtual_services(builder, namespace: str, service: Service) -> list:
    """getVirtualServiceForWaypoint over VirtualServicesForGateway(namespace, "mesh")."""
    def public_rank(vs) -> int:
        targets = export_targets(vs.spec.get("exportTo"))
        if not (targets is None or "*" in targets):
            return 0  # private or exported by name: ordered_virtual_services put them first already
        return 1 if gateway_semantics(vs) and vs.namespace == namespace else 2

    bound = [vs for vs in ordered_virtual_services(builder.mesh, namespace) if "mesh" in vs_gateways(vs)]
    bound.sort(key=public_rank)  # stable: "favor same-namespace Gateway routes" among the public ones
    return [
        vs for vs in bound
        if vs.namespace in (namespace, service.namespace) and any(hosts_overlap(h, service.hostname) for h in vs_hosts(vs))
    ]


class _Retarget:
    """getWaypointDestinationCluster: inbound-vip clusters for the Services this waypoint serves."""

    def __init__(self, builder, namespace: str):
        self.builder, self.namespace = builder, namespace
        self.served: dict[str, Service | None] = {}

    def service(self, host: str) -> Service | None:
        if host not in self.served:
            found = self.builder.registry.lookup(host, self.namespace)
            hop = binding(self.builder.mesh, found).hop if found is not None else None
            proxy = self.builder.proxy
            self.served[host] = found if hop is not None and (hop.namespace, hop.name) == (proxy.namespace, proxy.name) else None
        return self.served[host]

    def cluster(self, host: str, port: int | None, subset: str | None, outbound: str) -> str:
        service = self.service(host)
        return vip_cluster(port, _vip_subset(service, port, subset), host) if service is not None else outbound

    def route(self, route: Route) -> Route:
        action = route.action
        if not action.destinations and not action.mirrors:
            return route
        destinations = [replace(d, cluster=self.cluster(d.host, d.port, d.subset, d.cluster)) for d in action.destinations]
        mirrors = [replace(m, cluster=self.cluster(m.host, m.port, m.subset, m.cluster)) for m in action.mirrors]
        return replace(route, action=replace(action, destinations=destinations, mirrors=mirrors))

    def clusters(self, outbound: dict[str, Cluster]) -> dict[str, Cluster]:
        """The outbound clusters plus an inbound-vip twin of each one of a served Service."""
        out = dict(outbound)
        for cluster in outbound.values():
            service = self.service(cluster.host)
            if service is not None:
                name = vip_cluster(cluster.port, _vip_subset(service, cluster.port, cluster.subset), cluster.host)
                out[name] = replace(cluster, name=name)
        return out


def _default_route(port: int, host: str) -> Route:
    cluster = vip_cluster(port, "http", host)
    action = RouteAction("route", [Destination(host, port, None, 0, 100.0, cluster)], retries=actions.retry_policy(None))
    return Route("default", RouteMatch(), action, RouteOrigin(None, None, None))


def waypoint_table(builder) -> RouteTable:
    """The table of ``builder.proxy`` (kind waypoint) for the Service ``proxy.service``."""

    proxy, namespace = builder.proxy, builder.proxy.namespace
    service = builder.registry.lookup(proxy.service or "")
    retarget = _Retarget(builder, namespace)
    if service is None:
        builder.notes.append(Note("n_waypoint_no_service", service=proxy.service))
        return RouteTable(proxy, [], {}, None, builder.notes, namespace=namespace)
    vss = waypoint_virtual_services(builder, namespace, service)
    configs = []
    for port in service.ports:
        if not port.is_http:
            continue
        flt = BuildFilter(namespace, {}, "mesh", port.number, waypoint=True)
        routes = [r for vs in vss for r in builder.rule_routes(vs, flt, namespace)]
        routes = [retarget.route(r) for r in routes] or [_default_route(port.number, service.hostname)]
        vhost = VirtualHost(f"inbound|http|{port.number}", ["*"], routes, service=service.hostname)
        configs.append(RouteConfig(vip_cluster(port.number, "http", service.hostname), port.number, [vhost]))
    clusters = retarget.clusters(builder.clusters(builder.registry.visible(namespace), namespace))
    return RouteTable(proxy, configs, clusters, None, builder.notes, namespace=namespace)
