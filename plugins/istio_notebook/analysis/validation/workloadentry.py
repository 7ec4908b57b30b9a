"""WorkloadEntry (also ServiceEntry endpoints) and WorkloadGroup: validateWorkloadEntry, ValidateWorkloadGroup."""

from __future__ import annotations

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.gateway import UNIX_PREFIX, unix_address_error
from istio_notebook.analysis.validation.hosts import fqdn_error, is_ip


def check(spec: dict, found: Findings) -> None:
    check_workload_entry(spec, ("spec",), found, service_ports=None, allow_fqdn=True)


def check_workload_entry(entry: dict, at: Path, found: Findings, service_ports: set[str] | None, allow_fqdn: bool) -> None:
    address = entry.get("address") or ""
    if not address and not entry.get("network"):
        found.error(at + ("address",), "address is required")
        return
    if not address:  # validation.go:2799: a workload on another network, reached through its gateway
        found.warning(at + ("address",), f"address is unset with network {values.go_quote(entry['network'])}")
    if address.startswith(UNIX_PREFIX):
        found.errors(at + ("address",), [unix_address_error(address[len(UNIX_PREFIX) :])])
        if entries(entry.get("ports")):
            found.error(at + ("ports",), f"unix endpoint {address} must not include ports")
        if service_ports is not None and len(service_ports) != 1:
            found.error(at + ("address",), "exactly 1 service port required for unix endpoints")
    elif address and not is_ip(address):
        if not allow_fqdn:
            found.error(at + ("address",), f"endpoint address {values.go_quote(address)} is not a valid IP address")
        elif fqdn_error(address):
            found.error(at + ("address",), f"endpoint address {values.go_quote(address)} is not a valid FQDN or an IP address")
    check_endpoint_ports(entry, at, found, service_ports)
    found.errors(at + ("labels",), values.label_errors(entries(entry.get("labels"))))


def check_endpoint_ports(entry: dict, at: Path, found: Findings, service_ports: set[str] | None) -> None:
    for name, number in entries(entry.get("ports")).items():
        where = at + ("ports", name)
        if service_ports is not None and name not in service_ports:
            found.error(where, f"endpoint port {number} is not defined by the service entry")
        found.errors(where, [values.port_name_error(name), values.port_error(number)])


def check_group(spec: dict, found: Findings) -> None:
    metadata = fields(spec.get("metadata"))
    found.errors(("spec", "metadata", "labels"), values.label_errors(entries(metadata.get("labels"))))
    if present(spec, "probe"):
        _check_probe(spec["probe"], ("spec", "probe"), found)


def _check_probe(probe: dict, at: Path, found: Findings) -> None:
    for field in ("periodSeconds", "initialDelaySeconds", "timeoutSeconds", "successThreshold", "failureThreshold"):
        if (probe.get(field) or 0) < 0:
            found.error(at + (field,), f"{field} must be non-negative")
    if present(probe, "httpGet"):
        get = probe["httpGet"]
        found.errors(at + ("httpGet", "port"), [values.port_error(get.get("port") or 0)])
        scheme = get.get("scheme") or ""
        if scheme and scheme not in ("HTTP", "HTTPS"):
            found.error(at + ("httpGet", "scheme"), 'httpGet.scheme must be one of "HTTPS", "HTTP"')
        for index, header in enumerate(items(get.get("httpHeaders"))):
            found.errors(at + ("httpGet", "httpHeaders", index, "name"), [values.probe_header_name_error(header.get("name") or "")])
    elif present(probe, "tcpSocket"):
        found.errors(at + ("tcpSocket", "port"), [values.port_error(probe["tcpSocket"].get("port") or 0)])
    elif present(probe, "exec"):
        if not items(probe["exec"].get("command")):
            found.error(at + ("exec", "command"), "exec.command is required")
    elif not present(probe, "grpc"):
        found.error(at, "unknown health check method <nil>")
