"""TCP and TLS connections (`tcp://host:port`, `tls://host:port` with an SNI) through a proxy.

What istiod builds for them (istio 1.30 pilot/pkg/networking/core):
- Sidecar (tls.go buildSidecarOutboundTCPFilterChainOpts / ...TLSFilterChainOpts): for the
  destination service's port, the VirtualServices bound to `mesh` in Istio's order; `tcp` rules
  on a TCP port, `tls` rules on a TLS/HTTPS port. matchTCP/matchTLS check port, sourceLabels,
  gateways and sourceNamespace when the config is built (all of them: unlike HTTP's
  sourceMatchHTTP, gateways do not override sourceLabels); destinationSubnets and sniHosts are
  matched by Envoy on the connection. The first tcp rule that applies without a subnet ends the
  list; with no rule at all, the service's own cluster. A TLS port whose tls rules match no SNI
  has no filter chain for it: the catch-all decides (passthrough or blackhole).
- Gateway (gateway.go buildGatewayListeners / createGatewayTCPFilterChainOpts): servers with
  protocol TCP (or TLS terminated: SIMPLE/MUTUAL) take `tcp` rules; TLS PASSTHROUGH servers take
  `tls` rules whose sniHosts match the server's hosts; AUTO_PASSTHROUGH forwards by the SNI
  `outbound_.<port>_.<subset>_.<host>` (model.BuildDNSSrvSubsetKey) to that cluster.
Outcomes use the route JSON contract: route (destinations, weights, clusters), passthrough,
blackhole, no_route.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from istio_notebook.config import Mesh, Resource
from istio_notebook.config.hosts import host_subset_of, hosts_overlap
from istio_notebook.config.labels import label_map, selects
from istio_notebook.gatewayapi import from_tls_route
from istio_notebook.routing import actions
from istio_notebook.routing.build import registry_of
from istio_notebook.routing.port_protocol import destination_service
from istio_notebook.routing.proxy import Proxy
from istio_notebook.config.services import Service
from istio_notebook.routing.request import Request
from istio_notebook.config.shape import items
from istio_notebook.routing.table import Destination, cluster_name, parse_sni_dnat, sni_dnat_cluster_name
from istio_notebook.routing.trace import Note, Trace
from istio_notebook.routing.views import gateway_view, ordered_virtual_services, sidecar_view, vs_gateways, vs_hosts

# listener.go allIstioMtlsALPNs: what an Istio client offers over mTLS (AUTO_PASSTHROUGH chains match it).
ISTIO_MTLS_ALPNS = ("istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2")


@dataclass(frozen=True)
class L4Choice:
    """The rule that carries the connection: VirtualService ns/name, section (tcp|tls), indexes."""

    virtual_service: str | None
    section: str
    rule_index: int | None
    match_index: int | None
    destinations: list[Destination]


def static_match(match: dict, labels: dict, namespace: str, gateway: str, port: int, vs_namespace: str) -> Note | None:
    """matchTCP / matchTLS: why a match does not apply to this proxy and port (None: it applies)."""
    wanted_port = match.get("port")
    if isinstance(wanted_port, int) and not isinstance(wanted_port, bool) and wanted_port not in (0, port):
        return Note("r_port", port=wanted_port, listener=port)
    gws = match.get("gateways")
    if isinstance(gws, list) and gws:
        names = {str(g) if str(g) == "mesh" or "/" in str(g) else f"{vs_namespace}/{g}" for g in gws}
        if gateway not in names:
            return Note("r_gateways", gateways=sorted(names), gateway=gateway)
    if isinstance(match.get("sourceLabels"), dict) and not selects(label_map(match["sourceLabels"]), labels):
        return Note("r_source_labels", labels=match["sourceLabels"])
    ns = match.get("sourceNamespace")
    if isinstance(ns, str) and ns and ns != namespace:
        return Note("r_source_namespace", namespace=ns, proxy_namespace=namespace)
    return None


def in_subnets(subnets: list, address: str | None) -> bool:
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for subnet in subnets:
        try:
            if ip in ipaddress.ip_network(str(subnet), strict=False):
                return True
        except ValueError:
            continue
    return False


def sni_matches(patterns: list, sni: str | None) -> bool:
    """Envoy's server_names: exact, or `*.example.com` for any deeper name (case-insensitive)."""
    if not sni:
        return False
    return any(host_subset_of(sni.lower(), str(p).lower()) for p in patterns)


