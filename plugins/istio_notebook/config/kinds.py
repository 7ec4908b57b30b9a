"""The kinds this project reads: API group, served versions, scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

NETWORKING = "networking.istio.io"
SECURITY = "security.istio.io"
TELEMETRY = "telemetry.istio.io"
EXTENSIONS = "extensions.istio.io"
INSTALL = "install.istio.io"
CORE = ""
APPS = "apps"
GATEWAY_API = "gateway.networking.k8s.io"


class GroupKind(NamedTuple):
    """A kind with its API group: what resources are keyed by (``Mesh.of_kind``), so that Gateway
    API's ``Gateway`` (gateway.networking.k8s.io) and Istio's (networking.istio.io) stay apart."""

    group: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind


@dataclass(frozen=True)
class KindInfo:
    group: str
    kind: str
    versions: tuple[str, ...]
    namespaced: bool = True

    @property
    def group_kind(self) -> GroupKind:
        return GroupKind(self.group, self.kind)

    @property
    def api_versions(self) -> tuple[str, ...]:
        return tuple(f"{self.group}/{v}" if self.group else v for v in self.versions)


_NET_VERSIONS = ("v1", "v1beta1", "v1alpha3")

MODELLED: tuple[KindInfo, ...] = (
    KindInfo(NETWORKING, "Gateway", _NET_VERSIONS),
    KindInfo(NETWORKING, "VirtualService", _NET_VERSIONS),
    KindInfo(NETWORKING, "DestinationRule", _NET_VERSIONS),
    KindInfo(NETWORKING, "ServiceEntry", _NET_VERSIONS),
    KindInfo(NETWORKING, "Sidecar", _NET_VERSIONS),
    KindInfo(NETWORKING, "WorkloadEntry", _NET_VERSIONS),
    KindInfo(NETWORKING, "WorkloadGroup", _NET_VERSIONS),
    KindInfo(NETWORKING, "EnvoyFilter", ("v1alpha3",)),
    KindInfo(SECURITY, "AuthorizationPolicy", ("v1", "v1beta1")),
    KindInfo(SECURITY, "PeerAuthentication", ("v1", "v1beta1")),
    KindInfo(SECURITY, "RequestAuthentication", ("v1", "v1beta1")),
    KindInfo(TELEMETRY, "Telemetry", ("v1", "v1alpha1")),
    # Istio 1.30's extension APIs (manifests/charts/base/files/crd-all.gen.yaml: v1alpha1 only).
    KindInfo(EXTENSIONS, "WasmPlugin", ("v1alpha1",)),
    KindInfo(EXTENSIONS, "TrafficExtension", ("v1alpha1",)),
    KindInfo(INSTALL, "IstioOperator", ("v1alpha1",)),
    KindInfo(CORE, "Namespace", ("v1",), namespaced=False),
    KindInfo(CORE, "Service", ("v1",)),
    KindInfo(CORE, "Pod", ("v1",)),
    KindInfo(APPS, "Deployment", ("v1",)),
    # Gateway API v1.5.1 (what Istio 1.30 vendors): the served versions of its CRDs.
    KindInfo(GATEWAY_API, "GatewayClass", ("v1", "v1beta1"), namespaced=False),
    KindInfo(GATEWAY_API, "Gateway", ("v1", "v1beta1")),
    KindInfo(GATEWAY_API, "HTTPRoute", ("v1", "v1beta1")),
    KindInfo(GATEWAY_API, "GRPCRoute", ("v1",)),
    KindInfo(GATEWAY_API, "TLSRoute", ("v1",)),
    KindInfo(GATEWAY_API, "TCPRoute", ("v1alpha2",)),
    KindInfo(GATEWAY_API, "ReferenceGrant", ("v1", "v1beta1")),
)

# Read without validation: common in Istio manifests, but they carry no routing or policy.
READ_ONLY: frozenset[tuple[str, str]] = frozenset(
    {
        (CORE, "ServiceAccount"),
        (CORE, "Endpoints"),
        (CORE, "List"),
        ("discovery.k8s.io", "EndpointSlice"),
        (APPS, "StatefulSet"),
        (APPS, "DaemonSet"),
        (APPS, "ReplicaSet"),
        ("batch", "Job"),
        ("batch", "CronJob"),
        ("autoscaling", "HorizontalPodAutoscaler"),
        ("policy", "PodDisruptionBudget"),
        ("networking.k8s.io", "Ingress"),
        ("networking.k8s.io", "NetworkPolicy"),
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        (SECURITY, "Certificate"),
        ("kind.x-k8s.io", "Cluster"),
    }
)

ADMISSION = "admissionregistration.k8s.io"
APIEXTENSIONS = "apiextensions.k8s.io"

# Read without a schema (no model, no IST0106) but kept as resources, because analyzers look into
# them as istioctl's do (Secrets: gateway credentials; ConfigMaps: the injector's values; webhooks:
# which pods get injected, where a remote cluster's webhooks reach its control plane; CRDs:
# installed versions and removed kinds). Not in MODELLED, so the cluster source never asks a
# cluster for them: Secrets stay where they are.
KEPT: tuple[KindInfo, ...] = (
    KindInfo(CORE, "Secret", ("v1",)),
    KindInfo(CORE, "ConfigMap", ("v1",)),
    KindInfo(ADMISSION, "MutatingWebhookConfiguration", ("v1",), namespaced=False),
    KindInfo(ADMISSION, "ValidatingWebhookConfiguration", ("v1",), namespaced=False),
    KindInfo(APIEXTENSIONS, "CustomResourceDefinition", ("v1",), namespaced=False),
    # Nodes: the topology labels istiod reads a pod's locality from (config/locality.py).
    KindInfo(CORE, "Node", ("v1",), namespaced=False),
    # ProxyConfig: the proxy image type injected Pods run (injection.ImageAnalyzer, IST0158).
    KindInfo(NETWORKING, "ProxyConfig", ("v1beta1",)),
)

_BY_GROUP_KIND: dict[tuple[str, str], KindInfo] = {(k.group, k.kind): k for k in MODELLED + KEPT}


def resource_name(group: str, kind: str) -> str:
    """``plural.group`` as kubectl names a resource (``serviceentries.networking.istio.io``, ``services``).

    The CRDs and core kinds we read are named with English plurals: consonant + y → ies
    (``telemetries``; but ``gateways``), s → ses, else + s. (apimachinery's
    ``UnsafeGuessKindToResource`` would say "gatewaies": the CRDs name their plurals themselves.)
    """
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        plural = lower[:-1] + "ies"
    elif lower.endswith("s"):
        plural = lower + "es"
    else:
        plural = lower + "s"
    return f"{plural}.{group}" if group else plural


# A bare kind name ("Gateway") means the kind of Istio's or Kubernetes' own groups; other groups'
# kinds (Gateway API) are named with a GroupKind.
_BARE_NAME_GROUPS = (NETWORKING, SECURITY, TELEMETRY, EXTENSIONS, INSTALL, CORE, APPS)
_BY_BARE_NAME: dict[str, GroupKind] = {}
for _known in sorted({k.group_kind for k in MODELLED + KEPT} | {GroupKind(*k) for k in READ_ONLY}):
    if _known.group in _BARE_NAME_GROUPS:
        _BY_BARE_NAME.setdefault(_known.kind, _known)


def group_kind(kind: str | GroupKind) -> GroupKind:
    """A GroupKind as given, or the Istio/Kubernetes kind a bare name means (``"Gateway"`` is
    networking.istio.io's); a bare name of no known kind is taken as a core kind."""
    if isinstance(kind, GroupKind):
        return kind
    return _BY_BARE_NAME.get(kind) or GroupKind(CORE, kind)


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def lookup(api_version: str, kind: str) -> KindInfo | None:
    """The modelled (or kept) kind for this apiVersion/kind, or None (unknown, or an unserved version)."""
    group, version = split_api_version(api_version)
    info = _BY_GROUP_KIND.get((group, kind))
    if info is None or version not in info.versions:
        return None
    return info


def served_versions(api_version: str, kind: str) -> tuple[str, ...]:
    """For a modelled kind under an apiVersion that does not serve it, the apiVersions that do.

    Only Istio's groups (``*.istio.io``) and the Kubernetes core and apps groups are judged, as
    the API server would ("no matches for kind"): ``install.istio.io/v1alpha1`` PeerAuthentication
    → ``security.istio.io/v1``, ...; a kind of that name in another group (someone's own CRD) is
    not ours to judge. Empty when the pair is served or unknown.
    """
    group, _ = split_api_version(api_version)
    if lookup(api_version, kind) is not None or not (group in (CORE, APPS) or group.endswith(".istio.io")):
        return ()
    return tuple(v for info in MODELLED if info.kind == kind for v in info.api_versions)


def is_read_only(api_version: str, kind: str) -> bool:
    group, _ = split_api_version(api_version)
    return (group, kind) in READ_ONLY
