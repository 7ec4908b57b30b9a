"""Telemetry: ValidateTelemetry in istio/istio pkg/config/validation/validation.go."""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.selectors import check_selection


def check(spec: dict, found: Findings) -> None:
    check_selection(spec, found)
    for index, metrics in enumerate(items(spec.get("metrics"))):
        at = ("spec", "metrics", index)
        _check_providers(metrics, at, found)
        for o, override in enumerate(items(metrics.get("overrides"))):
            where = at + ("overrides", o)
            for name, tag in entries(override.get("tagOverrides")).items():
                if name == "":
                    found.warning(where + ("tagOverrides", name), "tagOverrides.name may not be empty")  # V:3294-3295
                operation = tag.get("operation") or "UPSERT"
                if operation == "UPSERT" and not tag.get("value"):
                    found.error(where + ("tagOverrides", name), "tagOverrides.value must be set when operation is UPSERT")
                if operation == "REMOVE" and tag.get("value"):
                    found.error(where + ("tagOverrides", name, "value"), "tagOverrides.value may only be set when operation is UPSERT")
            match = fields(override.get("match"))
            if "customMetric" in match and match["customMetric"] == "":
                found.error(where + ("match", "customMetric"), "customMetric may not be empty")
    # Only one tracing configuration and one provider are used; more are accepted with a warning (V:3241-3249).
    if len(items(spec.get("tracing"))) > 1:
        found.warning(("spec", "tracing"), "multiple tracing is not currently supported")
    for index, tracing in enumerate(items(spec.get("tracing"))):
        at = ("spec", "tracing", index)
        if len(items(tracing.get("providers"))) > 1:
            found.warning(at + ("providers",), "multiple providers is not currently supported")
        _check_providers(tracing, at, found)
        percentage = tracing.get("randomSamplingPercentage")
        if percentage is not None and not 0 <= percentage <= 100:
            found.error(at + ("randomSamplingPercentage",), "randomSamplingPercentage must be in range [0.0, 100.0]")
        for name, tag in entries(tracing.get("customTags")).items():
            where = at + ("customTags", name)
            if name == "":
                found.error(where, "tag name may not be empty")
            if present(tag, "literal") and not tag["literal"].get("value"):
                found.error(where + ("literal", "value"), "literal tag value may not be empty")
            if present(tag, "header") and not tag["header"].get("name"):
                found.error(where + ("header", "name"), "header tag name may not be empty")
            if present(tag, "environment") and not tag["environment"].get("name"):
                found.error(where + ("environment", "name"), "environment tag name may not be empty")
    for index, logging in enumerate(items(spec.get("accessLogging"))):
        _check_providers(logging, ("spec", "accessLogging", index), found)


def _check_providers(section: dict, at: Path, found: Findings) -> None:
    for index, provider in enumerate(items(section.get("providers"))):
        if not provider.get("name"):
            found.error(at + ("providers", index, "name"), "providers.name may not be empty")
            return
