"""Destinations, route weights and header operations: shared by VirtualService and Sidecar."""

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
from istio_notebook.analysis.validation.hosts import (
    is_dns1123_label,
    wildcard_domain_error,
)


def check_destination(destination: dict, at: Path, found: Findings) -> None:
    host = destination.get("host") or ""
    if host == "*":
        found.error(at + ("host",), f"invalid destination host {host}")
    else:
        found.errors(at + ("host",), [wildcard_domain_error(host)])
    if present(destination, "subset"):
        check_subset_name(destination["subset"], at + ("subset",), found)
    port = fields(destination.get("port"))
    if present(destination, "port"):
        found.errors(at + ("port", "number"), [values.port_error(port.get("number") or 0)])


def check_subset_name(name: str, at: Path, found: Findings) -> None:
    if not name:
        found.error(at, "subset name cannot be empty")
    elif not is_dns1123_label(name):
        found.error(at, f"subset name is invalid: {name}")


def check_weights(routes: list, at: Path, found: Findings, http: bool) -> None:
    total = 0
    for index, route in enumerate(routes):
        where = at + (index,)
        if http:
            check_header_operations(route.get("headers"), where + ("headers",), found)
        if present(route, "destination"):
            check_destination(route["destination"], where + ("destination",), found)
        weight = route.get("weight") or 0
        if weight < 0:
            found.error(where + ("weight",), f"weight {weight} < 0")
        total += weight
    if len(routes) > 1 and total == 0:
        found.error(at, "total destination weight = 0")


def check_header_operations(headers: dict | None, at: Path, found: Findings) -> None:
    request = fields(fields(headers).get("request"))
    response = fields(fields(headers).get("response"))
    for operation in ("set", "add"):
        for name, value in entries(request.get(operation)).items():
            where = at + ("request", operation, name)
            found.errors(where, [values.request_header_operation_error(name), values.header_value_error(value)])
        for name, value in entries(response.get(operation)).items():
            where = at + ("response", operation, name)
            found.errors(where, [values.header_operation_error(name), values.header_value_error(value)])
    for side, message in (("request", request), ("response", response)):
        for index, name in enumerate(items(message.get("remove"))):
            found.errors(at + (side, "remove", index), [values.header_operation_error(name)])
