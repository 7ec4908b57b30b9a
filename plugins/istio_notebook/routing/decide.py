"""The route a request matched → the RouteOutcome: destinations, rewrite, redirect, fault, policy.

routing/simulate.py finds the route (listener, virtual host, first matching route); this module
applies its action to the request, as Envoy's router would, and writes the trace steps for it.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from istio_notebook.config import Mesh
from istio_notebook.config.locality import workload_locality
from istio_notebook.gatewayapi import gateway_semantics, route_ref
from istio_notebook.routing.build import dr_set, registry_of
from istio_notebook.routing.cors import answered_preflight, response_headers
from istio_notebook.config.matchers import Matcher, compiled
from istio_notebook.routing.match import strip_port
from istio_notebook.routing.header_changes import HeaderChanges, then
from istio_notebook.routing.outcome import (
    DirectResponse,
    MirrorTo,
    RedirectTo,
    Retries,
    Rewrite,
    RouteOutcome,
    TrafficPolicy,
    Upstream,
)
from istio_notebook.routing.policy import traffic_policy
from istio_notebook.routing.proxy import Proxy
from istio_notebook.routing.server_header import without_server
from istio_notebook.routing.request import Request
from istio_notebook.routing.table import (
    Redirect,
    Route,
    RouteAction,
    RouteTable,
)
from istio_notebook.routing.trace import Trace


def origin_text(route: Route) -> str:
    o = route.origin
    if o.virtual_service is None:
        return route.name or "generated"
    text = f"VirtualService {o.virtual_service} http[{o.rule_index}]"
    if o.match_index is not None:
        text += f".match[{o.match_index}]"
    if o.delegate:
        text += f" (delegated from {o.delegate})"
    return text


def apply(mesh: Mesh, table: RouteTable, chosen: Route, request: Request, proxy: Proxy, trace: Trace, index: int,
          protocol: Mapping[str, Any] | None = None) -> RouteOutcome:
    """The outcome of ``request`` on the route ``chosen`` (the ``index``-th of its virtual host);
    ``protocol``: the outcome's, when a reused outcome is taken (else the caller sets it)."""
    if not _request_independent(chosen.action):
        return _apply(mesh, table, chosen, request, proxy, trace, index)
    # The table is one proxy's (its namespace and labels fixed), so such a route's outcome and trace
    # steps are the same for every request it takes: worked out once per language, then reused.
    key = ("applied", trace.lang, id(chosen), index)
    done = table.memo.get(key)
    if done is None:
        steps = Trace(trace.lang, trace.steps)
        outcome = _apply(mesh, table, chosen, request, proxy, steps, index)
        done = table.memo[key] = (steps.lines, outcome)
    lines, outcome = done
    trace.lines.extend(lines)
    return outcome.replaced(trace=tuple(trace.lines), protocol=protocol)


def _request_independent(action: RouteAction) -> bool:
    """Whether :func:`_apply` reads nothing of the request for this action: a forward without CORS
    (preflights and response headers follow the Origin) and without rewrites (they follow the path)."""
    return (action.kind == "route" and action.cors is None and action.prefix_rewrite is None
            and action.regex_rewrite is None and action.authority_rewrite is None)


def _apply(mesh: Mesh, table: RouteTable, chosen: Route, request: Request, proxy: Proxy, trace: Trace, index: int) -> RouteOutcome:
    action, origin = chosen.action, chosen.origin
    ref = route_ref(origin.source, origin.rule_index)
    if origin.virtual_service is None and action.kind == "route":
        cluster = action.destinations[0].cluster
        trace.add_fixed(table.memo, ("default_route", cluster), "default_route", lambda: {"cluster": cluster})
    elif origin.virtual_service is not None:
        # A table's routes live as long as the table: id() names one while its line is cached.
        trace.add_fixed(table.memo, ("matched_route", id(chosen), index), "matched_route",
                        lambda: {"index": index, "origin": origin_text(chosen)})
    preflight = answered_preflight(action.cors, request) if action.kind == "route" else None
    if preflight is not None:
        return _answered_preflight(chosen, ref, preflight, trace)
    fields: dict = {}
    headers = _finished(_merged_headers(action), action, request, trace)
    if action.kind == "passthrough":
        trace.add("passthrough", host=request.host)
    elif action.kind == "blackhole":
        fields["status"] = action.direct_status
        trace.add("blackhole", host=request.host, status=action.direct_status)
    elif action.kind == "direct_response":
        fields["status"] = action.direct_status
        fields["direct_response"] = DirectResponse(action.direct_status, action.direct_body)
        trace.add("direct", status=action.direct_status)
    elif action.kind == "redirect":
        location = _location(action.redirect, request, chosen.match.path)
        fields["status"] = action.redirect.status
        fields["redirect"] = RedirectTo(location, action.redirect.status)
        trace.add("redirect", status=action.redirect.status, location=location)
    elif action.kind == "route":
        fields.update(_route(mesh, table, chosen, request, proxy, trace))
    return RouteOutcome.of(
        action.kind, virtual_service=origin.virtual_service, route_index=origin.rule_index,
        match_index=origin.match_index, route_name=chosen.name, route_ref=ref, headers=headers,
        trace=tuple(trace.lines), route=chosen, **fields,
    )


