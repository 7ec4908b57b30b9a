"""What an HTTP route does, as istio/istio pkg/config/validation/virtualservice.go validates it:
CORS, fault, redirect, direct response, retries, rewrites (validateHTTPRoute's action checks).
The route's matches, destinations and the VirtualService around it: validation/virtualservice.py."""

from __future__ import annotations

import base64

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
    present,
)
from istio_notebook.config.decimal import decimal_value
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


def check_cors(policy: dict, at: Path, found: Findings) -> None:
    for index, origin in enumerate(items(policy.get("allowOrigins"))):
        where = at + ("allowOrigins", index)
        value = origin.get("exact") or origin.get("prefix") or origin.get("regex") or ""
        if not value:
            found.error(where, f"'{value}' is not a valid match type for CORS allow origins")
        else:
            found.errors(where, [values.regex_match_error(origin, "corsPolicy.allowOrigins")])
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


def check_fault(fault: dict, at: Path, found: Findings) -> None:
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


def check_redirect(redirect: dict, matches: list, at: Path, found: Findings) -> None:
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


def check_direct_response(response: dict, at: Path, found: Findings) -> None:
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


def check_retries(retries: dict, at: Path, found: Findings) -> None:
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


def check_rewrite(rewrite: dict, at: Path, found: Findings) -> None:
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


def check_authority_rewrite(route: dict, at: Path, found: Findings) -> None:
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
