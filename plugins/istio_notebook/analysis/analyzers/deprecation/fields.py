"""IST0002: deprecated fields that Istio still reads (or now ignores).

As istioctl's ``deprecation.DeprecationAnalyzer`` (pkg/config/analysis/analyzers/deprecation/
deprecation.go, tag 1.30.3): a VirtualService ``http[].fault.delay.percent`` above 0 (replaced by
``percentage``), and a Sidecar ``outboundTrafficPolicy.egressProxy`` (ignored). istioctl reports
at the resource; we point at the field. Its third check, CustomResourceDefinitions of the
removed ``rbac.istio.io`` kinds, needs CRD objects, which are read but not kept here.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="deprecation.DeprecationAnalyzer",
    description="Checks for deprecated Istio types and fields",
    inputs=("VirtualService", "Sidecar"),
)


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