def _answered_preflight(chosen: Route, ref, preflight, trace: Trace) -> RouteOutcome:
    """Envoy's CORS filter answers the preflight before the router: 200, no upstream, none of the route's headers."""
    trace.add("cors_preflight" if preflight.allowed else "cors_preflight_ignored", origin=preflight.origin)
    o = chosen.origin
    return RouteOutcome(
        "direct_response", status=200, direct_response=DirectResponse(200, None), cors=chosen.action.cors,
        virtual_service=o.virtual_service, route_index=o.rule_index, match_index=o.match_index, route_name=chosen.name,
        route_ref=ref, trace=tuple(trace.lines), route=chosen,
    )


def _route(mesh: Mesh, table: RouteTable, chosen: Route, request: Request, proxy: Proxy, trace: Trace) -> dict:
    """The fields of a ``route`` action's outcome."""
    action = chosen.action
    upstreams = table.memo.get(("upstreams", id(action)))
    if upstreams is None:
        upstreams = table.memo[("upstreams", id(action))] = tuple(
            Upstream(d.host, d.subset, d.port, d.share, d.cluster) for d in action.destinations)
    if action.weighted and any(d.headers for d in action.destinations):  # per request: CORS headers depend on it
        upstreams = tuple(replace(u, headers=_served_headers(action, d, request)) for u, d in zip(upstreams, action.destinations))
    fields: dict = {"destinations": upstreams}
    missing = empty = 0
    for d in action.destinations:
        trace.add_fixed(table.memo, ("destination", d.cluster, d.share), "destination",
                        lambda d=d: {"cluster": d.cluster, "share": f"{d.share:g}"})
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
        fields["status"] = 500 if gateway_semantics(chosen.origin.source) else 503
    elif action.destinations and missing + empty == len(action.destinations):
        # Every cluster the route can pick exists but has no endpoint (a subset selecting no pod,
        # a Service without ready workloads): Envoy's router answers 503 with flag UH and details
        # no_healthy_upstream (replayed on real Envoy in tests/routing/test_istio_fidelity.py).
        fields["status"] = 503
    fields["fault"] = action.fault
    if action.fault:
        abort, delay = action.fault.abort, action.fault.delay
        if delay:
            trace.add("delay", delay=delay.fixed_delay, percentage=f"{delay.percentage:g}")
        if abort:
            trace.add("abort", status=abort.status, percentage=f"{abort.percentage:g}")
            # The abort filter runs before the router: at 100% the caller always sees its status.
            if abort.percentage >= 100 and abort.http_status is not None:
                fields["status"] = abort.http_status
    fields["timeout"] = action.timeout
    if action.retries is not None:
        fields["retries"] = Retries(action.retries.attempts, action.retries.per_try_timeout, action.retries.retry_on)
    fields["mirrors"] = tuple(MirrorTo(m.host, m.subset, m.port, m.cluster, m.percentage) for m in action.mirrors)
    fields["cors"] = action.cors
    fields["rewrite"] = rewrite = _rewrite(chosen, request)
    if rewrite:
        trace.add("rewrite", uri=rewrite.uri, authority=rewrite.authority)
    if action.destinations:
        fields["policy"] = _policy(mesh, table, action, proxy, trace)
    return fields


