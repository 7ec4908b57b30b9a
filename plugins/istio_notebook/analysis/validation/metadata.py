"""Object metadata: names and labels as the API server checks them, and the annotations Istio's
webhook refuses (validateMetadata / checkDryRunAnnotation in pkg/config/validation/validation.go)."""

from __future__ import annotations

import re

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import Findings, entries
from istio_notebook.config.resource import Resource

DRY_RUN = "istio.io/dry-run"
_REFUSED = ("internal.istio.io/webhook-always-reject", "internal.istio.io/parent-namespace", "internal.istio.io/parents")
_GO_BOOLEANS = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_LABEL_KINDS = {"Namespace", "Service"}  # their names become DNS labels


def check_metadata(resource: Resource, found: Findings) -> None:
    metadata = resource.metadata
    found.errors(("metadata", "labels"), values.label_errors(entries(metadata.get("labels"))))
    name = metadata.get("name")
    if isinstance(name, str) and name:
        found.errors(("metadata", "name"), [_name_error(resource.kind, name)])
    if resource.group.endswith("istio.io"):
        _check_istio_annotations(resource, entries(metadata.get("annotations")), found)


def _name_error(kind: str, name: str) -> str | None:
    if kind in _DNS_LABEL_KINDS:
        if len(name) > 63 or not _LABEL.fullmatch(name):
            return f"invalid name {values.go_quote(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
        return None
    if len(name) > 253 or not _SUBDOMAIN.fullmatch(name):
        return (
            f"invalid name {values.go_quote(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character"
        )
    return None


def _check_istio_annotations(resource: Resource, annotations: dict, found: Findings) -> None:
    for key in _REFUSED:
        if key in annotations:
            where = ("metadata", "annotations", key)
            if key == _REFUSED[0]:
                found.error(where, f'"{key}" annotation found, rejecting')
            else:
                found.error(where, f'"{key}" annotation found, this may not be set by users')
    if DRY_RUN not in annotations:
        return
    where = ("metadata", "annotations", DRY_RUN)
    if resource.kind != "AuthorizationPolicy":
        found.error(where, f"{resource.key} has unsupported annotation {DRY_RUN}, please remove the annotation")
        return
    action = resource.spec.get("action") or "ALLOW"
    if action not in ("ALLOW", "DENY"):
        found.error(where, f"the annotation {DRY_RUN} currently only supports action ALLOW/DENY, found action {action} in {resource.key}")
    elif annotations[DRY_RUN] not in _GO_BOOLEANS:
        found.error(where, f"{resource.key} has annotation {DRY_RUN} with invalid value ({annotations[DRY_RUN]})")
