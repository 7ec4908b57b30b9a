"""IST0101 (selector) and IST0162: a Gateway's workload and the Service in front of it.

As istioctl's ``gateway.IngressGatewayPortAnalyzer`` (gateway/gateway.go): the selector must
match some pod (any namespace); each server port must be a port or targetPort of a TCP port
of some Service that selects one of those pods (Services select pods of their own namespace).
Judged only when the input holds Pods/Deployments; IST0162 only when it also holds a Service in
a namespace of the gateway's pods. A Service without selector selects no pod here (Kubernetes
semantics; istioctl's empty label selector would match all).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.config.labels import format_labels, label_map, selects
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="gateway.IngressGatewayPortAnalyzer",
    description="Checks that a Gateway selects pods and that their Service exposes the Gateway's ports",
    inputs=("Gateway", "Pod", "Deployment", "Service"),
)


class _ServicesByLabel:
    """Services indexed by one (namespace, key, value) of their selector, to find a pod's Services."""

    def __init__(self, services: list[Resource]):
        self.namespaces = {s.namespace for s in services}
        self._index: dict[tuple[str, str, str], list[tuple[Resource, dict[str, str]]]] = defaultdict(list)
        for service in services:
            selector = label_map(service.get("spec", "selector"))
            if selector:
                key = min(selector)
                self._index[(service.namespace, key, selector[key])].append((service, selector))

    def selecting(self, namespace: str, labels: dict[str, str]) -> Iterator[Resource]:
        for key, value in labels.items():
            for service, selector in self._index.get((namespace, key, value), ()):
                if selects(selector, labels):
                    yield service


def _service_ports(service: Resource) -> set[int]:
    ports: set[int] = set()
    for _, port in enumerate_dicts(service.get("spec", "ports")):
        if port.get("protocol", "TCP") != "TCP":
            continue
        for value in (port.get("port"), port.get("targetPort")):
            if isinstance(value, int) and not isinstance(value, bool):
                ports.add(value)
    return ports


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.workloads:
        return
    services = _ServicesByLabel(ctx.of_kind("Service"))
    for gateway in ctx.of_kind("Gateway"):
        selector = label_map(gateway.get("spec", "selector"))
        shown = format_labels(selector)
        where = ("spec", "selector", min(selector)) if selector else ("spec",)
        pods = ctx.workloads.select(selector)
        if not pods:
            yield messages.referenced_resource_not_found(gateway, where, "selector", shown)
            continue
        if not any(pod.namespace in services.namespaces for pod in pods):
            continue
        ports: set[int] = set()
        for pod in pods:
            for service in services.selecting(pod.namespace, pod.labels):
                ports |= _service_ports(service)
        for i, server in enumerate_dicts(gateway.get("spec", "servers")):
            number = as_dict(server.get("port")).get("number")
            if isinstance(number, int) and number not in ports:
                yield messages.gateway_port_not_on_service(gateway, ("spec", "servers", i, "port", "number"), number, shown)
