"""IST0149: a gateway VirtualService routes on a JWT claim, but no RequestAuthentication covers the gateway.

As istioctl's ``virtualservice.JWTClaimRouteAnalyzer`` (pkg/config/analysis/analyzers/
virtualservice/jwtclaimroute.go, tag 1.30.3): a VirtualService whose ``http[].match[]`` has a
``headers`` or ``withoutHeaders`` key ``@request.auth.claims.<claim>`` or
``@request.auth.claims[<claim>]`` (pkg/jwt ToRoutingClaim) needs, for each pod of each Gateway it
is bound to (``mesh`` aside; a Gateway absent from the input is skipped), a RequestAuthentication
in ``istio-system`` or the pod's namespace whose selector matches the pod (no selector: every
pod): without one the claims are never extracted and the route never matches. One message per
gateway pod, at the first claim key. Deployments count as pods through their pod template.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.hosts import MESH_GATEWAY, split_gateway_ref
from istio_notebook.analysis.util import as_dict, as_list, enumerate_dicts
from istio_notebook.analysis.validation.values import is_routing_claim
from istio_notebook.config import Resource
from istio_notebook.config.labels import label_map, selects
from istio_notebook.config.mesh import ROOT_NAMESPACE
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.JWTClaimRouteAnalyzer",
    description="Checks the VirtualService using JWT claim based routing has corresponding RequestAuthentication",
    inputs=("VirtualService", "RequestAuthentication", "Gateway", "Pod", "Deployment"),
)

def claim_key(vs: Resource) -> tuple[str, tuple] | None:
    """The first claim key the VirtualService routes on, with its field path."""
    for i, route in enumerate_dicts(vs.get("spec", "http")):
        for j, match in enumerate_dicts(route.get("match")):
            for field in ("headers", "withoutHeaders"):
                for key in as_dict(match.get(field)):
                    if isinstance(key, str) and is_routing_claim(key):
                        return key, ("spec", "http", i, "match", j, field, key)
    return None


def _covered(selectors: dict[str, list[dict[str, str]]], namespace: str, labels: dict[str, str]) -> bool:
    candidates = selectors.get(ROOT_NAMESPACE, []) + (selectors.get(namespace, []) if namespace != ROOT_NAMESPACE else [])
    return any(selects(selector, labels) for selector in candidates)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.workloads:
        return
    selectors: dict[str, list[dict[str, str]]] = {}
    for authn in ctx.of_kind("RequestAuthentication"):
        selectors.setdefault(authn.namespace, []).append(label_map(authn.get("spec", "selector", "matchLabels")))
    for vs in ctx.of_kind("VirtualService"):
        found = claim_key(vs)
        if found is None:
            continue
        key, path = found
        for ref in as_list(vs.get("spec", "gateways")):
            if not isinstance(ref, str) or ref == MESH_GATEWAY:
                continue
            namespace, name = split_gateway_ref(ref, vs.namespace)
            gateway = ctx.mesh.get("Gateway", namespace, name)
            if gateway is None:
                continue
            for pod in ctx.workloads.select(label_map(gateway.get("spec", "selector"))):
                if not _covered(selectors, pod.namespace, pod.labels):
                    yield messages.jwt_claim_route_without_authn(vs, path, key, f"{namespace}/{name}", pod.resource.name)
