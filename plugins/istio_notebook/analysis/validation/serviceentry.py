"""ServiceEntry: ValidateServiceEntry in istio/istio pkg/config/validation/validation.go."""

from __future__ import annotations

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import Findings, entries, items
from istio_notebook.analysis.validation.hosts import (
    fqdn_error,
    ip_subnet_error,
    is_ip,
    is_partial_wildcard,
    wildcard_domain_error,
)
from istio_notebook.analysis.validation.selectors import (
    check_workload_selector,
    warn_selector_without_labels,
)
from istio_notebook.analysis.validation.workloadentry import (
    check_endpoint_ports,
    check_workload_entry,
)

_DYNAMIC_DNS_PROTOCOLS = {"http", "tls", "grpc", "http2"}
_AUTOALLOCATE_LABEL = "networking.istio.io/enable-autoallocate-ip"


def check(spec: dict, found: Findings) -> None:
    at = ("spec",)
    selector = spec.get("workloadSelector")
    if selector is not None:
        before = len(found.diagnostics)
        check_workload_selector(selector, at + ("workloadSelector",), found, labels_field="labels")
        if len(found.diagnostics) > before:
            return  # Istio returns the selector's error alone (validation.go:2926-2929)
        warn_selector_without_labels(
            selector,
            at + ("workloadSelector",),
            found,
            labels_field="labels",
            template="service entry: {}, will be applied to all services in namespace",
        )
    if selector is not None and spec.get("endpoints") is not None:
        found.error(at + ("endpoints",), "only one of WorkloadSelector or Endpoints is allowed in Service Entry")
    hosts = items(spec.get("hosts"))
    resolution = spec.get("resolution") or "NONE"
    if not hosts:
        found.error(at + ("hosts",), "service entry must have at least one host")
    for index, host in enumerate(hosts):
        if host == "*":
            found.error(at + ("hosts", index), f"invalid host {host}")
        else:
            found.errors(at + ("hosts", index), [wildcard_domain_error(host)])
            if resolution != "DYNAMIC_DNS" and is_partial_wildcard(host):  # validation.go:2953
                found.warning(at + ("hosts", index), f"partial wildcard {values.go_quote(host)} not allowed")
    addresses = items(spec.get("addresses"))
    for index, address in enumerate(addresses):
        found.errors(at + ("addresses", index), [ip_subnet_error(address)])
    if any("/" in a for a in addresses) and resolution not in ("NONE", "STATIC"):
        found.error(at + ("resolution",), "CIDR addresses are allowed only for NONE/STATIC resolution types")

    ports = items(spec.get("ports"))
    names = _check_ports(ports, addresses, _auto_allocates_ip(found, resolution, addresses), found)

    endpoints = items(spec.get("endpoints"))
    if resolution == "NONE":
        if endpoints:
            found.error(at + ("endpoints",), "no endpoints should be provided for resolution type none")
        if selector is not None:  # validation.go:3006
            found.warning(at + ("workloadSelector",), "workloadSelector should not be set when resolution mode is NONE")
    elif resolution == "STATIC":
        for index, endpoint in enumerate(endpoints):
            check_workload_entry(endpoint, at + ("endpoints", index), found, service_ports=names, allow_fqdn=False)
    elif resolution in ("DNS", "DNS_ROUND_ROBIN"):
        _check_dns(spec, hosts, endpoints, names, resolution, found)
        _warn_addresses_with_hosts(hosts, addresses, ports, found)
    elif resolution == "DYNAMIC_DNS":
        _check_dynamic_dns(spec, hosts, addresses, endpoints, ports, found)
    if resolution != "NONE" and len(hosts) > 1:
        for index, port in enumerate(ports):
            protocol = port.get("protocol") or ""
            if not values.protocol_is_http(protocol) and not values.protocol_is_tls(protocol):
                found.error(at + ("ports", index, "protocol"), "multiple hosts provided with non-HTTP, non-TLS ports")
                break
    found.item_errors(at + ("exportTo",), values.export_to_errors(found.namespace, items(spec.get("exportTo")), service_entry=True))


