"""Ask real Envoy: send a request through the translated config and report what really happened.

``route(mesh, request, proxy)`` and ``authorize(mesh, request, to, source)`` answer in the
JSON contract of the simulator (docs/reference/cli.md); what Envoy cannot show is null (``policy`` scope,
percentages of a single request). What is observed, and how:
- the serving destination: the echo server that answered names its cluster;
- status, Location, direct response body: the response itself;
- the route Envoy chose, response flags and details: headers added by ``instrument.py``
  (``%ROUTE_NAME%`` names the table route, so VirtualService / rule / match are known);
- path and authority received upstream, request header changes: the echo's copy of the request;
- timeout: ``x-envoy-expected-rq-timeout-ms`` that Envoy announces upstream (the per-try timeout
  when one is set, else the route timeout). That header cannot tell the two apart, so when the
  route Envoy chose has a per-try timeout, ``timeout`` and ``retries.per_try_timeout`` are read
  from that route as Envoy loaded it (and the header is checked against it);
- retries: a second probe request whose upstream answers 503; attempts counted upstream;
  ``retry_on`` is read from the chosen route (no probe can enumerate conditions). A route that
  delays every request (fault delay) is not probed: its retries are read from the route;
- mirrors: copies of the request (same ``x-inb-request`` id, authority ``<host>-shadow``),
  with the percentages of the route as loaded when the copies fit them (see ``probes.mirrors``);
- fault: Envoy's flags FI (abort) and DI (delay) and the measured delay (``envoy.fault_observed``).
  One request cannot measure a percentage, so ``fault`` is the fault of the route as Envoy
  loaded it, as long as the request is consistent with it (a 100% abort aborted, a 100% delay
  delayed by at least its length, nothing injected without a fault); otherwise the observation;
- CORS: a preflight from an origin the route allows; the access-control-* headers Envoy answers;
- weighted routes: ``samples`` requests, shares counted upstream. When every observed share is
  within 4 standard deviations (binomial) of the weight Envoy was given, the configured shares
  are reported (the observation confirmed them) and the raw counts go to ``envoy.samples``;
  otherwise the observed shares are reported, and disagree.

Envoy starts once per scenario (mesh + proxy view), not per request: ``Scenario`` keeps one
Envoy and its echo servers (lifecycle: envoy/running.py); the module functions reuse open
scenarios (closed at exit). Reading an exchange into the typed outcome: envoy/observe.py; the
second requests (retries, CORS preflight, weighted samples, mirrors): envoy/probes.py.
"""

from __future__ import annotations

from istio_notebook.config import durations
from istio_notebook.config.durations import format_seconds
from istio_notebook.envoy import client, observe, preflight, probes, response_probe
from istio_notebook.envoy.focus import host_forms
from istio_notebook.envoy.instrument import (
    CLUSTER_HEADER,
    DETAILS_HEADER,
    FLAGS_HEADER,
    ROUTE_HEADER,
)
from istio_notebook.envoy.observe import (
    Draft,
    header_changes,
    is_shadow,
    upstream_policy,
)
from istio_notebook.envoy.open_scenarios import OpenScenarios
from istio_notebook.envoy.replay_l4 import L4Replay
from istio_notebook.envoy.running import RunningEnvoy
from istio_notebook.envoy.translate import (
    VIRTUAL_OUTBOUND,
)
from istio_notebook.routing.ambient import WaypointHop, client_is_ambient, waypoint_hop
from istio_notebook.routing.build import registry_of
from istio_notebook.routing.outcome import (
    DirectResponse,
    RedirectTo,
    Rewrite,
    RouteOutcome,
)
from istio_notebook.routing.simulate import via_waypoint
from istio_notebook.routing.table import (
    BLACKHOLE_CLUSTER,
    PASSTHROUGH_CLUSTER,
    Route,
)
from istio_notebook.routing.wire import REFUSAL_DETAILS


