"""Status conditions as diagnostics (INB6xxx): what istiod would write into a route's or Gateway's status.

Reasons and when they are set: istio/istio pilot/pkg/config/kube/gateway conversion.go
referenceAllowed (NoMatchingParent for port/sectionName, NotAllowedByListeners for namespace or
kind, NoMatchingListenerHostname), buildDestination (BackendNotFound, RefNotPermitted, InvalidKind),
convertHTTPRoute (InvalidFilter), buildListener (UnsupportedProtocol), buildTLS (RefNotPermitted),
and conditions.go createRouteStatus (one reason per parentRef: the one of lowest rank wins).
"""

from __future__ import annotations

from gwkit import GATEWAY, codes, mesh_of, send, service

ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
"""


def found(*documents: str) -> list[tuple[str, int, str]]:
    return [d for d in codes(mesh_of(*documents)) if d[0].startswith("INB6")]


def test_a_good_route_has_no_finding() -> None:
    route = ROUTE + "  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [a.example.com]\n  rules:\n  - backendRefs: [{name: s, port: 80}]\n"
    assert found(GATEWAY, route, service("s")) == []


def test_section_name_and_port_that_fit_no_listener() -> None:
    route = ROUTE + "  parentRefs:\n  - {name: web, namespace: infra, sectionName: https}\n  - {name: web, namespace: infra, port: 443}\n" \
                    "  rules:\n  - backendRefs: [{name: s, port: 80}]\n"
    assert found(GATEWAY, route) == [
        ("INB6001", 19, "Accepted=False (NoMatchingParent): sectionName 'https' not found"),
        ("INB6001", 20, "Accepted=False (NoMatchingParent): port 443 not found"),
    ]


def test_namespace_not_allowed_and_hostname_not_matching() -> None:
    same_only = GATEWAY.replace("      namespaces: {from: All}\n", "      namespaces: {from: Same}\n")
    route = ROUTE + "  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [a.example.com]\n  rules:\n  - backendRefs: [{name: s, port: 80}]\n"
    assert found(same_only, route) == [("INB6002", 18, "Accepted=False (NotAllowedByListeners): hostnames matched parent hostname "
                                                      "'*.example.com', but namespace 'default' is not allowed by the parent")]
    other = route.replace("a.example.com", "a.example.org")
    assert found(GATEWAY, other) == [("INB6003", 18, "Accepted=False (NoMatchingListenerHostname): no hostnames matched parent hostname '*.example.com'")]


def test_route_kind_not_allowed_by_the_listener() -> None:
    grpc_only = GATEWAY + "      kinds: [{kind: GRPCRoute}]\n"
    route = ROUTE + "  parentRefs: [{name: web, namespace: infra}]\n  rules:\n  - backendRefs: [{name: s, port: 80}]\n"
    assert found(grpc_only, route) == [("INB6002", 19, "Accepted=False (NotAllowedByListeners): kind gateway.networking.k8s.io/HTTPRoute is not allowed")]


def test_backend_problems_point_at_the_backend_ref() -> None:
    route = ROUTE + "  parentRefs: [{name: web, namespace: infra}]\n  rules:\n  - backendRefs:\n    - {name: missing, port: 80}\n" \
                    "    - {name: s, namespace: other, port: 80}\n    - {group: example.com, kind: Bucket, name: b, port: 80}\n"
    assert [(c, line) for c, line, _ in found(GATEWAY, route, service("s"))] == [("INB6004", 21), ("INB6005", 22), ("INB6006", 23)]


def test_backend_not_found_is_judged_only_when_the_namespace_shows_services() -> None:
    # As IST0101 for hosts: a docs example that shows no Service of that namespace is not judged.
    route = ROUTE + "  parentRefs: [{name: web, namespace: infra}]\n  rules:\n  - backendRefs: [{name: missing, port: 80}]\n"
    assert found(GATEWAY, route) == []


def test_unsupported_filter_leaves_the_route_out() -> None:
    route = ROUTE + "  parentRefs: [{name: web, namespace: infra}]\n  rules:\n  - backendRefs: [{name: s, port: 80}]\n" \
                    "    filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Filter, name: f}}]\n"
    assert found(GATEWAY, route, service("s")) == [("INB6007", 21, "ResolvedRefs=False (InvalidFilter): unsupported filter type 'ExtensionRef'")]


def test_listener_protocol_and_certificate_grant() -> None:
    gateway = GATEWAY + "  - {name: udp, port: 53, protocol: UDP}\n" \
        "  - name: tls\n    port: 443\n    protocol: HTTPS\n    hostname: a.example.com\n" \
        "    tls: {certificateRefs: [{name: cert, namespace: secrets}]}\n"
    assert [(c, line) for c, line, _ in found(gateway)] == [("INB6009", 13), ("INB6010", 18)]


def test_policy_selector_on_gateway_api_pods_is_ineffective_ist0166() -> None:
    # istioctl k8sgateway.SelectorAnalyzer (testdata/k8sgateway-selector.yaml): selector-only
    # AuthorizationPolicy / RequestAuthentication / Telemetry on gateway-name-labelled pods → IST0166;
    # with targetRefs → nothing. The Gateway API Gateway itself stands for its pods here.
    policy = ("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: %s, namespace: infra}\n"
              "spec:\n  %s\n  action: DENY\n  rules: [{to: [{operation: {paths: [/admin]}}]}]\n")
    bad = policy % ("by-selector", "selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: web}}")
    good = policy % ("by-target", "targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: web}]")
    got = [(c, line, text) for c, line, text in codes(mesh_of(GATEWAY, bad, good)) if c == "IST0166"]
    assert got == [("IST0166", 18, "Ineffective selector on Kubernetes Gateway web. Use the TargetRef field instead.")]



def test_tls_and_tcp_routes_get_attachment_status() -> None:
    # GenerateGatewaySupportedKinds: an HTTP listener serves HTTPRoute and GRPCRoute, not TLSRoute.
    tls = ("apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {name: t, namespace: default}\n"
           "spec:\n  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [a.example.com]\n"
           "  rules:\n  - backendRefs: [{name: s, port: 443}]\n")
    assert [(c, line) for c, line, _ in found(GATEWAY, tls)] == [("INB6002", 18)]


def test_a_service_import_backend_is_the_service_of_that_name() -> None:
    # istio/istio 1.30.3 conversion.go buildDestination: group multicluster.x-k8s.io kind ServiceImport
    # is <name>.<namespace>.svc.cluster.local while ENABLE_MCS_HOST is off (the default), looked up
    # as a Service (BackendNotFound when absent); testdata/mcs.yaml and invalid.yaml
    # (invalid-backendRef-serviceimport).
    imported = "    - {group: multicluster.x-k8s.io, kind: ServiceImport, name: s, port: 80}\n"
    route = ROUTE + "  parentRefs: [{name: web, namespace: infra}]\n  rules:\n  - backendRefs:\n" + imported
    mesh = mesh_of(GATEWAY, route, service("s"))
    assert found(GATEWAY, route, service("s")) == []
    answer = send(mesh, "GET http://a.example.com/")
    assert [d["host"] for d in answer["destinations"]] == ["s.default.svc.cluster.local"]
    unknown = route.replace("name: s, port", "name: unknown, port")
    assert [(c, line) for c, line, _ in found(GATEWAY, unknown, service("s"))] == [("INB6004", 21)]
