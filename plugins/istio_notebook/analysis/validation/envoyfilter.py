"""EnvoyFilter basics: ValidateEnvoyFilter in istio/istio pkg/config/validation/envoyfilter/envoyfilter.go.

The patch value is free-form Envoy configuration; it is not decoded here (that needs Envoy's
own protos), only the structure Istio checks before that.
"""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import Findings, fields, items, present
from istio_notebook.analysis.validation.selectors import (
    check_workload_selector,
    warn_selector_without_labels,
)
from istio_notebook.analysis.validation.values import regex_parse_error

_LISTENER_CLASS = {"LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER"}
_ROUTE_CLASS = {"ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE"}
_HCM_NAMES = {"envoy.filters.network.http_connection_manager", "envoy.http_connection_manager"}
_MAX_PROXY_VERSION = 1024
_EXPOSES_INTERNALS = (
    "EnvoyFilter exposes internal implementation details that may change at any time. "
    "Prefer other APIs if possible, and exercise extreme caution, especially around upgrades."
)
# Deprecated filter names and their canonical ones: ReverseDeprecatedFilterNames (pkg/config/xds/deprecated.go,
# names from pkg/wellknown). "envoy.ext_authz" is the old name of both ext_authz filters; Go's map inversion picks
# either at random, here the one of the level matched (network filter, or HTTP filter as a subFilter).
_DEPRECATED_FILTER_NAMES = {
    "envoy.buffer": "envoy.filters.http.buffer",
    "envoy.cors": "envoy.filters.http.cors",
    "envoy.csrf": "envoy.filters.http.csrf",
    "envoy.http_dynamo_filter": "envoy.filters.http.dynamo",
    "envoy.fault": "envoy.filters.http.fault",
    "envoy.grpc_http1_bridge": "envoy.filters.http.grpc_http1_bridge",
    "envoy.grpc_json_transcoder": "envoy.filters.http.grpc_json_transcoder",
    "envoy.grpc_web": "envoy.filters.http.grpc_web",
    "envoy.gzip": "envoy.filters.http.gzip",
    "envoy.health_check": "envoy.filters.http.health_check",
    "envoy.ip_tagging": "envoy.filters.http.ip_tagging",
    "envoy.lua": "envoy.filters.http.lua",
    "envoy.rate_limit": "envoy.filters.http.ratelimit",
    "envoy.router": "envoy.filters.http.router",
    "envoy.squash": "envoy.filters.http.squash",
    "envoy.listener.http_inspector": "envoy.filters.listener.http_inspector",
    "envoy.listener.original_dst": "envoy.filters.listener.original_dst",
    "envoy.listener.original_src": "envoy.filters.listener.original_src",
    "envoy.listener.proxy_protocol": "envoy.filters.listener.proxy_protocol",
    "envoy.listener.tls_inspector": "envoy.filters.listener.tls_inspector",
    "envoy.client_ssl_auth": "envoy.filters.network.client_ssl_auth",
    "envoy.http_connection_manager": "envoy.filters.network.http_connection_manager",
    "envoy.mongo_proxy": "envoy.filters.network.mongo_proxy",
    "envoy.ratelimit": "envoy.filters.network.ratelimit",
    "envoy.redis_proxy": "envoy.filters.network.redis_proxy",
    "envoy.tcp_proxy": "envoy.filters.network.tcp_proxy",
}


def check(spec: dict, found: Findings) -> None:
    if present(spec, "workloadSelector") and items(spec.get("targetRefs")):
        found.error(("spec", "targetRefs"), "only one of targetRefs or workloadSelector can be set")  # CRD rule
    before = len(found.diagnostics)
    if present(spec, "workloadSelector"):
        check_workload_selector(spec["workloadSelector"], ("spec", "workloadSelector"), found, labels_field="labels")
    # Istio warns about every EnvoyFilter (EF:50-51), unless the selector's labels are invalid: that error is then
    # returned alone, without the warnings and without checking the patches (EF:61-64).
    if len(found.diagnostics) > before:
        return
    found.warning(("spec",), _EXPOSES_INTERNALS)
    warn_selector_without_labels(
        spec.get("workloadSelector"),
        ("spec", "workloadSelector"),
        found,
        labels_field="labels",
        template="Envoy filter: {}, will be applied to all services in namespace",  # EF:67-69
    )
    for index, patch_entry in enumerate(items(spec.get("configPatches"))):
        _check_patch(patch_entry, ("spec", "configPatches", index), found)


