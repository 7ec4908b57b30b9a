"""PeerAuthentication: ValidatePeerAuthentication in istio/istio pkg/config/validation/validation.go."""

from __future__ import annotations

from istio_notebook.config.decimal import decimal_value
from istio_notebook.analysis.validation.findings import Findings, entries, fields
from istio_notebook.analysis.validation.selectors import (
    check_workload_selector,
    warn_selector_without_labels,
)


def check(spec: dict, found: Findings) -> None:
    selector = spec.get("selector")
    port_level = spec.get("portLevelMtls")
    if not entries(fields(selector).get("matchLabels")) and entries(port_level):
        found.error(("spec", "portLevelMtls"), "mesh/namespace peer authentication cannot have port level mTLS")
    if port_level is not None and not port_level:
        found.error(("spec", "portLevelMtls"), "port level mTLS, if defined, must have at least one element")
    for port in entries(port_level):
        # Map keys are port numbers written as strings (protobuf JSON map<uint32, ...>).
        if not 0 < (decimal_value(str(port)) or 0) <= 65535:
            found.error(("spec", "portLevelMtls", str(port)), "port must be in range 1..65535")
    if selector is not None:
        check_workload_selector(selector, ("spec", "selector"), found)
        warn_selector_without_labels(selector, ("spec", "selector"), found)  # the only PeerAuthentication warning
