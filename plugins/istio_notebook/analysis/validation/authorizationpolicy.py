"""AuthorizationPolicy: ValidateAuthorizationPolicy (validation.go) and pkg/config/security/security.go."""

from __future__ import annotations

import re

from istio_notebook.config.decimal import decimal_value
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.hosts import ip_or_cidr_error
from istio_notebook.analysis.validation.selectors import check_selection
from istio_notebook.config.goformat import go_quote

_SOURCE_FIELDS = (
    "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces", "notNamespaces",
    "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks", "serviceAccounts", "notServiceAccounts",
    "trustDomains", "notTrustDomains",
)  # fmt: skip
# Source fields a TCP connection can be matched on (no request needed): V:1523-1527.
_TCP_SOURCE_FIELDS = (
    "principals", "notPrincipals", "ipBlocks", "notIpBlocks", "namespaces", "notNamespaces",
    "remoteIpBlocks", "notRemoteIpBlocks", "serviceAccounts", "notServiceAccounts",
)  # fmt: skip
_OPERATION_FIELDS = ("ports", "notPorts", "methods", "notMethods", "paths", "notPaths", "hosts", "notHosts")
_CUSTOM_UNSUPPORTED_SOURCES = (
    "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains",
    "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals",
)  # fmt: skip
_CUSTOM_UNSUPPORTED_KEYS = ("source.namespace", "source.serviceAccount", "source.trustDomain", "source.principal")
_LITERAL = re.compile(r"[a-zA-Z0-9\-._~%!$&'()+,;:@=]+")
_PLAIN_KEYS = {
    "source.namespace",
    "source.principal",
    "request.auth.principal",
    "request.auth.audiences",
    "request.auth.presenter",
    "connection.sni",
}
_MAP_KEY_PREFIXES = ("request.headers", "request.auth.claims", "experimental.envoy.filters.")


def check(spec: dict, found: Findings) -> None:
    check_selection(spec, found)
    action = spec.get("action") or "ALLOW"
    rules = spec.get("rules")
    if action == "CUSTOM":
        if rules is None:
            found.error(
                ("spec",),
                "CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request",
            )
        elif not fields(spec.get("provider")).get("name"):
            found.error(("spec", "provider"), "`provider.name` must not be empty")
        for index, rule in enumerate(items(rules)):
            _check_custom_rule(rule, ("spec", "rules", index), found)
    if present(spec, "provider") and action != "CUSTOM":
        found.error(("spec", "provider"), f"`provider` must not be with non CUSTOM action, found {action}")
    if action == "DENY" and rules is None:
        found.error(
            ("spec",),
            "DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request",
        )
    for index, rule in enumerate(items(rules)):
        _check_rule(rule, index, ("spec", "rules", index), found)
        if action == "DENY":
            _warn_http_only_deny(rule, ("spec", "rules", index), found)


def _check_custom_rule(rule: dict, at: Path, found: Findings) -> None:
    for f, source_entry in enumerate(items(rule.get("from"))):
        source = fields(source_entry.get("source"))
        for name in _CUSTOM_UNSUPPORTED_SOURCES:
            if items(source.get(name)):
                found.error(
                    at + ("from", f, "source", name), f"From.{name[0].upper()}{name[1:]} is currently not supported with CUSTOM action"
                )
    for w, condition in enumerate(items(rule.get("when"))):
        key = condition.get("key") or ""
        if key in _CUSTOM_UNSUPPORTED_KEYS or key.startswith("request.auth."):
            found.error(at + ("when", w, "key"), f"{key} is currently not supported with CUSTOM action")


def _check_rule(rule: dict, index: int, at: Path, found: Findings) -> None:
    if rule.get("from") is not None and not rule["from"]:
        found.error(at + ("from",), f"`from` must not be empty, found at rule {index}")
    for f, source_entry in enumerate(items(rule.get("from"))):
        where = at + ("from", f)
        if source_entry.get("source") is None:
            found.error(where, f"`from.source` must not be nil, found at rule {index}")
            continue
        _check_source(source_entry["source"], index, where + ("source",), found)
    if rule.get("to") is not None and not rule["to"]:
        found.error(at + ("to",), f"`to` must not be empty, found at rule {index}")
    for t, target in enumerate(items(rule.get("to"))):
        where = at + ("to", t)
        if target.get("operation") is None:
            found.error(where, f"`to.operation` must not be nil, found at rule {index}")
            continue
        _check_operation(target["operation"], index, where + ("operation",), found)
    for w, condition in enumerate(items(rule.get("when"))):
        _check_condition(condition, at + ("when", w), found)