class _Exchange:
    """One request sent through Envoy and the instrumented answer (instrument.py's headers)."""

    def __init__(self, request, listener: str, request_id: str, response: client.Response):
        self.request, self.listener, self.request_id, self.response = request, listener, request_id, response
        headers = response.headers
        self.route_name = headers.get(ROUTE_HEADER) or ""
        self.details = headers.get(DETAILS_HEADER, "")
        self.flags = headers.get(FLAGS_HEADER, "-")
        self.flag_list = self.flags.split(",")
        self.upstream_cluster = headers.get(CLUSTER_HEADER) or headers.get("x-echo-server")


class Scenario(RunningEnvoy):
    """Routing observed on a running Envoy: where each request went, in the typed outcome."""

    def route(self, request) -> dict:
        """The outcome of ``request`` (a routing.Request) on real Envoy, in the route JSON contract."""
        return self.outcome(request).to_json()

    def outcome(self, request) -> RouteOutcome:
        """The outcome of ``request`` (a routing.Request) on real Envoy."""
        assert self.fleet is not None and self.table is not None
        hop, _ = waypoint_hop(self.mesh, registry_of(self.mesh), request, self.proxy)
        if hop is not None:
            # An ambient client has no Envoy of its own: the waypoint's Envoy routes the request.
            return via_waypoint(self._waypoint(hop).outcome(request), hop, "en")
        draft = Draft()
        if client_is_ambient(self.mesh, self.proxy):
            draft.trace.append("envoy: an ambient client without a waypoint: only ztunnel (L4, not Envoy) is on the path")
            draft.envoy["unsupported"] = "ztunnel"
            return draft.done()
        if request.is_connection:
            return L4Replay(self).outcome(request)  # tcp_proxy filter chains (envoy/replay_l4.py)
        if request.scheme == "https" and self.table.proxy.kind == "sidecar":
            # A sidecar passes TLS from the app through untouched (TCP): nothing HTTP to route.
            draft.trace.append("envoy: https from a sidecar is TLS passthrough, not replayed as HTTP")
            draft.envoy["unsupported"] = "scheme"
            return draft.done()
        l4 = L4Replay(self)
        if self.table.proxy.kind == "sidecar" and l4.tcp_only(request):
            # A port Istio treats as TCP: the bytes go through its tcp_proxy chain, no HTTP routing.
            return l4.outcome(request)
        listener = self._listener_for(request.port)
        if listener is None:
            draft.trace.append(f"envoy: no listener for port {request.port}: connection refused")
            draft.fields["action"] = "no_route"
            return draft.done()
        try:
            request_id, response = self._send(request, listener)
        except (ConnectionError, OSError) as error:
            draft.trace.append(f"envoy: connection closed by {listener} ({type(error).__name__})")
            # A sidecar drops it (BlackHoleCluster); a gateway has no server for it (no filter chain).
            draft.fields["action"] = "blackhole" if self.table.proxy.kind == "sidecar" else "no_route"
            return draft.done()
        exchange = _Exchange(request, listener, request_id, response)
        draft.envoy.update({
            "listener": listener, "route": exchange.route_name or None, "response_flags": exchange.flags,
            "details": exchange.details, "upstream_cluster": exchange.upstream_cluster, "status": response.status,
            "elapsed": round(response.elapsed, 4),
            "sent": {"path": request.path_with_query, "authority": request.authority,
                     "headers": sorted(k for k in request.headers if k != "host")},
        })
        draft.trace.append(
            f"envoy: {listener} route {exchange.route_name or '-'} → HTTP {response.status} "
            f"(flags {exchange.flags}, details {exchange.details or '-'}, cluster {exchange.upstream_cluster or '-'})"
        )
        table_route = self._table_route(exchange.route_name)
        if table_route is not None:
            draft.fields.update(observe.route_fields(table_route))
        action = self._decided_without_upstream(exchange, table_route, draft)
        if action is None:
            self._routed(exchange, draft)
        return draft.done()

    def _waypoint(self, hop: WaypointHop) -> Scenario:
        """The waypoint's own Envoy for one Service (started once, closed with this scenario)."""
        hops = self.__dict__.setdefault("_hops", {})
        if hop.proxy.key not in hops:
            hops[hop.proxy.key] = Scenario(self.mesh, hop.proxy, samples=self.samples).start()
        return hops[hop.proxy.key]

    def close(self, failed: bool = False) -> None:
        for scenario in self.__dict__.pop("_hops", {}).values():
            scenario.close(failed)
        super().close(failed)

    def _decided_without_upstream(self, x: _Exchange, table_route: Route | None, draft: Draft) -> str | None:
        """The action when Envoy answered itself (no route, redirect, direct response, catch-alls)."""
        fields, status = draft.fields, x.response.status
        if x.details in REFUSAL_DETAILS:  # the connection manager answered before routing (routing/wire.py)
            fields.update(action="rejected", status=status)
        elif x.listener == VIRTUAL_OUTBOUND:
            fields["action"] = "passthrough" if x.response.headers.get("x-echo-server") == PASSTHROUGH_CLUSTER else "blackhole"
        elif x.details == "route_not_found" or "NR" in x.flag_list:
            fields.update(action="no_route", status=status)
        elif x.route_name == "allow_any":
            fields["action"] = "passthrough"
        elif x.route_name == "block_all" or (table_route is not None and table_route.action.kind == "blackhole"):
            fields.update(action="blackhole", status=status)
        elif preflight.answered_by_cors_filter(x):
            preflight.read_answer(self, x, draft)
        elif x.details == "direct_response":
            location = x.response.headers.get("location")
            if location is not None and 300 <= status < 400:
                fields.update(action="redirect", status=status, redirect=RedirectTo(location, status))
            else:
                body = x.response.body.decode("utf-8", "replace") or None
                fields.update(action="direct_response", status=status, direct_response=DirectResponse(status, body))
            fields["headers"] = header_changes(x.request.headers, None, x.response.headers)
        return fields.get("action")

    def _routed(self, x: _Exchange, draft: Draft) -> None:
        """A request Envoy's router forwarded (or failed to): destinations, fault, what upstream got."""
        assert self.fleet is not None and self.bootstrap is not None
        fields = draft.fields
        fields["action"] = {PASSTHROUGH_CLUSTER: "passthrough", BLACKHOLE_CLUSTER: "blackhole"}.get(x.upstream_cluster, "route")
        if x.details != "via_upstream":
            fields["status"] = x.response.status  # decided by Envoy: fault abort, 503 NC/UH, ...
        envoy_route = self._envoy_routes.get(x.route_name, {})
        fields["fault"] = observe.fault(envoy_route, x.flags, x.response.status, x.response.elapsed, draft.envoy)
        weighted = envoy_route.get("route", {}).get("weighted_clusters")
        if weighted and x.details == "via_upstream" and self.samples > 1 and "DI" not in x.flag_list:
            fields["destinations"], draft.envoy["samples"] = probes.sample_shares(self, x.request, x.listener, weighted)
        elif x.upstream_cluster and x.upstream_cluster not in (PASSTHROUGH_CLUSTER, BLACKHOLE_CLUSTER):
            fields["destinations"] = (self._destination(x.upstream_cluster, 100.0),)
        elif x.details == "cluster_not_found" and envoy_route.get("route", {}).get("cluster"):
            # Envoy chose this route and found no cluster of that name (503 NC): name it.
            fields["destinations"] = (self._destination(envoy_route["route"]["cluster"], 100.0),)
        received = [r for r in self.fleet.log.of(x.request_id) if not is_shadow(r)]
        served = [r for r in received if r.server == x.upstream_cluster] or received[:1]
        if served:
            self._upstream_view(x, served[0], envoy_route, draft)
        if envoy_route.get("route", {}).get("request_mirror_policies"):
            fields["mirrors"] = probes.mirrors(self, x.request_id, envoy_route)
        cors = envoy_route.get("typed_per_filter_config", {}).get("envoy.filters.http.cors")
        if cors:
            fields["cors"] = probes.cors_preflight(self, x.request, x.listener, x.route_name, cors, draft.trace)

    def _upstream_view(self, x: _Exchange, first, envoy_route: dict, draft: Draft) -> None:
        """What the upstream that served the request received: path, authority, headers, TLS, timeout."""
        fields, trace = draft.fields, draft.trace
        draft.envoy["received"] = {"path": first.path, "authority": first.headers.get("host")}
        loaded = next((c for c in self.bootstrap["static_resources"]["clusters"] if c["name"] == x.upstream_cluster), {})
        fields["policy"] = upstream_policy(first, loaded)
        timeout_ms = first.headers.get("x-envoy-expected-rq-timeout-ms")
        announced = format_seconds(int(timeout_ms) / 1000) if timeout_ms else None
        fields["timeout"] = announced
        policy = envoy_route.get("route", {}).get("retry_policy") or {}
        if policy.get("per_try_timeout"):
            route_timeout = envoy_route["route"].get("timeout", "0s")
            fields["timeout"] = None if route_timeout in ("0s", None) else durations.normalize(route_timeout)
            trace.append(f"envoy: announced upstream timeout {announced} (per-try {policy['per_try_timeout']}, "
                         f"route timeout {route_timeout} as loaded)")
        # As the simulator: null when the upstream got the request's own path and authority.
        authority = first.headers.get("host")
        if first.path != x.request.path_with_query or authority != x.request.authority:
            fields["rewrite"] = Rewrite(first.path, authority if authority != x.request.authority else None)
        fields["headers"] = header_changes(x.request.headers, first.headers, x.response.headers, first.lines)
        response_probe.observe(self, x, envoy_route, draft)
        if policy:
            fields["retries"] = probes.retries(self, x, policy, trace)


