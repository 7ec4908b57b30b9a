"""IST0101 (selector), IST0159 and IST0160: which workloads each Telemetry applies to.

As istioctl's ``telemetry.SelectorAnalyzer`` (telemetry/selector.go) and
``telemetry.DefaultSelectorAnalyzer`` (telemetry/default_selector.go), tag 1.30.3:
- a Telemetry with non-empty ``selector.matchLabels`` that matches no pod of its namespace:
  IST0101 (selector), at the first label; more than one such Telemetry matching one pod: IST0159
  on each, at ``metadata.name``, naming the pod (Istio then applies one of them arbitrarily);
- more than one Telemetry without ``selector`` in a namespace: IST0160 on each.
Deployments count as workloads through their pod template labels (named by the Deployment), as
in the other selector analyzers; the selector halves are judged only when the input holds Pods or
Deployments. ``workload.PolicySelectorAnalyzer`` leaves Telemetry to this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import go_list
from istio_notebook.config import Resource
from istio_notebook.config.labels import format_labels, label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="telemetry.SelectorAnalyzer",
    description="Validates that telemetries that define a selector match a pod, that no pod is selected by several, and that a namespace has one default Telemetry",
    inputs=("Telemetry", "Pod", "Deployment"),
)

SELECTOR = ("spec", "selector", "matchLabels")
NAME = ("metadata", "name")


def _names(telemetries: list[Resource]) -> str:
    return go_list(sorted(t.name for t in telemetries))


def _selected(ctx: Context) -> Iterator[Diagnostic]:
    by_workload: dict[int, tuple[object, list[Resource]]] = {}
    for telemetry in ctx.of_kind("Telemetry"):
        labels = label_map(telemetry.get(*SELECTOR))
        if not labels:
            continue
        workloads = ctx.workloads.select(labels, telemetry.namespace)
        if not workloads:
            yield messages.referenced_resource_not_found(telemetry, SELECTOR + (min(labels),), "selector", format_labels(labels))
        for workload in workloads:
            by_workload.setdefault(id(workload), (workload, []))[1].append(telemetry)
    for workload, telemetries in by_workload.values():
        if len(telemetries) > 1:
            names = _names(telemetries)
            for telemetry in telemetries:
                yield messages.conflicting_telemetry_selectors(telemetry, NAME, names, workload.namespace, workload.resource.name)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.workloads:
        yield from _selected(ctx)
    defaults: dict[str, list[Resource]] = defaultdict(list)
    for telemetry in ctx.of_kind("Telemetry"):
        if telemetry.get("spec", "selector") is None:
            defaults[telemetry.namespace].append(telemetry)
    for namespace, telemetries in defaults.items():
        if len(telemetries) > 1:
            names = _names(telemetries)
            for telemetry in telemetries:
                yield messages.multiple_default_telemetries(telemetry, NAME, names, namespace)
