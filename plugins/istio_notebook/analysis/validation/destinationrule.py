"""DestinationRule: ValidateDestinationRule in istio/istio pkg/config/validation/validation.go."""

from __future__ import annotations

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.destinations import check_subset_name
from istio_notebook.analysis.validation.findings import (
    Findings,
    entries,
    items,
    present,
)
from istio_notebook.analysis.validation.hosts import wildcard_domain_error
from istio_notebook.analysis.validation.selectors import (
    check_workload_selector,
    warn_selector_without_labels,
)
from istio_notebook.analysis.validation.trafficpolicy import check_traffic_policy


def check(spec: dict, found: Findings) -> None:
    found.errors(("spec", "host"), [wildcard_domain_error(spec.get("host") or "")])
    if present(spec, "trafficPolicy"):
        check_traffic_policy(spec["trafficPolicy"], ("spec", "trafficPolicy"), found, warn=True)
    names: set[str] = set()
    for index, subset in enumerate(items(spec.get("subsets"))):
        at = ("spec", "subsets", index)
        name = subset.get("name") or ""
        if name in names:
            found.error(at + ("name",), f"duplicate subset names: {name}")
        names.add(name)
        check_subset_name(name, at + ("name",), found)
        found.errors(at + ("labels",), values.label_errors(entries(subset.get("labels"))))
        if present(subset, "trafficPolicy"):
            check_traffic_policy(subset["trafficPolicy"], at + ("trafficPolicy",), found)
    selector = spec.get("workloadSelector")
    found.item_errors(
        ("spec", "exportTo"), values.export_to_errors(found.namespace, items(spec.get("exportTo")), with_selector=selector is not None)
    )
    if selector is not None:
        check_workload_selector(selector, ("spec", "workloadSelector"), found)
        warn_selector_without_labels(selector, ("spec", "workloadSelector"), found)
