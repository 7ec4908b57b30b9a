"""VirtualService http rule fields → normalised matches and actions of the route table.

One function per field group; each takes plain dicts (already schema-checked elsewhere) and
never raises on malformed values: it skips them and returns a note for the table.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from istio_notebook.config import durations
from istio_notebook.config.decimal import decimal_value
from istio_notebook.config.hosts import fqdn
from istio_notebook.config.matchers import Prefix, SegmentPrefix, from_istio
from istio_notebook.config.percent import istio_percent
from istio_notebook.routing.outcome import Abort, Cors, Delay, Fault, HeaderChanges, HeaderOps, OriginMatch
from istio_notebook.config.shape import items
from istio_notebook.routing.table import (
    DEFAULT_RETRY_ATTEMPTS,
    DEFAULT_RETRY_ON,
    Destination,
    HeaderMatch,
    Mirror,
    QueryMatch,
    Redirect,
    RetryPolicy,
    RouteAction,
    RouteMatch,
    cluster_name,
)

# Resolves a destination host (FQDN) to its port when none is given: (host, listener_port) -> port
PortResolver = Callable[[str, int], int | None]


def route_match(spec: dict | None, *, gateway_semantics: bool = False) -> RouteMatch:
    """HTTPMatchRequest → RouteMatch (pilot/pkg/networking/core/route/route.go TranslateRouteMatch).

    ``gateway_semantics`` (routes converted from Gateway API): a prefix other than "/" becomes
    Envoy's path_separated_prefix, its trailing "/" trimmed (route.go, UseGatewaySemantics)."""
    if not spec:
        return RouteMatch()
    path = from_istio(spec.get("uri"), ignore_case=bool(spec.get("ignoreUriCase"))) if spec.get("uri") else None
    if path is None or path.presence:
        path = Prefix("/", bool(spec.get("ignoreUriCase")))
    elif gateway_semantics and isinstance(path, Prefix) and path.value != "/":
        path = SegmentPrefix(path.value.removesuffix("/"), path.ignore_case)
    headers: list[HeaderMatch] = []
    for field, name in (("method", ":method"), ("authority", ":authority"), ("scheme", ":scheme")):
        m = from_istio(spec.get(field))
        if m is not None:
            headers.append(HeaderMatch(name, m))
    for field, invert in (("headers", False), ("withoutHeaders", True)):
        entries = spec.get(field)
        if isinstance(entries, dict):
            for name, value in entries.items():
                m = from_istio(value)
                if m is not None:
                    headers.append(HeaderMatch(str(name).lower(), m, invert, treat_missing_as_empty=invert))
    query: list[QueryMatch] = []
    if isinstance(spec.get("queryParams"), dict):
        for name, value in spec["queryParams"].items():
            m = from_istio(value)
            if m is not None:
                query.append(QueryMatch(str(name), m))
    return RouteMatch(path, tuple(headers), tuple(query))


def _pairs(spec: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in spec.items()} if isinstance(spec, dict) else {}


def _internal(name: str) -> bool:
    """A header Envoy will not let a route modify (``:``-prefixed, ``host``): istiod leaves it out
    of the header operations (route.go isInternalHeader, dropInternal at 1.30.3)."""
    return name.startswith(":") or name.lower() == "host"


def header_ops(spec: Any) -> HeaderChanges | None:
    """Headers {request|response: {set, add, remove}} → HeaderChanges (a side only when given),
    without the internal headers (a request ``host`` / ``:authority`` is a host rewrite instead:
    ``header_authority``)."""
    if not isinstance(spec, dict):
        return None
    sides: dict[str, HeaderOps] = {}
    for side in ("request", "response"):
        ops = spec.get(side)
        if isinstance(ops, dict):
            remove = [str(v) for v in items(ops.get("remove")) if isinstance(v, (str, int)) and not _internal(str(v))]
            kept = [{k: v for k, v in _pairs(ops.get(op)).items() if not _internal(k)} for op in ("set", "add")]
            sides[side] = HeaderOps.of(kept[0], kept[1], remove).effective()  # as one Envoy header parser applies them
    return HeaderChanges(**sides) if sides else None


