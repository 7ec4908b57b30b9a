"""VirtualService rules, as istio/istio pkg/config/validation/validation.go (ValidateVirtualService)
and virtualservice.go (validateHTTPRoute) check them."""

from __future__ import annotations

import base64

from istio_notebook.config.decimal import decimal_value
from istio_notebook.config.hosts import host_subset_of, hosts_overlap
from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.destinations import (
    check_destination,
    check_header_operations,
    check_weights,
)
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.hosts import (
    ip_subnet_error,
    is_dns1123_label,
    is_ip,
    wildcard_domain_error,
)
from istio_notebook.config.models.base import duration_nanos

_CORS_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"}
_RETRY_ON = {
    "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
    "retriable-status-codes", "retriable-headers", "envoy-ratelimited", "http3-post-connect-failure",
    "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
}  # fmt: skip
_GRPC_STATUS = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}  # fmt: skip
_HTTP_STATUS_TEXT = {  # net/http StatusText: the numeric retryOn entries Istio accepts
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
    400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
    424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
}  # fmt: skip
_DIRECT_RESPONSE_MAX = 1024 * 1024
_DIRECT_RESPONSE_WARN = 100 * 1024


def check(spec: dict, found: Findings) -> None:
    hosts = items(spec.get("hosts"))
    gateways = items(spec.get("gateways"))
    at = ("spec",)
    delegate = not hosts
    if delegate:
        for name in ("gateways", "tls", "tcp"):
            if items(spec.get(name)):
                found.error(at + (name,), f"delegate virtual service must have no {_delegate_word(name)} specified")
    applies_to_gateway = any(g != "mesh" for g in gateways)
    applies_to_mesh = not gateways or not applies_to_gateway
    found.item_errors(at + ("gateways",), values.gateway_names_errors(gateways))
    _warn_legacy_gateway_name(gateways, at + ("gateways",), found)
    if not applies_to_gateway:
        _check_claim_routes(spec, gateways, found)

    all_valid = True
    for index, host in enumerate(hosts):
        problem = wildcard_domain_error(host)
        if problem and not is_ip(host):
            found.error(at + ("hosts", index), problem)
            all_valid = False
        elif not problem and applies_to_mesh and host == "*":
            found.error(at + ("hosts", index), "wildcard host * is not allowed for virtual services bound to the mesh gateway")
            all_valid = False
    if all_valid:
        for i, j in _overlapping_hosts(hosts):
            found.error(at + ("hosts", j), f"duplicate hosts in virtual service: {hosts[i]} & {hosts[j]}")

    http, tls, tcp = items(spec.get("http")), items(spec.get("tls")), items(spec.get("tcp"))
    if not (http or tls or tcp):
        found.error(at, "http, tcp or tls must be provided in virtual service")
    for index, route in enumerate(http):
        check_http_route(route, at + ("http", index), found, delegate)
    for index, route in enumerate(tls):
        _check_tls_route(route, at + ("tls", index), found, hosts, applies_to_gateway)
    for index, route in enumerate(tcp):
        _check_tcp_route(route, at + ("tcp", index), found)
    found.item_errors(at + ("exportTo",), values.export_to_errors(found.namespace, items(spec.get("exportTo"))))


def _overlapping_hosts(hosts: list[str]) -> list[tuple[int, int]]:
    """Index pairs (i < j) of hosts that overlap. Istio compares every pair; exact names are
    matched through a dict here and only wildcards against all, so a long list stays cheap."""
    pairs: set[tuple[int, int]] = set()
    first_seen: dict[str, int] = {}
    for index, host in enumerate(hosts):
        if not host.startswith("*"):
            if host in first_seen:
                pairs.add((first_seen[host], index))
            else:
                first_seen[host] = index
    for i, wildcard in enumerate(hosts):
        if wildcard.startswith("*"):
            pairs.update((min(i, j), max(i, j)) for j, other in enumerate(hosts) if j != i and hosts_overlap(wildcard, other))
    return sorted(pairs)


