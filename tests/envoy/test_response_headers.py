"""Response header changes as the client receives them from real Envoy, next to the simulator's.

Sources: istio/api networking/v1alpha3/virtual_service.proto HeaderOperations (`set` overwrites,
`add` appends, `remove` removes); istiod writes a rule's `headers.response` as the route's
response_headers_to_add / _to_remove, `set` with append_action OVERWRITE_IF_EXISTS_OR_ADD and
`add` with APPEND_IF_EXISTS_OR_ADD, and a single destination's own after the rule's in the same
lists (pilot/pkg/networking/core/route/route.go TranslateHeadersOperations, processDestination
at 1.30.3); Gateway API ResponseHeaderModifier becomes the same `headers.response`
(pilot/pkg/config/kube/gateway/conversion.go). The replay asks the echo upstream to answer with
each header the route changes (envoy/response_probe.py), so `set`, `add` and `remove` show apart.
"""

from __future__ import annotations

import pytest
from envoy_testkit import requires_envoy
from istio_notebook.envoy.compare import differences
from istio_notebook.envoy.echo import RESPOND_WITH_HEADER, UPSTREAM_VALUE
from istio_notebook.envoy.replay import Scenario
from istio_notebook.envoy.response_probe import probed_names, response_ops
from istio_notebook.routing import Proxy, Request
from istio_notebook.routing import route as simulate
from istio_notebook.routing.outcome import HeaderOps
from routing.routing_helpers import make_mesh