def destination_address(request: Request, service: Service | None) -> str | None:
    """The IP the client dials: the literal in the URL, else the service's first address (VIP)."""
    try:
        ipaddress.ip_address(request.host)
        return request.host
    except ValueError:
        pass
    if service is not None:
        for address in service.addresses:
            if "/" not in address:
                return address
    return None


class L4Router:
    """Chooses the tcp/tls rule for one connection; `trace` collects why (English/Japanese keys)."""

    def __init__(self, mesh: Mesh, proxy: Proxy, request: Request, trace: Trace):
        self.mesh, self.proxy, self.request, self.trace = mesh, proxy, request, trace
        self.registry = registry_of(mesh)

    def resolve_port(self, client_ns: str):
        def resolve(host: str, listener_port: int) -> int | None:
            service = self.registry.lookup(host, client_ns)
            return service.ports[0].number if service is not None and len(service.ports) == 1 else listener_port
        return resolve

    def choose(self, vss: list[Resource], section: str, facts: tuple, service: Service | None, sni: bool = True) -> L4Choice | None:
        """The first rule of `section` whose matches apply (tls: and whose sniHosts take the SNI, unless not ``sni``)."""
        labels, namespace, gateway, port, client_ns = facts
        address = destination_address(self.request, service)
        for vs in vss:
            key = f"{vs.namespace}/{vs.name}"
            for index, rule in enumerate(items(vs.spec.get(section))):
                if not isinstance(rule, dict):
                    continue
                hit = self._rule_hit(vs, key, section, index, rule, (labels, namespace, gateway, port), address, sni)
                if hit is not None:
                    dests = actions.destinations(items(rule.get("route")), vs.namespace, port, self.resolve_port(client_ns))
                    return L4Choice(key, section, index, hit if hit >= 0 else None, dests)
        return None

    def _rule_hit(self, vs: Resource, key: str, section: str, index: int, rule: dict, facts: tuple, address, sni: bool = True) -> int | None:
        """Index of the match that takes the connection (-1: a rule without match), else None."""
        labels, namespace, gateway, port = facts
        matches = rule.get("match")
        if not isinstance(matches, list) or not matches:
            return -1 if section == "tcp" else None  # a tls rule needs sniHosts (validation)
        for m_index, match in enumerate(matches):
            if not isinstance(match, dict):
                continue
            why = static_match(match, labels, namespace, gateway, port, vs.namespace)
            if why is not None:
                self.trace.add("l4_skipped", origin=f"{key} {section}[{index}].match[{m_index}]", why=why)
                continue
            subnets = match.get("destinationSubnets")
            if isinstance(subnets, list) and subnets and not in_subnets(subnets, address):
                self.trace.add("l4_skipped", origin=f"{key} {section}[{index}].match[{m_index}]",
                               why=Note("r_subnets", address=address or "?", subnets=subnets))
                continue
            if section == "tls" and sni and not sni_matches(items(match.get("sniHosts")), self.request.sni):
                self.trace.add("l4_skipped", origin=f"{key} {section}[{index}].match[{m_index}]",
                               why=Note("r_sni", sni=self.request.sni or "-", hosts=items(match.get("sniHosts"))))
                continue
            return m_index
        return None


def vss_for_host(mesh: Mesh, client_ns: str, gateway: str, host: str, is_visible=None) -> list[Resource]:
    """VirtualServices bound to `gateway` ("mesh" or ns/name) whose hosts take `host`, in Istio's order."""
    out = []
    for vs in ordered_virtual_services(mesh, client_ns):
        if gateway not in vs_gateways(vs):
            continue
        if is_visible is not None and not any(is_visible(vs.namespace, h) for h in vs_hosts(vs)):
            continue
        if any(hosts_overlap(h, host) for h in vs_hosts(vs)):
            out.append(vs)
    return out


