"""INB2004 (Kiali KIA0201): two DestinationRules define the same host and subset.

A client uses one DestinationRule per host (its own namespace's, else the service's, else the
root namespace's), so the other definition of the subset is silently ignored for some clients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_str, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.config.hosts import fqdn
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="destinationrule.DuplicateSubsetAnalyzer",
    description="Flags a host and subset defined by more than one DestinationRule (Kiali KIA0201)",
    inputs=("DestinationRule",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    groups: dict[tuple[str, str], list[tuple[Resource, int]]] = defaultdict(list)
    for rule in ctx.of_kind("DestinationRule"):
        host = as_str(rule.get("spec", "host"))
        for i, subset in enumerate_dicts(rule.get("spec", "subsets")):
            name = as_str(subset.get("name"))
            if host and name:
                groups[(fqdn(host, rule.namespace), name)].append((rule, i))
    for (host, name), entries in groups.items():
        if len({id(rule) for rule, _ in entries}) < 2:
            continue
        for rule, i in entries:
            others = ",".join(sorted({other.key for other, _ in entries if other is not rule}))
            yield messages.duplicate_subset(rule, ("spec", "subsets", i, "name"), host, name, others)
