"""What the kind backend adds for Gateway API labs: the CRDs, the gateway's Service, the wait for it.

- ``lab up`` installs the Gateway API CRDs at the version Istio builds against
  (``pins.GATEWAY_API_CRDS_URL``) before Istio, with server-side apply as the Gateway API's
  getting-started guide does (the CRDs are too large for a client-side apply's annotation);
- a check ``via`` a Gateway API Gateway is sent to the Service istiod's deployment controller
  creates for it (``<gateway>-<class>``, gatewayapi/deployment.py) on the listener's port;
- after a lab is applied, the backend waits (bounded) until each Istio-managed Gateway is
  ``Programmed``: istiod deploys its proxy asynchronously, and before that there is no Service
  to connect to (istio.io's Gateway API tasks wait the same way). The cluster backend does the
  same in the run's namespace, where the gateway's Service is too (``placed_target``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from istio_notebook.config import Mesh, Resource
from istio_notebook.gatewayapi.deployment import MANAGED_CONTROLLER, deployment_name, is_managed
from istio_notebook.gatewayapi.listeners import controller_of
from istio_notebook.gatewayapi.model import DOMAIN_SUFFIX, GROUP, of_kind
from istio_notebook.labs import pins

GATEWAYS_RESOURCE = f"gateways.{GROUP}"


def crds_argv(context: str) -> list[str]:
    return ["kubectl", "--context", context, "apply", "--server-side", "-f", pins.GATEWAY_API_CRDS_URL]


def deployed_gateways(mesh: Mesh) -> list[Resource]:
    """The Gateway API Gateways of ``mesh`` for which istiod deploys a proxy."""
    return [gw for gw in of_kind(mesh, "Gateway") if controller_of(mesh, gw) == MANAGED_CONTROLLER and is_managed(gw)]


def programmed_wait_args(gateway: Resource, namespace: str, timeout: float) -> list[str]:
    """``kubectl`` arguments (after ``--context``) waiting until ``gateway``, applied in ``namespace``, is Programmed."""
    return ["wait", "--for=condition=Programmed", f"{GATEWAYS_RESOURCE}/{gateway.name}", "-n", namespace, f"--timeout={int(timeout)}s"]


def placed_target(target: str | None, place: Callable[[str], str]) -> str | None:
    """A ``--connect-to`` target whose Service lives where the lab's namespace was placed (cluster backend)."""
    if target is None:
        return None
    host, port, fqdn, service_port = target.split(":")
    name, namespace, rest = fqdn.split(".", 2)
    return f"{host}:{port}:{name}.{place(namespace)}.{rest}:{service_port}"


def connect_to(mesh: Mesh, via: str, url: str) -> str | None:
    """``curl --connect-to`` for a request through Gateway API Gateway ``via``; None when there is no such Gateway.

    Raises LookupError (with the reason) when the Gateway exists but cannot take the request."""
    namespace, _, name = via.partition("/")
    gateway = next((gw for gw in deployed_gateways(mesh) if gw.namespace == namespace and gw.name == name), None)
    if gateway is None:
        return None
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    listeners = gateway.spec.get("listeners")
    ports = {item.get("port") for item in listeners if isinstance(item, dict)} if isinstance(listeners, list) else set()
    if port not in ports:
        raise LookupError(f"Gateway {via} has no listener on port {port} for {url}")
    fqdn = f"{deployment_name(gateway)}.{gateway.namespace}.svc.{DOMAIN_SUFFIX}"
    return f"{parts.hostname}:{port}:{fqdn}:{port}"