def header_authority(spec: Any) -> str | None:
    """The authority a request ``set`` (else ``add``) of ``host`` or ``:authority`` asks for: istiod
    makes it the route's host rewrite unless ``rewrite.authority`` is given (route.go
    TranslateHeadersOperations, translateRoute at 1.30.3)."""
    request = spec.get("request") if isinstance(spec, dict) else None
    if not isinstance(request, dict):
        return None
    for op in ("set", "add"):
        found = [v for k, v in _pairs(request.get(op)).items() if k.lower() in ("host", ":authority")]
        if found:
            return found[-1]
    return None


def destinations(items: list, vs_namespace: str, listener_port: int, resolve_port: PortResolver) -> list[Destination]:
    """route[] → destinations with Istio's weights: one destination takes 100%; with several,
    weight-0 entries drop and the rest share in proportion (pilot/pkg/networking/core/route/route.go)."""
    parsed = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("destination"), dict):
            continue
        dest = item["destination"]
        if not isinstance(dest.get("host"), str):
            continue
        # An empty host stays empty: istiod's Destination{} for a Gateway API backend it refused
        # (cluster "outbound|<port>||", which never exists: the request fails).
        host = fqdn(dest["host"], vs_namespace, fold_case=True) if dest["host"].strip() else ""
        port_spec = dest.get("port")
        port = port_spec.get("number") if isinstance(port_spec, dict) else None
        if not isinstance(port, int) or isinstance(port, bool):
            port = resolve_port(host, listener_port)
        subset = dest.get("subset") if isinstance(dest.get("subset"), str) and dest.get("subset") else None
        weight = item.get("weight") if isinstance(item.get("weight"), int) and not isinstance(item.get("weight"), bool) else 0
        parsed.append((host, port, subset, weight, header_ops(item.get("headers")), index))
    if len(parsed) > 1:
        kept = [p for p in parsed if p[3] > 0]
        parsed = kept or parsed
    total = sum(p[3] for p in parsed)
    out = []
    for host, port, subset, weight, headers, index in parsed:
        share = 100.0 if len(parsed) == 1 else (100.0 * weight / total if total else 100.0 / len(parsed))
        out.append(Destination(host, port, subset, weight, round(share, 4), cluster_name(port, subset, host), headers, index))
    return out


def _mirror(dest: Any, percentage: float, vs_namespace: str, listener_port: int, resolve_port: PortResolver) -> Mirror | None:
    if not isinstance(dest, dict) or not isinstance(dest.get("host"), str):
        return None
    host = fqdn(dest["host"], vs_namespace, fold_case=True)
    port_spec = dest.get("port")
    port = port_spec.get("number") if isinstance(port_spec, dict) else None
    if not isinstance(port, int) or isinstance(port, bool):
        port = resolve_port(host, listener_port)
    subset = dest.get("subset") or None
    return Mirror(host, port, subset, cluster_name(port, subset, host), percentage)


def _legacy_mirror_share(rule: dict) -> float:
    """The share of ``mirror``: ``mirrorPercentage``, else the deprecated integer ``mirrorPercent``, else 100."""
    if isinstance(rule.get("mirrorPercentage"), dict):
        return _mirror_share(rule["mirrorPercentage"])
    legacy = rule.get("mirrorPercent", rule.get("mirror_percent"))
    if isinstance(legacy, int) and not isinstance(legacy, bool):
        return float(legacy)
    return 100.0


def _mirror_share(percentage: Any) -> float:
    """A mirror's ``Percent``: 100 when absent; a message without ``value`` is 0 (GetValue)."""
    return istio_percent(percentage, 0.0) if isinstance(percentage, dict) else 100.0


def _is_http_status(part: str) -> bool:
    return decimal_value(part) in _HTTP_STATUSES


_HTTP_STATUSES = frozenset(int(status) for status in HTTPStatus)