def _warn_legacy_gateway_name(names: list, at: Path, found: Findings) -> None:
    """validateGatewayNames warns about ``name.namespace`` references (validation.go:2385). It returns
    after the first name without a "/" (``mesh`` included), so only that name can warn. Istio drops
    this warning for HTTP and TCP match gateways (appendErrors), so only spec.gateways and TLS match
    gateways call this."""
    for index, name in enumerate(names):
        if "/" in name:
            continue
        if "." in name:
            parts = name.split(".")
            recommended = f"{parts[1]}/{parts[0]}"
            found.warning(
                at + (index,),
                f"using legacy gatewayName format {values.go_quote(name)}; prefer the <namespace>/<name> format: {values.go_quote(recommended)}",
            )
        return


def _delegate_word(name: str) -> str:
    return {"gateways": "gateways", "tls": "tls route", "tcp": "tcp route"}[name]


def _check_claim_routes(spec: dict, gateways: list, found: Findings) -> None:
    for r, route in enumerate(items(spec.get("http"))):
        for m, match in enumerate(items(route.get("match"))):
            for field in ("headers", "withoutHeaders"):
                for key in entries(match.get(field)):
                    if values.is_routing_claim(key):
                        found.error(
                            ("spec", "http", r, "match", m, field, key),
                            f"JWT claim based routing (key: {key}) is only supported for gateway, found no gateways: {gateways}",
                        )


def check_http_route(route: dict, at: Path, found: Findings, delegate: bool) -> None:
    _check_conflicts(route, at, found, delegate)
    _check_matches(route, at, found)
    check_header_operations(route.get("headers"), at + ("headers",), found)
    if present(route, "corsPolicy"):
        _check_cors(route["corsPolicy"], at + ("corsPolicy",), found)
    if present(route, "fault"):
        _check_fault(route["fault"], at + ("fault",), found)
    for field in ("mirrorPercent", "mirror_percent"):  # mirror_percent: the CRD's altName
        if present(route, field) and route[field] > 100:
            found.error(at + (field,), f"mirror_percent must have a max value of 100 (it has {route[field]})")
        if present(route, field):  # virtualservice.go:86
            found.warning(at + (field,), 'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead')
    if present(route, "mirrorPercentage"):
        value = fields(route["mirrorPercentage"]).get("value") or 0
        if value > 100:
            found.error(at + ("mirrorPercentage", "value"), f"mirror_percentage must have a max value of 100 (it has {value:f})")
        if value < 0:
            found.error(at + ("mirrorPercentage", "value"), f"mirror_percentage must have a min value of 0 (it has {value:f})")
    if present(route, "mirror"):
        check_destination(route["mirror"], at + ("mirror",), found)
    for index, mirror in enumerate(items(route.get("mirrors"))):
        where = at + ("mirrors", index)
        check_destination(fields(mirror.get("destination")), where + ("destination",), found)
        value = fields(mirror.get("percentage")).get("value") or 0
        if value > 100:
            found.error(where + ("percentage", "value"), f"mirror percentage must have a max value of 100 (it has {value:f})")
        if value < 0:
            found.error(where + ("percentage", "value"), f"mirror percentage must have a min value of 0 (it has {value:f})")
    if present(route, "redirect"):
        _check_redirect(route["redirect"], items(route.get("match")), at + ("redirect",), found)
    if present(route, "directResponse"):
        _check_direct_response(route["directResponse"], at + ("directResponse",), found)
    if present(route, "retries"):
        _check_retries(route["retries"], at + ("retries",), found)
    if present(route, "rewrite"):
        _check_rewrite(route["rewrite"], at + ("rewrite",), found)
    _check_authority_rewrite(route, at, found)
    check_weights(items(route.get("route")), at + ("route",), found, http=True)
    if present(route, "timeout"):
        found.errors(at + ("timeout",), [values.duration_error(route["timeout"])])


