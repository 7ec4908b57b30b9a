"""A table route → the Envoy route it becomes: matches, actions (route, redirect, direct response),
retries, faults, CORS, header operations; virtual hosts and route configurations.

The HTTP half of envoy/translate.py (which puts these route configurations in listeners, beside
the clusters and the bootstrap). Fields as istiod writes them: pilot/pkg/networking/core/route/
route.go (translateRoute, translateRouteMatch, translateHeaderMatch, translateFault,
translateCORSPolicy) and retry/retry.go.
"""

from __future__ import annotations

from istio_notebook.config.decimal import decimal_value
from istio_notebook.config.durations import format_envoy, seconds
from istio_notebook.config.percent import to_fractional as fractional
from istio_notebook.envoy import xds
from istio_notebook.gatewayapi import gateway_semantics
from istio_notebook.routing.outcome import Cors, Fault, HeaderChanges, HeaderOps
from istio_notebook.routing.table import (
    PASSTHROUGH_CLUSTER,
    HeaderMatch,
    Route,
    RouteAction,
    RouteConfig,
    VirtualHost,
)

_REDIRECT_CODES = {
    301: "MOVED_PERMANENTLY", 302: "FOUND", 303: "SEE_OTHER", 307: "TEMPORARY_REDIRECT", 308: "PERMANENT_REDIRECT",
}


def duration(value: str | None) -> str | None:
    """Table duration ("0.1s", "1e-05s") → Envoy JSON duration, None when unset."""
    return format_envoy(seconds(value)) if value else None


# -- matches -------------------------------------------------------------------------------------


def header_matcher(header: HeaderMatch) -> dict:
    out: dict = {"name": header.name}
    if header.match.presence:
        out["present_match"] = True
    else:
        out["string_match"] = header.match.envoy()
    if header.invert:
        out["invert_match"] = True
    if header.treat_missing_as_empty and not header.match.presence:
        out["treat_missing_header_as_empty"] = True
    return out


def route_match(route: Route) -> dict:
    match = route.match
    out = match.path.envoy_path()
    if match.headers:
        out["headers"] = [header_matcher(h) for h in match.headers]
    if match.query:
        out["query_parameters"] = [
            {"name": q.name, "present_match": True}
            if q.match.presence
            else {"name": q.name, "string_match": q.match.envoy()}
            for q in match.query
        ]
    return out


# -- actions -------------------------------------------------------------------------------------


def _header_options(ops: HeaderOps | None) -> tuple[list[dict], list[str]]:
    if not ops:
        return [], []
    add = [
        {"header": {"key": k, "value": v}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
        for k, v in ops.set
    ] + [
        {"header": {"key": k, "value": v}, "append_action": "APPEND_IF_EXISTS_OR_ADD"}
        for k, v in ops.add
    ]
    return add, list(ops.remove)


def _apply_headers(target: dict, headers: HeaderChanges | None) -> None:
    if headers is None:
        return
    for side, ops in (("request", headers.request), ("response", headers.response)):
        add, remove = _header_options(ops)
        if add:
            target.setdefault(f"{side}_headers_to_add", []).extend(add)
        if remove:
            target.setdefault(f"{side}_headers_to_remove", []).extend(remove)


def retry_policy(action: RouteAction) -> dict | None:
    retries = action.retries
    if retries is None:
        return None
    policy = {
        "retry_on": retries.retry_on,
        "num_retries": retries.attempts,
        "retry_host_predicate": [
            {
                "name": "envoy.retry_host_predicates.previous_hosts",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"
                },
            }
        ],
        "host_selection_retry_max_attempts": "5",
    }
    if retries.per_try_timeout:
        policy["per_try_timeout"] = duration(retries.per_try_timeout)
    # Status codes only when retryOn names some: Istio's default has none since 1.24
    # (pilot/pkg/networking/core/route/retry/retry.go, EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY).
    if retries.retriable_status_codes:
        policy["retriable_status_codes"] = list(retries.retriable_status_codes)
    return policy


