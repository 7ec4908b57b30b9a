"""IST0101 (host+subset): every subset a VirtualService routes or mirrors to is defined.

As istioctl's ``virtualservice.DestinationRuleAnalyzer`` (destinationrules.go): the pair
(host as FQDN in the VS namespace, subset) must appear in some DestinationRule, whatever its
namespace or exportTo. Judged always, as istioctl does: with no DestinationRule in the input,
every named subset is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.virtualservice.destinations import mirror_destinations, route_destinations
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.config.hosts import fqdn
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.DestinationRuleAnalyzer",
    description="Checks that the subsets VirtualService destinations name are defined by a DestinationRule",
    inputs=("VirtualService", "DestinationRule"),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    subsets = ctx.subsets_by_host
    for vs in ctx.of_kind("VirtualService"):
        for kind, destinations in (("host+subset", route_destinations(vs)), ("mirror+subset", mirror_destinations(vs))):
            for dest in destinations:
                if dest.subset and dest.subset not in subsets.get(fqdn(dest.host, vs.namespace), ()):
                    yield messages.referenced_resource_not_found(
                        vs, dest.field("subset"), f"{kind} in destinationrule", f"{dest.host}+{dest.subset}"
                    )