def _check_conflicts(route: dict, at: Path, found: Findings, delegate: bool) -> None:
    name = route.get("name") or ""
    has = {key: present(route, key) for key in ("redirect", "fault", "rewrite", "directResponse", "delegate", "mirror")}
    routes = items(route.get("route"))
    if has["delegate"] and not delegate:  # a root rule hands the request to another VirtualService
        if has["redirect"]:
            found.error(at + ("redirect",), f"root HTTP route {name} must not specify redirect")
        if route.get("route") is not None:
            found.error(at + ("route",), f"root HTTP route {name} must not specify route")
        return
    if delegate and has["delegate"]:
        found.error(at + ("delegate",), "delegate HTTP route cannot contain delegate")
    if has["redirect"]:
        if routes:
            found.error(at + ("route",), "HTTP route cannot contain both route and redirect")
        if has["fault"]:
            found.error(at + ("fault",), "HTTP route cannot contain both fault and redirect")
        if has["rewrite"]:
            found.error(at + ("rewrite",), "HTTP route rule cannot contain both rewrite and redirect")
        if has["directResponse"]:
            found.error(at + ("directResponse",), "HTTP route rule cannot contain both direct_response and redirect")
    elif has["directResponse"]:
        if routes:
            found.error(at + ("route",), "HTTP route cannot contain both route and direct_response")
        if has["fault"]:
            found.error(at + ("fault",), "HTTP route cannot contain both fault and direct_response")
        if has["rewrite"]:
            found.error(at + ("rewrite",), "HTTP route rule cannot contain both rewrite and direct_response")
    elif not routes:
        found.error(at, "HTTP route, redirect or direct_response is required")
    if has["mirror"] and items(route.get("mirrors")):
        found.error(at + ("mirrors",), "HTTP route cannot contain both mirror and mirrors")


def _string_match_error(match: dict, where: str) -> str | None:
    """validateStringMatch: a prefix must not be empty; a regex must compile."""
    if "prefix" in match and match["prefix"] is not None and match["prefix"] == "":
        return f"{values.go_quote(where)}: prefix string match should not be empty"
    return _regex_match_error(match, where)


def _regex_match_error(match: dict, where: str) -> str | None:
    if match.get("regex") is None:
        return None
    if match["regex"] == "":
        return f"{values.go_quote(where)}: regex string match should not be empty"
    return values.regex_error(match["regex"], where)


def _check_matches(route: dict, at: Path, found: Findings) -> None:
    for index, match in enumerate(items(route.get("match"))):
        where = at + ("match", index)
        for name, header in entries(match.get("headers")).items():
            found.errors(where + ("headers", name), [values.header_name_error(name), _string_match_error(header, "headers")])
        for name, header in entries(match.get("withoutHeaders")).items():
            problems = [values.header_name_error(name)]
            if header.get("regex") != "*":
                problems.append(_string_match_error(header, "withoutHeaders"))
            found.errors(where + ("withoutHeaders", name), problems)
        if present(match, "uri"):
            found.errors(where + ("uri",), [_regex_match_error(match["uri"], "uri")])
        for field in ("scheme", "method", "authority"):
            if present(match, field):
                found.errors(where + (field,), [_string_match_error(match[field], field)])
        for name, param in entries(match.get("queryParams")).items():
            found.errors(where + ("queryParams", name), [_string_match_error(param, "queryParams")])
        _check_l4_match_fields(match, where, found)
        namespace = match.get("sourceNamespace")
        if namespace and not is_dns1123_label(namespace):
            found.error(where + ("sourceNamespace",), f"sourceNamespace match {namespace} is invalid")


def _check_l4_match_fields(match: dict, where: Path, found: Findings) -> None:
    """port, sourceLabels and gateways: the same rules for HTTP, TLS and TCP matches."""
    if match.get("port"):
        found.errors(where + ("port",), [values.port_error(match["port"])])
    found.errors(where + ("sourceLabels",), values.label_errors(entries(match.get("sourceLabels"))))
    found.item_errors(where + ("gateways",), values.gateway_names_errors(items(match.get("gateways"))))


def _check_cors(policy: dict, at: Path, found: Findings) -> None:
    for index, origin in enumerate(items(policy.get("allowOrigins"))):
        where = at + ("allowOrigins", index)
        value = origin.get("exact") or origin.get("prefix") or origin.get("regex") or ""
        if not value:
            found.error(where, f"'{value}' is not a valid match type for CORS allow origins")
        else:
            found.errors(where, [_regex_match_error(origin, "corsPolicy.allowOrigins")])
    for index, method in enumerate(items(policy.get("allowMethods"))):
        if method not in _CORS_METHODS:
            found.error(at + ("allowMethods", index), f"{values.go_quote(method)} is not a supported HTTP method")
    for field in ("allowHeaders", "exposeHeaders"):
        for index, name in enumerate(items(policy.get(field))):
            found.errors(at + (field, index), [values.cors_header_name_error(name)])
    if present(policy, "maxAge"):
        max_age = policy["maxAge"]
        found.errors(at + ("maxAge",), [values.duration_error(max_age)])
        nanos = duration_nanos(max_age) or 0
        if nanos % 1_000_000_000:
            found.error(at + ("maxAge",), "max_age duration is accurate only to seconds precision")