def _warn_http_only_deny(rule: dict, at: Path, found: Findings) -> None:
    """A DENY rule that only HTTP attributes can match denies all traffic to TCP ports (V:1584-1590, one per rule).

    Istio looks only at ``from`` and ``to``: a rule with sources but no operation and no TCP-capable source field, or
    one with operations none of which names a port. ``when`` is not considered, nor is a source or operation that is
    absent (null).
    """
    sources = [fields(entry.get("source")) for entry in items(rule.get("from")) if fields(entry).get("source") is not None]
    operations = [fields(entry.get("operation")) for entry in items(rule.get("to")) if fields(entry).get("operation") is not None]
    tcp_from = any(items(source.get(name)) for source in sources for name in _TCP_SOURCE_FIELDS)
    tcp_to = any(items(operation.get(name)) for operation in operations for name in ("ports", "notPorts"))
    if (sources and not operations and not tcp_from) or (operations and not tcp_to):
        found.warning(
            at,
            "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP "
            "attributes in a DENY rule; it is recommended to explicitly specify the port",
        )


def _check_source(source: dict, index: int, at: Path, found: Findings) -> None:
    identity = any(items(source.get(n)) for n in ("principals", "notPrincipals", "namespaces", "notNamespaces"))
    if identity and any(items(source.get(n)) for n in ("serviceAccounts", "notServiceAccounts")):
        found.error(at, f"cannot set serviceAccounts with namespaces or principals, found at rule {index}")
    if not any(items(source.get(n)) for n in _SOURCE_FIELDS):
        found.error(at, f"`from.source` must not be empty, found at rule {index}")
    for name in ("ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"):
        for i, value in enumerate(items(source.get(name))):
            found.errors(at + (name, i), [ip_or_cidr_error(value)] if value else [])
    for name in _SOURCE_FIELDS:
        values, where, title = items(source.get(name)), at + (name,), _title(name)
        if name in ("serviceAccounts", "notServiceAccounts"):
            found.errors(where, [_service_account_error(title, values)])
        elif name in ("trustDomains", "notTrustDomains"):
            found.errors(where, [_trust_domain_error(title, values)])
        else:
            found.errors(where, [_empty_error(title, values)])


def _check_operation(operation: dict, index: int, at: Path, found: Findings) -> None:
    if not any(items(operation.get(n)) for n in _OPERATION_FIELDS):
        found.error(at, f"`to.operation` must not be empty, found at rule {index}")
    for name in ("ports", "notPorts"):
        for i, port in enumerate(items(operation.get(name))):
            if (decimal_value(port) or 65536) > 65535:  # not ASCII digits, or too large
                found.error(at + (name, i), f"bad port ({port})")
    for name in _OPERATION_FIELDS:
        found.errors(at + (name,), [_empty_error(_title(name), items(operation.get(name)))])
    for name in ("paths", "notPaths"):
        for i, path in enumerate(items(operation.get(name))):
            found.errors(at + (name, i), [_path_template_error(_title(name), path)])


def _check_condition(condition: dict, at: Path, found: Findings) -> None:
    key = condition.get("key") or ""
    if not key:
        found.error(at + ("key",), "`key` must not be empty")
        return
    values, not_values = items(condition.get("values")), items(condition.get("notValues"))
    if not values and not not_values:
        found.error(at, f"at least one of `values` or `notValues` must be set for key {key}")
        return
    for field, word, entries in (("values", "value", values), ("notValues", "notValue", not_values)):
        # Istio checks both lists even when one is empty; an unknown key is reported once here.
        problem = attribute_error(key, entries) if entries else None
        if problem:
            found.error(at + (field,), f"invalid `{word}` for `key` {key}: {problem}")


