"""Table-driven analyzer tests, as istio/istio's pkg/config/analysis/analyzers/analyzers_test.go.

Each fixture in testdata/ says beside every resource (or field) whether it must be flagged;
the table lists, per case, the fixture files, the analyzer under test and every expected
(code, origin, line). Only the analyzer under test runs, so cases do not leak into each other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from istio_notebook.analysis import finish, run_analyzers
from istio_notebook.analysis.analyzers import by_name
from istio_notebook.config import Mesh, load_paths

TESTDATA = Path(__file__).parent / "testdata"

CASES = [
    (
        "gateway refs: missing, wrong namespace, host not served, internal gateway",
        ["virtualservice_gateway_ref.yaml"],
        "virtualservice.GatewayAnalyzer",
        [
            ("IST0101", "VirtualService default/missing-gateway", 45),
            ("IST0132", "VirtualService default/missing-gateway", 45),
            ("IST0101", "VirtualService web/wrong-namespace", 56),
            ("IST0132", "VirtualService web/wrong-namespace", 56),
            ("IST0132", "VirtualService default/host-not-served", 66),
            ("IST0132", "VirtualService web/local-host-other-ns", 76),
            ("IST0165", "VirtualService web/internal-gateway", 96),
        ],
    ),
    (
        "gateway refs judged without any Gateway in the input",
        ["virtualservice_gateway_ref_no_gateways.yaml"],
        "virtualservice.GatewayAnalyzer",
        [("IST0101", "VirtualService default/bound", 11), ("IST0132", "VirtualService default/bound", 11)],
    ),
    (
        "destination hosts, ports and mirrors",
        ["virtualservice_destination_host.yaml"],
        "virtualservice.DestinationHostAnalyzer",
        [
            ("IST0101", "VirtualService default/routes", 44),
            ("IST0112", "VirtualService default/routes", 47),
            ("IST0101", "VirtualService default/routes", 51),
            ("IST0101", "VirtualService default/routes", 56),
            ("IST0101", "VirtualService default/routes", 60),
            ("IST0101", "VirtualService default/routes", 62),
        ],
    ),
    (
        "destination hosts not judged without Services or ServiceEntries",
        ["virtualservice_destination_subset.yaml"],
        "virtualservice.DestinationHostAnalyzer",
        [],
    ),
    (
        "destination subsets",
        ["virtualservice_destination_subset.yaml"],
        "virtualservice.DestinationRuleAnalyzer",
        [
            ("IST0101", "VirtualService default/reviews", 33),
            ("IST0101", "VirtualService default/reviews", 39),
            ("IST0101", "VirtualService default/reviews", 43),
        ],
    ),
    (
        "subsets judged with no Pod in the input, as istioctl does",
        ["destinationrule_subset_no_pods.yaml"],
        "destinationrule.SubsetSelectPodAnalyzer",
        [("IST0173", "DestinationRule default/reviews", 17)],
    ),
    (
        "destination subsets judged with no DestinationRule in the input, as istioctl does",
        ["virtualservice_destination_subset_no_rules.yaml"],
        "virtualservice.DestinationRuleAnalyzer",
        [("IST0101", "VirtualService default/reviews", 14)],
    ),
    (
        "mesh VirtualServices sharing a host",
        ["virtualservice_conflicting_mesh_hosts.yaml"],
        "virtualservice.ConflictingMeshGatewayHostsAnalyzer",
        [
            ("IST0109", "VirtualService default/a", 5),
            ("IST0109", "VirtualService default/b", 13),
            ("IST0109", "VirtualService team/private-ratings", 39),
            ("IST0109", "VirtualService default/public-ratings", 48),
        ],
    ),
    (
        "unreachable rules and ineffective matches",
        ["virtualservice_unreachable_rules.yaml"],
        "virtualservice.UnreachableRulesAnalyzer",
        [
            ("IST0130", "VirtualService default/after-catch-all", 9),
            ("IST0130", "VirtualService default/after-catch-all", 11),
            ("IST0130", "VirtualService default/duplicates", 24),
            ("IST0131", "VirtualService default/duplicates", 26),
            ("IST0130", "VirtualService default/duplicates", 29),
            ("IST0131", "VirtualService default/duplicates", 30),
            ("IST0131", "VirtualService default/prefixes", 44),
            ("IST0130", "VirtualService default/tcp", 57),
            ("IST0131", "VirtualService default/tcp", 57),
        ],
    ),
    (
        "single destination with weight below 100",
        ["virtualservice_single_destination_weight.yaml"],
        "virtualservice.SingleDestinationWeightAnalyzer",
        [("INB2002", "VirtualService default/weights", 11), ("INB2002", "VirtualService default/weights", 24)],
    ),
    (
        "repeated host and subset in one route",
        ["virtualservice_repeated_destination.yaml"],
        "virtualservice.RepeatedDestinationAnalyzer",
        [("INB2003", "VirtualService default/repeated", 14)],
    ),
    (
        "several VirtualServices for one host on one gateway",
        ["virtualservice_shared_gateway_host.yaml"],
        "virtualservice.SharedGatewayHostAnalyzer",
        [("INB2005", "VirtualService default/front-a", 8), ("INB2005", "VirtualService default/front-b", 18)],
    ),
    (
        "TLS origination without caCertificates",
        ["destinationrule_ca_certificates.yaml"],
        "destinationrule.CaCertificateAnalyzer",
        [("IST0128", "DestinationRule default/no-ca", 9), ("IST0129", "DestinationRule default/no-ca", 13)],
    ),
    (
        "unknown DR host and subsets that select no pod",
        ["destinationrule_subset_pods.yaml"],
        "destinationrule.SubsetSelectPodAnalyzer",
        [
            ("IST0173", "DestinationRule default/reviews", 33),
            ("IST0174", "DestinationRule default/typo", 42),
            ("IST0174", "DestinationRule default/nothing-covered", 61),
        ],
    ),
    (
        "subsets with topology labels, matched against the endpoints' region, zone and hostname",
        ["destinationrule_subset_topology.yaml"],
        "destinationrule.SubsetSelectPodAnalyzer",
        [
            ("IST0173", "DestinationRule default/httpbin", 58),
            ("IST0173", "DestinationRule default/httpbin", 60),
            ("IST0173", "DestinationRule default/httpbin", 64),
            ("IST0173", "DestinationRule default/httpbin", 70),
        ],
    ),
    (
        "running Pods of an injected namespace without istio-proxy",
        ["injection_missing_proxy.yaml"],
        "injection.PodMissingProxyAnalyzer",
        [("IST0103", "Pod shop/cart-old", 12)],
    ),
    (
        "injected proxies running another image than the injector's, per namespace",
        ["injection_proxy_image.yaml"],
        "injection.ImageAnalyzer",
        [("IST0158", "Namespace shop", 16)],
    ),
    (
        "meshNetworks registries: built-in, remote secret, local cluster; case-sensitive",
        ["multicluster_meshnetworks.yaml"],
        "meshnetworks.MeshNetworksAnalyzer",
        [
            ("IST0126", "ConfigMap istio-system/istio", 29),
            ("IST0126", "ConfigMap istio-system/istio", 29),
            ("IST0126", "IstioOperator istio-system/control-plane", 54),
        ],
    ),
    (
        "DR host cutting a Service name short (name.ns, name.ns.svc) without ServiceEntries",
        ["cut_short_service_hosts.yaml"],
        "destinationrule.SubsetSelectPodAnalyzer",
        [("IST0174", "DestinationRule default/dotted", 17), ("IST0174", "DestinationRule default/svc", 23)],
    ),
    (
        "VS destination cutting a Service name short without ServiceEntries",
        ["cut_short_service_hosts.yaml"],
        "virtualservice.DestinationHostAnalyzer",
        [("IST0101", "VirtualService default/reviews", 51)],
    ),
    (
        "two DestinationRules define the same subset",
        ["destinationrule_duplicate_subset.yaml"],
        "destinationrule.DuplicateSubsetAnalyzer",
        [("INB2004", "DestinationRule default/reviews", 8), ("INB2004", "DestinationRule default/reviews-copy", 19)],
    ),
    (
        "values istiod accepts and Envoy refuses",
        ["virtualservice_envoy_refusals.yaml"],
        "virtualservice.EnvoyRefusalAnalyzer",
        [("INB5003", "VirtualService default/statuses", 8), ("INB5003", "VirtualService default/statuses", 11),
         ("INB5003", "VirtualService default/regexes", 20)],
    ),
    (
        "subsets without labels",
        ["destinationrule_subset_labels.yaml"],
        "destinationrule.SubsetLabelsAnalyzer",
        [("INB2006", "DestinationRule default/reviews", 10), ("INB2006", "DestinationRule default/reviews", 11)],
    ),
    (
        "gateway selector and ports on its Service",
        ["gateway_workload_ports.yaml"],
        "gateway.IngressGatewayPortAnalyzer",
        [("IST0162", "Gateway default/ok", 31), ("IST0101", "Gateway default/typo", 39)],
    ),
    (
        "gateway selector not judged without workloads",
        ["gateway_conflicting.yaml"],
        "gateway.IngressGatewayPortAnalyzer",
        [],
    ),
    (
        "conflicting gateways",
        ["gateway_conflicting.yaml"],
        "gateway.ConflictingGatewayAnalyzer",
        [("IST0145", "Gateway default/a", 9), ("IST0145", "Gateway default/b", 19)],
    ),
    (
        "ServiceEntry TCP ports without addresses",
        ["serviceentry_addresses.yaml"],
        "serviceentry.Analyzer",
        [("IST0134", "ServiceEntry default/db", 8), ("IST0134", "ServiceEntry default/db", 9)],
    ),
    (
        "http routes on ports Istio treats as TCP",
        ["virtualservice_http_on_tcp_port.yaml"],
        "virtualservice.HttpRoutesOnTcpPortAnalyzer",
        [
            ("INB2007", "VirtualService default/tcp-echo", 43),
            ("INB2007", "VirtualService default/mixed", 53),
            ("INB2007", "VirtualService default/db", 63),
            ("INB2007", "VirtualService default/external-api", 71),
        ],
    ),
    (
        "Service port names without protocol; ExternalName ports",
        ["service_port_name.yaml"],
        "service.PortNameAnalyzer",
        [
            ("IST0118", "Service default/web", 10),
            ("IST0118", "Service default/web", 14),
            ("IST0150", "Service default/db", 31),
            ("IST0150", "Service default/db", 32),
        ],
    ),
    (
        "Sidecar selector matching no pod of its namespace",
        ["workload_sidecar_selector.yaml"],
        "sidecar.SelectorAnalyzer",
        [("IST0101", "Sidecar default/reviews", 21), ("IST0101", "Sidecar other/ratings", 30)],
    ),
    (
        "Sidecars competing for a workload or a namespace",
        ["workload_sidecar_conflicts.yaml"],
        "sidecar.ConflictAnalyzer",
        [
            ("IST0110", "Sidecar default/by-app", 10),
            ("IST0110", "Sidecar default/by-version", 18),
            ("IST0111", "Sidecar default/default-1", 26),
            ("IST0111", "Sidecar default/default-2", 33),
            ("IST0167", "Sidecar mesh-ambient/default", 52),
            ("IST0167", "Sidecar mesh-ambient/default-2", 59),
            ("IST0167", "Sidecar default/details", 75),
        ],
    ),
    (
        "policy selectors matching no workload",
        ["workload_policy_selector.yaml"],
        "workload.PolicySelectorAnalyzer",
        [
            ("IST0127", "AuthorizationPolicy foo/typo", 21),
            ("IST0127", "AuthorizationPolicy bar/empty-namespace", 35),
            ("IST0127", "PeerAuthentication foo/strict", 44),
        ],
    ),
    (
        "Telemetry access logging without providers",
        ["telemetry_providers.yaml"],
        "telemetry.ProviderAnalyzer",
        [("IST0157", "Telemetry default/logs", 8)],
    ),
    (
        "AuthorizationPolicy source namespaces",
        ["authorizationpolicy_namespace_ref.yaml"],
        "authorizationpolicy.NamespaceAnalyzer",
        [("IST0101", "AuthorizationPolicy backend/allow", 19), ("IST0101", "AuthorizationPolicy backend/allow", 22)],
    ),
    (
        "AuthorizationPolicy namespaces not judged without Namespace objects",
        ["authorizationpolicy_namespace_ref_no_namespaces.yaml"],
        "authorizationpolicy.NamespaceAnalyzer",
        [],
    ),
    (
        "policy selectors on the pods of a Gateway API gateway",
        ["gatewayapi_ineffective_selector.yaml"],
        "gatewayapi.IneffectiveSelector",
        [
            ("IST0166", "RequestAuthentication default/ra-ineffective", 15),
            ("IST0166", "AuthorizationPolicy default/ap-ineffective", 22),
            ("IST0166", "WasmPlugin default/wasm-ineffective", 44),
        ],
    ),
    (
        "Gateways sharing a certificate",
        ["gateway_duplicate_certificate.yaml"],
        "gateway.CertificateAnalyzer",
        [
            ("IST0138", "Gateway default/shop", 5),
            ("IST0138", "Gateway default/admin", 17),
            ("IST0138", "Gateway files/files-a", 53),
        ],
    ),
    (
        "Istio annotations on Kubernetes resources",
        ["annotations_k8s.yaml"],
        "annotations.K8sAnalyzer",
        [
            ("IST0135", "Deployment default/reviews", 9),
            ("IST0107", "Deployment default/reviews", 9),
            ("IST0108", "Deployment default/reviews", 10),
            ("IST0107", "Pod default/ratings", 31),
            ("IST0107", "Service default/ratings", 42),
            ("IST0108", "Namespace web", 52),
        ],
    ),
    (
        "Istio annotation values the injector refuses",
        ["annotations_values.yaml"],
        "annotations.K8sAnalyzer",
        [
            ("IST0125", "Pod default/bad-values", 9),
            ("IST0125", "Pod default/bad-values", 10),
            ("IST0125", "Pod default/bad-values", 12),
            ("IST0125", "Pod default/bad-values", 14),
            ("IST0125", "Pod default/bad-values", 15),
            ("IST0125", "Pod default/bad-values", 16),
            ("IST0125", "Pod default/bad-values", 17),
            ("IST0125", "Pod default/bad-values", 19),
            ("IST0125", "Pod default/bad-values", 20),
            ("IST0107", "Deployment default/values-on-deployment", 48),
        ],
    ),
    (
        "namespace injection labels",
        ["injection_namespace_labels.yaml"],
        "injection.Analyzer",
        [("IST0102", "Namespace plain", 5), ("IST0123", "Namespace both", 35), ("IST0123", "Namespace rev-and-ambient", 51)],
    ),
    (
        "namespaces injected by default (injector ConfigMap in the input)",
        ["injection_enabled_by_default.yaml"],
        "injection.Analyzer",
        [("IST0148", "Namespace plain", 13)],
    ),
    (
        "injector ConfigMap with the flag false; a revision's ConfigMap does not count",
        ["injection_enabled_by_default_off.yaml"],
        "injection.Analyzer",
        [("IST0102", "Namespace plain", 22)],
    ),
    (
        "duplicate resources",
        ["resource_duplicate.yaml"],
        "resource.DuplicateAnalyzer",
        [("INB2001", "VirtualService default/reviews", 12)],
    ),
    (
        "telemetry selectors: no pod, several for one pod, several defaults",
        ["telemetry_selectors.yaml"],
        "telemetry.SelectorAnalyzer",
        [
            ("IST0159", "Telemetry default/by-app", 11),
            ("IST0159", "Telemetry default/by-version", 19),
            ("IST0101", "Telemetry default/reviews", 31),
            ("IST0160", "Telemetry istio-system/mesh-default", 42),
            ("IST0160", "Telemetry istio-system/mesh-default-2", 49),
        ],
    ),
    (
        "application pods running as the proxy's UID 1337",
        ["deployment_application_uid.yaml"],
        "applicationUID.Analyzer",
        [
            ("IST0144", "Pod default/app", 8),
            ("IST0144", "Pod default/app", 13),
            ("IST0144", "Deployment default/worker", 31),
        ],
    ),
    (
        "image: auto where no Istio webhook injects",
        ["injection_image_auto.yaml"],
        "injection.ImageAutoAnalyzer",
        [
            ("IST0146", "Deployment no-injection/gateway", 66),
            ("IST0147", "Pod edge/proxy", 75),
        ],
    ),
    (
        "image: auto not judged without webhooks in the input",
        ["injection_image_auto_no_webhooks.yaml"],
        "injection.ImageAutoAnalyzer",
        [],
    ),
    (
        "gateway credentialName: missing and unusable Secrets",
        ["gateway_secret.yaml"],
        "gateway.SecretAnalyzer",
        [
            ("IST0101", "Gateway web/public", 23),
            ("IST0161", "Gateway web/public", 29),
            ("IST0161", "Gateway web/public", 35),
        ],
    ),
    (
        "gateway credentialName not judged without any Secret in the input",
        ["gateway_workload_ports.yaml"],
        "gateway.SecretAnalyzer",
        [],
    ),
    (
        "EnvoyFilter patch operations: misplaced ADD/REMOVE/REPLACE, relative without priority",
        ["envoyfilter_patches.yaml"],
        "envoyfilter.EnvoyPatchAnalyzer",
        [
            ("IST0151", "EnvoyFilter istio-system/no-priority", 18),
            ("IST0152", "EnvoyFilter istio-system/no-priority", 28),
            ("IST0153", "EnvoyFilter istio-system/no-priority", 35),
            ("IST0154", "EnvoyFilter istio-system/no-priority", 38),
            ("IST0155", "EnvoyFilter istio-system/after-versioned", 85),
        ],
    ),
    (
        "deprecated fields: fault.delay.percent, Sidecar egressProxy; removed rbac.istio.io CRDs",
        ["deprecation_fields.yaml"],
        "deprecation.DeprecationAnalyzer",
        [
            ("IST0002", "VirtualService default/ratings", 11),
            ("IST0002", "Sidecar default/default", 25),
            ("IST0002", "CustomResourceDefinition serviceroles.rbac.istio.io", 36),
        ],
    ),
    (
        "negative status conditions in dumped resources",
        ["conditions_negative.yaml"],
        "conditions.ConditionAnalyzer",
        [
            ("IST0171", "Service default/reviews", 11),
            ("IST0171", "AuthorizationPolicy default/allow-get", 25),
            ("IST0171", "HTTPRoute default/reviews", 48),
        ],
    ),
    (
        "JWT claim routes on gateways without RequestAuthentication",
        ["virtualservice_jwt_claim_route.yaml"],
        "virtualservice.JWTClaimRouteAnalyzer",
        [("IST0149", "VirtualService default/by-group", 44)],
    ),
    (
        "gateway routes without subset to a host split by subset elsewhere",
        ["virtualservice_ingress_subsets.yaml"],
        "virtualservice.IngressSubsetAnalyzer",
        [("IST0140", "VirtualService default/bookinfo", 12)],
    ),
    (
        "RequestAuthentications while istiod does not block CIDRs for JWKS fetches",
        ["authn_blocked_cidrs.yaml"],
        "authn.BlockedCIDRsAnalyzer",
        [("IST0175", "Deployment istio-system/istiod", 12)],
    ),
    (
        "Istio injection webhooks that overlap or name a missing injector Service",
        ["webhook_overlap.yaml"],
        "webhook.Analyzer",
        [
            ("IST0139", "MutatingWebhookConfiguration istio-sidecar-injector", 14),
            ("IST0139", "MutatingWebhookConfiguration istio-sidecar-injector-1-29", 40),
            ("IST0139", "MutatingWebhookConfiguration istio-sidecar-injector-1-29", 42),
        ],
    ),
    (
        "injection webhooks of one install do not overlap",
        ["injection_image_auto.yaml"],
        "webhook.Analyzer",
        [],
    ),
    (
        "webhooks of a remote cluster reaching the external control plane",
        ["webhook_external_control_plane.yaml"],
        "externalcontrolplane.ExternalControlPlaneAnalyzer",
        [
            ("IST0164", "ValidatingWebhookConfiguration istio-validator-external-istiod", 7),
            ("IST0163", "ValidatingWebhookConfiguration istio-validator-external-istiod", 10),
            ("IST0163", "MutatingWebhookConfiguration istio-sidecar-injector-external-istiod", 21),
        ],
    ),
    (
        "Gateway API CRDs below the bundle version Istio 1.30 requires",
        ["k8sgateway_crd_version.yaml"],
        "k8sgateway.CRDVersionAnalyzer",
        [("IST0176", "CustomResourceDefinition tlsroutes.gateway.networking.k8s.io", 8)],
    ),
    (
        "services selecting one in-mesh deployment: protocols and targetPorts",
        ["deployment_services.yaml"],
        "deployment.MultiServiceAnalyzer",
        [
            ("IST0116", "Deployment shop/dns", 10),
            ("IST0137", "Deployment plain/web", 36),
        ],
    ),
]


def run_case(files: list[str], analyzer: str):
    loaded = load_paths([TESTDATA / f for f in files])
    assert not [d for d in loaded.diagnostics if d.level.value == "Error"], loaded.diagnostics
    mesh = Mesh(loaded.resources)
    return finish(run_analyzers(mesh, [by_name()[analyzer]]), mesh)


@pytest.mark.parametrize(("case", "files", "analyzer", "expected"), CASES, ids=[c[0] for c in CASES])
def test_analyzer_flags_exactly_the_marked_resources(case, files, analyzer, expected):
    found = run_case(files, analyzer)
    assert sorted((d.code, d.origin, d.line) for d in found) == sorted(expected)


def test_every_fixture_is_used_by_some_case():
    used = {f for _, files, _, _ in CASES for f in files}
    assert {p.name for p in TESTDATA.glob("*.yaml")} <= used


def test_duplicates_are_analyzed_once_as_the_first_definition():
    # Without this, the second copy of default/reviews would also "conflict" with the first (IST0109).
    found = run_case(["resource_duplicate.yaml"], "virtualservice.ConflictingMeshGatewayHostsAnalyzer")
    assert found == []
