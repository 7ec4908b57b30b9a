"""Workload selectors and policy target references (shared by security and telemetry kinds)."""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
    present,
)
from istio_notebook.config.goformat import go_quote

_TARGET_KINDS = {
    ("core", "Service"),
    ("networking.istio.io", "ServiceEntry"),
    ("gateway.networking.k8s.io", "Gateway"),
    ("gateway.networking.k8s.io", "GatewayClass"),
}


def check_workload_selector(selector: dict | None, at: Path, found: Findings, labels_field: str = "matchLabels") -> None:
    for key, value in entries(fields(selector).get(labels_field)).items():
        where = at + (labels_field, key)
        if key == "":
            found.error(where, f"empty key is not supported in selector: {go_quote(f'{key}={value}')}")
        if "*" in key or "*" in value:
            found.error(where, f"wildcard is not supported in selector: {go_quote(f'{key}={value}')}")


def warn_selector_without_labels(
    selector: dict | None, at: Path, found: Findings, labels_field: str = "matchLabels", template: str = "{}"
) -> None:
    """Warn (IST0133) when a workload selector is present but has no labels: it then selects every workload in the namespace.

    ``selector`` is the selector message (None when unset), ``at`` its path, ``labels_field`` the name of its label
    map ("matchLabels", or "labels" for the older WorkloadSelector), ``template`` a ``str.format`` pattern that
    receives the base text, for kinds that wrap it (EnvoyFilter: "Envoy filter: {}, will be applied to all services
    in namespace"). Istio: validateWorkloadSelector / ValidateAlphaWorkloadSelector in
    pkg/config/validation/validation.go (release-1.30 V:1374-1375, V:769); it is a warning, the resource is accepted.
    """
    if selector is not None and not entries(fields(selector).get(labels_field)):
        found.warning(at, template.format("workload selector specified without labels"))


def check_target_ref(ref: dict, at: Path, found: Findings) -> None:
    if not ref.get("name"):
        found.error(at, "targetRef name must be set")
    if ref.get("namespace"):
        found.error(at + ("namespace",), "targetRef namespace must not be set; cross namespace referencing is not supported")
    group = ref.get("group") or "core"
    if (group, ref.get("kind")) not in _TARGET_KINDS:
        allowed = ", ".join(f"{g}/{k}" for g, k in sorted(_TARGET_KINDS))
        found.error(at + ("kind",), f"targetRef must be to one of [{allowed}] but was {ref.get('group') or ''}/{ref.get('kind')}")


def check_selection(spec: dict, found: Findings) -> None:
    """selector / targetRef / targetRefs: at most one, each well formed; a selector without labels is warned about."""
    chosen = [name for name in ("selector", "targetRef") if present(spec, name)] + (["targetRefs"] if items(spec.get("targetRefs")) else [])
    if len(chosen) > 1:
        found.error(("spec", chosen[1]), "only one of targetRefs or workloadSelector can be set")
    if present(spec, "selector"):
        check_workload_selector(spec["selector"], ("spec", "selector"), found)
        warn_selector_without_labels(spec["selector"], ("spec", "selector"), found)
    if present(spec, "targetRef"):
        check_target_ref(spec["targetRef"], ("spec", "targetRef"), found)
    for index, ref in enumerate(items(spec.get("targetRefs"))):
        check_target_ref(ref, ("spec", "targetRefs", index), found)
