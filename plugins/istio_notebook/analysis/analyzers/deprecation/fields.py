"""IST0002: deprecated fields that Istio still reads (or now ignores), and removed kinds.

As istioctl's ``deprecation.DeprecationAnalyzer`` (pkg/config/analysis/analyzers/deprecation/
deprecation.go, tag 1.30.3): a VirtualService ``http[].fault.delay.percent`` above 0 (replaced by
``percentage``), a Sidecar ``outboundTrafficPolicy.egressProxy`` (ignored), and a
CustomResourceDefinition of a removed ``rbac.istio.io`` kind (ClusterRbacConfig, RbacConfig,
ServiceRole, ServiceRoleBinding: AuthorizationPolicy replaced them). istioctl reports at the
resource; we point at the field (for a CRD, its ``spec.names.kind``).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.config.kinds import APIEXTENSIONS, GroupKind
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="deprecation.DeprecationAnalyzer",
    description="Checks for deprecated Istio types and fields",
    inputs=("VirtualService", "Sidecar", "CustomResourceDefinition"),
)

CRDS = GroupKind(APIEXTENSIONS, "CustomResourceDefinition")
REMOVED_GROUP = "rbac.istio.io"
REMOVED_KINDS = ("ClusterRbacConfig", "RbacConfig", "ServiceRole", "ServiceRoleBinding")


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for vs in ctx.of_kind("VirtualService"):
        for i, route in enumerate_dicts(vs.get("spec", "http")):
            percent = as_dict(as_dict(route.get("fault")).get("delay")).get("percent")
            if isinstance(percent, int) and not isinstance(percent, bool) and percent > 0:
                yield messages.deprecated(
                    vs,
                    ("spec", "http", i, "fault", "delay", "percent"),
                    "HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage",
                )
    for sidecar in ctx.of_kind("Sidecar"):
        if sidecar.get("spec", "outboundTrafficPolicy", "egressProxy") is not None:
            yield messages.deprecated(sidecar, ("spec", "outboundTrafficPolicy", "egressProxy"), "OutboundTrafficPolicy.EgressProxy ignored")
    for crd in ctx.of_kind(CRDS):
        kind = as_str(crd.get("spec", "names", "kind"))
        if as_str(crd.get("spec", "group")) == REMOVED_GROUP and kind in REMOVED_KINDS:
            yield messages.deprecated(crd, ("spec", "names", "kind"), f"Custom resource type {REMOVED_GROUP} {kind} is removed")