def by_address(services: list[Service], address: str, port: int) -> Service | None:
    """The service whose VIP the client dials (a Service clusterIP, ServiceEntry addresses)."""
    for service in services:
        if address in service.addresses and service.port(port) is not None:
            return service
    return None


def default_destination(service: Service, port: int) -> Destination:
    """The service's own cluster (no rule applies): its only port, else the listener port."""
    number = service.ports[0].number if len(service.ports) == 1 else port
    return Destination(service.hostname, number, None, 0, 100.0, cluster_name(number, None, service.hostname))


def sidecar_choice(router: L4Router) -> tuple[L4Choice | None, Service | None, str]:
    """(choice, service, listener kind) for a sidecar; listener kind: tcp | tls | http | none."""
    mesh, proxy, request = router.mesh, router.proxy, router.request
    view = sidecar_view(mesh, proxy)
    service = destination_service(router.registry, request.host, request.port, proxy.namespace) or by_address(
        router.registry.visible(proxy.namespace), request.host, request.port)
    if service is None:
        service = wildcard_tcp_service(router, view)
    if service is None or not view.sees(service.namespace, service.hostname):
        return None, None, "none"
    kind = port_kind(service.port(request.port))
    kind = "tcp" if kind in ("auto", "none") else kind
    if kind == "http":
        return None, service, kind
    vss = vss_for_host(mesh, proxy.namespace, "mesh", service.hostname, view.sees)
    facts = (proxy.labels, proxy.namespace, "mesh", request.port, proxy.namespace)
    choice = router.choose(vss, kind, facts, service)
    if choice is None and kind == "tcp":
        choice = L4Choice(None, "tcp", None, None, [default_destination(service, request.port)])
    elif choice is None and kind == "tls" and not on_vip(service):
        choice = shared_tls_choice(router, view, service, facts)
    elif choice is None and not any(items(vs.spec.get("tls")) for vs in vss):
        choice = L4Choice(None, "tls", None, None, [default_destination(service, request.port)])
    return choice, service, kind


def wildcard_tcp_service(router: L4Router, view) -> Service | None:
    """A TCP port of a service without a VIP (a ServiceEntry without ``addresses``, a headless
    Service) listens on ``0.0.0.0_<port>``: it takes a connection to any address on that port
    (istio/api ServiceEntry ``addresses``: "If the Addresses field is empty, traffic will be
    identified solely based on the destination port"; listener.go buildSidecarOutboundListener).
    The first such service in the registry's order wins, as its chain does on the listener."""
    port = router.request.port
    for service in router.registry.visible(router.proxy.namespace):
        if on_vip(service) or service.port(port) is None or port_kind(service.port(port)) not in ("tcp", "auto"):
            continue
        cidrs = [a for a in service.addresses if "/" in a]
        if view.sees(service.namespace, service.hostname) and (not cidrs or in_subnets(cidrs, router.request.host)):
            router.trace.add("l4_wildcard", host=service.hostname, port=port)
            return service
    return None


def on_vip(service: Service) -> bool:
    """Whether the service listens on its own address (else on the port's shared 0.0.0.0 listener)."""
    return any("/" not in a and a != "0.0.0.0" for a in service.addresses)


def shared_tls_choice(router: L4Router, view, dialled: Service, facts: tuple) -> L4Choice | None:
    """A TLS port without a VIP (a ServiceEntry without addresses) listens on 0.0.0.0_<port>, shared
    by every such service: the SNI picks among all their chains (listener.go
    buildSidecarOutboundListener; tls.go: each service's tls rules, else its own chain by its
    hostname as server name), not the host the client dialled."""
    port = router.request.port
    candidates = [dialled] + [s for s in router.registry.visible(router.proxy.namespace)
                              if s is not dialled and not on_vip(s) and s.port(port) is not None
                              and port_kind(s.port(port)) == "tls" and view.sees(s.namespace, s.hostname)]
    for service in candidates:
        vss = vss_for_host(router.mesh, router.proxy.namespace, "mesh", service.hostname, view.sees)
        if any(items(vs.spec.get("tls")) for vs in vss):
            choice = router.choose(vss, "tls", facts, service) if service is not dialled else None
            if choice is not None:
                return choice
        elif sni_matches([service.hostname], router.request.sni):
            if service is not dialled:
                router.trace.add("l4_shared_sni", sni=router.request.sni or "-", host=service.hostname)
            return L4Choice(None, "tls", None, None, [default_destination(service, port)])
    return None


