"""IST0116 and IST0137: the Services that select one in-mesh Deployment's pods.

As istioctl's ``deployment.MultiServiceAnalyzer`` (pkg/config/analysis/analyzers/deployment/
services.go, tag 1.30.3). For each Deployment in the mesh (``analysis.in_mesh``) that is not a
waypoint (label ``gateway.istio.io/managed=istio.io-mesh-controller``), the Services of its
namespace whose non-empty selector matches its pod template labels are collected; then
- IST0116 for each port number that those Services expose with more than one protocol
  (``protocol`` unset counts as TCP): the sidecar has one listener per port and one protocol;
- IST0137 for each targetPort (unset or 0 reads as the port) reached through more than one
  port number: two Services routing one container port must use the same port.
Both are reported on the Deployment at ``metadata.name``, one message per port.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.in_mesh import deployment_in_mesh
from istio_notebook.analysis.util import as_str, enumerate_dicts, go_list
from istio_notebook.config import Resource
from istio_notebook.config.labels import label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="deployment.MultiServiceAnalyzer",
    description="Checks association between services and pods",
    inputs=("Service", "Deployment", "Namespace"),
)

GATEWAY_MANAGED = "gateway.istio.io/managed"
WAYPOINT_CONTROLLER = "istio.io-mesh-controller"
NAME = ("metadata", "name")


def services_by_deployment(ctx: Context) -> dict[int, list[Resource]]:
    """id(Deployment) → the Services of its namespace whose non-empty selector matches its pod labels."""
    found: dict[int, list[Resource]] = defaultdict(list)
    for service in ctx.of_kind("Service"):
        selector = label_map(service.get("spec", "selector"))
        for workload in ctx.workloads.service_endpoints(selector, service.namespace):
            if workload.kind == "Deployment":
                found[id(workload.resource)].append(service)
    return found


def _port_numbers(service: Resource) -> Iterator[tuple[int, dict]]:
    for _, port in enumerate_dicts(service.get("spec", "ports")):
        number = port.get("port")
        if isinstance(number, int) and not isinstance(number, bool):
            yield number, port


def _protocol_conflicts(deployment: Resource, services: list[Resource]) -> Iterator[Diagnostic]:
    by_port: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for service in services:
        for number, port in _port_numbers(service):
            by_port[number][as_str(port.get("protocol")) or "TCP"].append(service.key)
    for number, protocols in by_port.items():
        if len(protocols) > 1:
            names = sorted(name for names in protocols.values() for name in names)
            yield messages.deployment_multiple_services(deployment, NAME, deployment.name, number, go_list(names))


def _target_port(number: int, port: dict) -> str:
    target = port.get("targetPort")
    if isinstance(target, bool) or target in (None, "", 0):
        return str(number)  # Kubernetes defaults targetPort to port
    return str(target)


def _target_port_conflicts(deployment: Resource, services: list[Resource]) -> Iterator[Diagnostic]:
    by_target: dict[str, dict[int, str]] = defaultdict(dict)
    for service in services:
        for number, port in _port_numbers(service):
            by_target[_target_port(number, port)][number] = service.key
    for target, ports in by_target.items():
        if len(ports) > 1:
            names = go_list(sorted(ports.values()))
            yield messages.deployment_conflicting_ports(deployment, NAME, deployment.name, names, target, go_list(sorted(ports)))


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.has("Service"):
        return
    selected = services_by_deployment(ctx)
    for deployment in ctx.of_kind("Deployment"):
        services = selected.get(id(deployment))
        if not services or deployment.labels.get(GATEWAY_MANAGED) == WAYPOINT_CONTROLLER:
            continue
        if deployment_in_mesh(ctx.mesh, deployment):
            yield from _protocol_conflicts(deployment, services)
            yield from _target_port_conflicts(deployment, services)
