"""The outcome of a TCP or TLS connection (routing.l4 decides; this says it in the route contract).

`action`: route (destinations as for HTTP: FQDN host, share in percent, Envoy cluster name),
passthrough (PassthroughCluster: a host or port the proxy has no listener for, ALLOW_ANY),
blackhole (REGISTRY_ONLY, a TLS SNI no filter chain takes on a sidecar), no_route (a gateway with
no TCP/TLS server on the port, or no filter chain for the connection: a server whose VirtualServices
have no rule for it, an AUTO_PASSTHROUGH SNI that names no cluster; Envoy closes the connection). `status` stays null: no HTTP status
exists on a TCP connection. An empty destination cluster (no endpoints) is reported in the trace.
"""

from __future__ import annotations

from istio_notebook.config import Mesh
from istio_notebook.gatewayapi import effective_mesh
from istio_notebook.routing.build import build_table, dr_set, registry_of
from istio_notebook.routing.outcome import RouteOutcome, Upstream
from istio_notebook.routing.l4 import L4Choice, L4Router, gateway_choice, sidecar_choice
from istio_notebook.routing.policy import traffic_policy
from istio_notebook.routing.proxy import Proxy
from istio_notebook.routing.request import Request
from istio_notebook.routing.table import cluster_name, parse_sni_dnat
from istio_notebook.routing.trace import Trace
from istio_notebook.routing.views import sidecar_view


def route_connection(mesh: Mesh, request: Request, proxy: Proxy, lang: str | None) -> RouteOutcome:
    """The outcome of one `tcp://` or `tls://` connection through `proxy`."""
    # TLSRoute / TCPRoute reach the same tls / tcp routes as VirtualServices (gatewayapi/l4.py).
    mesh = effective_mesh(mesh)
    trace = Trace(lang)
    trace.add("proxy", proxy=str(proxy))
    trace.add("l4_request", scheme=request.scheme, host=request.host, port=request.port, sni=request.sni or "-")
    router = L4Router(mesh, proxy, request, trace)
    if proxy.kind == "gateway":
        choice, server, kind = gateway_choice(router)
        if kind == "none":
            trace.add("l4_no_server", port=request.port, sni=request.sni or "-")
            return _outcome("no_route", trace=trace.lines)
        trace.add("l4_server", server=server, kind=kind)
        if choice is None:
            trace.add("l4_no_rule", kind=kind)
            return _outcome("no_route", trace=trace.lines)
        return _routed(mesh, proxy, choice, trace, request)
    choice, service, kind = sidecar_choice(router)
    if kind == "none":
        return _catch_all(mesh, proxy, request, trace)
    if kind == "http":
        trace.add("l4_on_http", host=service.hostname, port=request.port)
        return _outcome("blackhole", trace=trace.lines)
    trace.add("l4_listener", host=service.hostname, port=request.port, kind=kind)
    if choice is None:
        trace.add("l4_no_sni", sni=request.sni or "-")
        return _catch_all(mesh, proxy, request, trace, known=True)
    return _routed(mesh, proxy, choice, trace, request)


def _catch_all(mesh: Mesh, proxy: Proxy, request: Request, trace: Trace, known: bool = False) -> RouteOutcome:
    mode = sidecar_view(mesh, proxy).outbound_policy
    if not known:
        trace.add("l4_unknown", host=request.host, port=request.port)
    if mode == "REGISTRY_ONLY":
        trace.add("l4_blackhole")
        return _outcome("blackhole", trace=trace.lines)
    trace.add("l4_passthrough")
    return _outcome("passthrough", trace=trace.lines)


def _routed(mesh: Mesh, proxy: Proxy, choice: L4Choice, trace: Trace, request: Request) -> RouteOutcome:
    if choice.virtual_service is None:
        trace.add("l4_default", cluster=choice.destinations[0].cluster if choice.destinations else "-")
    else:
        where = f"{choice.virtual_service} {choice.section}[{choice.rule_index}]"
        trace.add("l4_rule", origin=where + (f".match[{choice.match_index}]" if choice.match_index is not None else ""))
    table = build_table(mesh, proxy)
    upstreams = []
    for d in choice.destinations:
        upstreams.append(Upstream(d.host, d.subset, d.port, d.share, d.cluster))
        trace.add("destination", cluster=d.cluster, share=f"{d.share:g}")
        # An SNI-DNAT cluster (AUTO_PASSTHROUGH) has the endpoints of the service or subset cluster.
        cluster = table.clusters.get(cluster_name(d.port, d.subset, d.host) if parse_sni_dnat(d.cluster) else d.cluster)
        if cluster is None:
            trace.add("l4_missing_cluster", cluster=d.cluster)
        elif not cluster.has_endpoints:
            trace.add("l4_no_endpoints", cluster=d.cluster)
    policy = None
    if choice.destinations:
        main = max(choice.destinations, key=lambda d: d.share)
        client_ns = table.namespace or proxy.namespace
        service = registry_of(mesh).lookup(main.host, client_ns)
        policy = traffic_policy(dr_set(mesh, main.host, client_ns), service, main.port, main.subset)
    return RouteOutcome("route", virtual_service=choice.virtual_service, route_index=choice.rule_index,
                        match_index=choice.match_index, destinations=tuple(upstreams), policy=policy,
                        trace=tuple(trace.lines))


def _outcome(action: str, trace: list[str]) -> RouteOutcome:
    return RouteOutcome(action, trace=tuple(trace))
