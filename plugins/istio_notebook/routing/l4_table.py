"""The TCP/TLS listeners istiod builds for one proxy: static filter chains, as Envoy is given them.

routing/l4.py decides one connection as the simulator reads Istio; this module builds what istiod
sends, so that real Envoy can decide the same connection (envoy/translate_l4.py writes the JSON).
Sources, istio 1.30.3 pilot/pkg/networking/core:
- sidecar: listener.go buildSidecarOutboundListener (a TCP/TLS/sniffed service port listens on the
  service VIP, ``<vip>_<port>``; a CIDR address, or none, on ``0.0.0.0_<port>`` with the CIDR as a
  prefix-range match), tls.go buildSidecarOutboundTCPFilterChainOpts / ...TLSFilterChainOpts (the
  chains), listener.go mergeTCPFilterChains (a chain whose match an earlier one has is dropped)
  and buildListenerFromEntry (without a match-all chain the listener's default chain goes to the
  catch-all: PassthroughCluster under ALLOW_ANY, BlackHoleCluster under REGISTRY_ONLY);
- gateway: gateway.go createGatewayTCPFilterChainOpts (TCP servers and TLS terminated: the first
  ``tcp`` rule of the first VirtualService whose hosts meet the server's; PASSTHROUGH: one chain per
  ``tls`` match, its sniHosts as server names, duplicates skipped; AUTO_PASSTHROUGH:
  builtAutoPassthroughFilterChains, one chain per service port and subset by the SNI
  ``outbound_.<port>_.<subset>_.<host>`` and Istio's mTLS ALPNs).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from istio_notebook.config import Mesh, Resource
from istio_notebook.config.hosts import host_subset_of, hosts_overlap
from istio_notebook.gatewayapi import effective_mesh, from_tls_route
from istio_notebook.routing import actions
from istio_notebook.routing.build import dr_set, registry_of
from istio_notebook.routing.l4 import ISTIO_MTLS_ALPNS, default_destination, port_kind, static_match, vss_for_host
from istio_notebook.routing.proxy import Proxy
from istio_notebook.config.services import Service
from istio_notebook.config.shape import items
from istio_notebook.routing.table import BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER, Destination, sni_dnat_cluster_name
from istio_notebook.routing.views import Server, gateway_view, ordered_virtual_services, sidecar_view, vs_gateways, vs_hosts

WILDCARD = "0.0.0.0"
# listener.go plaintextHTTPALPNs (HTTP/1.0 off by default): the HTTP chain of a sniffed listener.
PLAINTEXT_HTTP_ALPNS = ("http/1.1", "h2c")


@dataclass(frozen=True)
class L4Origin:
    """The rule a chain comes from; section tcp | tls | auto (AUTO_PASSTHROUGH) | service | catch_all."""

    virtual_service: str | None
    section: str
    rule_index: int | None = None
    match_index: int | None = None


@dataclass(frozen=True)
class L4Chain:
    """One filter chain: its match (destination CIDRs, server names, ALPN) and its tcp_proxy."""

    destinations: tuple[Destination, ...]
    origin: L4Origin
    destination_cidrs: tuple[str, ...] = ()
    sni_hosts: tuple[str, ...] = ()
    alpn: tuple[str, ...] = ()
    terminate: str | None = None  # gateway: the server (label) whose TLS this chain terminates
    carries_tls: bool = False  # the client's own TLS goes through (tls rules, PASSTHROUGH): the upstream speaks TLS

    @property
    def matches_all(self) -> bool:
        """listener.go isMatchAll."""
        return (not self.sni_hosts or "*" in self.sni_hosts) and not self.alpn and not self.destination_cidrs

    def match_key(self) -> tuple:
        """listener.go conflictsWith: same SNI set (without "*"), ALPN and CIDR set."""
        return (frozenset(h for h in self.sni_hosts if h != "*"), self.alpn, frozenset(self.destination_cidrs))


@dataclass
class L4Listener:
    address: str
    port: int
    chains: list[L4Chain] = field(default_factory=list)
    sniffed: bool = False  # sidecar: an unrecognised port also carries the port's HTTP chain
    dropped: list[L4Chain] = field(default_factory=list)  # chains whose match an earlier chain had

    @property
    def name(self) -> str:
        return f"{self.address}_{self.port}"

    def add(self, chain: L4Chain) -> None:
        if any(c.match_key() == chain.match_key() for c in self.chains):
            self.dropped.append(chain)
        else:
            self.chains.append(chain)

    @property
    def needs_tls_inspector(self) -> bool:
        return any((c.sni_hosts and "*" not in c.sni_hosts) or c.alpn for c in self.chains)


def sni_dnat_destinations(listeners: list[L4Listener]) -> dict[str, Destination]:
    """The SNI-DNAT clusters AUTO_PASSTHROUGH chains name (cluster_builder.go
    buildOutboundSniDnatClusters builds them: the service's or subset's endpoints, no TLS origination)."""
    return {d.cluster: d for item in listeners for c in item.chains if c.origin.section == "auto" for d in c.destinations}


def tls_upstreams(listeners: list[L4Listener]) -> set[str]:
    """Clusters that receive the client's TLS (passthrough) and no plaintext TCP: TLS echo servers."""
    tls = {d.cluster for item in listeners for c in item.chains if c.carries_tls for d in c.destinations}
    plain = {d.cluster for item in listeners for c in item.chains if not c.carries_tls for d in c.destinations}
    return tls - plain


