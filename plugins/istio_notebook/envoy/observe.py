"""What one exchange with real Envoy shows, read into the typed outcome (routing/outcome.py).

Pure functions over what was observed — the response Envoy sent, the copy of the request an echo
upstream received, the route and cluster as Envoy loaded them — so they can be unit-tested on
recorded exchanges without running Envoy. envoy/replay.py sends the requests and calls these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from istio_notebook.config import durations
from istio_notebook.config.durations import format_seconds
from istio_notebook.config.percent import from_fractional
from istio_notebook.config.regex.sample import sample
from istio_notebook.envoy.echo import (
    GRPC_STATUS_HEADER,
    REQUEST_ID_HEADER,
    STATUS_HEADER,
)
from istio_notebook.envoy.instrument import INSTRUMENT_HEADERS
from istio_notebook.envoy.policy import LB_NAMES
from istio_notebook.envoy.routes import grpc_name
from istio_notebook.gatewayapi import route_ref
from istio_notebook.routing.outcome import (
    Abort,
    Cors,
    Delay,
    Fault,
    HeaderChanges,
    HeaderOps,
    OriginMatch,
    RouteOutcome,
    TlsSettings,
    TrafficPolicy,
)

# Headers Envoy itself adds upstream or downstream; not part of the configured header changes.
ENVOY_REQUEST_HEADERS = frozenset({
    "host", "content-length", "x-forwarded-proto", "x-request-id", "x-envoy-expected-rq-timeout-ms",
    "x-envoy-attempt-count", "x-forwarded-client-cert", "x-envoy-internal", "x-forwarded-for",
    "x-envoy-original-path", "x-envoy-original-host", "x-envoy-decorator-operation", "x-envoy-peer-metadata", "x-envoy-peer-metadata-id",
    "transfer-encoding", "connection", REQUEST_ID_HEADER,
})
BASE_RESPONSE_HEADERS = frozenset({
    "content-type", "content-length", "date", "server", "x-echo-server", "x-envoy-upstream-service-time",
    "connection", "transfer-encoding", *INSTRUMENT_HEADERS,
})


@dataclass
class Draft:
    """The outcome being observed: its fields, trace and Envoy's own observations (``envoy``)."""

    fields: dict[str, Any] = field(default_factory=dict)
    trace: list[str] = field(default_factory=list)
    envoy: dict[str, Any] = field(default_factory=dict)

    def done(self) -> RouteOutcome:
        fields = dict(self.fields)
        return RouteOutcome(fields.pop("action", None), trace=tuple(self.trace), envoy=self.envoy, **fields)


def shares(counts: Mapping[str, int], given: Mapping[str, float]) -> dict[str, float]:
    """Shares of sampled requests or connections (``counts`` per cluster) against the weights
    Envoy was given: the configured shares when every observed one is within 4 binomial standard
    deviations of its weight (the observation confirmed them), else the observed shares."""
    total = sum(counts.values()) or 1
    weight_sum = sum(given.values()) or 1
    expected = {name: 100.0 * w / weight_sum for name, w in given.items()}
    if set(counts) <= set(expected) and all(
        abs(100.0 * counts.get(name, 0) / total - share) <= 4 * 100.0 * math.sqrt(share / 100 * (1 - share / 100) / total) + 0.5
        for name, share in expected.items()
    ):
        return {name: round(share, 4) for name, share in expected.items()}
    return {name: round(100.0 * n / total, 1) for name, n in counts.items()}


def is_shadow(received) -> bool:
    """Envoy marks mirrored copies by appending "-shadow" to the authority."""
    host = received.headers.get("host", "")
    return host.split(":")[0].endswith("-shadow")


def fault(envoy_route: dict, flags: str, status: int, elapsed: float, extra: dict) -> Fault | None:
    """The route's fault as loaded when the response is consistent with it, else what was seen.

    One request cannot measure a percentage: a 100% abort must have aborted, a 100% delay must
    have delayed at least its length, and nothing may be injected without a fault."""
    seen = flags.split(",")
    observed_abort = Abort(None, http_status=status) if "FI" in seen else None
    observed_delay = Delay(format_seconds(round(elapsed, 3)), None) if "DI" in seen else None
    observed = Fault(observed_delay, observed_abort) if observed_abort or observed_delay else None
    # Envoy's raw observation keeps its own shape: only what was seen, status first.
    raw: dict = {}
    if observed_abort:
        raw["abort"] = {"http_status": status, "percentage": None}
    if observed_delay:
        raw["delay"] = {"fixed_delay": observed_delay.fixed_delay, "percentage": None}
    extra["fault_observed"] = raw or None
    loaded = envoy_route.get("typed_per_filter_config", {}).get("envoy.filters.http.fault")
    if not loaded:
        return observed
    abort = delay = None
    consistent = True
    if "abort" in loaded:
        spec = loaded["abort"]
        share = from_fractional(spec.get("percentage"))
        grpc = grpc_name(spec["grpc_status"]) if "http_status" not in spec and "grpc_status" in spec else None
        abort = Abort(share, spec.get("http_status"), grpc)
        if share >= 100 and "http_status" in spec and (observed_abort is None or observed_abort.http_status != spec["http_status"]):
            consistent = False
    elif observed_abort:
        consistent = False
    if "delay" in loaded:
        spec = loaded["delay"]
        share = from_fractional(spec.get("percentage"))
        delay = Delay(durations.normalize(spec["fixed_delay"]), share)
        if share >= 100 and not observed_abort and (
            observed_delay is None or elapsed + 0.01 < (durations.seconds(spec["fixed_delay"]) or 0.0)
        ):
            consistent = False
    elif observed_delay:
        consistent = False
    return Fault(delay, abort) if consistent else observed


