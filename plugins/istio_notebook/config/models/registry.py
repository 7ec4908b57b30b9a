"""Which model reads which kind: the whole document (apiVersion, kind, metadata, spec, status)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, create_model

from istio_notebook.config import kinds
from istio_notebook.config.models import (
    authorization_policy,
    destination_rule,
    envoy_filter,
    gateway,
    istio_operator,
    kubernetes,
    peer_authentication,
    request_authentication,
    service_entry,
    sidecar,
    telemetry,
    traffic_extension,
    virtual_service,
    wasm_plugin,
    workload_entry,
    workload_group,
)
from istio_notebook.config.models.base import Message, Struct
from istio_notebook.config.models.gateway_api import (
    gateway as gwapi_gateway,
)
from istio_notebook.config.models.gateway_api import (
    gateway_class,
    grpc_route,
    http_route,
    reference_grant,
    tcp_route,
    tls_route,
)

# (group, kind) → the model of its spec.
SPECS: dict[tuple[str, str], type] = {
    (kinds.NETWORKING, "Gateway"): gateway.Gateway,
    (kinds.NETWORKING, "VirtualService"): virtual_service.VirtualService,
    (kinds.NETWORKING, "DestinationRule"): destination_rule.DestinationRule,
    (kinds.NETWORKING, "ServiceEntry"): service_entry.ServiceEntry,
    (kinds.NETWORKING, "Sidecar"): sidecar.Sidecar,
    (kinds.NETWORKING, "WorkloadEntry"): workload_entry.WorkloadEntry,
    (kinds.NETWORKING, "WorkloadGroup"): workload_group.WorkloadGroup,
    (kinds.NETWORKING, "EnvoyFilter"): envoy_filter.EnvoyFilter,
    (kinds.SECURITY, "AuthorizationPolicy"): authorization_policy.AuthorizationPolicy,
    (kinds.SECURITY, "PeerAuthentication"): peer_authentication.PeerAuthentication,
    (kinds.SECURITY, "RequestAuthentication"): request_authentication.RequestAuthentication,
    (kinds.TELEMETRY, "Telemetry"): telemetry.Telemetry,
    (kinds.EXTENSIONS, "WasmPlugin"): wasm_plugin.WasmPlugin,
    (kinds.EXTENSIONS, "TrafficExtension"): traffic_extension.TrafficExtension,
    (kinds.INSTALL, "IstioOperator"): istio_operator.IstioOperator,
    (kinds.CORE, "Namespace"): kubernetes.NamespaceSpec,
    (kinds.CORE, "Service"): kubernetes.ServiceSpec,
    (kinds.CORE, "Pod"): kubernetes.PodSpec,
    (kinds.APPS, "Deployment"): kubernetes.DeploymentSpec,
    (kinds.GATEWAY_API, "GatewayClass"): gateway_class.GatewayClassSpec,
    (kinds.GATEWAY_API, "Gateway"): gwapi_gateway.GatewaySpec,
    (kinds.GATEWAY_API, "HTTPRoute"): http_route.HTTPRouteSpec,
    (kinds.GATEWAY_API, "GRPCRoute"): grpc_route.GRPCRouteSpec,
    (kinds.GATEWAY_API, "TLSRoute"): tls_route.TLSRouteSpec,
    (kinds.GATEWAY_API, "TCPRoute"): tcp_route.TCPRouteSpec,
    (kinds.GATEWAY_API, "ReferenceGrant"): reference_grant.ReferenceGrantSpec,
}


class Document(Message):
    """Fields every object has; ``spec`` is typed per kind by :func:`document_model`."""

    apiVersion: str
    kind: str
    metadata: kubernetes.ObjectMeta | None = None
    status: Struct | None = None


@cache
def document_model(group: str, kind: str) -> type[Document] | None:
    spec = SPECS.get((group, kind))
    if spec is None:
        return None
    return create_model(f"{kind}Document", __base__=Document, spec=(spec | None, None))


@cache
def adapter(group: str, kind: str) -> TypeAdapter[Any] | None:
    """One TypeAdapter per kind, built on first use (building them costs more than using them)."""
    model = document_model(group, kind)
    return TypeAdapter(model) if model is not None else None
