"""IST0174 (host unknown) and IST0173 (subset selects no pods) for DestinationRules.

As istioctl's ``destinationrule.SubsetSelectPodAnalyzer`` (destinationrule/subset.go): the DR
host is looked up like a VirtualService destination (IST0174 when absent); each subset's labels,
merged over the ServiceEntry's workloadSelector, must match some pod — in any namespace, as
istioctl matches. Topology labels (region, zone, subzone, hostname) are matched against what
istiod adds to the pod's endpoints (``topology.py``): a subset for a region no pod's Node is in
selects nothing; where the input cannot tell (no Node, no nodeName, cluster and network IDs),
the label is not judged.
Judged only where the input describes the registry (Services or ServiceEntries; a host such as
``reviews.default`` counts as one of namespace ``default``: Istio does not expand it, istioctl
looks it up as written and reports it, so do we when the input shows Services of ``default``;
istioctl's own fixture destinationrule-with-fake-host.yaml holds no Service at all and is
reported there, not here, see ``ServiceRegistry.describes``); then every
subset is matched against the pods the input holds, none if it holds none, as istioctl does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.destinationrule.topology import TOPOLOGY_LABELS, TopologyIndex
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_str, enumerate_dicts
from istio_notebook.config.hosts import is_wildcard
from istio_notebook.config.labels import label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="destinationrule.SubsetSelectPodAnalyzer",
    description="Checks that DestinationRule hosts exist and that their subsets select pods",
    inputs=("DestinationRule", "Service", "ServiceEntry", "Pod", "Deployment", "Node"),
)



def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.has("Service", "ServiceEntry"):
        return
    topology_index = cache(lambda: TopologyIndex(ctx.mesh, ctx.workloads.workloads))
    for rule in ctx.of_kind("DestinationRule"):
        host = as_str(rule.get("spec", "host"))
        if not host or not ctx.services.describes(rule.namespace, host):
            continue
        if is_wildcard(host):
            # A mesh-wide rule such as ``*.local``: istioctl looks it up like a single host and
            # reports it; it applies to every service it covers, so it is unknown only when it
            # covers none. Its subsets select no single service's pods and are not judged.
            if not ctx.services.any_overlapping(rule.namespace, host):
                yield messages.unknown_destination_rule_host(rule, ("spec", "host"), host)
            continue
        found = ctx.services.lookup(rule.namespace, rule.get("spec", "exportTo"), host)
        if found is None:
            yield messages.unknown_destination_rule_host(rule, ("spec", "host"), host)
            continue
        for i, subset in enumerate_dicts(rule.get("spec", "subsets")):
            labels = {**found.workload_selector, **label_map(subset.get("labels"))}
            if not _selects_some_pod(ctx, labels, topology_index):
                yield messages.subset_selects_no_pods(rule, ("spec", "subsets", i, "name"), as_str(subset.get("name")))


def _selects_some_pod(ctx: Context, labels: dict[str, str], topology_index: Callable[[], TopologyIndex]) -> bool:
    plain = {k: v for k, v in labels.items() if k not in TOPOLOGY_LABELS}
    topology = {k: v for k, v in labels.items() if k in TOPOLOGY_LABELS}
    if not topology:
        return ctx.workloads.any_selected(plain)
    return topology_index().any_matches(ctx.workloads.select(plain) if plain else None, topology)
