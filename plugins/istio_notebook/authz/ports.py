"""The port a workload's sidecar sees for a request: the Service's targetPort, not its port.

AuthorizationPolicy ``to.operation.ports``, the ``destination.port`` condition and
PeerAuthentication ``portLevelMtls`` all compare the port of the inbound connection, which is
the workload's (container) port after kube-proxy/iptables rewrote the Service port (istio/api
#3075, istio/istio#49098). ``curl http://httpbin.foo:8000`` reaches httpbin on 8080.
"""

from __future__ import annotations

from istio_notebook.config.decimal import decimal_value
from istio_notebook.authz.model import Workload
from istio_notebook.config import Mesh, Resource
from istio_notebook.config.labels import label_map, service_selects
from istio_notebook.config.shape import items, mapping


def _pod_specs(mesh: Mesh, workload: Workload):
    """Pod specs of the workload: its Pods, and its Deployments' templates."""
    for found in mesh.workloads.select(workload.labels, workload.namespace):
        if found.kind == "Pod":
            yield found.resource.spec
        elif found.kind == "Deployment":
            yield mapping(mapping(found.resource.spec.get("template")).get("spec"))


def _container_port(mesh: Mesh, workload: Workload, name: str) -> int | None:
    """A named targetPort, resolved in the containers of the workload."""
    for spec in _pod_specs(mesh, workload):
        for container in items(spec.get("containers")):
            for port in items(mapping(container).get("ports")):
                if mapping(port).get("name") == name and isinstance(port.get("containerPort"), int):
                    return port["containerPort"]
    return None


def _services(mesh: Mesh, workload: Workload, host: str) -> list[Resource]:
    """Services of the workload's namespace that select it; the one the host names first."""
    found = [s for s in mesh.of_kind("Service")
             if s.namespace == workload.namespace and service_selects(label_map(s.spec.get("selector")), workload.labels)]
    short = host.split(".")[0]
    return sorted(found, key=lambda s: s.name != short)


def service_port_entry(mesh: Mesh, workload: Workload, host: str, port: int) -> dict | None:
    """The `ports` entry of the Service in front of ``workload`` that a request for ``host:port`` uses."""
    for service in _services(mesh, workload, host):
        for entry in items(service.spec.get("ports")):
            if isinstance(entry, dict) and entry.get("port") == port:
                return entry
    return None


def workload_port(mesh: Mesh, workload: Workload, host: str, port: int) -> int:
    """The port ``workload`` receives a request for ``host:port`` on (``port`` itself when no Service maps it)."""
    entry = service_port_entry(mesh, workload, host, port)
    if entry is None:
        return port
    target = entry.get("targetPort")
    if target is None:
        return port
    if isinstance(target, int):
        return target
    if (number := decimal_value(str(target))) is not None:
        return number
    return _container_port(mesh, workload, str(target)) or port
