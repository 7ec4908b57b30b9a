"""What routing adds to host handling: virtual host naming and domains, ``ns/host`` references.

Expansion, comparison, Service host names and exportTo are shared with analysis/ in ``config/hosts.py``.
"""

from __future__ import annotations

from istio_notebook.config.hosts import host_subset_of, split_service_host
from istio_notebook.config.services import Service


def more_specific(a: str, b: str) -> str:
    """Of two intersecting hosts, the narrower one (what a gateway virtual host is named after)."""
    return b if host_subset_of(b, a) else a


def split_namespaced(ref: str, default_namespace: str) -> tuple[str, str]:
    """`ns/host` → (ns, host); `./host` → own namespace; bare `host` → any namespace (`*`)."""
    if "/" in ref:
        ns, _, host = ref.partition("/")
        return (default_namespace if ns == "." else ns), host.lower()
    return "*", ref.lower()


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
