"""envoy/observe.py on recorded exchanges, without running Envoy.

Each case is what Envoy 1.40 answered in a replay (response flags, headers, the loaded route's
typed_per_filter_config) written down by hand, and the typed outcome it must read as. The flags
are Envoy's access-log response flags (FI: fault abort injected, DI: delay injected; Envoy docs,
configuration/observability/access_log/usage#command-operators %RESPONSE_FLAGS%).
"""

from __future__ import annotations

from types import SimpleNamespace

from istio_notebook.envoy import observe
from istio_notebook.envoy.echo import GRPC_STATUS_HEADER, STATUS_HEADER
from istio_notebook.routing.outcome import Abort, Delay, Fault, HeaderOps, OriginMatch

ABORT_100 = {"typed_per_filter_config": {"envoy.filters.http.fault": {
    "abort": {"http_status": 503, "percentage": {"numerator": 100, "denominator": "HUNDRED"}}}}}
DELAY_100 = {"typed_per_filter_config": {"envoy.filters.http.fault": {
    "delay": {"fixed_delay": "2s", "percentage": {"numerator": 1000000, "denominator": "MILLION"}}}}}


def test_a_loaded_abort_that_aborted_reads_as_the_route_fault():
    extra: dict = {}
    fault = observe.fault(ABORT_100, "FI", 503, 0.002, extra)
    assert fault == Fault(None, Abort(100.0, http_status=503))
    assert extra["fault_observed"] == {"abort": {"http_status": 503, "percentage": None}}


def test_a_loaded_100_percent_abort_that_did_not_abort_reads_as_what_was_seen():
    # Envoy served the request (no FI flag): the loaded fault is not what happened.
    assert observe.fault(ABORT_100, "-", 200, 0.002, {}) is None


def test_a_delay_shorter_than_the_loaded_one_is_reported_as_observed():
    fault = observe.fault(DELAY_100, "DI", 200, 0.5, {})
    assert fault == Fault(Delay("0.5s", None), None)
    assert observe.fault(DELAY_100, "DI", 200, 2.004, {}) == Fault(Delay("2s", 100.0), None)


def test_grpc_abort_codes_read_back_as_names():
    route = {"typed_per_filter_config": {"envoy.filters.http.fault": {
        "abort": {"grpc_status": 14, "percentage": {"numerator": 10, "denominator": "HUNDRED"}}}}}
    assert observe.fault(route, "-", 200, 0.001, {}).abort == Abort(10.0, grpc_status="UNAVAILABLE")


def test_header_changes_leave_out_what_envoy_adds_itself():
    sent = {"host": "reviews:9080", "x-env": "prod", "x-keep": "1"}
    upstream = {"host": "reviews:9080", "x-keep": "1", "x-generated": "1", "x-request-id": "abc",
                "x-forwarded-proto": "http", "x-envoy-expected-rq-timeout-ms": "15000"}
    response = {"content-type": "text/plain", "x-answer": "yes", "date": "x"}
    changes = observe.header_changes(sent, upstream, response)
    assert changes.request == HeaderOps.of({"x-generated": "1"}, {}, ["x-env"])
    assert changes.response == HeaderOps.of({"x-answer": "yes"})
    assert observe.header_changes(sent, dict(sent), {"date": "x"}) is None


def test_cors_is_read_from_the_preflight_answer():
    loaded = {"allow_origin_string_match": [{"exact": "https://app.example.com"}, {"safe_regex": {"regex": ".*"}},
                                            {"prefix": "https://a", "ignore_case": True}]}
    origins = observe.cors_origins(loaded)
    assert origins == (OriginMatch("exact", "https://app.example.com"), OriginMatch("present"), OriginMatch("prefix", "https://a"))
    assert observe.preflight_origin(origins) == "https://app.example.com"
    answer = {"access-control-allow-origin": "https://app.example.com", "access-control-allow-methods": "GET,POST",
              "access-control-max-age": "3600", "access-control-allow-credentials": "true"}
    cors = observe.cors_answer(origins, "https://app.example.com", answer)
    assert cors.allow_methods == ("GET", "POST") and cors.max_age == "3600s" and cors.allow_credentials is True
    assert observe.cors_answer(origins, "https://app.example.com", {}).to_json()["allow_origins"] == []


def test_regex_origins_give_a_probe_drawn_from_the_regex():
    # Gateway API's CORS filter writes "*" and "https://*.example.com" as regexes only (istio 1.30.3
    # conversion.go createCorsFilter): the probe is a sample the regex accepts.
    assert observe.preflight_origin((OriginMatch("regex", r"^https://.*\.example\.com$"),)) == "https://any.example.com"
    assert observe.preflight_origin((OriginMatch("regex", r"^https://.*\.test$"),)) == "https://a.test"
    assert observe.preflight_origin((OriginMatch("regex", r"[^\x00-\x7f]+"),)) is None  # no header-safe sample


def test_upstream_tls_is_what_the_echo_server_saw():
    plain = SimpleNamespace(tls=None)
    mutual = SimpleNamespace(tls={"peer": "spiffe://cluster.local/ns/default/sa/default"})
    assert observe.upstream_policy(plain, {}).tls.mode == "DISABLE"
    policy = observe.upstream_policy(mutual, {"lb_policy": "RING_HASH"})
    assert policy.tls.mode == "ISTIO_MUTUAL" and policy.load_balancer == {"simple": "CONSISTENT_HASH"}


def test_retry_probes_use_an_answer_the_policy_retries():
    # Istio's default retryOn since 1.24 retries no HTTP status, only gRPC unavailable/cancelled.
    default = {"retry_on": "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"}
    assert observe.retriable_failure(default) == [(GRPC_STATUS_HEADER, "14")]
    assert observe.retriable_failure({"retry_on": "5xx"}) == [(STATUS_HEADER, "503")]
    assert observe.retriable_failure({"retry_on": "connect-failure"}) is None