_CACHE: weakref.WeakKeyDictionary[Mesh, dict[tuple, list[L4Listener]]] = weakref.WeakKeyDictionary()


def l4_listeners(mesh: Mesh, proxy: Proxy) -> list[L4Listener]:
    """The TCP/TLS listeners of ``proxy`` (built once per mesh and proxy; the mesh is read-only)."""
    cache = _CACHE.setdefault(mesh, {})
    if proxy.key not in cache:
        effective = effective_mesh(mesh)  # TLSRoute / TCPRoute arrive as tls / tcp VirtualServices
        cache[proxy.key] = gateway_listeners(effective, proxy) if proxy.kind == "gateway" else sidecar_listeners(effective, proxy)
    return cache[proxy.key]


# -- sidecar -------------------------------------------------------------------------------------


def listen_address(service: Service) -> tuple[str, tuple[str, ...]]:
    """(bind address, destination CIDRs): the VIP; a CIDR address binds 0.0.0.0 and matches the CIDR."""
    for address in service.addresses:
        if "/" not in address and address != WILDCARD:
            return address, ()
    cidrs = tuple(a for a in service.addresses if "/" in a)
    return WILDCARD, cidrs


def catch_all_chain(outbound_policy: str) -> L4Chain:
    """buildOutboundCatchAllNetworkFiltersOnly: PassthroughCluster, or BlackHoleCluster (REGISTRY_ONLY)."""
    cluster = BLACKHOLE_CLUSTER if outbound_policy == "REGISTRY_ONLY" else PASSTHROUGH_CLUSTER
    return L4Chain((Destination("", None, None, 0, 100.0, cluster),), L4Origin(None, "catch_all"))


def sidecar_listeners(mesh: Mesh, proxy: Proxy) -> list[L4Listener]:
    registry = registry_of(mesh)
    view = sidecar_view(mesh, proxy)
    found: dict[str, L4Listener] = {}
    for service in registry.visible(proxy.namespace):
        if not view.sees(service.namespace, service.hostname):
            continue
        for port in service.ports:
            kind = port_kind(port)
            if kind in ("http", "none"):
                continue
            address, cidrs = listen_address(service)
            listener = found.setdefault(f"{address}_{port.number}", L4Listener(address, port.number))
            listener.sniffed = listener.sniffed or kind == "auto"
            vss = vss_for_host(mesh, proxy.namespace, "mesh", service.hostname, view.sees)
            facts = _Facts(proxy.labels, proxy.namespace, port.number, registry, proxy.namespace)
            build = tls_chains if kind == "tls" else tcp_chains
            for chain in build(vss, service, cidrs, facts):
                listener.add(chain)
    for listener in found.values():
        if not any(c.matches_all for c in listener.chains):
            listener.chains.append(catch_all_chain(view.outbound_policy))
    return sorted(found.values(), key=lambda item: (item.port, item.address))


@dataclass(frozen=True)
class _Facts:
    """What matchTCP / matchTLS check statically: the proxy's labels and namespace, the port."""

    labels: dict
    namespace: str
    port: int
    registry: object
    client_namespace: str

    def destinations(self, vs: Resource, rule: dict) -> tuple[Destination, ...]:
        def resolve(host: str, listener_port: int) -> int | None:
            service = self.registry.lookup(host, self.client_namespace)
            return service.ports[0].number if service is not None and len(service.ports) == 1 else listener_port
        return tuple(actions.destinations(items(rule.get("route")), vs.namespace, self.port, resolve))


def _key(vs: Resource) -> str:
    return f"{vs.namespace}/{vs.name}"


