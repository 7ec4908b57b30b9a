"""IST0110 / IST0111: Sidecars that compete for the same workloads.

As istioctl's ``sidecar.SelectorAnalyzer`` (sidecar/selector.go): a pod selected by more than
one Sidecar's workloadSelector (IST0110, on each of them, naming the pod), and more than one
Sidecar without workloadSelector in a namespace (IST0111, on each). Istio then picks one of
them arbitrarily. Deployments count as workloads through their pod template labels (named by
the Deployment). Ambient-mode namespaces and pods (IST0167 in istioctl) are not modelled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import go_list
from istio_notebook.config import Resource
from istio_notebook.config.labels import label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="sidecar.ConflictAnalyzer",
    description="Checks that no workload is selected by several Sidecars and that a namespace has one default Sidecar",
    inputs=("Sidecar", "Pod", "Deployment"),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    defaults: dict[str, list[Resource]] = defaultdict(list)
    by_workload: dict[int, tuple[object, list[Resource]]] = {}
    for sidecar in ctx.of_kind("Sidecar"):
        labels = label_map(sidecar.get("spec", "workloadSelector", "labels"))
        if not labels:
            defaults[sidecar.namespace].append(sidecar)
            continue
        if ctx.workloads:
            for workload in ctx.workloads.select(labels, sidecar.namespace):
                by_workload.setdefault(id(workload), (workload, []))[1].append(sidecar)
    for workload, sidecars in by_workload.values():
        if len(sidecars) > 1:
            names = go_list(sorted(s.name for s in sidecars))
            for sidecar in sidecars:
                yield messages.conflicting_sidecar_selectors(
                    sidecar, ("metadata", "name"), names, workload.namespace, workload.resource.name
                )
    for namespace, sidecars in defaults.items():
        if len(sidecars) > 1:
            names = go_list(sorted(s.name for s in sidecars))
            for sidecar in sidecars:
                yield messages.multiple_default_sidecars(sidecar, ("metadata", "name"), names, namespace)
