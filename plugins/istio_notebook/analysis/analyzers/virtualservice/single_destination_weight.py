"""INB2002 (Kiali KIA1104): the only destination of a route carries a weight below 100.

Istio ignores the weight of a lone destination (it gets 100% of the traffic), so a weight
like 80 suggests the author expected the remaining 20% to go somewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_list, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.SingleDestinationWeightAnalyzer",
    description="Flags a route whose only destination has a weight below 100 (Kiali KIA1104)",
    inputs=("VirtualService",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for vs in ctx.of_kind("VirtualService"):
        for section in ("http", "tcp", "tls"):
            for i, rule in enumerate_dicts(vs.get("spec", section)):
                routes = as_list(rule.get("route"))
                if len(routes) != 1 or not isinstance(routes[0], dict):
                    continue
                weight = routes[0].get("weight")
                if isinstance(weight, int) and not isinstance(weight, bool) and weight < 100:
                    yield messages.single_destination_weight(vs, ("spec", section, i, "route", 0, "weight"), weight)