def retry_policy(spec: Any) -> RetryPolicy | None:
    """Istio's retry.ConvertPolicy (pilot/pkg/networking/core/route/retry/retry.go): no `retries`
    gives the default policy; `retries` without attempts (or attempts 0) disables retrying;
    numbers in retryOn become retriable status codes (and add `retriable-status-codes`)."""
    if not isinstance(spec, dict):
        return RetryPolicy(DEFAULT_RETRY_ATTEMPTS, None, DEFAULT_RETRY_ON)
    attempts = spec.get("attempts", 0)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts <= 0:
        return None
    retry_on, codes = DEFAULT_RETRY_ON, ()
    if isinstance(spec.get("retryOn"), str) and spec["retryOn"].strip():
        parts = [p.strip() for p in spec["retryOn"].split(",") if p.strip()]
        # parseRetryOn: a part is a status code when it is a known HTTP status.
        codes = tuple(int(p) for p in parts if _is_http_status(p))
        conditions = [p for p in parts if not _is_http_status(p)]
        if codes and "retriable-status-codes" not in conditions:
            conditions.append("retriable-status-codes")
        retry_on = ",".join(conditions)
    return RetryPolicy(attempts, durations.normalize(spec.get("perTryTimeout")), retry_on, codes)


def fault(spec: Any) -> Fault | None:
    """HTTPFaultInjection; an absent percentage leaves Envoy's FractionalPercent at 0: no request
    is affected (istio/istio pilot/pkg/networking/core/route/route.go TranslateFault)."""
    if not isinstance(spec, dict):
        return None
    delay = abort = None
    if isinstance(spec.get("delay"), dict):
        # The deprecated integer `percent` is not translated any more (route.go TranslateFault).
        spec_delay = spec["delay"]
        delay = Delay(durations.normalize(spec_delay.get("fixedDelay")), istio_percent(spec_delay.get("percentage"), 0.0))
    if isinstance(spec.get("abort"), dict):
        spec_abort = spec["abort"]
        share = istio_percent(spec_abort.get("percentage"), 0.0)
        if isinstance(spec_abort.get("httpStatus"), int):
            abort = Abort(share, http_status=spec_abort["httpStatus"])
        elif spec_abort.get("grpcStatus") is not None:
            abort = Abort(share, grpc_status=str(spec_abort["grpcStatus"]))
        else:
            abort = Abort(share)
    return Fault(delay, abort) if delay or abort else None


def cors(spec: Any) -> Cors | None:
    if not isinstance(spec, dict):
        return None
    origins = []
    for item in items(spec.get("allowOrigins")):
        m = from_istio(item)
        if m is not None:
            origins.append(OriginMatch(m.kind, m.value))
    for item in items(spec.get("allowOrigin")):  # deprecated exact list
        origins.append(OriginMatch("exact", str(item)))
    return Cors(
        allow_origins=tuple(origins),
        allow_methods=tuple(str(m) for m in items(spec.get("allowMethods"))),
        allow_headers=tuple(str(m) for m in items(spec.get("allowHeaders"))),
        expose_headers=tuple(str(m) for m in items(spec.get("exposeHeaders"))),
        max_age=durations.normalize(spec.get("maxAge")),
        allow_credentials=spec.get("allowCredentials") if isinstance(spec.get("allowCredentials"), bool) else None,
        forward_unmatched_preflights=spec.get("unmatchedPreflights") != "IGNORE",  # route.go forwardNotMatchingPreflights
    )


def _redirect_port(redirect: dict, listener_port: int, listener_tls: bool) -> int | None:
    """port_redirect as istiod writes it (pilot/pkg/networking/core/route/route.go)."""
    port = redirect.get("port")
    if redirect.get("derivePort") == "FROM_REQUEST_PORT":
        # "Envoy doesn't actually support deriving the port from the request dynamically ...
        # we can just use that port": port_redirect is the listener port.
        port = listener_port
    if not isinstance(port, int) or isinstance(port, bool):
        return None
    scheme = redirect.get("scheme") or ("https" if listener_tls else "http")
    # "Do not put explicit :80 or :443 when its http/https": istiod zeroes them.
    if (port, scheme) in ((80, "http"), (443, "https")):
        return None
    return port