def fault_config(fault: Fault) -> dict:
    out: dict = {"@type": xds.FAULT_TYPE}
    delay = fault.delay
    if delay and delay.fixed_delay:
        out["delay"] = {"fixed_delay": duration(delay.fixed_delay), "percentage": fractional(delay.percentage or 0)}
    abort = fault.abort
    if abort:
        entry: dict = {"percentage": fractional(abort.percentage or 0)}
        if abort.http_status is not None:
            entry["http_status"] = abort.http_status
        elif abort.grpc_status is not None:
            entry["grpc_status"] = _grpc_code(abort.grpc_status)
        out["abort"] = entry
    return out


_GRPC_CODES = [
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
]


def grpc_name(code: int) -> str:
    return _GRPC_CODES[code] if 0 <= code < len(_GRPC_CODES) else str(code)


def _grpc_code(value: str) -> int:
    text = str(value).upper()
    return number if (number := decimal_value(text)) is not None else (_GRPC_CODES.index(text) if text in _GRPC_CODES else 2)


def cors_policy(cors: Cors) -> dict:
    out: dict = {"@type": xds.CORS_POLICY_TYPE}
    origins = []
    for item in cors.allow_origins:
        if item.kind == "present":
            origins.append({"safe_regex": {"regex": ".*"}})
        elif item.kind == "regex":
            origins.append({"safe_regex": {"regex": item.value}})
        else:
            origins.append({item.kind: item.value})
    if origins:
        out["allow_origin_string_match"] = origins
    for key, values in (("allow_methods", cors.allow_methods), ("allow_headers", cors.allow_headers),
                        ("expose_headers", cors.expose_headers)):
        if values:
            out[key] = ",".join(values)
    if cors.max_age:
        secs = seconds(cors.max_age)
        if secs is not None:
            out["max_age"] = str(int(secs))
    if cors.allow_credentials is not None:
        out["allow_credentials"] = cors.allow_credentials
    return out | {"forward_not_matching_preflights": cors.forward_unmatched_preflights}  # Istio always writes it


def _route_body(action: RouteAction) -> dict:
    body: dict = {}
    destinations = action.destinations
    if action.single_destination:
        body["cluster"] = destinations[0].cluster
        # Istio moves a lone destination's header operations onto the route (route.go); a rule
        # with several route[] entries stays weighted_clusters, even with one left.
    else:
        body["weighted_clusters"] = {"clusters": []}
        for dest in destinations:
            entry: dict = {"name": dest.cluster, "weight": max(int(dest.weight), 0) or 1}
            _apply_headers(entry, dest.headers)
            body["weighted_clusters"]["clusters"].append(entry)
    # Istio: an unset timeout disables Envoy's 15 s default ("0s"); Istio also sets
    # max_grpc_timeout to the same value.
    timeout = duration(action.timeout) or "0s"
    body["timeout"] = timeout
    body["max_grpc_timeout"] = timeout
    if action.prefix_rewrite is not None:
        body["prefix_rewrite"] = action.prefix_rewrite
    if action.regex_rewrite is not None:
        pattern, substitution = action.regex_rewrite
        body["regex_rewrite"] = {"pattern": {"regex": pattern}, "substitution": substitution}
    if action.authority_rewrite is not None:
        body["host_rewrite_literal"] = action.authority_rewrite
    policy = retry_policy(action)
    if policy:
        body["retry_policy"] = policy
    if action.mirrors:
        body["request_mirror_policies"] = [
            {"cluster": m.cluster, "runtime_fraction": {"default_value": fractional(m.percentage)}, "trace_sampled": False}
            for m in action.mirrors
        ]
    return body


def _redirect(action: RouteAction) -> dict:
    redirect = action.redirect
    assert redirect is not None
    out: dict = {"response_code": _REDIRECT_CODES.get(redirect.status, "MOVED_PERMANENTLY")}
    if redirect.uri is not None:
        out["path_redirect"] = redirect.uri
    elif redirect.prefix_rewrite is not None:
        out["prefix_rewrite"] = redirect.prefix_rewrite
    if redirect.authority:
        out["host_redirect"] = redirect.authority
    if redirect.port:
        # Also for derivePort FROM_REQUEST_PORT (the listener port, as istiod writes it): Envoy
        # then omits the port only when it is the scheme's default (443 for https, 80 for http).
        out["port_redirect"] = redirect.port
    if redirect.scheme:
        out["scheme_redirect"] = redirect.scheme
    return out


