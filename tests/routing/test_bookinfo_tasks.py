"""Istio's traffic-management tasks on Bookinfo, as the simulator must reproduce them."""

from __future__ import annotations

from routing_helpers import clusters, make_mesh, send

REVIEWS = "reviews.default.svc.cluster.local"

# https://istio.io/latest/docs/tasks/traffic-management/request-routing/ (virtual-service-reviews-test-v2)
JASON_V2 = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
"""


def test_request_routing_sends_jason_to_v2_and_everyone_else_to_v1():
    # https://istio.io/latest/docs/tasks/traffic-management/request-routing/#route-based-on-user-identity
    mesh = make_mesh(JASON_V2)
    jason = send(mesh, "GET http://reviews:9080/reviews/0", "end-user: jason", source="default/app=productpage")
    other = send(mesh, "GET http://reviews:9080/reviews/0", "end-user: mary", source="default/app=productpage")
    anonymous = send(mesh, "GET http://reviews:9080/reviews/0", source="default/app=productpage")
    assert clusters(jason) == [(f"outbound|9080|v2|{REVIEWS}", 100.0)]
    assert (jason["virtual_service"], jason["route_index"], jason["match_index"]) == ("default/reviews", 0, 0)
    assert clusters(other) == [(f"outbound|9080|v1|{REVIEWS}", 100.0)]
    assert clusters(anonymous) == [(f"outbound|9080|v1|{REVIEWS}", 100.0)]
    assert other["route_index"] == 1 and other["match_index"] is None


def test_header_values_are_case_sensitive():
    # Header exact match compares the value as sent (istio.io VirtualService reference, StringMatch).
    mesh = make_mesh(JASON_V2)
    assert clusters(send(mesh, "GET http://reviews:9080/", "end-user: Jason"))[0][0].startswith("outbound|9080|v1|")


def shifting(v1: int, v3: int) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: default}}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {{host: reviews, subset: v1}}
      weight: {v1}
    - destination: {{host: reviews, subset: v3}}
      weight: {v3}
"""


def test_traffic_shifting_50_50_and_80_20():
    # https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/
    half = send(make_mesh(shifting(50, 50)), "GET http://reviews:9080/")
    assert clusters(half) == [(f"outbound|9080|v1|{REVIEWS}", 50.0), (f"outbound|9080|v3|{REVIEWS}", 50.0)]
    mostly = send(make_mesh(shifting(80, 20)), "GET http://reviews:9080/")
    assert clusters(mostly) == [(f"outbound|9080|v1|{REVIEWS}", 80.0), (f"outbound|9080|v3|{REVIEWS}", 20.0)]


def test_weights_are_relative_and_zero_weights_drop():
    # Since Istio 1.15 weights need not add up to 100 (VirtualService reference, HTTPRouteDestination.weight).
    relative = send(make_mesh(shifting(1, 3)), "GET http://reviews:9080/")
    assert [w for _, w in clusters(relative)] == [25.0, 75.0]
    dropped = send(make_mesh(shifting(100, 0)), "GET http://reviews:9080/")
    assert clusters(dropped) == [(f"outbound|9080|v1|{REVIEWS}", 100.0)]


FAULTS = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: default}
spec:
  hosts: [ratings]
  http:
  - match:
    - headers:
        end-user: {exact: jason}
    fault:
      %s
    route:
    - destination: {host: ratings, subset: v1}
  - route:
    - destination: {host: ratings, subset: v1}
"""


def test_fault_injection_delay_for_jason():
    # https://istio.io/latest/docs/tasks/traffic-management/fault-injection/#injecting-an-http-delay-fault
    mesh = make_mesh(FAULTS % "delay: {percentage: {value: 100.0}, fixedDelay: 7s}")
    out = send(mesh, "GET http://ratings:9080/ratings/0", "end-user: jason")
    assert out["fault"] == {"delay": {"fixed_delay": "7s", "percentage": 100.0}, "abort": None}
    assert out["status"] is None  # a delay does not decide the status
    assert send(mesh, "GET http://ratings:9080/ratings/0")["fault"] is None


def test_fault_injection_abort_500_for_jason():
    # https://istio.io/latest/docs/tasks/traffic-management/fault-injection/#injecting-an-http-abort-fault
    mesh = make_mesh(FAULTS % "abort: {percentage: {value: 100.0}, httpStatus: 500}")
    out = send(mesh, "GET http://ratings:9080/ratings/0", "end-user: jason")
    assert out["fault"]["abort"] == {"http_status": 500, "percentage": 100.0}
    assert out["status"] == 500


def test_fault_without_percentage_affects_no_request():
    # ISTIO-SEMANTICS.md: percentage absent ⇒ no request affected; the status stays undecided.
    mesh = make_mesh(FAULTS % "abort: {httpStatus: 500}")
    out = send(mesh, "GET http://ratings:9080/", "end-user: jason")
    assert out["fault"]["abort"]["percentage"] == 0.0 and out["status"] is None


TIMEOUT = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
    timeout: 0.5s
    %s
"""


def test_request_timeout_and_default_is_disabled():
    # https://istio.io/latest/docs/tasks/traffic-management/request-timeouts/ (default: disabled)
    assert send(make_mesh(TIMEOUT % ""), "GET http://reviews:9080/")["timeout"] == "0.5s"
    assert send(make_mesh(), "GET http://reviews:9080/")["timeout"] is None


def test_retries_explicit_and_istio_default():
    # https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
    # Default policy: istio/istio pilot/pkg/networking/core/route/retry/retry.go DefaultPolicy.
    explicit = send(make_mesh(TIMEOUT % "retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}"), "GET http://reviews:9080/")
    assert explicit["retries"] == {"attempts": 3, "per_try_timeout": "2s", "retry_on": "5xx"}
    default = send(make_mesh(), "GET http://reviews:9080/")
    assert default["retries"] == {
        "attempts": 2,
        "per_try_timeout": None,
        "retry_on": "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
    }
    disabled = send(make_mesh(TIMEOUT % "retries: {attempts: 0}"), "GET http://reviews:9080/")
    assert disabled["retries"] is None
    # `retries` without attempts also disables retrying (retry.go ConvertPolicy: Attempts <= 0).
    assert send(make_mesh(TIMEOUT % "retries: {perTryTimeout: 2s}"), "GET http://reviews:9080/")["retries"] is None
    # Status codes in retryOn become retriable status codes.
    codes = send(make_mesh(TIMEOUT % "retries: {attempts: 2, retryOn: '5xx,503,504'}"), "GET http://reviews:9080/")
    assert codes["retries"]["retry_on"] == "5xx,retriable-status-codes"


MIRROR = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin, namespace: default}
spec:
  hosts: [httpbin]
  http:
  - route:
    - destination: {host: httpbin, port: {number: 8000}}
      weight: 100
    mirror: {host: httpbin.foo.svc.cluster.local, port: {number: 8000}}
    %s
"""


def test_mirroring_defaults_to_100_percent_and_honours_mirror_percentage():
    # https://istio.io/latest/docs/tasks/traffic-management/mirroring/
    full = send(make_mesh(MIRROR % ""), "GET http://httpbin:8000/headers")
    assert full["mirrors"] == [{"host": "httpbin.foo.svc.cluster.local", "subset": None, "port": 8000,
                                "cluster": "outbound|8000||httpbin.foo.svc.cluster.local", "percentage": 100.0}]
    half = send(make_mesh(MIRROR % "mirrorPercentage: {value: 50.0}"), "GET http://httpbin:8000/headers")
    assert half["mirrors"][0]["percentage"] == 50.0
