"""IST0110 / IST0111 / IST0167: Sidecars that compete for the same workloads, or have none.

As istioctl's ``sidecar.SelectorAnalyzer`` (sidecar/selector.go, tag 1.30.3): a pod selected by
more than one Sidecar's workloadSelector (IST0110, on each of them, naming the pod), and more than
one Sidecar without workloadSelector in a namespace (IST0111, on each). Istio then picks one of
them arbitrarily. In ambient mode there is no sidecar, so instead: a Sidecar selecting a pod
annotated ``ambient.istio.io/redirection: enabled`` (util.PodInAmbientMode), and a Sidecar
without selector in a Namespace of the input labelled ``istio.io/dataplane-mode=ambient`` (and
neither ``istio-injection=enabled`` nor ``istio.io/rev``: util.NamespaceInAmbientMode), is
IST0167, once per Sidecar. Deployments count as workloads through their pod template labels and
annotations (named by the Deployment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, go_list
from istio_notebook.config import Resource
from istio_notebook.config.labels import label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="sidecar.ConflictAnalyzer",
    description="Checks that no workload is selected by several Sidecars and that a namespace has one default Sidecar",
    inputs=("Sidecar", "Pod", "Deployment"),
)


AMBIENT_REDIRECTION = "ambient.istio.io/redirection"


def pod_in_ambient_mode(workload) -> bool:
    resource = workload.resource
    if resource.kind == "Deployment":
        annotations = as_dict(resource.get("spec", "template", "metadata", "annotations"))
    else:
        annotations = resource.annotations
    return str(annotations.get(AMBIENT_REDIRECTION, "")) == "enabled"


def namespace_in_ambient_mode(ctx: Context, namespace: str) -> bool:
    found = ctx.mesh.get("Namespace", "", namespace)
    if found is None or found.labels.get("istio-injection") == "enabled" or found.labels.get("istio.io/rev"):
        return False
    return found.labels.get("istio.io/dataplane-mode") == "ambient"


def _ineffective(sidecar: Resource, reason: str, reported: set[int]) -> Iterator[Diagnostic]:
    if id(sidecar) not in reported:
        reported.add(id(sidecar))
        yield messages.ineffective_policy(sidecar, ("metadata", "name"), reason)


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
    reported: set[int] = set()
    for workload, sidecars in by_workload.values():
        if pod_in_ambient_mode(workload):
            for sidecar in sidecars:
                yield from _ineffective(sidecar, "selected workload is in ambient mode, the policy has no impact", reported)
        elif len(sidecars) > 1:
            names = go_list(sorted(s.name for s in sidecars))
            for sidecar in sidecars:
                yield messages.conflicting_sidecar_selectors(
                    sidecar, ("metadata", "name"), names, workload.namespace, workload.resource.name
                )
    for namespace, sidecars in defaults.items():
        if namespace_in_ambient_mode(ctx, namespace):
            for sidecar in sidecars:
                yield from _ineffective(sidecar, "namespace is in ambient mode, the policy has no impact", reported)
        elif len(sidecars) > 1:
            names = go_list(sorted(s.name for s in sidecars))
            for sidecar in sidecars:
                yield messages.multiple_default_sidecars(sidecar, ("metadata", "name"), names, namespace)
