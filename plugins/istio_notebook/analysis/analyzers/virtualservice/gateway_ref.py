"""IST0101 (gateway) and IST0132: the Gateways a VirtualService is bound to.

As istioctl's ``virtualservice.GatewayAnalyzer`` (pkg/config/analysis/analyzers/virtualservice/
gateways.go): ``mesh`` is skipped; ``ns/name`` or a bare name (the VS namespace) must name a
Gateway; one of the VS hosts must overlap a host the Gateway serves to the VS namespace.
Every reference is judged, whatever else the input holds (as istioctl: a gateway absent from the
input is IST0101). One difference: IST0132 is not repeated for a gateway that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.hosts import MESH_GATEWAY, split_gateway_ref
from istio_notebook.config.hosts import hosts_overlap
from istio_notebook.analysis.util import as_list, enumerate_dicts, go_list
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.GatewayAnalyzer",
    description="Checks that the gateways a VirtualService names exist and serve one of its hosts",
    inputs=("VirtualService", "Gateway"),
)


def gateway_hosts_for(gateway: Resource, vs_namespace: str) -> list[str]:
    """The hosts ``gateway`` serves to VirtualServices of ``vs_namespace`` (``ns/host`` filtered)."""
    hosts: list[str] = []
    for _, server in enumerate_dicts(gateway.get("spec", "servers")):
        for host in as_list(server.get("hosts")):
            if not isinstance(host, str):
                continue
            namespace, slash, name = host.partition("/")
            if not slash:
                hosts.append(host)
            elif namespace == "*" or namespace == vs_namespace or (namespace == "." and gateway.namespace == vs_namespace):
                hosts.append(name)
    return hosts


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for vs in ctx.of_kind("VirtualService"):
        vs_hosts = [h for h in as_list(vs.get("spec", "hosts")) if isinstance(h, str)]
        for index, ref in enumerate(as_list(vs.get("spec", "gateways"))):
            if not isinstance(ref, str) or ref == MESH_GATEWAY:
                continue
            namespace, name = split_gateway_ref(ref, vs.namespace)
            gateway = ctx.mesh.get("Gateway", namespace, name)
            path = ("spec", "gateways", index)
            if gateway is None:
                yield messages.referenced_resource_not_found(vs, path, "gateway", ref)
                continue
            served = gateway_hosts_for(gateway, vs.namespace)
            if not any(hosts_overlap(g, h) for g in served for h in vs_hosts):
                yield messages.host_not_found_in_gateway(vs, path, go_list(vs_hosts), f"{namespace}/{name}")
