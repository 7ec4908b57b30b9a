"""Validation as ``istioctl validate`` and Istio's webhook do it: schema, then semantics.

``validate(resource)`` decodes the resource into its typed model (unknown fields, wrong types,
bad enum values → IST0106 at the field), and, when that passes, runs the semantic rules of
istio/istio pkg/config/validation for its kind (one module per kind). Every problem is one
IST0106 diagnostic naming the field path, at the exact file:line of that field.
"""

from __future__ import annotations

from collections.abc import Callable

from istio_notebook.analysis.validation import (
    authorizationpolicy,
    destinationrule,
    envoyfilter,
    extensions,
    gateway,
    gatewayapi,
    kubernetes,
    peerauthentication,
    requestauthentication,
    serviceentry,
    sidecar,
    telemetry,
    virtualservice,
    workloadentry,
)
from istio_notebook.analysis.validation.findings import Findings
from istio_notebook.analysis.validation.metadata import check_metadata
from istio_notebook.config import kinds
from istio_notebook.config.models import parse_model
from istio_notebook.config.resource import Resource
from istio_notebook.diagnostics import Diagnostic

__all__ = ["SEMANTIC_RULES", "validate"]

Rule = Callable[[dict, Findings], None]

# (group, kind) → its semantic rules; the spec reaches them already type-checked by the model.
SEMANTIC_RULES: dict[tuple[str, str], Rule] = {
    (kinds.NETWORKING, "Gateway"): gateway.check,
    (kinds.NETWORKING, "VirtualService"): virtualservice.check,
    (kinds.NETWORKING, "DestinationRule"): destinationrule.check,
    (kinds.NETWORKING, "ServiceEntry"): serviceentry.check,
    (kinds.NETWORKING, "Sidecar"): sidecar.check,
    (kinds.NETWORKING, "WorkloadEntry"): workloadentry.check,
    (kinds.NETWORKING, "WorkloadGroup"): workloadentry.check_group,
    (kinds.NETWORKING, "EnvoyFilter"): envoyfilter.check,
    (kinds.SECURITY, "AuthorizationPolicy"): authorizationpolicy.check,
    (kinds.SECURITY, "PeerAuthentication"): peerauthentication.check,
    (kinds.SECURITY, "RequestAuthentication"): requestauthentication.check,
    (kinds.TELEMETRY, "Telemetry"): telemetry.check,
    (kinds.EXTENSIONS, "WasmPlugin"): extensions.check_wasm_plugin,
    (kinds.EXTENSIONS, "TrafficExtension"): extensions.check_traffic_extension,
    (kinds.CORE, "Service"): kubernetes.check_service,
    (kinds.CORE, "Pod"): kubernetes.check_pod,
    (kinds.APPS, "Deployment"): kubernetes.check_deployment,
    (kinds.GATEWAY_API, "Gateway"): gatewayapi.check_gateway,
    (kinds.GATEWAY_API, "HTTPRoute"): gatewayapi.check_http_route,
    (kinds.GATEWAY_API, "GRPCRoute"): gatewayapi.check_grpc_route,
    (kinds.GATEWAY_API, "TLSRoute"): gatewayapi.check_l4_route,
    (kinds.GATEWAY_API, "TCPRoute"): gatewayapi.check_l4_route,
}


def validate(resource: Resource) -> list[Diagnostic]:
    """IST0106 errors and IST0133 warnings for one resource (the semantic rules when its schema passes).

    The typed model is not kept: the rules read the plain spec, and 2.5 kB of model per Service
    was a third of a large mesh's memory (benchmarks/hostile.py).

    Kinds without a model (read-only or unknown kinds) give no diagnostics here. Batches run
    under ``analysis.analyze``, which keeps the cyclic GC paused for the whole mesh.
    """
    model, diagnostics = parse_model(resource)
    if model is None:
        return diagnostics
    found = Findings(resource)
    check_metadata(resource, found)
    rules = SEMANTIC_RULES.get((resource.group, resource.kind))
    if rules is not None:
        rules(resource.spec, found)
    return found.diagnostics