def attribute_error(key: str, values: list[str]) -> str | None:
    """security.ValidateAttribute: is ``key`` a known condition key, and are its values well formed."""
    empty = _empty_error(key, values)
    if empty:
        return empty
    if key.startswith(_MAP_KEY_PREFIXES):
        return _map_key_error(key)
    if key in ("source.ip", "remote.ip", "destination.ip"):
        return next((p for p in (ip_or_cidr_error(v) for v in values) if p), None)
    if key == "source.serviceAccount":
        return _service_account_error(key, values)
    if key == "source.trustDomain":
        return _wildcard_error(key, values)
    if key == "destination.port":
        bad = next((v for v in values if (decimal_value(v) or 65536) > 65535), None)
        return f"bad port ({bad})" if bad is not None else None
    if key in _PLAIN_KEYS:
        return None
    if key == "destination.namespace":
        return f"attribute {key} is replaced by the metadata.namespace"
    if key.startswith("destination.labels"):
        return f"attribute {key} is replaced by the workload selector"
    if key in ("destination.name", "destination.user"):
        return f"deprecated attribute {key}: only supported in v1alpha1"
    return f"unknown attribute: {key}"


def _map_key_error(key: str) -> str | None:
    opening = key.find("[")
    if key.endswith("]") and 0 < opening < len(key) - 2:
        return None
    return f"bad key ({key}): should have format a[b]"


def _title(field: str) -> str:
    """Istio names source and operation fields by their Go names in messages (``Principals``)."""
    return field[:1].upper() + field[1:]


def _empty_error(name: str, values: list[str]) -> str | None:
    return f"empty value not allowed, found in {name}" if any(v == "" for v in values) else None


def _wildcard_error(name: str, values: list[str]) -> str | None:
    for value in values:
        if value == "":
            return f"empty value not allowed, found in {name}"
        stars = value.count("*")
        if stars > 1:
            return f"at most one wildcard is allowed, found in {name}: {go_quote(value)}"
        if stars == 1 and value != "*" and not value.startswith("*") and not value.endswith("*"):
            return f"wildcard is only allowed at the start or end, found in {name}: {go_quote(value)}"
    return None


def _trust_domain_error(name: str, values: list[str]) -> str | None:
    problem = _wildcard_error(name, values)
    if problem:
        return problem
    bad = next((v for v in values if "/" in v), None)
    return f"trust domain must not contain '/', found in {name}: {go_quote(bad)}" if bad is not None else None


def _service_account_error(name: str, values: list[str]) -> str | None:
    if len(values) > 16:
        return "may not have more than 16 values"
    for value in values:
        if value == "":
            return f"empty value not allowed, found in {name}"
        if "*" in value:
            return f"wildcard not allowed, found in {name}"
        if value.count("/") > 1:
            return f"expected format 'serviceAccount' or 'namespace/serviceAccount', found {go_quote(value)} in {name}"
        if len(value) > 320:
            return f"value cannot exceed 320 characters, found {go_quote(value)} in {name}"
        namespace, slash, account = value.partition("/")
        if slash and not namespace:
            return f"expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace {go_quote(value)} in {name}"
        if slash and not account:
            return f"expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount {go_quote(value)} in {name}"
    return None


def _path_template_error(name: str, path: str) -> str | None:
    """Path templates: ``{*}`` one segment, ``{**}`` the rest (last operator only)."""
    templated = "{*}" in path or "{**}" in path
    seen_any = False
    for segment in path.strip("/").split("/"):
        if segment == "{*}" and not seen_any:
            continue
        if segment == "{**}" and not seen_any:
            seen_any = True
            continue
        if segment in ("{*}", "{**}"):
            return f"invalid or unsupported path {path}, found in {name}. {{**}} is not the last operator"
        if "{" in segment or "}" in segment:
            return f"invalid or unsupported path {path}, found in {name}. Contains '{{' or '}}' beyond a supported path template"
        if templated and not _LITERAL.fullmatch(segment):
            return f"invalid or unsupported path {path}, found in {name}. Contains segment {segment} with invalid string literal"
    return None
