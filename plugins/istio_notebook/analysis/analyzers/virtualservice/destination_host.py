"""IST0101 (host, mirror host, host:port) and IST0112: VirtualService destinations in the registry.

As istioctl's ``virtualservice.DestinationHostAnalyzer`` (destinationhosts.go): each route and
mirror host is looked up among ServiceEntries and Services visible to the VS namespace; a
multi-port service needs a destination port (IST0112), a given port must exist.
Judged only where the input describes the registry (``ServiceRegistry.describes``): a
``*.ns.svc.cluster.local`` host when some Service/ServiceEntry of ``ns`` is in the input, an
external host when some ServiceEntry is. istioctl reads no Services from files and so cannot
tell; we can, and stay silent where the example does not show the services.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.virtualservice.destinations import Destination, mirror_destinations, route_destinations
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import go_list
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.DestinationHostAnalyzer",
    description="Checks that VirtualService destination and mirror hosts (and ports) exist in the registry",
    inputs=("VirtualService", "Service", "ServiceEntry"),
)


def _check(ctx: Context, vs: Resource, dest: Destination, kind: str) -> Iterator[Diagnostic]:
    if not dest.host or not ctx.services.describes(vs.namespace, dest.host):
        return
    found = ctx.services.lookup(vs.namespace, vs.get("spec", "exportTo"), dest.host)
    if found is None:
        yield messages.referenced_resource_not_found(vs, dest.field("host"), kind, dest.host)
        return
    if dest.port is None:
        if len(found.ports) > 1:
            yield messages.destination_port_selector_required(vs, dest.field("host"), dest.host, go_list(found.ports))
    elif dest.port not in found.ports:
        yield messages.referenced_resource_not_found(vs, dest.field("port"), "host:port", f"{dest.host}:{dest.port}")


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.has("Service", "ServiceEntry"):
        return
    for vs in ctx.of_kind("VirtualService"):
        for dest in route_destinations(vs):
            yield from _check(ctx, vs, dest, "host")
        for dest in mirror_destinations(vs):
            yield from _check(ctx, vs, dest, "mirror host")
