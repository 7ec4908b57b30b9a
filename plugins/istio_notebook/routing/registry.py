"""The virtual host domains of a registry service (the registry itself: config/services.py).

``Registry``, ``Service`` and ``ServicePort`` are re-exported for the routing modules.
"""

from __future__ import annotations

from istio_notebook.config.hosts import split_service_host
from istio_notebook.config.services import Registry, Service, ServicePort

__all__ = ["Registry", "Service", "ServicePort", "sidecar_domains"]


def sidecar_domains(service: Service, proxy_namespace: str) -> list[str]:
    """The virtual host domains a sidecar in `proxy_namespace` gets for `service`.

    Sidecars set ignore_port_in_host_matching, so no `:port` variants are generated; the
    short name only for the proxy's own namespace (istio/istio pilot/pkg/networking/core/
    httproute.go generateVirtualHostDomains / generateAltVirtualHostsForKubernetesService).
    """
    host = service.hostname
    domains = [host]
    kube = split_service_host(host)
    if kube is not None:
        name, namespace = kube
        if namespace == proxy_namespace:
            domains += [name, f"{name}.{namespace}.svc", f"{name}.{namespace}"]
        else:
            domains += [f"{name}.{namespace}", f"{name}.{namespace}.svc"]
    if service.resolution == "Passthrough" and service.registry == "Kubernetes":
        domains += [f"*.{d}" for d in list(domains)]
    domains += [a for a in service.addresses if a and a != "0.0.0.0" and "/" not in a]
    return domains
