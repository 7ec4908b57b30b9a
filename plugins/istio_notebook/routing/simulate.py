"""Route one request through a proxy's route table: the RouteOutcome of DESIGN.md's JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from istio_notebook.config import Mesh
from istio_notebook.config.hosts import host_subset_of
from istio_notebook.gatewayapi import gateway_semantics, route_ref
from istio_notebook.routing.build import build_table, dr_set, registry_of
from istio_notebook.routing.match import (
    compiled,
    header_matches,
    route_matches,
    select_virtual_host,
    string_matches,
    strip_port,
)
from istio_notebook.routing.policy import traffic_policy
from istio_notebook.routing.port_protocol import destination_service, port_protocol
from istio_notebook.routing.proxy import Proxy
from istio_notebook.routing.request import Request
from istio_notebook.routing.table import Route, RouteConfig, RouteTable, cluster_name
from istio_notebook.routing.trace import Note, Trace
from istio_notebook.routing.views import sidecar_view

MAX_SKIPPED_IN_TRACE = 20


@dataclass
class RouteOutcome:
    action: str  # route | redirect | direct_response | no_route | passthrough | blackhole
    status: int | None = None
    virtual_service: str | None = None
    route_index: int | None = None
    match_index: int | None = None
    route_name: str | None = None
    route_ref: dict | None = None  # the Gateway API rule behind a generated route: {kind, namespace, name, rule_index, match_index}
    destinations: list[dict] = field(default_factory=list)
    rewrite: dict | None = None
    redirect: dict | None = None
    direct_response: dict | None = None
    fault: dict | None = None
    timeout: str | None = None
    retries: dict | None = None
    mirrors: list[dict] = field(default_factory=list)
    headers: dict | None = None
    cors: dict | None = None
    policy: dict | None = None
    protocol: dict | None = None  # routing.port_protocol: the request port's protocol and why
    trace: list[str] = field(default_factory=list)
    route: Route | None = field(default=None, repr=False)  # the table entry that decided, if any

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "status": self.status,
            "virtual_service": self.virtual_service,
            "route_index": self.route_index,
            "match_index": self.match_index,
            "route_name": self.route_name,
            "route_ref": self.route_ref,
            "destinations": self.destinations,
            "rewrite": self.rewrite,
            "redirect": self.redirect,
            "direct_response": self.direct_response,
            "fault": self.fault,
            "timeout": self.timeout,
            "retries": self.retries,
            "mirrors": self.mirrors,
            "headers": self.headers,
            "cors": self.cors,
            "policy": self.policy,
            "protocol": self.protocol,
            "trace": self.trace,
        }


def route(mesh: Mesh, request: Request, proxy: Proxy, lang: str | None = "en") -> RouteOutcome:
    """Where `request`, sent through `proxy`, goes. Never raises for any mesh content.

    `lang`: trace language, "en" or "ja"; None follows the locale (what the CLI does by default).
    """
    out = _route_http(mesh, request, proxy, lang)
    found = port_protocol(mesh, registry_of(mesh), request.host, request.port, proxy)
    out.protocol = found.to_json() if found is not None else None
    step = Trace(lang)
    if found is not None:
        where = found.host or found.server
        step.add("protocol", port=request.port, where=where, protocol=found.selection.protocol.value,
                 why=found.note(), listener=found.selection.listener.value)
    else:
        step.add("no_protocol", port=request.port, host=request.host)
    out.trace.insert(1, step.lines[0])  # right after the proxy line
    return out


def _route_http(mesh: Mesh, request: Request, proxy: Proxy, lang: str | None) -> RouteOutcome:
    table = build_table(mesh, proxy)
    trace = Trace(lang)
    trace.add("proxy", proxy=str(proxy))
    notes = _notes(table)
    for note in notes.general:
        trace.add("note", note=note)
    if proxy.kind == "sidecar" and request.scheme == "https":
        # The application itself speaks TLS: the sidecar cannot see HTTP and forwards by SNI.
        trace.add("tls_from_app", host=request.host)
        return _no_listener(mesh, table, request, proxy, trace)
    configs = table.configs_for_port(request.port)
    if not configs and request.port in table.port_map:
        # A gateway Service port (80) reaches the pod's target port (8080), where a server may listen.
        configs = table.configs_for_port(table.port_map[request.port])
    if not configs:
        return _no_listener(mesh, table, request, proxy, trace)
    config = _pick_config(configs, request, trace)
    trace.add("listener", port=request.port, config=config.name)
    vhost = select_virtual_host(config, request.authority)
    if vhost is None:
        trace.add("no_vhost", authority=request.authority)
        return RouteOutcome("no_route", 404, trace=trace.lines)
    trace.add("vhost", authority=request.authority, vhost=vhost.name)
    for note in notes.about(vhost):
        trace.add("note", note=note)
    if vhost.require_tls and request.scheme == "http":
        location = f"https://{strip_port(request.authority)}{request.path_with_query}"
        trace.add("https_redirect")
        return RouteOutcome("redirect", 301, redirect={"location": location, "status": 301}, trace=trace.lines)
    chosen = None
    for index, candidate in enumerate(vhost.routes):
        if route_matches(candidate.match, request):
            chosen = candidate
            break
        if index < MAX_SKIPPED_IN_TRACE:
            trace.add("skipped_route", index=index, origin=_origin(candidate), why=_why_not(candidate, request))
    if chosen is None:
        trace.add("no_route", vhost=vhost.name)
        return RouteOutcome("no_route", 404, trace=trace.lines)
    return _apply(mesh, table, chosen, request, proxy, trace, index)


class _Notes:
    """Build notes split by what they are about (the ``vs`` and ``vhost`` arguments of each
    :class:`Note`): general ones, and per VirtualService or virtual host, so a request's trace only
    carries those about its virtual host."""

    LIMIT = 10

    def __init__(self, notes: list[str]):
        self.general: list[str] = []
        self.by_key: dict[str, list[str]] = {}
        self.by_vhost: dict[str, list[str]] = {}
        for note in notes:
            args = getattr(note, "args", {})
            if args.get("vs"):
                self.by_key.setdefault(str(args["vs"]), []).append(note)
                if args.get("vhost"):
                    self.by_vhost.setdefault(str(args["vhost"]), []).append(note)
            else:
                self.general.append(note)

    def about(self, vhost) -> list[str]:
        keys: list[str] = []
        for r in vhost.routes:
            for key in (r.origin.virtual_service, r.origin.delegate):
                if key and key not in keys:
                    keys.append(key)
        found = [n for k in keys for n in self.by_key.get(k, ())] + self.by_vhost.get(vhost.name, [])
        return list(dict.fromkeys(found))[: self.LIMIT]


def _notes(table: RouteTable) -> _Notes:
    notes = getattr(table, "_notes_index", None)
    if notes is None:
        notes = _Notes(table.notes)
        object.__setattr__(table, "_notes_index", notes)
    return notes


def _pick_config(configs: list[RouteConfig], request: Request, trace: Trace) -> RouteConfig:
    if len(configs) == 1:
        return configs[0]
    for config in configs:
        if config.sni_hosts and any(host_subset_of(request.host, h) for h in config.sni_hosts if h != "*"):
            trace.add("sni", host=request.host, server=config.server)
            return config
    return configs[0]


def _no_listener(mesh: Mesh, table: RouteTable, request: Request, proxy: Proxy, trace: Trace) -> RouteOutcome:
    if proxy.kind == "gateway":
        trace.add("no_listener_gateway", port=request.port)
        return RouteOutcome("no_route", None, trace=trace.lines)
    service = destination_service(registry_of(mesh), request.host, request.port, proxy.namespace)
    if service is not None and not sidecar_view(mesh, proxy).sees(service.namespace, service.hostname):
        # A service the proxy's Sidecar does not import has no listener here: the catch-all decides
        # (istio.io Sidecar reference, egress hosts; sidecar scope in pilot/pkg/model/sidecar.go).
        trace.add("not_imported", host=service.hostname)
        service = None
    if service is not None:
        cluster = cluster_name(request.port, None, service.hostname)
        trace.add("tcp_port", port=request.port, host=service.hostname, cluster=cluster)
        dest = {"host": service.hostname, "subset": None, "port": request.port, "weight": 100, "cluster": cluster}
        return RouteOutcome("route", None, destinations=[dest], trace=trace.lines,
                            policy=traffic_policy(dr_set(mesh, service.hostname, proxy.namespace), service, request.port, None))
    trace.add("no_listener_sidecar", port=request.port, fallback=table.fallback)
    if table.fallback == "blackhole":
        trace.add("blackhole", host=request.host, status="connection reset")
        return RouteOutcome("blackhole", None, trace=trace.lines)
    trace.add("passthrough", host=request.host)
    return RouteOutcome("passthrough", None, trace=trace.lines)


def _origin(route: Route) -> str:
    o = route.origin
    if o.virtual_service is None:
        return route.name or "generated"
    text = f"VirtualService {o.virtual_service} http[{o.rule_index}]"
    if o.match_index is not None:
        text += f".match[{o.match_index}]"
    if o.delegate:
        text += f" (delegated from {o.delegate})"
    return text


def _why_not(route: Route, request: Request) -> Note:
    m = route.match
    if not string_matches(m.path, request.path):
        return Note("w_path", path=request.path, kind=m.path.kind, value=m.path.value,
                    case=" (ignoring case)" if m.path.ignore_case else "")
    for h in m.headers:
        if not header_matches(h, request):
            return Note("w_header", name=h.name, verb="must not match" if h.invert else "wants",
                        verb_ja="に一致してはならない" if h.invert else "が必要", kind=h.match.kind,
                        value=h.match.value, actual=request.header(h.name))
    params = request.query_params()
    for q in m.query:
        if q.name not in params or not string_matches(q.match, params[q.name]):
            return Note("w_query", name=q.name, kind=q.match.kind, value=q.match.value, actual=params.get(q.name))
    return Note("w_none")


def _apply(mesh: Mesh, table: RouteTable, chosen: Route, request: Request, proxy: Proxy, trace: Trace, index: int) -> RouteOutcome:
    action = chosen.action
    origin = chosen.origin
    out = RouteOutcome(
        action.kind,
        virtual_service=origin.virtual_service,
        route_index=origin.rule_index,
        match_index=origin.match_index,
        route_name=chosen.name,
        route=chosen,
    )
    ref = route_ref(origin.source, origin.rule_index)
    out.route_ref = ref.to_json() if ref is not None else None
    if origin.virtual_service is None and action.kind == "route":
        trace.add("default_route", cluster=action.destinations[0].cluster)
    elif origin.virtual_service is not None:
        trace.add("matched_route", index=index, origin=_origin(chosen))
    out.headers = _merged_headers(action)
    if action.kind == "passthrough":
        trace.add("passthrough", host=request.host)
    elif action.kind == "blackhole":
        out.status = action.direct_status
        trace.add("blackhole", host=request.host, status=action.direct_status)
    elif action.kind == "direct_response":
        out.status = action.direct_status
        out.direct_response = {"status": action.direct_status, "body": action.direct_body}
        trace.add("direct", status=action.direct_status)
    elif action.kind == "redirect":
        location = _location(action.redirect, request, chosen.match.path)
        out.status = action.redirect.status
        out.redirect = {"location": location, "status": action.redirect.status}
        trace.add("redirect", status=action.redirect.status, location=location)
    elif action.kind == "route":
        _route(mesh, table, chosen, request, proxy, trace, out)
    out.trace = trace.lines
    return out


def _route(mesh: Mesh, table: RouteTable, chosen: Route, request: Request, proxy: Proxy, trace: Trace, out: RouteOutcome) -> None:
    action = chosen.action
    missing = empty = 0
    for d in action.destinations:
        out.destinations.append({"host": d.host, "subset": d.subset, "port": d.port, "weight": d.share, "cluster": d.cluster})
        trace.add("destination", cluster=d.cluster, share=f"{d.share:g}")
        cluster = table.clusters.get(d.cluster)
        if cluster is None:
            missing += 1
            trace.add("missing_cluster", cluster=d.cluster)
        elif not cluster.has_endpoints:
            empty += 1
            trace.add("no_endpoints", cluster=d.cluster)
    if action.destinations and missing == len(action.destinations):
        # Gateway API routes: istiod sets cluster_not_found_response_code INTERNAL_SERVER_ERROR
        # (pilot/pkg/networking/core/route/route.go applyHTTPRouteDestination, gateway semantics).
        out.status = 500 if gateway_semantics(origin_source(chosen)) else 503
    elif action.destinations and missing + empty == len(action.destinations):
        # Every cluster the route can pick exists but has no endpoint (a subset selecting no pod,
        # a Service without ready workloads): Envoy's router answers 503 with flag UH and details
        # no_healthy_upstream (replayed on real Envoy in tests/routing/test_istio_fidelity.py).
        out.status = 503
    out.fault = action.fault
    if action.fault:
        abort, delay = action.fault.get("abort"), action.fault.get("delay")
        if delay:
            trace.add("delay", delay=delay["fixed_delay"], percentage=f"{delay['percentage']:g}")
        if abort:
            status = abort.get("http_status", abort.get("grpc_status"))
            trace.add("abort", status=status, percentage=f"{abort['percentage']:g}")
            # The abort filter runs before the router: at 100% the caller always sees its status.
            if abort["percentage"] >= 100 and "http_status" in abort:
                out.status = abort["http_status"]
    out.timeout = action.timeout
    if action.retries is not None:
        out.retries = {"attempts": action.retries.attempts, "per_try_timeout": action.retries.per_try_timeout,
                       "retry_on": action.retries.retry_on}
    out.mirrors = [{"host": m.host, "subset": m.subset, "port": m.port, "cluster": m.cluster, "percentage": m.percentage}
                   for m in action.mirrors]
    out.cors = action.cors
    out.rewrite = _rewrite(chosen, request)
    if out.rewrite:
        trace.add("rewrite", uri=out.rewrite["uri"], authority=out.rewrite["authority"])
    if action.destinations:
        main = max(action.destinations, key=lambda d: d.share)
        client_ns = table.namespace or proxy.namespace
        drs = dr_set(mesh, main.host, client_ns)
        service = registry_of(mesh).lookup(main.host, client_ns)
        out.policy = traffic_policy(drs, service, main.port, main.subset)
        if drs.rules:
            trace.add("policy", rules=", ".join(f"DestinationRule {r.namespace}/{r.name}" for r in drs.rules), scope=drs.scope)
        else:
            trace.add("no_policy", host=main.host)


def origin_source(route: Route):
    return route.origin.source


def _rewrite(chosen: Route, request: Request) -> dict | None:
    action = chosen.action
    if action.prefix_rewrite is None and action.regex_rewrite is None and action.authority_rewrite is None:
        return None
    path = request.path
    if action.regex_rewrite is not None:
        pattern, substitution = action.regex_rewrite
        regex = compiled(pattern)
        if regex is not None:
            try:
                path = regex.sub(substitution, path)
            except Exception:  # noqa: BLE001 - a bad substitution leaves the path as it is
                pass
    elif action.prefix_rewrite is not None:
        m = chosen.match.path
        if m.kind in ("prefix", "path_separated_prefix"):
            path = action.prefix_rewrite + path[len(m.value):]
        else:
            # exact and regex matches: Envoy swaps the whole matched path.
            path = action.prefix_rewrite
    uri = path + (f"?{request.query}" if request.query else "")
    return {"uri": uri, "authority": action.authority_rewrite}


def _location(redirect, request: Request, matched=None) -> str:
    scheme = redirect.scheme or request.scheme
    hostport = redirect.authority or request.authority
    if redirect.port is not None:
        hostport = f"{strip_port(hostport)}:{redirect.port}"
    elif redirect.derive_port:
        hostport = f"{strip_port(hostport)}:{request.port}"
    default = {"http": "80", "https": "443"}.get(scheme)
    host, colon, port = hostport.rpartition(":")
    if colon and host and port == default:
        hostport = host  # :80 for http and :443 for https are left out of the Location
    path = redirect.uri if redirect.uri is not None else request.path
    if redirect.prefix_rewrite is not None and matched is not None and matched.kind in ("prefix", "path_separated_prefix"):
        path = redirect.prefix_rewrite + request.path[len(matched.value):]  # Envoy: the matched prefix is swapped
    if request.query and "?" not in path:
        path += f"?{request.query}"
    return f"{scheme}://{hostport}{path}"


def _merged_headers(action) -> dict | None:
    ops = action.headers
    if len(action.destinations) == 1 and action.destinations[0].headers:
        ops = _merge_ops(ops or {}, action.destinations[0].headers)
    return ops


def _merge_ops(a: dict, b: dict) -> dict:
    out = {}
    for side in ("request", "response"):
        x, y = a.get(side), b.get(side)
        if x or y:
            x = x or {"set": {}, "add": {}, "remove": []}
            y = y or {"set": {}, "add": {}, "remove": []}
            out[side] = {"set": {**x["set"], **y["set"]}, "add": {**x["add"], **y["add"]}, "remove": x["remove"] + y["remove"]}
    return out
