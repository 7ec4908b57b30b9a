"""EnvoyFilter basics: ValidateEnvoyFilter in istio/istio pkg/config/validation/envoyfilter/envoyfilter.go.

The patch value is free-form Envoy configuration; it is not decoded here (that needs Envoy's
own protos), only the structure Istio checks before that.
"""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import Findings, fields, items, present
from istio_notebook.analysis.validation.selectors import check_workload_selector
from istio_notebook.analysis.validation.values import regex_error

_LISTENER_CLASS = {"LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER"}
_ROUTE_CLASS = {"ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE"}
_HCM_NAMES = {"envoy.filters.network.http_connection_manager", "envoy.http_connection_manager"}
_MAX_PROXY_VERSION = 1024


def check(spec: dict, found: Findings) -> None:
    if present(spec, "workloadSelector") and items(spec.get("targetRefs")):
        found.error(("spec", "targetRefs"), "only one of targetRefs or workloadSelector can be set")  # CRD rule
    if present(spec, "workloadSelector"):
        check_workload_selector(spec["workloadSelector"], ("spec", "workloadSelector"), found, labels_field="labels")
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
    if version and len(version) <= _MAX_PROXY_VERSION:
        problem = regex_error(version, "proxyVersion")
        if problem:
            found.error(at + ("match", "proxy", "proxyVersion"), f"Envoy filter: invalid regex for proxy version, [{problem}]")
            return
    where = at + ("match",)
    has_object = any(present(match, key) for key in ("listener", "routeConfiguration", "cluster", "waypoint"))
    if apply_to in _LISTENER_CLASS and has_object:
        if not present(match, "listener"):
            found.error(where, "Envoy filter: applyTo for listener class objects cannot have non listener match")
            return
        _check_filter_match(
            apply_to,
            fields(fields(match["listener"].get("filterChain")).get("filter")),
            where + ("listener", "filterChain", "filter"),
            found,
        )
    elif apply_to in _ROUTE_CLASS and has_object and not present(match, "routeConfiguration"):
        found.error(where, "Envoy filter: applyTo for http route class objects cannot have non route configuration match")
    elif apply_to == "CLUSTER" and has_object and not present(match, "cluster"):
        found.error(where, "Envoy filter: applyTo for cluster class objects cannot have non cluster match")


def _check_filter_match(apply_to: str, filter_match: dict, at: tuple, found: Findings) -> None:
    if not filter_match:
        return
    if not filter_match.get("name"):
        found.error(at, "Envoy filter: filter match has no name to match on")
        return
    sub = filter_match.get("subFilter")
    if sub is None:
        return
    if apply_to != "HTTP_FILTER":
        found.error(at + ("subFilter",), "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only")
    elif filter_match["name"] not in _HCM_NAMES:
        found.error(
            at + ("subFilter",), "Envoy filter: subfilter match requires filter match with envoy.filters.network.http_connection_manager"
        )
    elif not sub.get("name"):
        found.error(at + ("subFilter",), "Envoy filter: subfilter match has no name to match on")
