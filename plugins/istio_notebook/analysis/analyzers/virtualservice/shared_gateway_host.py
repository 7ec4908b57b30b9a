"""INB2005 (Kiali KIA1106): several VirtualServices bound to one Gateway define the same host.

On a gateway Istio concatenates their routes (oldest first, catch-alls last), which is legal
but easy to get wrong; the mesh-gateway case is IST0109 (conflicting_mesh_hosts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.hosts import MESH_GATEWAY, split_gateway_ref
from istio_notebook.analysis.util import as_list, member_list
from istio_notebook.config import Resource
from istio_notebook.config.hosts import fqdn
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.SharedGatewayHostAnalyzer",
    description="Flags several VirtualServices that define the same host on the same Gateway (Kiali KIA1106)",
    inputs=("VirtualService",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    groups: dict[tuple[str, str], list[tuple[Resource, int]]] = defaultdict(list)
    for vs in ctx.of_kind("VirtualService"):
        gateways = {
            "/".join(split_gateway_ref(ref, vs.namespace))
            for ref in as_list(vs.get("spec", "gateways"))
            if isinstance(ref, str) and ref != MESH_GATEWAY
        }
        for k, host in enumerate(as_list(vs.get("spec", "hosts"))):
            if isinstance(host, str):
                for gateway in gateways:
                    groups[(gateway, fqdn(host, vs.namespace))].append((vs, k))
    for (gateway, host), entries in groups.items():
        owners = {id(vs) for vs, _ in entries}
        if len(owners) < 2:
            continue
        keys = sorted({vs.key for vs, _ in entries})
        for vs, k in entries:
            others = member_list(keys, without=vs.key)
            yield messages.shared_gateway_host(vs, ("spec", "hosts", k), host, gateway, others)