VS = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /rule}}]
    headers:
      response:
        set: {x-set: rule}
        add: {x-add: rule}
        remove: [x-gone]
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /both}}]
    headers:
      response: {set: {x-both: rule, x-rule: "1"}}
    route:
    - destination: {host: reviews}
      headers:
        response: {set: {x-both: destination}, add: {x-dest: "1"}}
  - match: [{uri: {prefix: /server}}]
    headers:
      response: {set: {server: mine}, remove: [Server], add: {x-add: rule}}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /weighted}}]
    headers:
      response: {set: {x-both: rule}, add: {x-add: rule}}
    route:
    - destination: {host: reviews, subset: v1}
      weight: 50
      headers:
        response: {set: {x-both: v1, x-add: v1}}
    - destination: {host: reviews, subset: v2}
      weight: 50
  - match: [{uri: {prefix: /zero}}]
    headers:
      response: {set: {x-both: rule}}
    route:
    - destination: {host: reviews, subset: v1}
      weight: 100
      headers:
        response: {set: {x-both: v1}}
    - destination: {host: reviews, subset: v2}
      weight: 0
  - match: [{uri: {prefix: /one-parser}}]
    headers:
      response: {set: {x-a: rule}}
    route:
    - destination: {host: reviews}
      headers:
        response: {remove: [x-a], add: {x-b: dest}}
  - match: [{uri: {prefix: /two-parsers}}]
    headers:
      response: {remove: [x-a, x-b]}
    route:
    - destination: {host: reviews, subset: v1}
      weight: 100
      headers:
        response: {set: {x-a: v1}}
    - destination: {host: reviews, subset: v2}
      weight: 0
  - match: [{uri: {prefix: /direct}}]
    headers:
      response: {add: {x-add: rule}}
    directResponse: {status: 200, body: {string: ok}}
  - route: [{destination: {host: reviews}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-subsets, namespace: default}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
"""


def test_the_probe_reads_set_add_and_remove_from_what_the_upstream_sent():
    # Each probed name left the upstream as `from-upstream`; what the client got tells the operation.
    lines = (("x-set", "rule"), ("x-add", UPSTREAM_VALUE), ("x-add", "rule"), ("x-same", UPSTREAM_VALUE))
    ops = response_ops(("x-set", "x-add", "x-gone", "x-same"), lines)
    assert ops == HeaderOps.of({"x-set": "rule"}, {"x-add": "rule"}, ["x-gone"])
    assert response_ops(("x-same",), lines) is None  # untouched by the route


def test_the_probed_names_are_the_routes_and_every_weighted_clusters():
    loaded = {"response_headers_to_add": [{"header": {"key": "X-A", "value": "1"}}],
              "response_headers_to_remove": ["x-b"],
              "route": {"weighted_clusters": {"clusters": [{"name": "c1", "response_headers_to_remove": ["x-c"]}]}}}
    assert probed_names(loaded) == ("x-a", "x-b", "x-c")


@pytest.fixture(scope="module")
def both():
    mesh = make_mesh(VS)
    proxy = Proxy.sidecar("default")
    with Scenario(mesh, proxy) as scenario:
        def ask(line: str):
            request = Request.parse(line, [])
            return simulate(mesh, request, proxy).to_json(), scenario.route(request)
        ask.scenario = scenario
        yield ask


@pytest.mark.envoy
@requires_envoy
def test_set_add_and_remove_of_a_rule_reach_the_client_apart(both):
    sim, envoy = both("GET http://reviews:9080/rule")
    want = {"set": {"x-set": "rule"}, "add": {"x-add": "rule"}, "remove": ["x-gone"]}
    assert sim["headers"]["response"] == want
    assert envoy["headers"]["response"] == want, envoy["trace"]
    assert sorted(envoy["envoy"]["response_probed"]) == ["x-add", "x-gone", "x-set"]
    assert differences(sim, envoy) == []


@pytest.mark.envoy
@requires_envoy
def test_a_single_destinations_set_wins_over_the_rules(both):
    # processDestination appends the destination's operations after the rule's: its `set` is last.
    sim, envoy = both("GET http://reviews:9080/both")
    assert sim["headers"]["response"]["set"] == {"x-both": "destination", "x-rule": "1"}
    assert envoy["headers"]["response"]["set"] == {"x-both": "destination", "x-rule": "1"}
    assert envoy["headers"]["response"]["add"] == {"x-dest": "1"}
    assert differences(sim, envoy) == []


@pytest.mark.envoy
@requires_envoy
def test_a_weighted_clusters_operations_come_before_the_rules(both):
    # processWeightedDestination puts a destination's operations on its weighted cluster; Envoy
    # evaluates that parser before the route's: the rule's `set` wins, its `add` follows v1's value.
    seen = set()
    for _ in range(12):
        sim, envoy = both("GET http://reviews:9080/weighted")
        v1 = next(d for d in sim["destinations"] if d["subset"] == "v1")
        v2 = next(d for d in sim["destinations"] if d["subset"] == "v2")
        assert sim["headers"]["response"] == {"set": {"x-both": "rule"}, "add": {"x-add": "rule"}, "remove": []}
        assert v1["headers"]["response"] == {"set": {"x-both": "rule", "x-add": "v1, rule"}, "add": {}, "remove": []}
        assert v2["headers"] is None  # no operations of its own: the rule's
        served = envoy["envoy"]["upstream_cluster"]
        seen.add(served)
        want = v1["headers"] if served == v1["cluster"] else sim["headers"]
        assert envoy["headers"]["response"] == want["response"], (served, envoy["trace"])
        assert differences(sim, envoy) == []
    assert len(seen) == 2  # both clusters served (50/50: all twelve on one is 1 in 2,048)


@pytest.mark.envoy
@requires_envoy
def test_a_rule_with_a_zero_weight_destination_stays_weighted(both):
    # route.go applyHTTPRouteDestination: only `len(in.Route) == 1` is a single destination; the
    # weight-0 entry is dropped from weighted_clusters, which keep the other's operations on it.
    sim, envoy = both("GET http://reviews:9080/zero")
    assert sim["headers"]["response"]["set"] == {"x-both": "rule"}
    assert sim["destinations"][0]["headers"]["response"]["set"] == {"x-both": "rule"}
    assert envoy["headers"]["response"]["set"] == {"x-both": "rule"}
    loaded = both.scenario._envoy_routes[envoy["envoy"]["route"]]["route"]
    assert [c["name"] for c in loaded["weighted_clusters"]["clusters"]] == [sim["destinations"][0]["cluster"]]
    assert differences(sim, envoy) == []


@pytest.mark.envoy
@requires_envoy
def test_a_single_destinations_remove_cannot_undo_the_rules_set(both):
    # processDestination appends both to one header parser, which removes before it adds.
    sim, envoy = both("GET http://reviews:9080/one-parser")
    want = {"set": {"x-a": "rule"}, "add": {"x-b": "dest"}, "remove": []}
    assert sim["headers"]["response"] == want
    assert envoy["headers"]["response"] == want, envoy["trace"]
    assert differences(sim, envoy) == []


@pytest.mark.envoy
@requires_envoy
def test_the_rules_remove_undoes_a_weighted_clusters_set(both):
    # Two parsers: the weighted cluster's set, then the route's removal.
    sim, envoy = both("GET http://reviews:9080/two-parsers")
    want = {"set": {}, "add": {}, "remove": ["x-a", "x-b"]}
    assert sim["destinations"][0]["headers"]["response"] == want
    assert envoy["headers"]["response"] == want, envoy["trace"]
    assert differences(sim, envoy) == []


def test_one_parser_removes_before_it_adds():
    ops = HeaderOps.of({"x-a": "1"}, {"x-b": "2", "x-a": "3"}, ["x-b", "x-c"]).effective()
    assert ops == HeaderOps.of({"x-a": "1, 3", "x-b": "2"}, {}, ["x-c"])  # x-b added after its removal: its only value


@pytest.mark.envoy
@requires_envoy
def test_a_rules_change_of_the_server_header_never_reaches_the_client(both):
    # The connection manager overwrites `server` (istiod's default server_header_transformation
    # OVERWRITE, pilot/pkg/networking/util/proxy_headers.go at 1.30.3) after the route's changes:
    # the probe's `from-upstream` and the rule's `mine` are both gone, the proxy's own name is left.
    sim, envoy = both("GET http://reviews:9080/server")
    assert sim["headers"]["response"] == {"set": {}, "add": {"x-add": "rule"}, "remove": []}
    assert any("server header is the proxy's own" in step for step in sim["trace"])
    assert envoy["headers"]["response"] == {"set": {}, "add": {"x-add": "rule"}, "remove": []}, envoy["trace"]
    assert differences(sim, envoy) == []
    request = Request.parse("GET http://reviews:9080/server", [])
    _, answer = both.scenario._send(request, "0.0.0.0_9080", [(RESPOND_WITH_HEADER, "server")])
    assert [v for n, v in answer.lines if n == "server"] == ["envoy"]


@pytest.mark.envoy
@requires_envoy
def test_a_direct_response_carries_the_rules_response_headers(both):
    # No upstream to probe: the header shows, `add` and `set` alike (compared merged).
    sim, envoy = both("GET http://reviews:9080/direct")
    assert sim["headers"]["response"]["add"] == {"x-add": "rule"}
    assert envoy["headers"]["response"]["set"] == {"x-add": "rule"}
    assert "response_probed" not in envoy["envoy"]
    assert differences(sim, envoy) == []


@pytest.mark.envoy
@requires_envoy
def test_a_route_without_response_headers_sends_no_probe(both):
    sim, envoy = both("GET http://reviews:9080/other")
    assert sim["headers"] is None and envoy["headers"] is None
    assert "response_probed" not in envoy["envoy"]


GATEWAY_API = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app, namespace: default}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [app.example.com]
  rules:
  - filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{name: x-set, value: route}]
        add: [{name: x-add, value: route}]
        remove: [x-gone]
    backendRefs:
    - name: reviews
      port: 9080
      filters:
      - type: ResponseHeaderModifier
        responseHeaderModifier: {set: [{name: x-backend, value: "1"}]}
"""


@pytest.mark.envoy
@requires_envoy
def test_gateway_api_response_header_modifier_on_the_rule_and_the_backend():
    mesh = make_mesh(GATEWAY_API)
    proxy = Proxy.gateway("infra", "web")
    request = Request.parse("GET http://app.example.com/", [])
    sim = simulate(mesh, request, proxy).to_json()
    with Scenario(mesh, proxy) as scenario:
        envoy = scenario.route(request)
    want = {"set": {"x-set": "route", "x-backend": "1"}, "add": {"x-add": "route"}, "remove": ["x-gone"]}
    assert sim["headers"]["response"] == want
    assert envoy["headers"]["response"] == want, envoy["trace"]
    assert differences(sim, envoy) == []
