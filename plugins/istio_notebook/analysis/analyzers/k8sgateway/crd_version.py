"""IST0176: a Gateway API CRD below the bundle version this Istio requires.

As istioctl's ``k8sgateway.CRDVersionAnalyzer`` (pkg/config/analysis/analyzers/k8sgateway/
crdversion.go, tag 1.30.3) with Istio 1.30's minimums (pkg/config/schema/gatewayapi/
minimumversions.go): a CustomResourceDefinition of that name whose
``gateway.networking.k8s.io/bundle-version`` annotation, read as semver with any pre-release part
removed, is lower is reported (istiod does not watch that kind at all). A missing or unparsable
annotation is not judged. At the annotation.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.config.kinds import APIEXTENSIONS, GroupKind
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="k8sgateway.CRDVersionAnalyzer",
    description="Checks Gateway API CRDs are at the minimum version required by this Istio version",
    inputs=("CustomResourceDefinition",),
)

CRDS = GroupKind(APIEXTENSIONS, "CustomResourceDefinition")
BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version"
MINIMUM: dict[str, tuple[int, int, int]] = {
    "grpcroutes.gateway.networking.k8s.io": (1, 1, 0),
    "backendtlspolicies.gateway.networking.k8s.io": (1, 4, 0),
    "tlsroutes.gateway.networking.k8s.io": (1, 5, 0),
}


def parse_version(text: str) -> tuple[tuple[int, int, int], str] | None:
    """Masterminds semver ``NewVersion`` (lenient): ``v1.2.3-rc.1+meta``, ``1.2`` → ((1, 2, 3), shown) or None."""
    core = text[1:] if text[:1] in ("v", "V") else text
    core, plus, build = core.partition("+")
    core, dash, pre = core.partition("-")
    parts = core.split(".")
    if not 1 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() for p in parts) or (dash and not pre) or (plus and not build):
        return None
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    shown = ".".join(str(n) for n in numbers) + (f"-{pre}" if dash else "") + (f"+{build}" if plus else "")
    return (numbers[0], numbers[1], numbers[2]), shown


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for crd in ctx.of_kind(CRDS):
        minimum = MINIMUM.get(crd.name)
        parsed = parse_version(crd.annotations.get(BUNDLE_VERSION, "")) if minimum else None
        if parsed and parsed[0] < minimum:
            yield messages.gateway_api_crd_below_minimum(
                crd, ("metadata", "annotations", BUNDLE_VERSION), crd.name, parsed[1], ".".join(map(str, minimum))
            )
