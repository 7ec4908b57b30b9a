"""How many proxies a gateway trusts in front of it: ProxyConfig ``gatewayTopology.numTrustedProxies``.

istio 1.30 pilot/pkg/networking/core/gateway.go buildGatewayConnectionManager copies the proxy's
``gatewayTopology.numTrustedProxies`` into the HTTP connection manager's ``xff_num_trusted_hops``
(0 when unset) on every gateway HTTP server, whose listeners run with ``use_remote_address: true``
(gateway.go createGatewayHTTPFilterChainOpts); sidecars never read it. A proxy's ProxyConfig is
MeshConfig ``defaultConfig`` with the Pod's ``proxy.istio.io/config`` annotation applied over it
(istio.io docs/ops/configuration/traffic-management/network-topologies: "pod annotations override
the global setting on a per-workload basis"), merged with proto.Merge (pilot/pkg/model/
proxy_config.go EffectiveProxyConfig, mergeWithPrecedence): a proto3 scalar at its zero value is
not copied, so an annotation's ``numTrustedProxies: 0`` leaves MeshConfig's count in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config.mesh import Mesh
from istio_notebook.config.meshconfig import mesh_setting
from istio_notebook.config.proxy_config import PROXY_CONFIG_ANNOTATION, annotated_proxy_config

UINT32_MAX = 2**32 - 1


@dataclass(frozen=True)
class TrustedHops:
    """``xff_num_trusted_hops`` of a gateway and where it came from (None: Istio's default, 0)."""

    count: int
    source: str | None = None


def _count(value: object) -> int | None:
    """A uint32 as ProxyConfig holds it; anything else is not a setting (the default stays). The
    annotation is read as protobuf JSON, which takes an integer written as a decimal string too."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= UINT32_MAX:
        return None
    return value


def _from_proxy_config(config: object) -> int | None:
    topology = config.get("gatewayTopology") if isinstance(config, dict) else None
    return _count(topology.get("numTrustedProxies")) if isinstance(topology, dict) else None


def trusted_hops(mesh: Mesh, namespace: str, labels: dict[str, str]) -> TrustedHops:
    """The gateway pods' ``numTrustedProxies``: the first pod (or Deployment template) with these
    labels that annotates it, else MeshConfig ``defaultConfig``, else 0."""
    for workload in mesh.pod_workloads.select(labels, namespace):
        count = _from_proxy_config(annotated_proxy_config(workload.resource))
        if count:  # 0 is the zero value proto.Merge does not copy
            return TrustedHops(count, f"{workload.kind} {workload.namespace}/{workload.resource.name} {PROXY_CONFIG_ANNOTATION}")
    value, label = mesh_setting(mesh, "defaultConfig", "gatewayTopology", "numTrustedProxies")
    count = _count(value)
    return TrustedHops(count, label) if count is not None else TrustedHops(0)
