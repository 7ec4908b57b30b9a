"""A CORS preflight on a route with a CORS policy: Envoy's CORS filter answers it before the router.

As Envoy's CORS filter decides it (source/extensions/filters/http/cors/cors_filter.cc decodeHeaders,
Envoy 1.40): a request is a preflight when its method is OPTIONS and both ``Origin`` and
``Access-Control-Request-Method`` are non-empty. An origin is allowed when one of the policy's
matchers accepts it (or accepts the literal ``*``: isOriginAllowed). A preflight from an allowed
origin is answered 200 with the access-control-* headers; one from another origin is answered 200
without them when ``forward_not_matching_preflights`` is false (Istio's ``unmatchedPreflights:
IGNORE``, which every Gateway API CORS filter sets), else it goes on to the route like any request.
The answer to any other request from an allowed origin gets ``access-control-allow-origin`` (and
the credentials and exposed headers) set by the filter (encodeHeaders), over the route's own.
Istio enables the filter on every route that has a policy (route.go TranslateCORSPolicy:
filter_enabled 100%). Replayed on real Envoy in tests/gatewayapi/test_gatewayapi_cors.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config.matchers import (
    Exact,
    Matcher,
    Prefix,
    Present,
    Regex,
    Suffix,
)
from istio_notebook.routing.outcome import Cors, HeaderChanges, HeaderOps, OriginMatch
from istio_notebook.routing.request import Request

_MATCHERS: dict[str, type[Matcher]] = {"exact": Exact, "prefix": Prefix, "suffix": Suffix, "regex": Regex, "present": Present}


@dataclass(frozen=True)
class Preflight:
    """A preflight the CORS filter answers itself: from ``origin``, allowed or not."""

    origin: str
    allowed: bool


def is_preflight(request: Request) -> bool:
    return (request.method == "OPTIONS" and bool(request.headers.get("origin"))
            and bool(request.headers.get("access-control-request-method")))


def origin_allowed(cors: Cors, origin: str) -> bool:
    return any(_matcher(o).matches("*") or _matcher(o).matches(origin) for o in cors.allow_origins)


def answered_preflight(cors: Cors | None, request: Request) -> Preflight | None:
    """The preflight the CORS filter answers (200, not forwarded); None when the request goes on."""
    if cors is None or not is_preflight(request):
        return None
    origin = request.headers["origin"]
    allowed = origin_allowed(cors, origin)
    if not allowed and cors.forward_unmatched_preflights:
        return None
    return Preflight(origin, allowed)


def response_headers(cors: Cors | None, request: Request) -> HeaderChanges | None:
    """What the CORS filter sets on the answer to a request from an allowed origin (encodeHeaders):
    the origin itself, ``true`` for credentials when allowed, the exposed headers."""
    origin = request.headers.get("origin")
    if cors is None or not origin or not origin_allowed(cors, origin):
        return None
    values = {"access-control-allow-origin": origin}
    if cors.allow_credentials:
        values["access-control-allow-credentials"] = "true"
    if cors.expose_headers:
        values["access-control-expose-headers"] = ",".join(cors.expose_headers)
    return HeaderChanges(response=HeaderOps.of(values))


def _matcher(origin: OriginMatch) -> Matcher:
    return _MATCHERS[origin.kind](origin.value)
