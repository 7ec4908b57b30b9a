"""The explicit registry of analyzers: one module per check, each with ``METADATA`` and ``analyze(ctx)``.

Adding an analyzer means writing its module and listing it here; a meta-test fails when a
module with ``METADATA`` is missing from ``ANALYZERS``.
"""

from __future__ import annotations

from types import ModuleType

from istio_notebook.analysis.analyzers.annotations import k8s as annotations_k8s
from istio_notebook.analysis.analyzers.authn import blocked_cidrs
from istio_notebook.analysis.analyzers.authorizationpolicy import namespace_ref
from istio_notebook.analysis.analyzers.conditions import negative as negative_conditions
from istio_notebook.analysis.analyzers.deployment import application_uid
from istio_notebook.analysis.analyzers.deployment import services as deployment_services
from istio_notebook.analysis.analyzers.deprecation import fields as deprecated_fields
from istio_notebook.analysis.analyzers.destinationrule import ca_certificates, duplicate_subset, subset_labels, subset_pods
from istio_notebook.analysis.analyzers.gateway import conflicting, duplicate_certificate, workload_ports
from istio_notebook.analysis.analyzers.gateway import secret as gateway_secret
from istio_notebook.analysis.analyzers.injection import image_auto, missing_proxy, namespace_labels, proxy_image
from istio_notebook.analysis.analyzers.envoyfilter import patches as envoyfilter_patches
from istio_notebook.analysis.analyzers.gatewayapi import envoy_refusals as gatewayapi_envoy_refusals
from istio_notebook.analysis.analyzers.gatewayapi import ineffective_selector
from istio_notebook.analysis.analyzers.gatewayapi import status as gatewayapi_status
from istio_notebook.analysis.analyzers.k8sgateway import crd_version
from istio_notebook.analysis.analyzers.multicluster import meshnetworks
from istio_notebook.analysis.analyzers.resource import duplicate
from istio_notebook.analysis.analyzers.service import port_name
from istio_notebook.analysis.analyzers.serviceentry import addresses
from istio_notebook.analysis.analyzers.telemetry import providers
from istio_notebook.analysis.analyzers.telemetry import selectors as telemetry_selectors
from istio_notebook.analysis.analyzers.virtualservice import (
    conflicting_mesh_hosts,
    destination_host,
    destination_subset,
    envoy_refusals,
    gateway_ref,
    http_on_tcp_port,
    ingress_subsets,
    jwt_claim_route,
    repeated_destination,
    shared_gateway_host,
    single_destination_weight,
    unreachable_rules,
)
from istio_notebook.analysis.analyzers.webhook import external_control_plane
from istio_notebook.analysis.analyzers.webhook import overlap as webhook_overlap
from istio_notebook.analysis.analyzers.workload import policy_selector, sidecar_conflicts, sidecar_selector

ANALYZERS: tuple[ModuleType, ...] = (
    duplicate,
    gateway_ref,
    destination_host,
    destination_subset,
    conflicting_mesh_hosts,
    unreachable_rules,
    single_destination_weight,
    repeated_destination,
    shared_gateway_host,
    ca_certificates,
    subset_pods,
    duplicate_subset,
    subset_labels,
    workload_ports,
    conflicting,
    duplicate_certificate,
    addresses,
    port_name,
    providers,
    sidecar_selector,
    sidecar_conflicts,
    policy_selector,
    namespace_ref,
    namespace_labels,
    missing_proxy,
    proxy_image,
    gatewayapi_status,
    gatewayapi_envoy_refusals,
    ineffective_selector,
    annotations_k8s,
    http_on_tcp_port,
    deployment_services,
    telemetry_selectors,
    application_uid,
    image_auto,
    gateway_secret,
    envoyfilter_patches,
    deprecated_fields,
    negative_conditions,
    jwt_claim_route,
    ingress_subsets,
    blocked_cidrs,
    webhook_overlap,
    external_control_plane,
    crd_version,
    meshnetworks,
    envoy_refusals,
)


def by_name() -> dict[str, ModuleType]:
    return {a.METADATA.name: a for a in ANALYZERS}