def _check_fault(fault: dict, at: Path, found: Findings) -> None:
    if not present(fault, "abort") and not present(fault, "delay"):
        found.error(at, "HTTP fault injection must have an abort and/or a delay")
    abort, delay = fields(fault.get("abort")), fields(fault.get("delay"))
    if present(fault, "abort"):
        if present(abort, "percentage"):
            found.errors(at + ("abort", "percentage", "value"), [values.percentage_error(abort["percentage"].get("value") or 0)])
        if present(abort, "grpcStatus"):
            if abort["grpcStatus"] not in _GRPC_STATUS:
                found.error(
                    at + ("abort", "grpcStatus"),
                    f"gRPC status {values.go_quote(abort['grpcStatus'])} is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md "
                    "for a list of supported codes, for example 'NOT_FOUND'",
                )
        elif present(abort, "http2Error"):
            found.error(at + ("abort", "http2Error"), "HTTP/2 abort fault injection not supported yet")
        elif present(abort, "httpStatus"):
            found.errors(at + ("abort", "httpStatus"), [_http_status_error(abort["httpStatus"])])
    if present(fault, "delay"):
        if present(delay, "percentage"):
            found.errors(at + ("delay", "percentage", "value"), [values.percentage_error(delay["percentage"].get("value") or 0)])
        if present(delay, "percent"):
            found.errors(at + ("delay", "percent"), [values.percent_error(delay["percent"])])
        if present(delay, "fixedDelay"):
            found.errors(at + ("delay", "fixedDelay"), [values.duration_error(delay["fixedDelay"])])
        elif present(delay, "exponentialDelay"):
            found.errors(
                at + ("delay", "exponentialDelay"), [values.duration_error(delay["exponentialDelay"]), "exponentialDelay not supported yet"]
            )


def _http_status_error(status: int) -> str | None:
    # Istio accepts 200..600 although its message says 599.
    return None if 200 <= status <= 600 else f"HTTP status {status} is not in range 200-599"


def _check_redirect(redirect: dict, matches: list, at: Path, found: Findings) -> None:
    # validateHTTPRedirect (istio 1.30 pkg/config/validation/validation.go).
    port_set = present(redirect, "port") or present(redirect, "derivePort")
    if not (redirect.get("uri") or redirect.get("authority") or port_set or redirect.get("scheme")):
        found.error(at, "redirect must specify URI, authority, scheme, or port")
        return
    code = redirect.get("redirectCode") or 0
    if code and not 300 <= code <= 399:
        found.error(at + ("redirectCode",), f"{code} is not a valid redirect code, must be 3xx")
        return
    scheme = redirect.get("scheme") or ""
    if scheme and scheme not in ("http", "https"):
        found.error(at + ("scheme",), 'invalid redirect scheme, must be "http" or "https"')
        return
    if redirect.get("port"):
        found.errors(at + ("port",), [values.port_error(redirect["port"])])


def _check_direct_response(response: dict, at: Path, found: Findings) -> None:
    size = _body_size(fields(response.get("body")))
    if size > _DIRECT_RESPONSE_MAX:
        found.error(at + ("body",), "large direct_responses may impact control plane performance, must be less than 1MB")
    elif size > _DIRECT_RESPONSE_WARN:  # validation.go:2719: accepted, with a warning
        found.warning(at + ("body",), "large direct_responses may impact control plane performance")
    found.errors(at + ("status",), [_http_status_error(response.get("status") or 0)])


def _body_size(body: dict) -> int:
    """Bytes Istio counts: the UTF-8 string, or the decoded bytes (YAML/JSON carry them in base64)."""
    if body.get("string") is not None:
        return len(body["string"].encode())
    encoded = body.get("bytes") or ""
    padded = encoded + "=" * (-len(encoded) % 4)
    try:  # protojson accepts standard and URL-safe base64, padded or not
        return len(base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True))
    except ValueError:
        return len(encoded)