def _check_patch(entry: dict, at: tuple, found: Findings) -> None:
    match = fields(entry.get("match"))
    if (match.get("context") == "WAYPOINT") != present(match, "waypoint"):
        found.error(at + ("match",), "only support waypointMatch when context is WAYPOINT")  # CRD rule (envoy_filter.proto)
    if match.get("context") == "WAYPOINT":
        return
    apply_to = entry.get("applyTo") or "INVALID"
    patch = entry.get("patch")
    if apply_to == "INVALID":
        found.error(at + ("applyTo",), "Envoy filter: missing applyTo")
        return
    if patch is None:
        found.error(at, "Envoy filter: missing patch")
        return
    operation = patch.get("operation") or "INVALID"
    if operation == "INVALID":
        found.error(at + ("patch", "operation"), "Envoy filter: missing patch operation")
        return
    if operation != "REMOVE" and patch.get("value") is None:
        found.error(at + ("patch",), "Envoy filter: missing patch value for non-remove operation")
        return
    version = fields(match.get("proxy")).get("proxyVersion") or ""
    if version and len(version) > _MAX_PROXY_VERSION:
        # release-1.30 (d965b23, after 1.30.3): not compiled, warned about; istiod ignores the match.
        found.warning(
            at + ("match", "proxy", "proxyVersion"),
            f"Envoy filter: proxyVersion match exceeds {_MAX_PROXY_VERSION} characters and will be ignored",
        )
    elif version:
        problem = regex_parse_error(version)  # plain regexp.Compile here: no field name, no RE2 hint
        if problem:
            found.error(at + ("match", "proxy", "proxyVersion"), f"Envoy filter: invalid regex for proxy version, [{problem}]")
            return
    where = at + ("match",)
    has_object = any(present(match, key) for key in ("listener", "routeConfiguration", "cluster", "waypoint"))
    if apply_to in _LISTENER_CLASS and has_object:
        if not present(match, "listener"):
            found.error(where, "Envoy filter: applyTo for listener class objects cannot have non listener match")
            return
        filter_chain = fields(match["listener"].get("filterChain"))
        at_filter = where + ("listener", "filterChain", "filter")
        if present(filter_chain, "filter") and apply_to in ("LISTENER", "FILTER_CHAIN"):
            # An error in principle, a warning for backwards compatibility (EF:126-131).
            found.warning(at_filter, f"Envoy filter: filter match has no effect when used with {apply_to}")
        if present(filter_chain, "filter"):  # `filter: {}` is set (Filter != nil) and has no name
            _check_filter_match(apply_to, fields(filter_chain["filter"]), at_filter, found)
    elif apply_to in _ROUTE_CLASS and has_object and not present(match, "routeConfiguration"):
        found.error(where, "Envoy filter: applyTo for http route class objects cannot have non route configuration match")
    elif apply_to == "CLUSTER" and has_object and not present(match, "cluster"):
        found.error(where, "Envoy filter: applyTo for cluster class objects cannot have non cluster match")


def _check_filter_match(apply_to: str, filter_match: dict, at: tuple, found: Findings) -> None:
    if not filter_match.get("name"):
        found.error(at, "Envoy filter: filter match has no name to match on")
        return
    sub = filter_match.get("subFilter")
    if sub is not None:
        if apply_to != "HTTP_FILTER":
            found.error(at + ("subFilter",), "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only")
            return
        if filter_match["name"] not in _HCM_NAMES:
            found.error(
                at + ("subFilter",),
                "Envoy filter: subfilter match requires filter match with envoy.filters.network.http_connection_manager",
            )
            return
        if not sub.get("name"):
            found.error(at + ("subFilter",), "Envoy filter: subfilter match has no name to match on")
            return
    _warn_deprecated_name(filter_match["name"], "envoy.filters.network.ext_authz", at + ("name",), found)
    if sub is not None:
        _warn_deprecated_name(sub["name"], "envoy.filters.http.ext_authz", at + ("subFilter", "name"), found)


def _warn_deprecated_name(name: str, ext_authz: str, at: tuple, found: Findings) -> None:
    """validateListenerMatchName (EF:204-206), for the filter and the subFilter names once the match is well formed."""
    new_name = ext_authz if name == "envoy.ext_authz" else _DEPRECATED_FILTER_NAMES.get(name)
    if new_name:
        found.warning(at, f'using deprecated filter name "{name}"; use "{new_name}" instead')