def _policy(mesh: Mesh, table: RouteTable, action: RouteAction, proxy: Proxy, trace: Trace) -> TrafficPolicy:
    main = max(action.destinations, key=lambda d: d.share)
    client_ns = table.namespace or proxy.namespace
    policies = _POLICIES.get(mesh)
    if policies is None:
        policies = _POLICIES[mesh] = {}
    key = (main.host, client_ns, main.port, main.subset)
    if key not in policies:
        drs = dr_set(mesh, main.host, client_ns)
        service = registry_of(mesh).lookup(main.host, client_ns)
        rules = ", ".join(f"DestinationRule {r.namespace}/{r.name}" for r in drs.rules) if drs.rules else None
        policies[key] = (traffic_policy(drs, service, main.port, main.subset), rules, drs.scope)
    policy, rules, scope = policies[key]
    if rules:
        trace.add_fixed(table.memo, ("policy", rules, scope), "policy", lambda: {"rules": rules, "scope": scope})
    else:
        trace.add_fixed(table.memo, ("no_policy", main.host), "no_policy", lambda: {"host": main.host})
    setting = (policy.load_balancer or {}).get("localityLbSetting") if policy is not None else None
    if isinstance(setting, dict) and setting.get("enabled") is not False:
        _locality(mesh, proxy, main.cluster, trace)
    return policy


def _locality(mesh: Mesh, proxy: Proxy, cluster: str, trace: Trace) -> None:
    """Locality load balancing orders endpoints inside the cluster: the route stays; say whose locality counts."""
    picked = mesh.workloads.select(proxy.labels, proxy.namespace) if proxy.kind == "sidecar" else []
    found = next((loc for w in sorted(picked, key=lambda w: w.kind != "Pod") if (loc := workload_locality(mesh, w))), None)
    if found is None:
        trace.add("locality_unknown", cluster=cluster)
    else:
        trace.add("locality", cluster=cluster, locality=found.value, source=found.source)


# The policy of a destination per mesh: it depends on the host, the client namespace, the port and
# the subset only, and merging the DestinationRule layers cost more than the rest of a route() call.
_POLICIES: "weakref.WeakKeyDictionary[Mesh, dict[tuple, tuple[TrafficPolicy, str | None, str | None]]]" = (
    weakref.WeakKeyDictionary())


def _rewrite(chosen: Route, request: Request) -> Rewrite | None:
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
        if m.swaps_prefix:
            path = action.prefix_rewrite + path[len(m.value):]
        else:
            # exact and regex matches: Envoy swaps the whole matched path.
            path = action.prefix_rewrite
    uri = path + (f"?{request.query}" if request.query else "")
    return Rewrite(uri, action.authority_rewrite)


def _location(redirect: Redirect, request: Request, matched: Matcher | None = None) -> str:
    scheme = redirect.scheme or request.scheme
    hostport = redirect.authority or request.authority
    default = {"http": "80", "https": "443"}.get(scheme)
    if redirect.port is not None:
        # Envoy's port_redirect (an explicit port, or derivePort's listener port) is written as
        # given, default port included (replayed on real Envoy 1.40: port 80 → "http://h:80/y").
        hostport = f"{strip_port(hostport)}:{redirect.port}"
    else:
        host, colon, port = hostport.rpartition(":")
        if colon and host and port == default:
            hostport = host  # a Host header's :80 (http) or :443 (https) is left out
    path = redirect.uri if redirect.uri is not None else request.path
    if redirect.prefix_rewrite is not None and matched is not None and matched.swaps_prefix:
        path = redirect.prefix_rewrite + request.path[len(matched.value):]  # Envoy: the matched prefix is swapped
    if request.query and "?" not in path:
        path += f"?{request.query}"
    return f"{scheme}://{hostport}{path}"


def _merged_headers(action: RouteAction) -> HeaderChanges | None:
    """Route-level header operations, then those of its destination when it is the rule's only
    one (appended to the route's, in one Envoy header parser: route.go processDestination)."""
    if action.single_destination:
        return then(action.headers, action.destinations[0].headers, same_parser=True)
    return action.headers


def _served_headers(action: RouteAction, dest, request: Request) -> HeaderChanges | None:
    """A weighted destination's own operations then the rule's (Envoy evaluates a weighted
    cluster's header parser before its route's: replayed in tests/envoy/test_response_headers.py);
    None when it has none (the outcome's ``headers`` then say it all)."""
    if not action.weighted or dest.headers is None:
        return None
    return _finished(then(dest.headers, action.headers), action, request, None)


def _finished(headers: HeaderChanges | None, action: RouteAction, request: Request, trace: Trace | None) -> HeaderChanges | None:
    """The operations the caller sees: without ``server`` (the connection manager's), then the
    CORS filter's response headers, set last."""
    headers, server_changed = without_server(headers)
    if server_changed and trace is not None:
        trace.add("server_header")
    if action.kind == "route" and (changes := response_headers(action.cors, request)) is not None:
        headers = then(headers, changes)
    return headers
