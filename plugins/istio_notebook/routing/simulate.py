"""Route one request through a proxy's route table: the RouteOutcome of the `route` JSON contract
(docs/reference/cli.md); the architecture: docs/contributing/architecture.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from istio_notebook.config import Mesh
from istio_notebook.config.hosts import host_subset_of
from istio_notebook.routing.ambient import WaypointHop, client_is_ambient, waypoint_hop
from istio_notebook.routing.build import build_table, dr_set, registry_of
from istio_notebook.routing.connect import route_connection
from istio_notebook.routing.decide import apply, origin_text
from istio_notebook.routing.match import (
    Mismatch,
    mismatch,
    select_virtual_host,
    strip_port,
)
from istio_notebook.routing.outcome import RedirectTo, RouteOutcome, Upstream
from istio_notebook.routing.policy import traffic_policy
from istio_notebook.routing.port_protocol import destination_service, port_protocol
from istio_notebook.routing.proxy import Proxy
from istio_notebook.routing.request import Request
from istio_notebook.routing.table import RouteConfig, RouteTable, cluster_name
from istio_notebook.routing.trace import Note, Trace
from istio_notebook.routing.views import sidecar_view
from istio_notebook.routing.wire import codec_refusal

__all__ = ["RouteOutcome", "route"]

MAX_SKIPPED_IN_TRACE = 20


class Protocol(NamedTuple):
    """The port's protocol as an outcome carries it: its trace line and its JSON (None: undeclared)."""

    line: str
    json: Mapping[str, Any] | None


def route(mesh: Mesh, request: Request, proxy: Proxy, lang: str | None = "en") -> RouteOutcome:
    """Where `request`, sent through `proxy`, goes. Never raises for any mesh content.

    `lang`: trace language, "en" or "ja"; None follows the locale (what the CLI does by default).
    """
    ambient = client_is_ambient(mesh, proxy)
    hop, notes = waypoint_hop(mesh, registry_of(mesh), request, proxy) if ambient else (None, [])
    protocol = _protocol(mesh, request, proxy, lang)
    if request.is_connection:
        out = _with_protocol(route_connection(mesh, request, proxy, lang), protocol)
    elif hop is not None:
        out = _route_http(mesh, request, hop.proxy, lang, protocol)
    elif ambient:
        out = _with_protocol(_ztunnel(mesh, request, proxy, notes, lang), protocol)
    else:
        out = _route_http(mesh, request, proxy, lang, protocol)
    return via_waypoint(out, hop, lang) if hop is not None else out


def _protocol(mesh: Mesh, request: Request, proxy: Proxy, lang: str | None) -> Protocol:
    """The port's protocol (routing.port_protocol) as the trace line and JSON of the outcome."""
    found = port_protocol(mesh, registry_of(mesh), request.host, request.port, proxy)
    if found is not None:
        return Protocol(found.step(lang), found.json_view())
    step = Trace(lang)
    step.add("no_protocol", port=request.port, host=request.host)
    return Protocol(step.lines[0], None)


def _with_protocol(out: RouteOutcome, protocol: Protocol) -> RouteOutcome:
    """``out`` with the port's protocol, its line right after the proxy line."""
    return out.replaced(protocol=protocol.json, trace=out.trace[:1] + (protocol.line,) + out.trace[1:])


def via_waypoint(out: RouteOutcome, hop: WaypointHop, lang: str | None) -> RouteOutcome:
    """The waypoint's outcome, said to be the ambient client's: ``waypoint`` set, ztunnel's hand-off first in the trace."""
    step = Trace(lang)
    step.add("ambient_waypoint", service=hop.service, waypoint=hop.key, bound_by=hop.bound_by)
    return out.replaced(waypoint=hop.key, trace=tuple(step.lines) + out.trace)


def _ztunnel(mesh: Mesh, request: Request, proxy: Proxy, notes: list[Note], lang: str | None) -> RouteOutcome:
    """An ambient client without a waypoint: ztunnel is L4 only, no VirtualService or HTTPRoute applies;
    the connection goes to the Service (its endpoints), or out unchanged when the registry does not know it."""
    trace = Trace(lang)
    trace.add("proxy", proxy=f"ztunnel (ambient client {str(proxy).removeprefix('sidecar ')})")
    for note in notes:
        trace.add("note", note=note)
    service = destination_service(registry_of(mesh), request.host, request.port, proxy.namespace)
    if service is None:
        trace.add("passthrough", host=request.host)
        return RouteOutcome("passthrough", None, trace=tuple(trace.lines))
    cluster = cluster_name(request.port, None, service.hostname)
    trace.add("ambient_ztunnel", host=service.hostname, cluster=cluster)
    dest = Upstream(service.hostname, None, request.port, 100, cluster)
    return RouteOutcome("route", None, destinations=(dest,), trace=tuple(trace.lines))


def _route_http(mesh: Mesh, request: Request, proxy: Proxy, lang: str | None, protocol: Protocol) -> RouteOutcome:
    out = _http_outcome(mesh, request, proxy, lang, protocol)
    return out if out.protocol is protocol.json else out.replaced(protocol=protocol.json)


