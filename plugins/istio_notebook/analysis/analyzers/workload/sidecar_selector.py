"""IST0101 (selector): a Sidecar's workloadSelector matches no pod of its namespace.

As istioctl's ``sidecar.SelectorAnalyzer`` (sidecar/selector.go), the "not found" half.
Judged only when the input holds Pods or Deployments.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.config.labels import format_labels, label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="sidecar.SelectorAnalyzer",
    description="Checks that a Sidecar's workload selector matches a pod in its namespace",
    inputs=("Sidecar", "Pod", "Deployment"),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.workloads:
        return
    for sidecar in ctx.of_kind("Sidecar"):
        labels = label_map(sidecar.get("spec", "workloadSelector", "labels"))
        if labels and not ctx.workloads.any_selected(labels, sidecar.namespace):
            path = ("spec", "workloadSelector", "labels", min(labels))
            yield messages.referenced_resource_not_found(sidecar, path, "selector", format_labels(labels))
