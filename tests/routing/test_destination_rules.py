"""DestinationRule lookup and the traffic policy reported for the chosen destination."""

from __future__ import annotations

from routing_helpers import make_mesh, send


def dr(name: str, namespace: str, host: str, policy: str = "", subsets: str = "", extra: str = "") -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  host: "{host}"
{extra}{policy}{subsets}"""


TO_FOO = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin, namespace: default}
spec:
  hosts: [httpbin.foo.svc.cluster.local]
  http:
  - route:
    - destination: {host: httpbin.foo.svc.cluster.local, subset: v1}
"""


def test_client_namespace_rule_beats_service_namespace_rule():
    # pilot/pkg/model/push_context.go destinationRule: client namespace, then service namespace, then root.
    client = dr("client", "default", "httpbin.foo.svc.cluster.local",
                "  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n", "  subsets: [{name: v1, labels: {version: v1}}]\n")
    service = dr("service", "foo", "httpbin", "  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n",
                 "  subsets: [{name: v1, labels: {version: v1}}]\n")
    out = send(make_mesh(TO_FOO, service, client), "GET http://httpbin.foo:8000/")
    assert out["policy"]["destination_rules"] == ["default/client"]
    assert out["policy"]["load_balancer"] == {"simple": "ROUND_ROBIN"}
    only_service = send(make_mesh(TO_FOO, service), "GET http://httpbin.foo:8000/")
    assert only_service["policy"]["destination_rules"] == ["foo/service"]
    assert only_service["policy"]["scope"] == "service namespace"


def test_root_namespace_rule_applies_mesh_wide():
    root = dr("mesh-mtls", "istio-system", "*.local", "  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n")
    out = send(make_mesh(root), "GET http://details:9080/")
    assert out["policy"]["destination_rules"] == ["istio-system/mesh-mtls"]
    assert out["policy"]["scope"] == "root namespace"
    # A rule in the client's namespace for the host hides the root one entirely (no merge across scopes).
    assert send(make_mesh(root), "GET http://reviews:9080/")["policy"]["destination_rules"] == ["default/reviews"]
    assert out["policy"]["tls"] == {"mode": "ISTIO_MUTUAL", "auto": False}


def test_exact_host_beats_wildcard_in_one_namespace():
    wildcard = dr("wild", "default", "*.default.svc.cluster.local", "  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n")
    exact = dr("exact", "default", "details", "  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n")
    out = send(make_mesh(wildcard, exact), "GET http://details:9080/")
    assert out["policy"]["destination_rules"] == ["default/exact"]


def test_subset_policy_overrides_the_rule_policy_for_that_subset_only():
    # https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
    rule = dr("details-lb", "default", "details",
              "  trafficPolicy: {loadBalancer: {simple: RANDOM}, connectionPool: {tcp: {maxConnections: 10}}}\n",
              "  subsets:\n  - name: v1\n    labels: {version: v1}\n  - name: v2\n    labels: {version: v2}\n"
              "    trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n")
    vs = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: details, namespace: default}
spec:
  hosts: [details]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: details, subset: v2}}]
  - route: [{destination: {host: details, subset: v1}}]
"""
    mesh = make_mesh(rule, vs, fixtures=("bookinfo",))
    v2 = send(mesh, "GET http://details:9080/", "end-user: jason")
    assert v2["policy"]["load_balancer"] == {"simple": "ROUND_ROBIN"}
    assert v2["policy"]["connection_pool"] == {"tcp": {"maxConnections": 10}}
    v1 = send(mesh, "GET http://details:9080/")
    assert v1["policy"]["load_balancer"] == {"simple": "RANDOM"}


def test_same_host_rules_in_one_namespace_merge_first_wins():
    # pilot/pkg/model/destination_rule.go mergeDestinationRule: subsets are added unless a subset
    # of that name exists; the first traffic policy wins.
    first = dr("a", "default", "details", "  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n",
               "  subsets: [{name: v1, labels: {version: v1}}]\n")
    second = dr("b", "default", "details", "  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n",
                "  subsets: [{name: v1, labels: {version: v9}}, {name: extra, labels: {version: v1}}]\n")
    vs = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: details, namespace: default}
spec:
  hosts: [details]
  http:
  - route: [{destination: {host: details, subset: extra}}]
"""
    out = send(make_mesh(first, second, vs), "GET http://details:9080/")
    assert out["status"] is None and out["policy"]["destination_rules"] == ["default/a", "default/b"]
    assert out["policy"]["load_balancer"] == {"simple": "RANDOM"}


def test_default_policy_is_least_request_with_auto_mtls():
    out = send(make_mesh(), "GET http://details:9080/")
    assert out["policy"]["load_balancer"] == {"simple": "LEAST_REQUEST"}
    assert out["policy"]["tls"] == {"mode": "ISTIO_MUTUAL", "auto": True}


def test_subset_from_a_rule_not_exported_to_the_client_is_missing():
    # DestinationRule exportTo ["."] in foo: a client in default does not see its subsets ⇒ 503.
    hidden = dr("hidden", "foo", "httpbin", "", "  subsets: [{name: v1, labels: {version: v1}}]\n", "  exportTo: ['.']\n")
    out = send(make_mesh(TO_FOO, hidden), "GET http://httpbin.foo:8000/")
    assert out["status"] == 503