def _http_outcome(mesh: Mesh, request: Request, proxy: Proxy, lang: str | None, protocol: Protocol) -> RouteOutcome:
    table = build_table(mesh, proxy)
    trace = Trace(lang)
    notes = _notes(table)
    key = ("head", trace.lang, protocol.line)  # the proxy, the port's protocol, the table's general notes
    head = table.memo.get(key)
    if head is None:
        trace.add("proxy", proxy=str(proxy))
        head = table.memo[key] = (*trace.lines, protocol.line, *notes.general_lines(trace))
    trace.lines[:] = head
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
    trace.add_fixed(table.memo, ("listener", request.port, config.name), "listener",
                    lambda: {"port": request.port, "config": config.name})
    refusal = codec_refusal(request)
    if refusal is not None:  # Envoy's HTTP connection manager answers before any route (routing/wire.py)
        trace.add(refusal.step, status=refusal.status, details=refusal.details, **refusal.args)
        return RouteOutcome("rejected", refusal.status, trace=tuple(trace.lines))
    vhost = select_virtual_host(config, request.authority)
    if vhost is None:
        trace.add("no_vhost", authority=request.authority)
        return RouteOutcome("no_route", 404, trace=tuple(trace.lines))
    trace.lines.append(trace.around(table.memo, ("vhost", id(vhost)), "vhost", lambda: {"vhost": vhost.name},
                                    "authority", request.authority))
    trace.extend(notes.about_lines(vhost, trace))
    if vhost.require_tls and request.scheme == "http":
        location = f"https://{strip_port(request.authority)}{request.path_with_query}"
        trace.add("https_redirect")
        return RouteOutcome("redirect", 301, redirect=RedirectTo(location, 301), trace=tuple(trace.lines))
    chosen = None
    for index, candidate in enumerate(vhost.routes):
        failed = mismatch(candidate.match, request)
        if failed is None:
            chosen = candidate
            break
        if index < MAX_SKIPPED_IN_TRACE:
            # A table's routes live as long as it: id() names one while its lines are cached.
            trace.lines.append(trace.around(
                table.memo, ("skipped", id(candidate), index), "skipped_route",
                lambda: {"index": index, "origin": origin_text(candidate)}, "why", _why_not(table, failed, request, trace)))
    if chosen is None:
        trace.add("no_route", vhost=vhost.name)
        return RouteOutcome("no_route", 404, trace=tuple(trace.lines))
    return apply(mesh, table, chosen, request, proxy, trace, index, protocol.json)


class _Notes:
    """Build notes split by what they are about (the ``vs`` and ``vhost`` arguments of each
    :class:`Note`): general ones, and per VirtualService or virtual host, so a request's trace only
    carries those about its virtual host. Their trace lines are rendered once per language."""

    LIMIT = 10

    def __init__(self, notes: list[str]):
        self.general: list[str] = []
        self.by_key: dict[str, list[str]] = {}
        self.by_vhost: dict[str, list[str]] = {}
        self._lines: dict[tuple, list[str]] = {}  # (lang,) or (lang, vhost name, id) → trace lines
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

    def general_lines(self, trace: Trace) -> list[str]:
        return self._rendered((trace.lang,), self.general, trace)

    def about_lines(self, vhost, trace: Trace) -> list[str]:
        """The lines of :meth:`about` (two route configs may name a virtual host alike: id() tells
        them apart, and the table they live in keeps them alive as long as this cache)."""
        key = (trace.lang, vhost.name, id(vhost))
        return self._lines[key] if key in self._lines else self._rendered(key, self.about(vhost), trace)

    def _rendered(self, key: tuple, notes: list[str], trace: Trace) -> list[str]:
        if key not in self._lines:
            self._lines[key] = [trace.text("note", note=note) for note in notes]
        return self._lines[key]


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
        return RouteOutcome("no_route", None, trace=tuple(trace.lines))
    service = destination_service(registry_of(mesh), request.host, request.port, proxy.namespace)
    if service is not None and not sidecar_view(mesh, proxy).sees(service.namespace, service.hostname):
        # A service the proxy's Sidecar does not import has no listener here: the catch-all decides
        # (istio.io Sidecar reference, egress hosts; sidecar scope in pilot/pkg/model/sidecar.go).
        trace.add("not_imported", host=service.hostname)
        service = None
    if service is not None:
        cluster = cluster_name(request.port, None, service.hostname)
        trace.add("tcp_port", port=request.port, host=service.hostname, cluster=cluster)
        # The weight stays the int 100 it has always been in this answer (the JSON contract is pinned).
        dest = Upstream(service.hostname, None, request.port, 100, cluster)
        return RouteOutcome("route", None, destinations=(dest,), trace=tuple(trace.lines),
                            policy=traffic_policy(dr_set(mesh, service.hostname, proxy.namespace), service, request.port, None))
    trace.add("no_listener_sidecar", port=request.port, fallback=table.fallback)
    if table.fallback == "blackhole":
        trace.add("blackhole", host=request.host, status="connection reset")
        return RouteOutcome("blackhole", None, trace=tuple(trace.lines))
    trace.add("passthrough", host=request.host)
    return RouteOutcome("passthrough", None, trace=tuple(trace.lines))


def _why_not(table: RouteTable, failed: Mismatch, request: Request, trace: Trace) -> str:
    """Why a route did not take ``request`` (its first failed condition), in the trace's language."""
    if failed.part == "path":
        m = failed.condition
        return trace.around(table.memo, ("w_path", m), "w_path", lambda: {
            "kind": m.kind, "value": m.value, "case": " (ignoring case)" if m.ignore_case else ""}, "path", request.path)
    if failed.part == "header":
        h = failed.condition
        return trace.text("w_header", name=h.name, verb="must not match" if h.invert else "wants",
                          verb_ja="に一致してはならない" if h.invert else "が必要", kind=h.match.kind,
                          value=h.match.value, actual=request.header(h.name))
    q = failed.condition
    return trace.text("w_query", name=q.name, kind=q.match.kind, value=q.match.value, actual=request.query_params().get(q.name))
