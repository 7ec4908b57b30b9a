"""Which model reads which kind: the whole document (apiVersion, kind, metadata, spec, status)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from pydantic import TypeAdapter, create_model

from istio_notebook.config import kinds
from istio_notebook.config.models import kubernetes
from istio_notebook.config.models.base import Message, Struct

# (group, kind) → the module (under config/models/) and class of its spec model. The modules are
# imported when their kind is first read: together they build some 200 pydantic classes (about a
# third of a second in CPython, and the largest part of the browser playground's imports), and a
# set of documents rarely holds more than a few kinds.
_SPEC_CLASSES: dict[tuple[str, str], str] = {
    (kinds.NETWORKING, "Gateway"): "gateway:Gateway",
    (kinds.NETWORKING, "VirtualService"): "virtual_service:VirtualService",
    (kinds.NETWORKING, "DestinationRule"): "destination_rule:DestinationRule",
    (kinds.NETWORKING, "ServiceEntry"): "service_entry:ServiceEntry",
    (kinds.NETWORKING, "Sidecar"): "sidecar:Sidecar",
    (kinds.NETWORKING, "WorkloadEntry"): "workload_entry:WorkloadEntry",
    (kinds.NETWORKING, "WorkloadGroup"): "workload_group:WorkloadGroup",
    (kinds.NETWORKING, "EnvoyFilter"): "envoy_filter:EnvoyFilter",
    (kinds.SECURITY, "AuthorizationPolicy"): "authorization_policy:AuthorizationPolicy",
    (kinds.SECURITY, "PeerAuthentication"): "peer_authentication:PeerAuthentication",
    (kinds.SECURITY, "RequestAuthentication"): "request_authentication:RequestAuthentication",
    (kinds.TELEMETRY, "Telemetry"): "telemetry:Telemetry",
    (kinds.EXTENSIONS, "WasmPlugin"): "wasm_plugin:WasmPlugin",
    (kinds.EXTENSIONS, "TrafficExtension"): "traffic_extension:TrafficExtension",
    (kinds.INSTALL, "IstioOperator"): "istio_operator:IstioOperator",
    (kinds.CORE, "Namespace"): "kubernetes:NamespaceSpec",
    (kinds.CORE, "Service"): "kubernetes:ServiceSpec",
    (kinds.CORE, "Pod"): "kubernetes:PodSpec",
    (kinds.APPS, "Deployment"): "kubernetes:DeploymentSpec",
    (kinds.GATEWAY_API, "GatewayClass"): "gateway_api.gateway_class:GatewayClassSpec",
    (kinds.GATEWAY_API, "Gateway"): "gateway_api.gateway:GatewaySpec",
    (kinds.GATEWAY_API, "HTTPRoute"): "gateway_api.http_route:HTTPRouteSpec",
    (kinds.GATEWAY_API, "GRPCRoute"): "gateway_api.grpc_route:GRPCRouteSpec",
    (kinds.GATEWAY_API, "TLSRoute"): "gateway_api.tls_route:TLSRouteSpec",
    (kinds.GATEWAY_API, "TCPRoute"): "gateway_api.tcp_route:TCPRouteSpec",
    (kinds.GATEWAY_API, "ReferenceGrant"): "gateway_api.reference_grant:ReferenceGrantSpec",
}


class _Specs(Mapping[tuple[str, str], type]):
    """(group, kind) → the model of its spec, imported on first use (``_SPEC_CLASSES``)."""

    def __getitem__(self, key: tuple[str, str]) -> type:
        module, _, name = _SPEC_CLASSES[key].partition(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), name)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(_SPEC_CLASSES)

    def __len__(self) -> int:
        return len(_SPEC_CLASSES)


SPECS: Mapping[tuple[str, str], type] = _Specs()


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
