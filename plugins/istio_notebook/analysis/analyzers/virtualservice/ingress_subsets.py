"""IST0140: a gateway VirtualService routes to a host without subset while another VirtualService splits it by subset.

The ``analyzeSubset`` half of istioctl's ``virtualservice.DestinationHostAnalyzer``
(pkg/config/analysis/analyzers/virtualservice/destinationhosts.go, tag 1.30.3): for a
VirtualService with any ``gateways``, each ``http[].route[]`` destination without ``subset`` whose
host (as written) is also the host of a subset destination in some VirtualService that routes its
own host (as written) to subsets: requests through this VirtualService never see those subset
rules. One message per such VirtualService, at the destination host (istioctl's field-path key
for it is malformed and falls back to the resource).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_list, as_str, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.IngressSubsetAnalyzer",
    description="Checks that gateway routes to a host that other VirtualServices split by subset say which subset",
    inputs=("VirtualService",),
)


def _destinations(vs: Resource) -> Iterator[tuple[tuple, dict]]:
    for i, rule in enumerate_dicts(vs.get("spec", "http")):
        for j, route in enumerate_dicts(rule.get("route")):
            yield ("spec", "http", i, "route", j, "destination", "host"), as_dict(route.get("destination"))


def subset_routed_hosts(ctx: Context) -> dict[str, list[str]]:
    """host → the VirtualServices (``ns/name``) that route that host of theirs to a subset."""
    found: dict[str, list[str]] = {}
    for vs in ctx.of_kind("VirtualService"):
        own = {h for h in as_list(vs.get("spec", "hosts")) if isinstance(h, str)}
        for _, destination in _destinations(vs):
            host = as_str(destination.get("host"))
            if as_str(destination.get("subset")) and host in own:
                names = found.setdefault(host, [])
                if vs.key not in names:
                    names.append(vs.key)
    return found


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    routed = subset_routed_hosts(ctx)
    if not routed:
        return
    for vs in ctx.of_kind("VirtualService"):
        if not as_list(vs.get("spec", "gateways")):
            continue
        for path, destination in _destinations(vs):
            host = as_str(destination.get("host"))
            if not as_str(destination.get("subset")):
                for other in routed.get(host, ()):
                    yield messages.ingress_route_rules_not_affected(vs, path, other)
