"""Kubernetes objects: the basic checks the API server would make on what the registry reads
(port ranges, port names, label keys and values in selectors)."""

from __future__ import annotations

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
)
from istio_notebook.analysis.validation.hosts import is_dns1123_label


def check_service(spec: dict, found: Findings) -> None:
    found.errors(("spec", "selector"), values.label_errors(entries(spec.get("selector"))))
    ports = items(spec.get("ports"))
    names: set[str] = set()
    for index, port in enumerate(ports):
        at = ("spec", "ports", index)
        found.errors(at + ("port",), [values.port_error(port.get("port") or 0)])
        target = port.get("targetPort")
        if isinstance(target, int):
            found.errors(at + ("targetPort",), [values.port_error(target)])
        elif isinstance(target, str) and not _is_port_name(target):
            found.error(at + ("targetPort",), f"invalid port name: {target}")
        if port.get("nodePort") is not None:
            found.errors(at + ("nodePort",), [values.port_error(port["nodePort"])])
        name = port.get("name")
        if name is None and len(ports) > 1:
            found.error(at, "port name is required when a service has more than one port")
        if name is not None:
            if not is_dns1123_label(name) or name != name.lower():
                found.error(at + ("name",), f"invalid port name: {name}")
            if name in names:
                found.error(at + ("name",), f"duplicate port name: {name}")
            names.add(name)


def check_pod(spec: dict, found: Findings, at: Path = ("spec",)) -> None:
    for group in ("containers", "initContainers"):
        for c, container in enumerate(items(spec.get(group))):
            for p, port in enumerate(items(container.get("ports"))):
                where = at + (group, c, "ports", p)
                found.errors(where + ("containerPort",), [values.port_error(port.get("containerPort") or 0)])
                if port.get("name") is not None and not _is_port_name(port["name"]):
                    found.error(where + ("name",), f"invalid port name: {port['name']}")


def check_deployment(spec: dict, found: Findings) -> None:
    selector = entries(fields(spec.get("selector")).get("matchLabels"))
    found.errors(("spec", "selector", "matchLabels"), values.label_errors(selector))
    template = fields(spec.get("template"))
    labels = entries(fields(template.get("metadata")).get("labels"))
    found.errors(("spec", "template", "metadata", "labels"), values.label_errors(labels))
    mismatched = {k: v for k, v in selector.items() if labels.get(k) != v}
    if selector and mismatched:
        found.error(("spec", "template", "metadata", "labels"), f"`selector` does not match template `labels`: {mismatched}")
    check_pod(fields(template.get("spec")), found, ("spec", "template", "spec"))


def _is_port_name(name: str) -> bool:
    # IANA service name: at most 15 lowercase letters, digits and dashes, with a letter.
    return 0 < len(name) <= 15 and is_dns1123_label(name) and name == name.lower() and any(c.isalpha() for c in name) and "--" not in name