def tcp_chains(vss: list[Resource], service: Service, cidrs: tuple[str, ...], facts: _Facts) -> list[L4Chain]:
    """tls.go buildSidecarOutboundTCPFilterChainOpts: the first rule that applies without a subnet
    ends the list; rules whose matches all carry subnets add a chain for those subnets."""
    out: list[L4Chain] = []
    for vs in vss:
        for index, rule in enumerate(items(vs.spec.get("tcp"))):
            if not isinstance(rule, dict):
                continue
            matches = [m for m in items(rule.get("match")) if isinstance(m, dict)]
            if not matches:  # implicit match
                return out + [L4Chain(facts.destinations(vs, rule), L4Origin(_key(vs), "tcp", index), cidrs)]
            subnets: list[str] = []
            first: int | None = None
            for m_index, match in enumerate(matches):
                if static_match(match, facts.labels, facts.namespace, "mesh", facts.port, vs.namespace) is not None:
                    continue
                wanted = [str(s) for s in items(match.get("destinationSubnets"))]
                if not wanted:
                    origin = L4Origin(_key(vs), "tcp", index, m_index)
                    return out + [L4Chain(facts.destinations(vs, rule), origin, cidrs)]
                subnets.extend(wanted)
                first = m_index if first is None else first
            if subnets:
                out.append(L4Chain(facts.destinations(vs, rule), L4Origin(_key(vs), "tcp", index, first), tuple(subnets)))
                if sorted(subnets) == sorted(cidrs):
                    return out  # the service's own chain would have the same match
    return out + [_service_chain(service, facts.port, cidrs)]


def tls_chains(vss: list[Resource], service: Service, cidrs: tuple[str, ...], facts: _Facts) -> list[L4Chain]:
    """tls.go buildSidecarOutboundTLSFilterChainOpts: a chain per tls match (first of equal SNI and
    subnets wins); without any, the service's own cluster (by SNI = the host when not on a VIP)."""
    out: list[L4Chain] = []
    handled: set[tuple] = set()
    for vs in vss:
        for index, rule in enumerate(items(vs.spec.get("tls"))):
            if not isinstance(rule, dict):
                continue
            for m_index, match in enumerate(items(rule.get("match"))):
                if not isinstance(match, dict):
                    continue
                if static_match(match, facts.labels, facts.namespace, "mesh", facts.port, vs.namespace) is not None:
                    continue
                subnets = tuple(str(s) for s in items(match.get("destinationSubnets")))
                if subnets:
                    # istiod assigns the match's subnets to the loop's destinationCIDRs variable:
                    # later chains of the service keep them (tls.go, as written).
                    cidrs = subnets
                sni = tuple(str(h) for h in items(match.get("sniHosts")))
                key = (sni, subnets)
                if key not in handled:
                    out.append(L4Chain(facts.destinations(vs, rule), L4Origin(_key(vs), "tls", index, m_index), cidrs, sni,
                                       carries_tls=True))
                handled.add(key)
    if out:
        return out
    address, _ = listen_address(service)
    sni = (service.hostname,) if cidrs or address == WILDCARD else ()
    chain = _service_chain(service, facts.port, cidrs)
    return [L4Chain(chain.destinations, chain.origin, cidrs, sni, carries_tls=True)]


def _service_chain(service: Service, port: int, cidrs: tuple[str, ...]) -> L4Chain:
    return L4Chain((default_destination(service, port),), L4Origin(None, "service"), cidrs)


# -- gateway -------------------------------------------------------------------------------------


def gateway_listeners(mesh: Mesh, proxy: Proxy) -> list[L4Listener]:
    view = gateway_view(mesh, proxy)
    if view.gateway is None:
        return []
    found: dict[int, L4Listener] = {}
    duplicates: dict[int, set[str]] = {}
    for server in view.servers:
        if server.is_http:
            continue
        port = view.listener_port(server.port)
        listener = found.setdefault(port, L4Listener(WILDCARD, port))
        for chain in _server_chains(mesh, view, server, duplicates.setdefault(port, set())):
            listener.add(chain)
    return [found[port] for port in sorted(found) if found[port].chains]


