"""Typed constructors over the catalogue: one function per message the analyzers emit.

Each takes the resource and the field path the message is about, so every diagnostic points
at the exact line of that field (as istioctl's ``util.ErrorLine`` does).
"""

from __future__ import annotations

from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic, report

Path = tuple[str | int, ...]


def _at(code: str, resource: Resource, path: Path, **args: object) -> Diagnostic:
    return report(code, resource.locate(*path), resource.origin, **args)


def internal_error(resource: Resource, detail: str) -> Diagnostic:
    return _at("IST0001", resource, (), detail=detail)


def referenced_resource_not_found(resource: Resource, path: Path, kind: str, name: str) -> Diagnostic:
    return _at("IST0101", resource, path, kind=kind, name=name)


def pod_missing_proxy(resource: Resource, path: Path, pod: str) -> Diagnostic:
    return _at("IST0103", resource, path, pod=pod)


def pods_proxy_image_mismatch(resource: Resource, path: Path, pod_names: str) -> Diagnostic:
    return _at("IST0158", resource, path, pod_names=pod_names)


def conflicting_mesh_gateway_hosts(resource: Resource, path: Path, virtual_services: str, host: str) -> Diagnostic:
    return _at("IST0109", resource, path, virtual_services=virtual_services, host=host)


def destination_port_selector_required(resource: Resource, path: Path, host: str, ports: str) -> Diagnostic:
    return _at("IST0112", resource, path, host=host, ports=ports)


def port_name_not_under_convention(resource: Resource, path: Path, port_name: str, port: object, target_port: str) -> Diagnostic:
    return _at("IST0118", resource, path, port_name=port_name, port=port, target_port=target_port)


def unknown_mesh_networks_service_registry(resource: Resource, path: Path, serviceregistry: str, network: str) -> Diagnostic:
    return _at("IST0126", resource, path, serviceregistry=serviceregistry, network=network)


def no_matching_workloads(resource: Resource, path: Path, labels: str) -> Diagnostic:
    return _at("IST0127", resource, path, labels=labels)


def no_server_cert_verification_destination(resource: Resource, path: Path, mode: str, host: str) -> Diagnostic:
    return _at("IST0128", resource, path, name=resource.key, namespace=resource.namespace, mode=mode, host=host)


def no_server_cert_verification_port(resource: Resource, path: Path, mode: str, host: str, port: str) -> Diagnostic:
    return _at("IST0129", resource, path, name=resource.key, namespace=resource.namespace, mode=mode, host=host, port=port)


def unreachable_rule(resource: Resource, path: Path, rule: str, reason: str) -> Diagnostic:
    return _at("IST0130", resource, path, rule=rule, reason=reason)


def ineffective_match(resource: Resource, path: Path, rule: str, match: str, duplicate: str) -> Diagnostic:
    return _at("IST0131", resource, path, rule=rule, match=match, duplicate=duplicate)


def host_not_found_in_gateway(resource: Resource, path: Path, hosts: str, gateway: str) -> Diagnostic:
    return _at("IST0132", resource, path, hosts=hosts, virtual_service=resource.key, gateway=gateway)


