"""Where PeerAuthentication does not apply: gateways, and selector policies in the root namespace.

- Gateways: istiod builds a gateway's listeners from its Gateway servers (or Gateway API
  listeners) and never consults the PeerAuthentication mTLS mode (istio/istio 1.30.3
  pilot/pkg/networking/core/gateway.go); a mesh-wide STRICT policy leaves the ingress gateway
  taking plaintext from outside the mesh (istio.io Mutual TLS Migration: lock down the mesh
  while ingress keeps serving).
- ComposePeerAuthentication (pilot/pkg/security/authn/policy_applier.go, 1.30.3) only takes a
  workload-level policy (one with a selector) from outside the root namespace; in the root
  namespace such a policy applies to no workload.
"""

from __future__ import annotations

from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.authz.scope import is_gateway, peer_authentication
from istio_notebook.routing import Request

from test_authorize import mesh_of

PLAINTEXT = Source(mtls=False)
INGRESS = Workload("istio-system", {"istio": "ingressgateway"})
INGRESS_PODS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers:
      - {name: istio-proxy, image: docker.io/istio/proxyv2:1.30.0, args: [proxy, router]}
"""
SIDECAR_PODS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: helper, namespace: istio-system}
spec:
  selector: {matchLabels: {app: helper}}
  template:
    metadata: {labels: {app: helper}}
    spec:
      containers:
      - {name: helper, image: example.org/helper:1.0}
"""


def strict(name: str, namespace: str, selector: str = "") -> str:
    return f"""
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {{name: {name}, namespace: {namespace}}}
spec:
{selector}  mtls: {{mode: STRICT}}
"""


def decide(mesh, to: Workload) -> str:
    return authorize(mesh, Request.parse("GET http://bookinfo.example.com/productpage", []), to, PLAINTEXT, lang="en").decision


def test_mesh_wide_strict_leaves_a_gateway_taking_plaintext():
    mesh = mesh_of(INGRESS_PODS, strict("default", "istio-system"))
    assert is_gateway(mesh, INGRESS)
    assert peer_authentication(mesh, INGRESS, 8080) == ("PERMISSIVE", None)
    assert decide(mesh, INGRESS) == "ALLOW"


def test_a_workload_an_istio_gateway_selects_is_a_gateway_even_without_its_pods():
    gateway = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}
"""
    mesh = mesh_of(gateway, strict("default", "istio-system"))
    assert decide(mesh, INGRESS) == "ALLOW"


def test_a_sidecar_in_the_root_namespace_still_follows_mesh_wide_strict():
    mesh = mesh_of(SIDECAR_PODS, strict("default", "istio-system"))
    helper = Workload("istio-system", {"app": "helper"})
    assert not is_gateway(mesh, helper)
    assert decide(mesh, helper) == "DENY"


def test_a_selector_policy_in_the_root_namespace_applies_to_no_workload():
    selector = "  selector: {matchLabels: {app: helper}}\n"
    mesh = mesh_of(SIDECAR_PODS, strict("helper-strict", "istio-system", selector))
    helper = Workload("istio-system", {"app": "helper"})
    assert peer_authentication(mesh, helper, 8080) == ("PERMISSIVE", None)
    assert decide(mesh, helper) == "ALLOW"


def test_a_selector_policy_outside_the_root_namespace_still_applies():
    selector = "  selector: {matchLabels: {app: httpbin}}\n"
    mesh = mesh_of(strict("httpbin-strict", "foo", selector))
    mode, policy = peer_authentication(mesh, Workload("foo", {"app": "httpbin"}), 8080)
    assert (mode, policy.name if policy else None) == ("STRICT", "httpbin-strict")