def upstream_policy(received, loaded_cluster: dict) -> TrafficPolicy:
    """TLS as the upstream saw it (plaintext, TLS, TLS with a SPIFFE client certificate); the load
    balancer as the cluster was loaded (one endpoint per cluster shows no balancing)."""
    if received.tls is None:
        mode = "DISABLE"
    else:
        mode = "ISTIO_MUTUAL" if (received.tls.get("peer") or "").startswith("spiffe://") else "SIMPLE"
    lb = LB_NAMES.get(loaded_cluster.get("lb_policy", "ROUND_ROBIN"), loaded_cluster.get("lb_policy"))
    return TrafficPolicy(None, None, TlsSettings(mode, None), {"simple": lb}, None, None)


def appended(sent: dict[str, str], lines: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Values the upstream got after the value the client sent for the same name: an ``add``
    (Envoy appends a value to a header the request carries: append_action APPEND_IF_EXISTS_OR_ADD)."""
    out: dict[str, str] = {}
    for name, value in sent.items():
        values = [v for n, v in lines if n == name]
        if len(values) > 1 and value in values:
            extra = list(values)
            extra.remove(value)
            out[name] = ", ".join(extra)
    return out


def header_changes(sent: dict[str, str], upstream: dict[str, str] | None, response_headers: dict[str, str],
                   upstream_lines: tuple[tuple[str, str], ...] = ()) -> HeaderChanges | None:
    """Request headers the upstream got changed, added to or missing, and response headers Envoy added.

    ``upstream_lines``: every header line the upstream got, so that a value added to a header the
    client sent shows as ``add`` (both values arrive) rather than as ``set``."""
    sent = {k: v for k, v in sent.items() if k != "host"}
    request = response = None
    if upstream is not None:
        add = appended(sent, upstream_lines)
        set_ = {k: v for k, v in upstream.items() if k not in ENVOY_REQUEST_HEADERS and sent.get(k) != v and k not in add}
        removed = [k for k in sent if k not in upstream]
        if set_ or removed or add:
            request = HeaderOps.of(set_, add, removed)
    response_set = {k: v for k, v in response_headers.items() if k not in BASE_RESPONSE_HEADERS and k != "location"}
    if response_set:
        response = HeaderOps.of(response_set)
    return HeaderChanges(request, response) if request or response else None


def cors_origins(cors: dict) -> tuple[OriginMatch, ...]:
    """The allowed origins of a loaded CorsPolicy (regex ".*" is Istio's any-origin)."""
    origins = []
    for matcher in cors.get("allow_origin_string_match", []):
        if "safe_regex" in matcher:
            regex = matcher["safe_regex"]["regex"]
            origins.append(OriginMatch("present") if regex == ".*" else OriginMatch("regex", regex))
        else:
            kind, value = next((k, v) for k, v in matcher.items() if k != "ignore_case")
            origins.append(OriginMatch(kind, value))
    return tuple(origins)


ANY_ORIGIN = "https://any.example.com"


def preflight_origin(origins: tuple[OriginMatch, ...]) -> str | None:
    """An origin the policy allows, to send a preflight from; None when none can be drawn.

    The first exact or prefix origin decides (an empty exact one gives no probe); else any origin
    when one is present; else the first regex that accepts a sample of itself (Gateway API's CORS
    filter writes ``*`` and ``https://*.example.com`` as regexes only)."""
    for o in origins:
        if o.kind in ("exact", "prefix"):
            return (o.value or None) if o.kind == "exact" else o.value + "example.com"
    if any(o.kind == "present" for o in origins):
        return ANY_ORIGIN
    drawn = (sample(o.value, (ANY_ORIGIN,)) for o in origins if o.kind == "regex")
    return next((d for d in drawn if d and d.isprintable() and d == d.strip()), None)  # a header value


def cors_answer(origins: tuple[OriginMatch, ...], probe: str, answered: dict[str, str]) -> Cors:
    """The CORS policy as Envoy's answer to a preflight from ``probe`` shows it."""
    if answered.get("access-control-allow-origin") != probe:
        return Cors()

    def split(name: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in answered.get(name, "").split(",") if v.strip())

    max_age = answered.get("access-control-max-age")
    return Cors(
        allow_origins=origins,
        allow_methods=split("access-control-allow-methods"),
        allow_headers=split("access-control-allow-headers"),
        expose_headers=split("access-control-expose-headers"),
        max_age=f"{int(max_age)}s" if max_age and max_age.isdigit() else None,
        allow_credentials=True if answered.get("access-control-allow-credentials") == "true" else None,
    )


def retriable_failure(policy: dict) -> list[tuple[str, str]] | None:
    """Echo headers for an upstream answer that the loaded retry policy retries.

    Istio's default policy (since 1.24) retries no HTTP status: only connection failures and the
    gRPC statuses ``unavailable``/``cancelled``, which an answer's ``grpc-status`` triggers.
    """
    conditions = set(str(policy.get("retry_on", "")).split(","))
    if conditions & {"5xx", "gateway-error"} or 503 in policy.get("retriable_status_codes", []):
        return [(STATUS_HEADER, "503")]
    for condition, grpc_status in (("unavailable", "14"), ("cancelled", "1")):
        if condition in conditions:
            return [(GRPC_STATUS_HEADER, grpc_status)]
    return None


def route_fields(table_route) -> dict:
    """The outcome fields that name a table route Envoy chose: VirtualService, rule, match, route_ref."""
    origin = table_route.origin
    return {"virtual_service": origin.virtual_service, "route_index": origin.rule_index, "match_index": origin.match_index,
            "route_name": table_route.name, "route_ref": route_ref(origin.source, origin.rule_index)}
