"""The Service and Deployment istiod's deployment controller creates for a managed Gateway API Gateway.

Sources (istio/istio 1.30.3): pilot/pkg/config/kube/gatewaycommon/gateway_utils.go GetDefaultName
(``<name>-<gatewayClassName>``) and IsManaged (no address or one IP: managed; a Hostname address:
an existing Service, nothing created); deploymentcontroller.go extractServicePorts (status-port
15021 first, each listener port once, named after the listener with ``.`` → ``-``, appProtocol
the lower-case protocol) and the ``gateway.istio.io/name-override`` annotation;
manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml (Service selector and pod
label ``gateway.networking.k8s.io/gateway-name``); conversion.go extractGatewayServices
(``<name>.<namespace>.svc.<domain>``). istio.io's egress gateway task (Gateway API tab) sends
sidecar traffic to ``<gateway>-istio``: that Service must exist and have endpoints.
"""

from __future__ import annotations

from gwkit import codes, mesh_of, send
from istio_notebook.gatewayapi import convert

EGRESS = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: out, namespace: default, annotations: {networking.istio.io/service-type: ClusterIP}}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http.plain, port: 80, protocol: HTTP, hostname: api.example.org}
  - {name: http-again, port: 80, protocol: HTTP, hostname: other.example.org}
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}
"""
TO_GATEWAY = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-gateway, namespace: default}
spec:
  parentRefs: [{kind: Service, group: "", name: app}]
  rules:
  - backendRefs: [{name: %s, port: 80}]
"""
APP = "apiVersion: v1\nkind: Service\nmetadata: {name: app, namespace: default}\nspec:\n  ports: [{name: http, port: 80}]\n"


def generated(mesh, kind: str) -> dict:
    return {r.name: r for r in convert(mesh).resources if r.kind == kind}


def test_the_service_is_named_after_gateway_and_class_with_the_status_port_and_each_listener_port_once() -> None:
    service = generated(mesh_of(EGRESS), "Service")["out-istio"]
    assert service.namespace == "default"
    assert service.spec["selector"] == {"gateway.networking.k8s.io/gateway-name": "out"}
    assert service.spec["ports"] == [
        {"name": "status-port", "port": 15021, "protocol": "TCP", "appProtocol": "tcp"},
        {"name": "http-plain", "port": 80, "protocol": "TCP", "appProtocol": "http"},
        {"name": "tls", "port": 443, "protocol": "TCP", "appProtocol": "tls"},
    ]


def test_the_deployment_pods_carry_the_gateway_name_label_the_service_selects() -> None:
    deployment = generated(mesh_of(EGRESS), "Deployment")["out-istio"]
    labels = deployment.spec["template"]["metadata"]["labels"]
    assert labels["gateway.networking.k8s.io/gateway-name"] == "out"
    assert labels["sidecar.istio.io/inject"] == "false"


def test_a_sidecar_reaches_the_gateway_through_its_service_with_endpoints() -> None:
    # No BackendNotFound for out-istio, and the cluster has endpoints (no 503 UH).
    mesh = mesh_of(EGRESS, APP, TO_GATEWAY % "out-istio")
    assert [c for c in codes(mesh) if c[0].startswith("INB6")] == []
    out = send(mesh, "GET http://app/", source="default")
    assert out["status"] is None
    assert out["destinations"][0]["cluster"] == "outbound|80||out-istio.default.svc.cluster.local"


def test_the_name_override_annotation_names_service_and_deployment() -> None:
    mesh = mesh_of(EGRESS.replace("{networking.istio.io/service-type: ClusterIP}", "{gateway.istio.io/name-override: egress}"))
    assert sorted(generated(mesh, "Service")) == ["egress"]
    assert sorted(generated(mesh, "Deployment")) == ["egress"]


def test_a_gateway_with_a_hostname_address_is_not_managed_and_gets_no_service() -> None:
    unmanaged = EGRESS.replace("spec:\n", "spec:\n  addresses: [{type: Hostname, value: existing}]\n", 1)
    mesh = mesh_of(unmanaged, APP, TO_GATEWAY % "out-istio")
    assert generated(mesh, "Service") == {}
    assert [c[2] for c in codes(mesh) if c[0].startswith("INB6")] == [
        "ResolvedRefs=False (BackendNotFound): backend(out-istio.default.svc.cluster.local) not found",
    ]


def test_a_service_the_input_already_holds_is_kept_as_written() -> None:
    written = "apiVersion: v1\nkind: Service\nmetadata: {name: out-istio, namespace: default}\nspec:\n  ports: [{name: http, port: 80}]\n"
    assert "out-istio" not in generated(mesh_of(EGRESS, written), "Service")


def test_another_class_gets_nothing() -> None:
    # Only the istio class uses the kube-gateway template; waypoints and other controllers are not generated here.
    waypoint = EGRESS.replace("gatewayClassName: istio", "gatewayClassName: istio-waypoint")
    other = EGRESS.replace("gatewayClassName: istio", "gatewayClassName: someone-else")
    for text in (waypoint, other):
        assert generated(mesh_of(text), "Service") == {}