def port_kind(port) -> str:
    """tls (TLS/HTTPS: tls rules) | http | auto (sniffed: tcp rules for what is not HTTP) | none (UDP) | tcp."""
    if port.protocol in ("TLS", "HTTPS"):
        return "tls"
    return {"HTTP": "http", "AUTO": "auto", "NONE": "none"}.get(port.selection.listener.value, "tcp")


def gateway_choice(router: L4Router) -> tuple[L4Choice | None, str | None, str]:
    """(choice, server label, server kind) for a gateway; kind: tcp | tls | auto | http | none."""
    mesh, proxy, request = router.mesh, router.proxy, router.request
    view = gateway_view(mesh, proxy)
    for server in view.servers:
        if request.port not in (server.port, view.listener_port(server.port)):
            continue
        kind = _server_kind(server)
        if kind == "http":
            continue
        if kind == "tls" and not sni_matches([h for _, h in server.hosts], request.sni):
            continue
        if kind == "auto":
            choice = _auto_passthrough(request.sni)
            if choice is not None and not set(request.offered_alpn) & set(ISTIO_MTLS_ALPNS):
                # The SNI's chain also matches application_protocols: Istio's mTLS ALPNs only.
                router.trace.add("l4_no_alpn", sni=request.sni, alpn=",".join(request.offered_alpn) or "-")
                return None, server.label, kind
            return choice, server.label, kind
        gw_key = f"{server.gateway.namespace}/{server.gateway.name}"
        hosts = [h for _, h in server.hosts]
        vss = [vs for vs in ordered_virtual_services(mesh, view.workload_namespace)
               if gw_key in vs_gateways(vs) and any(hosts_overlap(s, h) for s in hosts for h in vs_hosts(vs))]
        facts = (view.workload_labels, view.workload_namespace, gw_key, server.port, view.workload_namespace)
        if kind == "tcp" and server.tls_mode:
            return _terminated(router, vss, facts), server.label, kind
        return router.choose(vss, "tls" if kind == "tls" else "tcp", facts, None), server.label, kind
    return None, None, "none"


def _terminated(router: L4Router, vss: list[Resource], facts: tuple) -> L4Choice | None:
    """A server that terminates TLS forwards as TCP: per VirtualService, its tcp rules, then (for
    one converted from a TLSRoute) its tls rules by port and gateway only, the SNI having been
    taken by the server (gateway.go buildGatewayNetworkFiltersFromTCPRoutes, 1.30.3)."""
    for vs in vss:
        choice = router.choose([vs], "tcp", facts, None)
        if choice is None and from_tls_route(vs):
            choice = router.choose([vs], "tls", facts, None, sni=False)
        if choice is not None:
            return choice
    return None


def _server_kind(server) -> str:
    if server.protocol == "TCP" or (server.protocol == "TLS" and server.tls_mode not in ("PASSTHROUGH", "AUTO_PASSTHROUGH")):
        return "tcp"
    if server.protocol in ("TLS", "HTTPS") and server.tls_mode == "PASSTHROUGH":
        return "tls"
    if server.protocol in ("TLS", "HTTPS") and server.tls_mode == "AUTO_PASSTHROUGH":
        return "auto"
    return "http"


def _auto_passthrough(sni: str | None) -> L4Choice | None:
    """`outbound_.9080_.v1_.reviews.default.svc.cluster.local` (model.BuildDNSSrvSubsetKey, the SNI
    Istio's mTLS clients send through an east-west gateway) → the SNI-DNAT cluster of that name
    (gateway.go builtAutoPassthroughFilterChains: the chain's tcp_proxy names it)."""
    parsed = parse_sni_dnat(sni or "")
    if parsed is None:
        return None
    port, subset, host = parsed
    return L4Choice(None, "tls", None, None, [Destination(host, port, subset, 0, 100.0, sni_dnat_cluster_name(port, subset, host))])
