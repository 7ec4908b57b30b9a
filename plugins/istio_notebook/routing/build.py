"""Build the route table of one proxy (sidecar, gateway or waypoint) from the mesh, as istiod would.

Sidecar (pilot/pkg/networking/core/httproute.go, route/route.go BuildSidecarVirtualHostWrapper):
one route config per HTTP service port, named by the port; VirtualServices bound to `mesh` in
Istio's order, the first to claim a host wins; services without a VirtualService get a default
route; a catch-all virtual host `allow_any` (PassthroughCluster) or `block_all` (502).
Gateway (pilot/pkg/networking/core/gateway.go): one route config per plain-HTTP port
("http.<port>") and per TLS-terminating server; VirtualServices for the same host are
concatenated and their catch-all routes moved to the end (route.CombineVHostRoutes).
Waypoint (an ambient client's request for one Service): routing/waypoint.py, with this builder.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace

from istio_notebook.config import Mesh, Resource
from istio_notebook.config.hosts import (
    export_targets,
    exported_to,
    host_subset_of,
    hosts_overlap,
)
from istio_notebook.config.matchers import Prefix, SegmentPrefix
from istio_notebook.config.regex import quote_meta
from istio_notebook.config.services import Service, registry_of
from istio_notebook.config.yaml_reader import gc_paused
from istio_notebook.gatewayapi import effective_mesh, gateway_semantics
from istio_notebook.routing import actions
from istio_notebook.routing.delegate import merge_match
from istio_notebook.routing.hosts import more_specific
from istio_notebook.routing.match_filters import BuildFilter, filtered_out
from istio_notebook.routing.proxy import Proxy
from istio_notebook.routing.hosts import sidecar_domains
from istio_notebook.config.shape import items
from istio_notebook.routing.table import (
    PASSTHROUGH_CLUSTER,
    Cluster,
    Destination,
    Route,
    RouteAction,
    RouteConfig,
    RouteMatch,
    RouteOrigin,
    RouteTable,
    VirtualHost,
    cluster_name,
)
from istio_notebook.routing.trace import Note
from istio_notebook.routing.views import (
    DestinationRuleIndex,
    DestinationRuleSet,
    GatewayView,
    Server,
    destination_rules,
    gateway_view,
    ordered_virtual_services,
    sidecar_view,
    vs_gateways,
    vs_hosts,
)
from istio_notebook.routing.waypoint import waypoint_table

_CACHE: "weakref.WeakKeyDictionary[Mesh, dict]" = weakref.WeakKeyDictionary()


def build_table(mesh: Mesh, proxy: Proxy) -> RouteTable:
    """The route table for `proxy`, built once per mesh and proxy (the mesh is read-only)."""
    cache = _CACHE.get(mesh)
    if cache is None:
        cache = _CACHE[mesh] = {}
    key = ("table", proxy.key)
    if key not in cache:
        # Building allocates many small objects next to a large loaded mesh: the cyclic GC would
        # rescan the mesh over and over (measured: 1.5 s → 0.2 s for 2,000 services) and frees nothing.
        with gc_paused():
            # Gateway API resources reach the builder as istiod's internal Gateways and VirtualServices.
            builder = _Builder(effective_mesh(mesh), proxy)
            if proxy.kind == "waypoint":
                cache[key] = waypoint_table(builder)
            else:
                cache[key] = builder.gateway() if proxy.kind == "gateway" else builder.sidecar()
    return cache[key]


def dr_set(mesh: Mesh, host: str, client_namespace: str) -> DestinationRuleSet:
    cache = _CACHE.setdefault(mesh, {})
    key = ("dr", host, client_namespace)
    if key not in cache:
        if "dr_index" not in cache:
            cache["dr_index"] = DestinationRuleIndex(mesh)
        service = registry_of(mesh).lookup(host, client_namespace)
        cache[key] = destination_rules(mesh, host, client_namespace, service.namespace if service else None, cache["dr_index"])
    return cache[key]


@dataclass
class _Builder:
    mesh: Mesh
    proxy: Proxy
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.registry = registry_of(self.mesh)

    # --- shared ---------------------------------------------------------------------------------

    def resolve_port(self, client_ns: str):
        def resolve(host: str, listener_port: int) -> int | None:
            service = self.registry.lookup(host, client_ns)
            if service is not None and len(service.ports) == 1:
                return service.ports[0].number
            return listener_port

        return resolve

    def clusters(self, services: list[Service], client_ns: str) -> dict[str, Cluster]:
        out: dict[str, Cluster] = {}
        for service in services:
            drs = dr_set(self.mesh, service.hostname, client_ns)
            subsets = [(name, drs.subset(name)) for name in drs.subset_names()]
            for port in service.ports:
                name = cluster_name(port.number, None, service.hostname)
                out[name] = Cluster(name, service.hostname, port.number, None, None, bool(service.endpoint_labels) or service.registry == "ServiceEntry")
                for subset, spec in subsets:
                    labels = spec.get("labels") if isinstance(spec, dict) and isinstance(spec.get("labels"), dict) else {}
                    name = cluster_name(port.number, subset, service.hostname)
                    has = service.selects_any(labels) if service.endpoint_labels else service.registry == "ServiceEntry"
                    out[name] = Cluster(name, service.hostname, port.number, subset, dict(labels), has)
        return out

    def rule_routes(self, vs: Resource, flt: BuildFilter, client_ns: str) -> list[Route]:
        """Every route an http rule list yields for one listener, with delegates expanded."""
        routes: list[Route] = []
        rules = vs.spec.get("http")
        if not isinstance(rules, list):
            return routes
        key = f"{vs.namespace}/{vs.name}"
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            delegate = rule.get("delegate")
            if isinstance(delegate, dict):
                routes.extend(self.delegate_routes(vs, index, rule, delegate, flt, client_ns))
                continue
            routes.extend(self.translate(vs, key, index, rule, rule.get("match"), flt, client_ns, None))
        return routes

    def translate(self, vs: Resource, key: str, index: int, rule: dict, matches, flt: BuildFilter, client_ns: str, root: str | None) -> list[Route]:
        action = actions.route_action(rule, vs.namespace, flt.port, self.resolve_port(client_ns), flt.tls)
        if action is None:
            self.notes.append(Note("n_no_action", vs=key, rule=index))
            return []
        name = rule.get("name") if isinstance(rule.get("name"), str) else None
        if not isinstance(matches, list) or not matches:
            return [Route(name, RouteMatch(), action, RouteOrigin(key, index, None, root, vs))]
        out = []
        for m_index, match in enumerate(matches):
            if not isinstance(match, dict):
                match = {}
            reason = filtered_out(match, flt, vs.namespace)
            if reason:
                self.notes.append(Note("n_match_dropped", vs=key, rule=index, match=m_index, reason=reason))
                continue
            # route.go: routeName := in.Name; with a match name, routeName + "." + match.Name.
            m_name = match.get("name") if isinstance(match.get("name"), str) else None
            route_name = f"{name or ''}.{m_name}" if m_name else name
            route_match = actions.route_match(match, gateway_semantics=gateway_semantics(vs))
            out.append(Route(route_name, route_match, gateway_rewrite(action, route_match), RouteOrigin(key, index, m_index, root, vs)))
        return out

    def delegate_routes(self, root: Resource, index: int, rule: dict, ref: dict, flt: BuildFilter, client_ns: str) -> list[Route]:
        """Delegation (one level): the delegate's rules, each match narrowed by the root's matches,
        unset fields inherited from the root rule (pilot/pkg/model/virtualservice.go mergeVirtualServicesIfNeeded)."""
        root_key = f"{root.namespace}/{root.name}"
        name = ref.get("name")
        namespace = ref.get("namespace") or root.namespace
        target = self.mesh.get("VirtualService", str(namespace), str(name)) if isinstance(name, str) else None
        if target is None or target.spec.get("hosts"):
            self.notes.append(Note("n_delegate_missing", vs=root_key, rule=index, delegate=f"{namespace}/{name}"))
            return []
        if not exported_to(export_targets(target.spec.get("exportTo")), target.namespace, root.namespace):
            self.notes.append(Note("n_delegate_hidden", vs=root_key, rule=index, delegate=f"{namespace}/{name}", namespace=root.namespace))
            return []
        key = f"{target.namespace}/{target.name}"
        inherited = {k: v for k, v in rule.items() if k not in ("match", "delegate", "name")}
        root_matches = rule.get("match") if isinstance(rule.get("match"), list) and rule.get("match") else [None]
        out: list[Route] = []
        for d_index, d_rule in enumerate(items(target.spec.get("http"))):
            if not isinstance(d_rule, dict):
                continue
            merged_rule = {**inherited, **d_rule}
            d_matches = d_rule.get("match") if isinstance(d_rule.get("match"), list) and d_rule.get("match") else [None]
            merged: list = []
            for rm in root_matches:
                for dm in d_matches:
                    combined = merge_match(rm, dm)
                    if combined is not None:
                        merged.append(combined)
            if root_matches == [None] and d_matches == [None]:
                merged = []
            elif not merged:
                self.notes.append(Note("n_delegate_outside", vs=key, rule=d_index))
                continue
            out.extend(self.translate(target, key, d_index, merged_rule, merged, flt, client_ns, root_key))
        return out

    # --- sidecar --------------------------------------------------------------------------------

    def sidecar(self) -> RouteTable:
        proxy = self.proxy
        ns = proxy.namespace
        view = sidecar_view(self.mesh, proxy)
        services = [s for s in self.registry.visible(ns) if view.sees(s.namespace, s.hostname)]
        by_port: dict[int, list[Service]] = {}
        tcp_ports: dict[int, list[str]] = {}
        for service in services:
            for port in service.ports:
                if port.is_http:
                    by_port.setdefault(port.number, []).append(service)
                else:
                    tcp_ports.setdefault(port.number, []).append(service.hostname)
        vss = [
            vs for vs in ordered_virtual_services(self.mesh, ns)
            if "mesh" in vs_gateways(vs) and any(view.sees(vs.namespace, h) for h in vs_hosts(vs))
        ]
        ports = set(by_port)
        if vss:
            ports.add(80)  # VirtualService hosts that are no service are served on port 80
        fallback = "passthrough" if view.outbound_policy != "REGISTRY_ONLY" else "blackhole"
        configs = [self.sidecar_config(port, by_port.get(port, []), vss, fallback) for port in sorted(ports)]
        table = RouteTable(proxy, configs, self.clusters(services, ns), fallback, self.notes, tcp_ports, namespace=ns)
        table.notes.insert(0, Note("n_policy", mode=view.outbound_policy, source=view.policy_source))
        if view.sidecar is not None:
            table.notes.insert(1, Note("n_sidecar", sidecar=view.sidecar.key))
        return table

    def sidecar_config(self, port: int, services: list[Service], vss: list[Resource], fallback: str) -> RouteConfig:
        ns = self.proxy.namespace
        flt = BuildFilter(ns, self.proxy.labels, "mesh", port)
        by_host = {s.hostname: s for s in services}
        names: set[str] = set()
        domains_taken: set[str] = set()
        claimed: set[str] = set()
        vhosts: list[VirtualHost] = []

        def add(name: str, domains: list[str], routes: list[Route], service: str | None, origin: str | None = None) -> None:
            if name in names:
                if origin:
                    self.notes.append(Note("n_vhost_taken", vs=origin, vhost=name))
                return
            names.add(name)
            kept = [d for d in domains if d.lower() not in domains_taken]
            domains_taken.update(d.lower() for d in kept)
            if kept:
                vhosts.append(VirtualHost(name, kept, routes, service=service))

        for vs in vss:
            hosts = vs_hosts(vs)
            matching: list[Service] = []
            plain_hosts: list[str] = []
            for host in hosts:
                if host.startswith("*"):
                    found = [s for s in services if host_subset_of(s.hostname, host)]
                else:
                    found = [by_host[host]] if host in by_host else []
                if not found and self.registry.lookup(host, ns) is None:
                    plain_hosts.append(host)
                matching.extend(s for s in found if s not in matching)
            if port != 80 and not matching:
                continue
            if port == 80 and not matching and not plain_hosts:
                continue
            routes = self.rule_routes(vs, flt, ns)
            claimed.update(s.hostname for s in matching)
            if not routes:
                self.notes.append(Note("n_no_route_port", vs=f"{vs.namespace}/{vs.name}", port=port))
                continue
            key = f"{vs.namespace}/{vs.name}"
            if port == 80:
                for host in plain_hosts:
                    add(f"{host}:{port}", [host], routes, None, key)
            for service in matching:
                add(f"{service.hostname}:{port}", sidecar_domains(service, ns), routes, service.hostname, key)
        for service in services:
            if service.hostname in claimed:
                continue
            cluster = cluster_name(port, None, service.hostname)
            action = RouteAction("route", [Destination(service.hostname, port, None, 0, 100.0, cluster)],
                                 retries=actions.retry_policy(None))
            route = Route("default", RouteMatch(), action, RouteOrigin(None, None, None))
            add(f"{service.hostname}:{port}", sidecar_domains(service, ns), [route], service.hostname)
        vhosts.append(fallback_vhost(fallback))
        return RouteConfig(str(port), port, vhosts, ignore_port_in_host_matching=True)

    # --- gateway --------------------------------------------------------------------------------

    def gateway(self) -> RouteTable:
        view = gateway_view(self.mesh, self.proxy)
        client_ns = view.workload_namespace
        services = self.registry.visible(client_ns)
        if view.gateway is None:
            self.notes.append(Note("n_gateway_missing", gateway=f"{self.proxy.namespace}/{self.proxy.name}"))
            return RouteTable(self.proxy, [], {}, None, self.notes)
        vss = ordered_virtual_services(self.mesh, client_ns)
        groups: dict[str, list[Server]] = {}
        for server in view.servers:
            if not server.is_http:
                self.notes.append(Note("n_server_not_http", server=server.label, port=server.port, protocol=server.protocol))
                continue
            if server.protocol == "HTTPS":
                gw = server.gateway
                name = f"https.{view.listener_port(server.port)}.{server.port_name}.{gw.name}.{gw.namespace}"
            else:
                # Envoy listens on the Service's targetPort: a server on 80 is route config http.8080.
                name = f"http.{view.listener_port(server.port)}"
            groups.setdefault(name, []).append(server)
        configs = [self.gateway_config(name, servers, vss, client_ns, view) for name, servers in groups.items()]
        return RouteTable(self.proxy, configs, self.clusters(services, client_ns), None, self.notes,
                          port_map=view.port_map, namespace=client_ns)

    def gateway_config(self, name: str, servers: list[Server], vss: list[Resource], client_ns: str, view: GatewayView) -> RouteConfig:
        port = servers[0].port
        vhosts: dict[str, VirtualHost] = {}
        for server in servers:
            gw_key = f"{server.gateway.namespace}/{server.gateway.name}"
            flt = BuildFilter(view.workload_namespace, view.workload_labels, gw_key, port, name.startswith("https."))
            for vs in vss:
                if gw_key not in vs_gateways(vs):
                    continue
                names: list[str] = []
                for host in vs_hosts(vs):
                    for ns, server_host in server.hosts:
                        if ns not in ("*", vs.namespace):
                            continue
                        if hosts_overlap(server_host, host):
                            vh_name = more_specific(server_host, host)
                            if vh_name not in names:
                                names.append(vh_name)
                if not names:
                    continue
                routes = self.rule_routes(vs, flt, client_ns)
                if not routes:
                    self.notes.append(Note("n_no_route_server", vs=f"{vs.namespace}/{vs.name}", server=server.label))
                    continue
                for host in names:
                    existing = vhosts.get(host)
                    if existing is None:
                        vhosts[host] = VirtualHost(f"{host}:{port}", gateway_domains(host, port), list(routes),
                                                   require_tls=server.https_redirect)
                    else:
                        # Several VirtualServices for one host: concatenated, catch-alls last.
                        combined = existing.routes + list(routes)
                        existing.routes = [r for r in combined if not r.match.is_catch_all] + [
                            r for r in combined if r.match.is_catch_all
                        ]
        out = list(vhosts.values())
        if not out:
            action = RouteAction("direct_response", direct_status=404)
            out = [VirtualHost(f"blackhole:{port}", ["*"], [Route("blackhole", RouteMatch(), action, RouteOrigin(None, None, None))])]
        tls = servers[0].protocol == "HTTPS"
        sni = [h for s in servers for _, h in s.hosts] if tls else None
        return RouteConfig(name, view.listener_port(port), out, tls=tls, sni_hosts=sni,
                           server=", ".join(s.label for s in servers))


def fallback_vhost(fallback: str) -> VirtualHost:
    """A sidecar's catch-all virtual host: allow_any (PassthroughCluster) or block_all (502)."""
    if fallback == "passthrough":
        name, action = "allow_any", RouteAction("passthrough", [Destination("", None, None, 0, 100.0, PASSTHROUGH_CLUSTER)])
    else:
        name, action = "block_all", RouteAction("blackhole", direct_status=502)
    return VirtualHost(name, ["*"], [Route(name, RouteMatch(Prefix("/")), action, RouteOrigin(None, None, None))])


def gateway_rewrite(action: RouteAction, match: RouteMatch) -> RouteAction:
    """Gateway API ReplacePrefixMatch "" (rewrite.uri "/") on a path_separated_prefix match removes the
    prefix with a regex, keeping one "/" (route.go applyHTTPRouteDestination, UseGatewaySemantics)."""
    if action.prefix_rewrite != "/" or not isinstance(match.path, SegmentPrefix):
        return action
    quoted = quote_meta(match.path.value)
    return replace(action, prefix_rewrite=None, regex_rewrite=(f"^{quoted}(/?)(.*)", "/\\2"))


def gateway_domains(host: str, port: int) -> list[str]:
    """Istio's buildGatewayVirtualHostDomains (gateway.go): `host` and `host:*` (any port);
    wildcard hosts keep `host:<port>` since Envoy allows one wildcard per domain."""
    if host == "*":
        return ["*"]
    if host.startswith("*"):
        return [host, f"{host}:{port}"]
    return [host, f"{host}:*"]