def mirrors(rule: dict, vs_namespace: str, listener_port: int, resolve_port: PortResolver) -> list[Mirror]:
    """``mirror`` (with ``mirrorPercentage`` or the deprecated ``mirrorPercent``) and the ``mirrors``
    list, in that order. A mirror whose percentage is 0 is not written at all ("If zero percent is
    provided explicitly, we should not mirror": route.go MirrorPercent / MirrorPercentByPolicy, 1.30.3)."""
    found: list[Mirror | None] = []
    if isinstance(rule.get("mirror"), dict):
        found.append(_mirror(rule["mirror"], _legacy_mirror_share(rule), vs_namespace, listener_port, resolve_port))
    for item in items(rule.get("mirrors")):
        if isinstance(item, dict):
            found.append(_mirror(item.get("destination"), _mirror_share(item.get("percentage")), vs_namespace, listener_port, resolve_port))
    return [m for m in found if m and m.percentage > 0]


def _authority(rewrite: dict, rule: dict, route_items: list) -> str | None:
    """``rewrite.authority``, else the rule's request header authority, else (one destination)
    the destination's (route.go: a weighted destination's own authority is not modelled)."""
    if isinstance(rewrite.get("authority"), str) and rewrite["authority"]:
        return rewrite["authority"]
    found = header_authority(rule.get("headers"))
    if found is None and len(route_items) == 1 and isinstance(route_items[0], dict):
        found = header_authority(route_items[0].get("headers"))
    return found


def route_action(rule: dict, vs_namespace: str, listener_port: int, resolve_port: PortResolver,
                 listener_tls: bool = False) -> RouteAction | None:
    """One http rule → its action. None when the rule has nothing to do (validation reports it)."""
    headers = header_ops(rule.get("headers"))
    redirect = rule.get("redirect")
    if isinstance(redirect, dict):
        code = redirect.get("redirectCode")
        port = _redirect_port(redirect, listener_port, listener_tls)
        return RouteAction(
            "redirect",
            redirect=Redirect(
                uri=redirect.get("uri") if isinstance(redirect.get("uri"), str) else None,
                prefix_rewrite=redirect.get("prefixRewrite") if isinstance(redirect.get("prefixRewrite"), str) and redirect["prefixRewrite"] else None,
                authority=redirect.get("authority") if isinstance(redirect.get("authority"), str) else None,
                port=port,
                derive_port=redirect.get("derivePort") == "FROM_REQUEST_PORT",
                scheme=redirect.get("scheme") if isinstance(redirect.get("scheme"), str) else None,
                status=code if isinstance(code, int) and code in (301, 302, 303, 307, 308) else 301,
            ),
            headers=headers,
        )
    direct = rule.get("directResponse")
    if isinstance(direct, dict):
        body = direct.get("body")
        text = None
        if isinstance(body, dict):
            text = body.get("string") if isinstance(body.get("string"), str) else (str(body["bytes"]) if "bytes" in body else None)
        status = direct.get("status") if isinstance(direct.get("status"), int) else 200
        return RouteAction("direct_response", direct_status=status, direct_body=text, headers=headers)
    route_items = rule.get("route")
    if not isinstance(route_items, list) or not route_items:
        return None
    dests = destinations(route_items, vs_namespace, listener_port, resolve_port)
    if not dests:
        return None
    rewrite = rule.get("rewrite") if isinstance(rule.get("rewrite"), dict) else {}
    regex_rewrite = None
    rr = rule.get("rewrite", {}).get("uriRegexRewrite") if isinstance(rule.get("rewrite"), dict) else None
    if isinstance(rr, dict) and isinstance(rr.get("match"), str) and isinstance(rr.get("rewrite"), str):
        regex_rewrite = (rr["match"], rr["rewrite"])
    return RouteAction(
        "route",
        destinations=dests,
        prefix_rewrite=rewrite.get("uri") if isinstance(rewrite.get("uri"), str) else None,
        regex_rewrite=regex_rewrite,
        authority_rewrite=_authority(rewrite, rule, route_items),
        fault=fault(rule.get("fault")),
        timeout=durations.normalize(rule.get("timeout")),
        retries=retry_policy(rule.get("retries")),
        mirrors=mirrors(rule, vs_namespace, listener_port, resolve_port),
        headers=headers,
        cors=cors(rule.get("corsPolicy")),
        weighted=len(route_items) > 1,
    )