# -- module API: scenarios reused across calls ---------------------------------------------------

_OPEN: OpenScenarios[Scenario] = OpenScenarios()
close_all = _OPEN.close_all


def _scenario(mesh, proxy, only=None) -> Scenario:  # only: the one request to come (envoy/focus.py)
    hosts = None if only is None or only.is_connection else host_forms(only.authority, only.host, only.port)
    return _OPEN.get((id(mesh), proxy.key, hosts), mesh, lambda: Scenario(mesh, proxy, focus=hosts).start())


def route(mesh, request, proxy, *, only: bool = False) -> dict:
    """Public API: ``request`` through ``proxy`` on real Envoy, in the route JSON contract (``only``:
    the caller replays no other request on this mesh and proxy, as the `route` command)."""
    return _scenario(mesh, proxy, request if only else None).route(request)


def outcome(mesh, request, proxy) -> RouteOutcome:
    """Public API: ``request`` through ``proxy`` on real Envoy, as a routing.outcome.RouteOutcome."""
    return _scenario(mesh, proxy).outcome(request)


def authorize(mesh, request, to, source) -> dict:
    """Public API: the inbound RBAC decision of real Envoy, in the authz JSON contract."""
    from istio_notebook.envoy.authz_replay import authorize as replay_authorize

    return replay_authorize(mesh, request, to, source)


def replay_checks(mesh, items) -> list[dict]:
    """Batch API: many requests of one scenario, one Envoy per proxy view.

    ``items``: iterable of ``(request, proxy)`` pairs (routing.Request, routing.Proxy) for
    routing, or ``(request, to, source)`` triples for authorization. Answers in input order.
    """
    results: list[dict] = []
    scenarios: dict[tuple, Scenario] = {}
    try:
        for item in items:
            if len(item) == 2:
                request, proxy = item
                scenario = scenarios.get(proxy.key)
                if scenario is None:
                    scenario = scenarios[proxy.key] = Scenario(mesh, proxy).start()
                results.append(scenario.route(request))
            else:
                request, to, source = item
                results.append(authorize(mesh, request, to, source))
    finally:
        for scenario in scenarios.values():
            scenario.close()
    return results