def _check_ports(ports: list, addresses: list, auto_allocation: bool, found: Findings) -> set[str]:
    """Each port: unique name and number, a valid targetPort, name, protocol and number; the port
    names (for the endpoints' ports)."""
    at = ("spec",)
    names: set[str] = set()
    numbers: set[int] = set()
    for index, port in enumerate(ports):
        where = at + ("ports", index)
        name, number = port.get("name") or "", port.get("number") or 0
        if name in names:
            found.error(where + ("name",), f"service entry port name {values.go_quote(name)} already defined")
        if number in numbers:
            found.error(where + ("number",), f"service entry port {number} already defined")
        names.add(name)
        numbers.add(number)
        if port.get("targetPort"):
            found.errors(where + ("targetPort",), [values.port_error(port["targetPort"])])
        if not addresses and not auto_allocation and (port.get("protocol") or "") in ("", "TCP"):  # validation.go:2989, case-sensitive
            found.warning(
                where + ("protocol",),
                "addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled",
            )
        found.errors(where + ("name",), [values.port_name_error(name)])
        found.errors(where + ("protocol",), [values.protocol_error(port.get("protocol") or "")])
        found.errors(where + ("number",), [values.port_error(number)])
    return names


def _auto_allocates_ip(found: Findings, resolution: str, addresses: list) -> bool:
    """serviceentry.ShouldV2AutoAllocateIPFromConfig (pilot/pkg/networking/serviceentry/ip_autoallocation.go:82).

    PILOT_ENABLE_IP_AUTOALLOCATE is taken at its default, true. The label opt-out is read here, as the
    webhook and ``istioctl validate`` see it; ``istioctl analyze`` passes no labels to validation, so
    there the opt-out is invisible and only resolution NONE turns auto-allocation off.
    """
    if resolution == "NONE":
        return False
    if found.resource.labels.get(_AUTOALLOCATE_LABEL, "").casefold() == "false":  # strings.EqualFold
        return False
    return not addresses


def _warn_addresses_with_hosts(hosts: list, addresses: list, ports: list, found: Findings) -> None:
    """validation.go:3056-3068: the first TCP-family port decides; an address cannot serve several hosts."""
    if not addresses:
        return
    for index, port in enumerate(ports):
        if values.protocol_is_tcp(port.get("protocol") or ""):
            if len(hosts) > 1:
                found.warning(
                    ("spec", "ports", index, "protocol"),
                    "service entry can not have more than one host specified simultaneously with address and tcp port",
                )
            return


def _check_dns(spec: dict, hosts: list, endpoints: list, port_names: set[str], resolution: str, found: Findings) -> None:
    at = ("spec",)
    if not endpoints:
        for index, host in enumerate(hosts):
            problem = fqdn_error(host)
            if problem:
                found.error(
                    at + ("hosts", index),
                    f"hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode {resolution}, {problem}",
                )
                break
    if resolution == "DNS_ROUND_ROBIN" and len(endpoints) > 1:
        found.error(at + ("endpoints",), f"there must only be 0 or 1 endpoint for resolution mode {resolution}")
    for index, endpoint in enumerate(endpoints):
        where = at + ("endpoints", index)
        address = endpoint.get("address") or ""
        if not is_ip(address) and fqdn_error(address):
            found.error(where + ("address",), f"endpoint address {values.go_quote(address)} is not a valid FQDN or an IP address")
        found.errors(where + ("labels",), values.label_errors(entries(endpoint.get("labels"))))
        check_endpoint_ports(endpoint, where, found, port_names)


def _check_dynamic_dns(spec: dict, hosts: list, addresses: list, endpoints: list, ports: list, found: Findings) -> None:
    at = ("spec",)
    for index, host in enumerate(hosts):
        if not host.startswith("*"):
            found.error(at + ("hosts", index), "host must be wildcarded for resolution mode DYNAMIC_DNS")
    if addresses:
        found.error(
            at + ("addresses",),
            "addresses cannot be set for resolution type DYNAMIC_DNS. HTTP route domains will only be generatedfrom the hosts field values",
        )
    if endpoints:
        found.error(
            at + ("endpoints",),
            "endpoints cannot be set for resolution type DYNAMIC_DNS. Destination IP address determined from hostsfield values",
        )
    for index, port in enumerate(ports):
        if (port.get("protocol") or "").lower() not in _DYNAMIC_DNS_PROTOCOLS:
            found.error(
                at + ("ports", index, "protocol"), "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS"
            )
