"""The Service and Deployment istiod's deployment controller creates for a managed Gateway API Gateway.

As pilot/pkg/config/kube/gatewaycommon (istio 1.30) does it, for the ``istio`` class
(istio.io/gateway-controller, template kube-gateway.yaml):
- a Gateway is managed (IsManaged) when it has no ``addresses`` or a single IP address; else it
  points at a Service that already exists and nothing is created;
- the name is the ``gateway.istio.io/name-override`` annotation, else ``<gateway>-<gatewayClassName>``
  (GetDefaultName; extractGatewayServices gives ``<name>.<namespace>.svc.cluster.local``);
- the Service (extractServicePorts): ``status-port`` 15021 (appProtocol tcp), then each listener
  port once, named after the listener (``.`` → ``-``, at most 63 characters), appProtocol the
  listener protocol in lower case; its selector is ``gateway.networking.k8s.io/gateway-name``;
- the Deployment's pods carry that label (and the class name), so they are the Service's endpoints.

Clients in the mesh reach such a gateway through this Service (istio.io's egress gateway task,
Gateway API tab: the sidecar's HTTPRoute sends to ``<gateway>-istio``). The waypoint and east-west
classes use another template (names without suffix, HBONE ports) and are not generated here.
A Service or Deployment of that name that the input already holds (a cluster dump) is kept as written.
"""

from __future__ import annotations

from istio_notebook.config import Mesh
from istio_notebook.config.resource import Resource
from istio_notebook.gatewayapi.model import GATEWAY_NAME_LABEL, PARENTS
from istio_notebook.gatewayapi.synthetic import generated

MANAGED_CONTROLLER = "istio.io/gateway-controller"
NAME_OVERRIDE = "gateway.istio.io/name-override"
CLASS_NAME_LABEL = "gateway.networking.k8s.io/gateway-class-name"
STATUS_PORT = {"name": "status-port", "port": 15021, "protocol": "TCP", "appProtocol": "tcp"}


def is_managed(gateway: Resource) -> bool:
    addresses = gateway.spec.get("addresses")
    if not isinstance(addresses, list) or not addresses:
        return True
    if len(addresses) > 1 or not isinstance(addresses[0], dict):
        return False
    return addresses[0].get("type") in (None, "IPAddress")


def deployment_name(gateway: Resource) -> str:
    override = gateway.annotations.get(NAME_OVERRIDE)
    return override or f"{gateway.name}-{gateway.spec.get('gatewayClassName')}"


def service_ports(gateway: Resource) -> list[dict]:
    """extractServicePorts: the status port, then each listener port once (the first listener names it)."""
    ports, seen = [dict(STATUS_PORT)], set()
    listeners = gateway.spec.get("listeners")
    for index, listener in enumerate(listeners if isinstance(listeners, list) else []):
        port = listener.get("port") if isinstance(listener, dict) else None
        if not isinstance(port, int) or isinstance(port, bool) or port in seen:
            continue
        seen.add(port)
        protocol = str(listener.get("protocol") or "").lower()
        name = str(listener.get("name") or "").replace(".", "-")[:63] or f"{protocol}-{index}"
        ports.append({"name": name, "port": port, "protocol": "TCP", "appProtocol": protocol})
    return ports


def deployed_resources(mesh: Mesh, gateway: Resource) -> list[Resource]:
    """The Service and Deployment of a managed ``istio``-class Gateway that the input does not hold."""
    if not is_managed(gateway):
        return []
    name, namespace = deployment_name(gateway), gateway.namespace
    labels = {GATEWAY_NAME_LABEL: gateway.name, CLASS_NAME_LABEL: str(gateway.spec.get("gatewayClassName"))}
    annotations = {PARENTS: f"Gateway/{gateway.name}.{namespace}"}
    out = []
    if mesh.get("Service", namespace, name) is None:
        spec = {"ports": service_ports(gateway), "selector": {GATEWAY_NAME_LABEL: gateway.name}}
        service, document = generated("Service", name, namespace, spec, gateway, annotations, api_version="v1", labels=labels)
        document.anchors[("spec",)] = (gateway, ("spec", "listeners"))
        out.append(service)
    if mesh.get("Deployment", namespace, name) is None:
        pod_labels = {"sidecar.istio.io/inject": "false", "service.istio.io/canonical-name": name, **labels}
        spec = {"selector": {"matchLabels": {GATEWAY_NAME_LABEL: gateway.name}}, "template": {"metadata": {"labels": pod_labels}}}
        deployment, _ = generated("Deployment", name, namespace, spec, gateway, annotations, api_version="apps/v1", labels=labels)
        out.append(deployment)
    return out