def service_entry_addresses_required(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0134", resource, path)


def conflicting_gateways(resource: Resource, path: Path, gateways: str, selector: str, port: str, hosts: str) -> Diagnostic:
    return _at("IST0145", resource, path, gateways=gateways, selector=selector, port=port, hosts=hosts)


def gateway_port_not_on_service(resource: Resource, path: Path, port: object, selector: str) -> Diagnostic:
    return _at("IST0162", resource, path, port=port, selector=selector)


def subset_selects_no_pods(resource: Resource, path: Path, subset: str) -> Diagnostic:
    return _at("IST0173", resource, path, subset=subset)


def unknown_destination_rule_host(resource: Resource, path: Path, host: str) -> Diagnostic:
    return _at("IST0174", resource, path, host=host)


def duplicate_resource(resource: Resource, first: Resource) -> Diagnostic:
    return _at("INB2001", resource, ("metadata", "name"), kind=resource.kind, key=resource.key, first=str(first.position))


def single_destination_weight(resource: Resource, path: Path, weight: object) -> Diagnostic:
    return _at("INB2002", resource, path, weight=weight)


def repeated_destination(resource: Resource, path: Path, host: str, subset: str, first: int) -> Diagnostic:
    return _at("INB2003", resource, path, host=host, subset=subset, first=first)


def duplicate_subset(resource: Resource, path: Path, host: str, subset: str, others: str) -> Diagnostic:
    return _at("INB2004", resource, path, host=host, subset=subset, others=others)


def shared_gateway_host(resource: Resource, path: Path, host: str, gateway: str, virtual_services: str) -> Diagnostic:
    return _at("INB2005", resource, path, host=host, gateway=gateway, virtual_services=virtual_services)


def subset_without_labels(resource: Resource, path: Path, subset: str) -> Diagnostic:
    return _at("INB2006", resource, path, subset=subset)


def invalid_telemetry_provider(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0157", resource, path, name=resource.name, namespace=resource.namespace)


def conflicting_sidecar_selectors(resource: Resource, path: Path, sidecars: str, namespace: str, pod: str) -> Diagnostic:
    return _at("IST0110", resource, path, sidecars=sidecars, namespace=namespace, pod=pod)


def multiple_default_sidecars(resource: Resource, path: Path, sidecars: str, namespace: str) -> Diagnostic:
    return _at("IST0111", resource, path, sidecars=sidecars, namespace=namespace)


def namespace_not_injected(resource: Resource, path: Path, namespace: str) -> Diagnostic:
    return _at("IST0102", resource, path, namespace=namespace)


def namespace_multiple_injection_labels(resource: Resource, path: Path, labels: str) -> Diagnostic:
    return _at("IST0123", resource, path, labels=labels)


def ineffective_selector(resource: Resource, path: Path, gateway: str) -> Diagnostic:
    return _at("IST0166", resource, path, gateway=gateway)


def gateway_duplicate_certificate(resource: Resource, path: Path, gateways: str) -> Diagnostic:
    return _at("IST0138", resource, path, gateways=gateways)


def unknown_annotation(resource: Resource, path: Path, annotation: str) -> Diagnostic:
    return _at("IST0108", resource, path, annotation=annotation)


def deprecated_annotation(resource: Resource, path: Path, annotation: str, extra: str) -> Diagnostic:
    return _at("IST0135", resource, path, annotation=annotation, extra=extra)


def invalid_annotation(resource: Resource, path: Path, annotation: str, problem: str) -> Diagnostic:
    return _at("IST0125", resource, path, annotation=annotation, problem=problem)


def namespace_injection_enabled_by_default(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0148", resource, path)


def misplaced_annotation(resource: Resource, path: Path, annotation: str, kinds: str) -> Diagnostic:
    return _at("IST0107", resource, path, annotation=annotation, kinds=kinds)


def http_routes_on_tcp_port(resource: Resource, path: Path, host: str, port: int, protocol: str, reason: str) -> Diagnostic:
    return _at("INB2007", resource, path, host=host, port=port, protocol=protocol, reason=reason)


def deployment_multiple_services(resource: Resource, path: Path, deployment: str, port: int, services: str) -> Diagnostic:
    return _at("IST0116", resource, path, deployment=deployment, port=port, services=services)


def deployment_conflicting_ports(resource: Resource, path: Path, deployment: str, services: str, target_port: str, ports: str) -> Diagnostic:
    return _at("IST0137", resource, path, deployment=deployment, services=services, target_port=target_port, ports=ports)


def conflicting_telemetry_selectors(resource: Resource, path: Path, telemetries: str, namespace: str, pod: str) -> Diagnostic:
    return _at("IST0159", resource, path, telemetries=telemetries, namespace=namespace, pod=pod)


def multiple_default_telemetries(resource: Resource, path: Path, telemetries: str, namespace: str) -> Diagnostic:
    return _at("IST0160", resource, path, telemetries=telemetries, namespace=namespace)


def invalid_application_uid(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0144", resource, path)


def image_auto_deployment_not_injected(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0146", resource, path, resource_type=resource.kind, resource_name=resource.name)


def image_auto_pod_not_injected(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0147", resource, path, resource_type=resource.kind, resource_name=resource.name)


def invalid_gateway_credential(resource: Resource, path: Path, gateway: str, namespace: str) -> Diagnostic:
    return _at("IST0161", resource, path, gateway=gateway, namespace=namespace)


def external_name_invalid_port_name(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0150", resource, path)


def referenced_internal_gateway(resource: Resource, path: Path, gateway: str) -> Diagnostic:
    return _at("IST0165", resource, path, virtual_service=resource.key, gateway=gateway)


def envoy_filter_replace_incorrectly(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0152", resource, path)


def envoy_filter_add_incorrectly(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0153", resource, path)


def envoy_filter_remove_incorrectly(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0154", resource, path)


def envoy_filter_relative_operation_with_proxy_version(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0155", resource, path)


def envoy_filter_relative_operation(resource: Resource, path: Path) -> Diagnostic:
    return _at("IST0151", resource, path)


def deprecated(resource: Resource, path: Path, detail: str) -> Diagnostic:
    return _at("IST0002", resource, path, detail=detail)


def negative_condition_status(resource: Resource, path: Path, condition_type: str, reason: str, message: str) -> Diagnostic:
    return _at("IST0171", resource, path, condition_type=condition_type, reason=reason, message=message)


def jwt_claim_route_without_authn(resource: Resource, path: Path, key: str, gateway: str, pod: str) -> Diagnostic:
    return _at("IST0149", resource, path, key=key, gateway=gateway, pod=pod)


def ingress_route_rules_not_affected(resource: Resource, path: Path, subset_virtual_service: str) -> Diagnostic:
    return _at("IST0140", resource, path, subset_virtual_service=subset_virtual_service, virtual_service=resource.key)


def jwks_uri_fetch_unrestricted(resource: Resource, path: Path, count: int, names: str) -> Diagnostic:
    return _at("IST0175", resource, path, count=count, names=names)


def invalid_webhook(resource: Resource, path: Path, detail: str) -> Diagnostic:
    return _at("IST0139", resource, path, detail=detail)


def invalid_external_control_plane(resource: Resource, path: Path, hostname: str, webhook: str, problem: str) -> Diagnostic:
    return _at("IST0163", resource, path, hostname=hostname, webhook=webhook, problem=problem)


def external_control_plane_ip(resource: Resource, path: Path, hostname: str, webhook: str) -> Diagnostic:
    return _at("IST0164", resource, path, hostname=hostname, webhook=webhook)


def gateway_api_crd_below_minimum(resource: Resource, path: Path, crd: str, installed: str, minimum: str) -> Diagnostic:
    return _at("IST0176", resource, path, crd=crd, installed=installed, minimum=minimum)


def ineffective_policy(resource: Resource, path: Path, reason: str) -> Diagnostic:
    return _at("IST0167", resource, path, reason=reason)


def envoy_refuses_value(resource: Resource, path: Path, what: str, why: str) -> Diagnostic:
    return _at("INB5003", resource, path, what=what, why=why)