def envoy_route(route: Route, name: str | None = None) -> dict:
    action = route.action
    out: dict = {"match": route_match(route)}
    if name or route.name:
        out["name"] = name or route.name
    origin = route.origin
    if origin.virtual_service:
        namespace, _, vs_name = origin.virtual_service.partition("/")
        # Istio's route metadata names the VirtualService the route came from.
        out["metadata"] = {
            "filter_metadata": {
                "istio": {"config": f"/apis/networking.istio.io/v1/namespaces/{namespace}/virtual-service/{vs_name}"}
            }
        }
    if action.kind == "route":
        out["route"] = _route_body(action)
        if gateway_semantics(origin.source):
            # Gateway API: an unknown backend answers 500, not 503 (route.go applyHTTPRouteDestination).
            out["route"]["cluster_not_found_response_code"] = "INTERNAL_SERVER_ERROR"
    elif action.kind == "redirect":
        out["redirect"] = _redirect(action)
    elif action.kind == "direct_response":
        response: dict = {"status": action.direct_status or 200}
        if action.direct_body is not None:
            response["body"] = {"inline_string": action.direct_body}
        out["direct_response"] = response
    elif action.kind == "passthrough":
        out["route"] = {"cluster": PASSTHROUGH_CLUSTER, "timeout": "0s", "max_grpc_timeout": "0s"}
    elif action.kind == "blackhole":
        # REGISTRY_ONLY: istiod answers unknown hosts itself with 502 (httproute.go, block_all).
        out["direct_response"] = {"status": action.direct_status or 502}
    else:
        raise ValueError(f"unknown route action {action.kind!r}")
    _apply_headers(out, action.headers)
    if action.kind == "route" and action.single_destination:
        _apply_headers(out, action.destinations[0].headers)
    per_filter: dict = {}
    if action.fault:
        per_filter["envoy.filters.http.fault"] = fault_config(action.fault)
    if action.cors:
        per_filter["envoy.filters.http.cors"] = cors_policy(action.cors)
    if per_filter:
        out["typed_per_filter_config"] = per_filter
    return out


# -- route configurations, listeners, clusters ---------------------------------------------------


def catch_all_virtual_host(fallback: str) -> dict:
    """Sidecar's last virtual host for hosts no service claims (httproute.go BuildCatchAllVirtualHost)."""
    if fallback == "passthrough":
        return {
            "name": "allow_any",
            "domains": ["*"],
            "routes": [
                {
                    "name": "allow_any",
                    "match": {"prefix": "/"},
                    "route": {"cluster": PASSTHROUGH_CLUSTER, "timeout": "0s", "max_grpc_timeout": "0s"},
                }
            ],
            "include_request_attempt_count": True,
        }
    return {
        "name": "block_all",
        "domains": ["*"],
        "routes": [{"name": "block_all", "match": {"prefix": "/"}, "direct_response": {"status": 502}}],
        "include_request_attempt_count": True,
    }


def virtual_host(vhost: VirtualHost, route_names: list[str] | None = None) -> dict:
    out = {
        "name": vhost.name,
        "domains": list(vhost.domains),
        "routes": [
            envoy_route(route, route_names[i] if route_names else None) for i, route in enumerate(vhost.routes)
        ],
        "include_request_attempt_count": True,
    }
    if vhost.require_tls:
        out["require_tls"] = "ALL"
    return out


def route_configuration(config: RouteConfig, fallback: str | None, run_names: bool = False) -> dict:
    hosts = []
    for v_index, vhost in enumerate(config.virtual_hosts):
        position = config.vhost_positions[v_index] if config.vhost_positions else v_index
        names = [route_id(config.name, position, r_index) for r_index in range(len(vhost.routes))] if run_names else None
        hosts.append(virtual_host(vhost, names))
    if fallback and not any("*" in v["domains"] for v in hosts):
        hosts.append(catch_all_virtual_host(fallback))
    out = {"name": config.name, "virtual_hosts": hosts, "validate_clusters": False}
    if config.ignore_port_in_host_matching:
        out["ignore_port_in_host_matching"] = True
    return out


def route_id(config_name: str, vhost_index: int, route_index: int) -> str:
    """Run form route name: which table route Envoy chose, read back from %ROUTE_NAME%."""
    return f"inb|{config_name}|{vhost_index}|{route_index}"