def _server_chains(mesh: Mesh, view, server: Server, taken_sni: set[str]) -> list[L4Chain]:
    """gateway.go createGatewayTCPFilterChainOpts for one TCP or TLS server."""
    mode = server.tls_mode
    if mode == "AUTO_PASSTHROUGH":
        return auto_passthrough_chains(mesh, view, server)
    gw_key = f"{server.gateway.namespace}/{server.gateway.name}"
    vss = [vs for vs in ordered_virtual_services(mesh, view.workload_namespace)
           if gw_key in vs_gateways(vs) and _hosts_meet(server, vs)]
    facts = _Facts({}, view.workload_namespace, server.port, registry_of(mesh), view.workload_namespace)
    if mode == "PASSTHROUGH":
        return _passthrough_chains(vss, server, gw_key, facts, taken_sni)
    terminate = server.label if mode else None  # TLS SIMPLE / MUTUAL / ISTIO_MUTUAL: terminated here
    sni = tuple(h for _, h in server.hosts) if terminate else ()
    for vs in vss:
        # The tcp rules; on a terminating server, then the tls rules of a VirtualService converted
        # from a TLSRoute (its SNI already taken by the server: port and gateway only).
        sections = ("tcp", "tls") if terminate and from_tls_route(vs) else ("tcp",)
        for section in sections:
            found = _first_l4_rule(vs, section, server, gw_key)
            if found is not None:
                index, hit, rule = found
                return [L4Chain(facts.destinations(vs, rule), L4Origin(_key(vs), section, index, hit), (), sni, (), terminate)]
    return []  # "listener missed network filter": no chain, Envoy closes the connection


def _first_l4_rule(vs: Resource, section: str, server: Server, gw_key: str) -> tuple[int, int | None, dict] | None:
    """(rule index, match index or None, rule) of the first ``section`` rule that fits the server."""
    for index, rule in enumerate(items(vs.spec.get(section))):
        if not isinstance(rule, dict):
            continue
        matches = [m for m in items(rule.get("match")) if isinstance(m, dict)]
        hit = next((i for i, m in enumerate(matches) if _gateway_l4_match(m, server, gw_key, vs.namespace)), None)
        if not matches and section == "tcp" or hit is not None:
            return index, hit, rule
    return None


def _hosts_meet(server: Server, vs: Resource) -> bool:
    """gateway.go pickMatchingGatewayHosts: a server host `ns/host` counts for that namespace only."""
    return any(ns in ("*", vs.namespace) and hosts_overlap(host, vs_host)
               for ns, host in server.hosts for vs_host in vs_hosts(vs))


def _gateway_l4_match(match: dict, server: Server, gw_key: str, vs_namespace: str) -> bool:
    """gateway.go l4SingleMatch: only the port and the gateways are checked on a gateway."""
    port = match.get("port")
    if isinstance(port, int) and not isinstance(port, bool) and port not in (0, server.port):
        return False
    gateways = [str(g) for g in items(match.get("gateways"))]
    names = {g if g == "mesh" or "/" in g else f"{vs_namespace}/{g}" for g in gateways}
    return not names or gw_key in names


def _passthrough_chains(vss, server: Server, gw_key: str, facts: _Facts, taken_sni: set[str]) -> list[L4Chain]:
    """buildGatewayNetworkFiltersFromTLSRoutes: a chain per tls match; a match repeating an SNI
    already on the port is skipped (model.CheckDuplicates)."""
    out = []
    for vs in vss:
        for index, rule in enumerate(items(vs.spec.get("tls"))):
            if not isinstance(rule, dict):
                continue
            for m_index, match in enumerate(items(rule.get("match"))):
                if not isinstance(match, dict) or not _gateway_l4_match(match, server, gw_key, vs.namespace):
                    continue
                sni = tuple(str(h) for h in items(match.get("sniHosts")))
                if any(h in taken_sni for h in sni):
                    continue
                taken_sni.update(sni)
                out.append(L4Chain(facts.destinations(vs, rule), L4Origin(_key(vs), "tls", index, m_index), (), sni,
                                   carries_tls=True))
    return out


def auto_passthrough_chains(mesh: Mesh, view, server: Server) -> list[L4Chain]:
    """builtAutoPassthroughFilterChains: every mesh-internal service port (and DestinationRule subset)
    whose host is within the server's hosts, by its SNI cluster name, for Istio mTLS ALPNs."""
    hosts = [h for _, h in server.hosts]
    out = []
    for service in registry_of(mesh).visible(view.workload_namespace):
        if service.location == "MESH_EXTERNAL" or not any(host_subset_of(service.hostname, h) for h in hosts):
            continue
        subsets = [None, *dr_set(mesh, service.hostname, view.workload_namespace).subset_names()]
        for port in service.ports:
            if port.protocol == "UDP":
                continue
            for subset in subsets:
                sni = sni_dnat_cluster_name(port.number, subset, service.hostname)
                dest = Destination(service.hostname, port.number, subset, 0, 100.0, sni)
                out.append(L4Chain((dest,), L4Origin(None, "auto"), (), (sni,), ISTIO_MTLS_ALPNS, carries_tls=True))
    return out
