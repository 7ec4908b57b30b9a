"""Empty and absent selectors, per kind, as Istio applies them (config.labels has the table).

Workload selectors use labels.Instance.SubsetOf (pkg/config/labels/instance.go): one without
labels selects every workload. Only an *absent* selector makes a Sidecar namespace-wide.
"""

from __future__ import annotations

from routing_helpers import clusters, make_mesh, send

from istio_notebook.config import Mesh
from istio_notebook.routing.build import registry_of

NAMESPACE_WIDE_SIDECAR = """
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: namespace-wide, namespace: default}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
"""
EMPTY_SELECTOR_SIDECAR = """
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: empty-selector, namespace: default}
spec:
  workloadSelector: {labels: {}}
  outboundTrafficPolicy: {mode: ALLOW_ANY}
"""


def test_a_sidecar_with_an_empty_workload_selector_applies_before_the_namespace_wide_one():
    # pilot/pkg/model/push_context.go: Sidecars with a WorkloadSelector (non-nil) come first and
    # match by SubsetOf, which an empty label set passes for every workload.
    mesh = make_mesh(NAMESPACE_WIDE_SIDECAR, EMPTY_SELECTOR_SIDECAR)
    out = send(mesh, "GET http://example.com/", source="default/app=anything")
    assert out["action"] == "passthrough"
    assert any("Sidecar default/empty-selector applies" in line for line in out["trace"])


def test_without_a_selector_the_sidecar_is_namespace_wide():
    out = send(make_mesh(NAMESPACE_WIDE_SIDECAR), "GET http://example.com/", source="default/app=anything")
    assert (out["action"], out["status"]) == ("blackhole", 502)


SELECTORLESS_GATEWAY = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: named, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [named.example.com]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: everywhere, namespace: default}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [everywhere.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: everywhere, namespace: default}
spec:
  hosts: [everywhere.example.com]
  gateways: [everywhere]
  http:
  - route:
    - destination: {host: details}
"""


def test_a_gateway_without_selector_configures_every_gateway_workload():
    # push_context.go gatewaysForWorkload: "no selector. Applies to all workloads asking for the gateway".
    out = send(make_mesh(SELECTORLESS_GATEWAY), "GET http://everywhere.example.com/", via="default/named")
    assert clusters(out) == [("outbound|9080||details.default.svc.cluster.local", 100.0)]


SERVICE_ENTRY_SELECTING_ALL = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: all-pods, namespace: default}
spec:
  hosts: [all.internal]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {}}
---
apiVersion: v1
kind: Service
metadata: {name: no-selector, namespace: default}
spec:
  ports: [{name: http, port: 80}]
"""


def test_service_entry_with_an_empty_workload_selector_selects_the_namespace_but_a_service_without_selector_none():
    # ServiceEntry: krt.FilterLabel ("If the selector is empty, it IS a match"), in
    # pilot/pkg/serviceregistry/serviceentry/conversion.go. Service: labels.Instance.Match,
    # false for an empty selector (pilot/pkg/serviceregistry/kube/controller/util.go).
    mesh: Mesh = make_mesh(SERVICE_ENTRY_SELECTING_ALL)
    registry = registry_of(mesh)
    entry = registry.lookup("all.internal")
    assert entry is not None and {"app": "reviews", "version": "v2"} in entry.endpoint_labels
    assert len(entry.endpoint_labels) == len(mesh.workloads.in_namespace("default"))
    service = registry.lookup("no-selector.default.svc.cluster.local")
    assert service is not None and service.endpoint_labels == []