def _check_retries(retries: dict, at: Path, found: Findings) -> None:
    attempts = retries.get("attempts") or 0
    if attempts < 0:
        found.error(at + ("attempts",), "attempts cannot be negative")
    if attempts == 0 and (present(retries, "perTryTimeout") or retries.get("retryOn") or present(retries, "retryRemoteLocalities")):
        found.error(at + ("attempts",), "http retry policy configured when attempts are set to 0 (disabled)")
    if present(retries, "perTryTimeout"):
        found.errors(at + ("perTryTimeout",), [values.duration_error(retries["perTryTimeout"])])
    for policy in (retries.get("retryOn") or "").split(",") if retries.get("retryOn") else []:
        numeric = decimal_value(policy) in _HTTP_STATUS_TEXT
        if not numeric and policy not in _RETRY_ON:
            found.error(at + ("retryOn",), f"{values.go_quote(policy)} is not a valid retryOn policy")
    if present(retries, "backoff"):
        found.errors(at + ("backoff",), [values.duration_error(retries["backoff"])])


def _check_rewrite(rewrite: dict, at: Path, found: Findings) -> None:
    uri, regex = rewrite.get("uri") or "", rewrite.get("uriRegexRewrite")
    if uri and regex is not None:
        found.error(at + ("uriRegexRewrite",), "rewrite may only contain one of URI or UriRegexRewrite")
        return
    if not uri and regex is None and not rewrite.get("authority"):
        found.error(
            at,
            "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified",
        )
        return
    if regex is not None:
        if not regex.get("match") or not regex.get("rewrite"):
            found.error(at + ("uriRegexRewrite",), "UriRegexRewrite requires both Rewrite and Match fields to be specified")
        else:
            found.errors(at + ("uriRegexRewrite", "match"), [values.regex_error(regex["match"], "HTTPRewrite.UriRegexRewrite.Match")])


def _check_authority_rewrite(route: dict, at: Path, found: Findings) -> None:
    current = fields(route.get("rewrite")).get("authority") or ""
    request = fields(fields(route.get("headers")).get("request"))
    for operation in ("set", "add"):
        for name, value in entries(request.get(operation)).items():
            if name.lower() not in (":authority", "host"):
                continue
            if current:
                found.error(
                    at + ("headers", "request", operation, name),
                    f"authority header cannot be set multiple times: have {values.go_quote(current)}, attempting to set {values.go_quote(value)}",
                )
                return
            current = value


def _check_tls_route(route: dict, at: Path, found: Findings, hosts: list, gateway: bool) -> None:
    matches = items(route.get("match"))
    if not matches:
        found.error(at + ("match",), "TLS route must have at least one match condition")
    for index, match in enumerate(matches):
        where = at + ("match", index)
        sni_hosts = items(match.get("sniHosts"))
        if not sni_hosts:
            found.error(where + ("sniHosts",), "TLS match must have at least one SNI host")
        for h, sni in enumerate(sni_hosts):
            _check_sni_host(sni, hosts, where + ("sniHosts", h), found, gateway)
        for s, subnet in enumerate(items(match.get("destinationSubnets"))):
            found.errors(where + ("destinationSubnets", s), [ip_subnet_error(subnet)])
        _check_l4_match_fields(match, where, found)
        _warn_legacy_gateway_name(items(match.get("gateways")), where + ("gateways",), found)
    if not items(route.get("route")):
        found.error(at + ("route",), "TLS route is required")
    check_weights(items(route.get("route")), at + ("route",), found, http=False)


def _check_sni_host(sni: str, hosts: list, at: Path, found: Findings, gateway: bool) -> None:
    problem = None if gateway and sni.startswith("outbound_") else wildcard_domain_error(sni)
    if problem:
        if is_ip(sni):  # validation.go:2287: accepted, with a warning
            found.warning(at, f"using an IP address ({values.go_quote(sni)}) goes against SNI spec and most clients do not support this")
        else:
            found.error(at, problem)
        return
    if not any(host_subset_of(sni, host) for host in hosts):
        found.error(at, f"SNI host {values.go_quote(sni)} is not a compatible subset of any of the virtual service hosts: [{', '.join(hosts)}]")


def _check_tcp_route(route: dict, at: Path, found: Findings) -> None:
    for index, match in enumerate(items(route.get("match"))):
        where = at + ("match", index)
        for s, subnet in enumerate(items(match.get("destinationSubnets"))):
            found.errors(where + ("destinationSubnets", s), [ip_subnet_error(subnet)])
        _check_l4_match_fields(match, where, found)
    if not items(route.get("route")):
        found.error(at + ("route",), "TCP route is required")
    check_weights(items(route.get("route")), at + ("route",), found, http=False)
