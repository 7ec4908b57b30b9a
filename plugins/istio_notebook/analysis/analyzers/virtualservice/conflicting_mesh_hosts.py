"""IST0109: several VirtualServices for the mesh gateway define the same host.

As istioctl's ``virtualservice.ConflictingMeshGatewayHostsAnalyzer``
(conflictingmeshgatewayhosts.go): VS bound to ``mesh`` (no gateways, or ``mesh`` listed) are
grouped by ``scope/fqdn`` (scope ``*`` when exported everywhere, else each exportTo namespace);
a namespace-scoped group also counts the public VS whose host overlaps it. Each VS is
reported once, on metadata.name, naming the group and the scoped host.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.virtualservice.destinations import gateway_refs
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.hosts import MESH_GATEWAY, export_scopes
from istio_notebook.analysis.util import as_list, member_list
from istio_notebook.config import Resource
from istio_notebook.config.hosts import EXPORT_ALL, fqdn, hosts_overlap, is_wildcard
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.ConflictingMeshGatewayHostsAnalyzer",
    description="Checks if multiple VirtualServices bound to the mesh gateway define the same host",
    inputs=("VirtualService",),
)


def bound_to_mesh(vs: Resource) -> bool:
    refs = gateway_refs(vs)
    return not refs or MESH_GATEWAY in refs


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    groups: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    for vs in ctx.of_kind("VirtualService"):
        if not bound_to_mesh(vs):
            continue
        for scope in export_scopes(vs.get("spec", "exportTo"), vs.namespace):
            for host in as_list(vs.get("spec", "hosts")):
                if isinstance(host, str):
                    group = groups[(scope, fqdn(host, vs.namespace))]
                    if vs not in group:
                        group.append(vs)
    public_wildcards = [(name, group) for (scope, name), group in groups.items() if scope == EXPORT_ALL and is_wildcard(name)]
    reported: set[int] = set()
    for (scope, name), group in groups.items():
        members = list(group)
        if scope != EXPORT_ALL:
            # Public VS for an overlapping host are visible in this scope too.
            members += groups.get((EXPORT_ALL, name), [])
            members += [vs for wild, wild_group in public_wildcards if wild != name and hosts_overlap(name, wild) for vs in wild_group]
            if is_wildcard(name):
                members += [
                    vs for (s, other), g in groups.items() if s == EXPORT_ALL and other != name and hosts_overlap(name, other) for vs in g
                ]
        if len(members) < 2:
            continue
        names = member_list(sorted({vs.key for vs in members}))
        for vs in members:
            if id(vs) in reported:
                continue
            reported.add(id(vs))
            yield messages.conflicting_mesh_gateway_hosts(vs, ("metadata", "name"), names, f"{scope}/{name}")
