"""AuthorizationPolicy ``targetRefs``: which Gateway API gateways and waypoints a policy attaches to.

Source: istio/istio 1.30.3 pilot/pkg/model/policyattachment.go WorkloadPolicyMatcher.ShouldAttachPolicy
(and authorization.go ListAuthorizationPolicies: lookup in the root namespace, the workload's and,
for a waypoint, the Service's). A gateway's pods carry ``gateway.networking.k8s.io/gateway-name``;
ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY defaults to true (pilot/pkg/features/pilot.go). istio.io:
docs/reference/config/security/authorization-policy/ (targetRefs) and docs/ambient/usage/l7-features/
(policies bound to a waypoint's Service). Both engines read the same attachment (authz.scope), so
the last test replays a few cases on real Envoy's RBAC.
"""

from __future__ import annotations

import pytest

from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.routing import Request
from test_authorize import mesh_of, policy

GATEWAY_POD = Workload("infra", {"gateway.networking.k8s.io/gateway-name": "web", "app": "web-istio"})
SIDECAR = Workload("infra", {"app": "web-istio"})
WAYPOINT_POD = Workload("shop", {"gateway.networking.k8s.io/gateway-name": "waypoint"})
CALLER = Source(principal="cluster.local/ns/default/sa/sleep", ip="10.0.0.5")

GATEWAYS = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
"""

DENY_ALL = "  action: DENY\n  rules: [{}]\n"


def deny(name: str, target: str, namespace: str = "infra") -> str:
    return policy(name, f"  targetRefs: [{target}]\n{DENY_ALL}", namespace)


def decide(mesh, to: Workload, line: str = "GET http://web.example.com/") -> dict:
    return authorize(mesh, Request.parse(line), to, CALLER, lang="en").to_json()


GATEWAY_REF = "{group: gateway.networking.k8s.io, kind: Gateway, name: web}"


def test_gateway_target_ref_attaches_to_that_gateways_pods_only() -> None:
    # ShouldAttachPolicy: "Gateway attached" when the ref names the workload's gateway-name label;
    # a workload without that label ignores targetRef policies altogether.
    mesh = mesh_of(GATEWAYS, deny("lock", GATEWAY_REF))
    on_gateway = decide(mesh, GATEWAY_POD)
    assert (on_gateway["decision"], on_gateway["policy"]) == ("DENY", "infra/lock")
    assert "AuthorizationPolicy infra/lock applies to gateway web through its targetRef" in on_gateway["trace"]
    assert decide(mesh, SIDECAR)["decision"] == "ALLOW"


def test_target_ref_naming_another_gateway_or_from_another_namespace_does_not_attach() -> None:
    # The name must be the gateway's; the policy must live in the gateway's namespace; a ref with
    # another namespace "will never match anything".
    other = deny("other", "{group: gateway.networking.k8s.io, kind: Gateway, name: api}")
    elsewhere = deny("elsewhere", GATEWAY_REF, namespace="default")
    cross = deny("cross", "{group: gateway.networking.k8s.io, kind: Gateway, name: web, namespace: default}")
    outcome = decide(mesh_of(GATEWAYS, other, elsewhere, cross), GATEWAY_POD)
    assert outcome["decision"] == "ALLOW"
    assert "AuthorizationPolicy infra/other targets another resource than gateway web: not applied" in outcome["trace"]


def test_a_gateway_still_takes_selector_and_namespace_wide_policies() -> None:
    # "gateway with no targetRefs: (sometimes) fallback to selector": on by default for gateways.
    by_selector = policy("sel", "  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: web}}\n" + DENY_ALL, "infra")
    assert decide(mesh_of(GATEWAYS, by_selector), GATEWAY_POD)["policy"] == "infra/sel"
    namespace_wide = policy("all", "  action: ALLOW\n", "infra")
    assert decide(mesh_of(GATEWAYS, namespace_wide), GATEWAY_POD)["decision"] == "DENY"  # ALLOW with no rules


def test_target_ref_to_a_service_attaches_to_its_waypoint_for_that_service_only() -> None:
    # "Service attached": IsWaypoint, ref kind Service named as the Service the request is for, the
    # policy in that Service's namespace.
    mesh = mesh_of(GATEWAYS, deny("reviews-only", "{kind: Service, group: '', name: reviews}", namespace="shop"))
    to_reviews = decide(mesh, WAYPOINT_POD, "GET http://reviews.shop.svc.cluster.local:9080/")
    assert (to_reviews["decision"], to_reviews["policy"]) == ("DENY", "shop/reviews-only")
    assert decide(mesh, WAYPOINT_POD, "GET http://ratings.shop.svc.cluster.local:9080/")["decision"] == "ALLOW"


def test_a_waypoint_ignores_selector_policies_and_takes_the_waypoint_class_from_the_root_namespace() -> None:
    # "waypoints never use selector"; GatewayClass istio-waypoint attaches from the root namespace only.
    selector = policy("sel", "  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: waypoint}}\n" + DENY_ALL, "shop")
    assert decide(mesh_of(GATEWAYS, selector), WAYPOINT_POD, "GET http://reviews.shop:9080/")["decision"] == "ALLOW"
    klass = "{group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint}"
    mesh_wide = deny("every-waypoint", klass, namespace="istio-system")
    assert decide(mesh_of(GATEWAYS, mesh_wide), WAYPOINT_POD, "GET http://reviews.shop:9080/")["policy"] == "istio-system/every-waypoint"
    not_root = deny("not-root", klass, namespace="shop")
    assert decide(mesh_of(GATEWAYS, not_root), WAYPOINT_POD, "GET http://reviews.shop:9080/")["decision"] == "ALLOW"
    # The class ref means nothing to an ingress gateway.
    assert decide(mesh_of(GATEWAYS, mesh_wide), GATEWAY_POD)["decision"] == "ALLOW"


def test_single_target_ref_counts_like_target_refs() -> None:
    # GetTargetRefs: targetRef when targetRefs is empty.
    single = policy("one", f"  targetRef: {GATEWAY_REF}\n{DENY_ALL}", "infra")
    assert decide(mesh_of(GATEWAYS, single), GATEWAY_POD)["policy"] == "infra/one"


CASES = [
    (GATEWAY_POD, "GET http://web.example.com/"),
    (SIDECAR, "GET http://web.example.com/"),
    (WAYPOINT_POD, "GET http://reviews.shop.svc.cluster.local:9080/"),
    (WAYPOINT_POD, "GET http://ratings.shop.svc.cluster.local:9080/"),
]


@pytest.mark.envoy
@pytest.mark.parametrize(("to", "line"), CASES)
def test_real_envoy_rbac_agrees(to: Workload, line: str) -> None:
    from istio_notebook.envoy import replay

    mesh = mesh_of(GATEWAYS, deny("lock", GATEWAY_REF), deny("reviews-only", "{kind: Service, group: '', name: reviews}", "shop"))
    request = Request.parse(line)
    try:
        sim = authorize(mesh, request, to, CALLER).to_json()
        envoy = replay.authorize(mesh, request, to, CALLER)
    finally:
        replay.close_all()
    assert sim["decision"] == envoy["decision"]
    assert sim["policy"] == envoy.get("policy") or envoy.get("policy") is None
