"""Gateway API CEL rules (``x-kubernetes-validations`` of the v1.5.1 CRDs) that change what a route does.

The API server refuses a resource that breaks them, so each is one IST0106 at the field, worded
as the CRD's own message. The OpenAPI part of the schema (types, enums, lengths, patterns) is in
the generated models; these are the cross-field rules the models cannot say:
- filters: ``type`` names exactly one filter field (HTTPRoute/GRPCRoute ``filters[]``);
- ``path.type`` Exact/PathPrefix needs an absolute path without ``//``, ``/./``, ``/../``, ``%2f``, ``#``;
- ``ReplacePrefixMatch`` (URLRewrite, RequestRedirect) needs exactly one PathPrefix match;
- RequestRedirect is not used together with ``backendRefs``;
- ``ReplaceFullPath`` / ``ReplacePrefixMatch`` path modifiers name their own field;
- a mirror takes ``percent`` or ``fraction`` (numerator ≤ denominator), not both;
- a Service backend reference (``kind`` unset or ``Service``) needs a ``port``;
- ``timeouts.backendRequest`` ≤ ``timeouts.request``; GRPCRoute method match needs service or method;
- a Gateway listener with ``tls.mode: Terminate`` needs ``certificateRefs`` (or options).
"""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import Findings, Path, fields, items
from istio_notebook.config.models.base import duration_nanos

_FILTER_FIELDS = {
    "RequestHeaderModifier": "requestHeaderModifier",
    "ResponseHeaderModifier": "responseHeaderModifier",
    "RequestMirror": "requestMirror",
    "RequestRedirect": "requestRedirect",
    "URLRewrite": "urlRewrite",
    "ExtensionRef": "extensionRef",
    "CORS": "cors",
}
_BAD_PATH_PARTS = ("//", "/./", "/../", "%2f", "%2F", "#")


def check_http_route(spec: dict, found: Findings) -> None:
    _check_parents(spec, found)
    for r_index, rule in enumerate(items(spec.get("rules"))):
        at = ("spec", "rules", r_index)
        for m_index, match in enumerate(items(rule.get("matches"))):
            _check_path(fields(match.get("path")), at + ("matches", m_index, "path"), found)
        _check_filters(rule, at, found)
        for b_index, backend in enumerate(items(rule.get("backendRefs"))):
            _check_backend(backend, at + ("backendRefs", b_index), found)
            _check_filters(backend, at + ("backendRefs", b_index), found)
        _check_timeouts(fields(rule.get("timeouts")), at + ("timeouts",), found)


def check_grpc_route(spec: dict, found: Findings) -> None:
    _check_parents(spec, found)
    for r_index, rule in enumerate(items(spec.get("rules"))):
        at = ("spec", "rules", r_index)
        for m_index, match in enumerate(items(rule.get("matches"))):
            method = match.get("method")
            if isinstance(method, dict) and not method.get("service") and not method.get("method"):
                found.error(at + ("matches", m_index, "method"), "One or both of 'service' or 'method' must be specified")
        _check_filters(rule, at, found)
        for b_index, backend in enumerate(items(rule.get("backendRefs"))):
            _check_backend(backend, at + ("backendRefs", b_index), found)


def check_l4_route(spec: dict, found: Findings) -> None:
    """TLSRoute and TCPRoute: parent and backend references."""
    _check_parents(spec, found)
    for r_index, rule in enumerate(items(spec.get("rules"))):
        for b_index, backend in enumerate(items(rule.get("backendRefs"))):
            _check_backend(backend, ("spec", "rules", r_index, "backendRefs", b_index), found)


def check_gateway(spec: dict, found: Findings) -> None:
    names: set[str] = set()
    for index, listener in enumerate(items(spec.get("listeners"))):
        at = ("spec", "listeners", index)
        name = listener.get("name")
        if name in names:
            found.error(at + ("name",), "Listener name must be unique within the Gateway")
        names.add(name)
        tls = fields(listener.get("tls"))
        if tls and (tls.get("mode") or "Terminate") == "Terminate" and not tls.get("certificateRefs") and not tls.get("options"):
            found.error(at + ("tls",), "certificateRefs or options must be specified when mode is Terminate")
        protocol = listener.get("protocol")
        if protocol in ("HTTP", "TCP", "UDP") and listener.get("tls") is not None:
            found.error(at + ("tls",), "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']")
        if protocol == "HTTPS" and (tls.get("mode") or "Terminate") != "Terminate":
            found.error(at + ("tls", "mode"), "tls mode must be Terminate for protocol HTTPS")
        if protocol == "TLS" and not tls.get("mode"):
            found.error(at, "tls mode must be set for protocol TLS")
        if protocol in ("TCP", "UDP") and listener.get("hostname") is not None:
            found.error(at + ("hostname",), "hostname must not be specified for protocols ['TCP', 'UDP']")


def _check_parents(spec: dict, found: Findings) -> None:
    seen: dict[tuple, set] = {}
    for index, ref in enumerate(items(spec.get("parentRefs"))):
        parent = (ref.get("group") or "", ref.get("kind") or "Gateway", ref.get("namespace") or "", ref.get("name"))
        sections = seen.setdefault(parent, set())
        section = ref.get("sectionName") or ""
        if sections and (not section or "" in sections):
            found.error(
                ("spec", "parentRefs", index),
                "sectionName must be specified when parentRefs includes 2 or more references to the same parent",
            )
        elif section in sections:
            found.error(
                ("spec", "parentRefs", index, "sectionName"),
                "sectionName must be unique when parentRefs includes 2 or more references to the same parent",
            )
        sections.add(section)


def _check_path(path: dict, at: Path, found: Findings) -> None:
    kind = path.get("type") or "PathPrefix"
    value = path.get("value", "/")
    if kind not in ("Exact", "PathPrefix") or not isinstance(value, str):
        return
    if not value.startswith("/"):
        found.error(at + ("value",), "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']")
    for part in _BAD_PATH_PARTS:
        if part in value:
            found.error(at + ("value",), f"must not contain {part!r} when type one of ['Exact', 'PathPrefix']")
    for end in ("/.", "/.."):
        if value.endswith(end):
            found.error(at + ("value",), f"must not end with {end!r} when type one of ['Exact', 'PathPrefix']")


def _check_filters(holder: dict, at: Path, found: Findings) -> None:
    filters = items(holder.get("filters"))
    for index, flt in enumerate(filters):
        where = at + ("filters", index)
        kind = flt.get("type")
        for other_kind, field in _FILTER_FIELDS.items():
            if kind == other_kind and field not in flt:
                found.error(where, f"filter.{field} must be specified for {other_kind} filter.type")
            elif kind != other_kind and field in flt:
                found.error(where + (field,), f"filter.{field} must be nil if the filter.type is not {other_kind}")
        _check_modifier(fields(fields(flt.get("urlRewrite")).get("path")), where + ("urlRewrite", "path"), found)
        _check_modifier(fields(fields(flt.get("requestRedirect")).get("path")), where + ("requestRedirect", "path"), found)
        _check_mirror(fields(flt.get("requestMirror")), where + ("requestMirror",), found)
        name = "URLRewrite" if kind == "URLRewrite" else "RequestRedirect"
        if _replaces_prefix(flt) and not _one_prefix_match(holder):
            found.error(where, f"When using {name} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified")
    kinds = [f.get("type") for f in filters]
    for kind in ("CORS", "RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"):
        if kinds.count(kind) > 1:
            found.error(at + ("filters",), f"{kind} filter cannot be repeated")
    if "RequestRedirect" in kinds and "URLRewrite" in kinds:
        found.error(at + ("filters",), "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both")
    if "RequestRedirect" in kinds and items(holder.get("backendRefs")):
        found.error(at + ("backendRefs",), "RequestRedirect filter must not be used together with backendRefs")


def _replaces_prefix(flt: dict) -> bool:
    for field in ("urlRewrite", "requestRedirect"):
        if fields(fields(flt.get(field)).get("path")).get("type") == "ReplacePrefixMatch":
            return True
    return False


def _one_prefix_match(holder: dict) -> bool:
    if "matches" not in holder:
        return True  # backendRefs[].filters: the rule's matches are checked at the rule
    matches = items(holder.get("matches"))
    return len(matches) == 1 and (fields(matches[0].get("path")).get("type") or "PathPrefix") == "PathPrefix"


def _check_modifier(path: dict, at: Path, found: Findings) -> None:
    kind = path.get("type")
    for other, field in (("ReplaceFullPath", "replaceFullPath"), ("ReplacePrefixMatch", "replacePrefixMatch")):
        if kind == other and field not in path:
            found.error(at, f"{field} must be specified when type is set to '{other}'")
        elif kind and kind != other and field in path:
            found.error(at + (field,), f"type must be '{other}' when {field} is set")


def _check_mirror(mirror: dict, at: Path, found: Findings) -> None:
    if "percent" in mirror and "fraction" in mirror:
        found.error(at, "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter")
    fraction = fields(mirror.get("fraction"))
    numerator, denominator = fraction.get("numerator"), fraction.get("denominator", 100)
    if isinstance(numerator, int) and isinstance(denominator, int) and numerator > denominator:
        found.error(at + ("fraction",), "numerator must be less than or equal to denominator")
    if mirror:
        _check_backend(fields(mirror.get("backendRef")), at + ("backendRef",), found)


def _check_backend(ref: dict, at: Path, found: Findings) -> None:
    group, kind = ref.get("group") or "", ref.get("kind") or "Service"
    if group == "" and kind == "Service" and ref.get("port") is None:
        found.error(at, "Must have port for Service reference")


def _check_timeouts(timeouts: dict, at: Path, found: Findings) -> None:
    request, backend = timeouts.get("request"), timeouts.get("backendRequest")
    if not isinstance(request, str) or not isinstance(backend, str):
        return
    request_ns, backend_ns = duration_nanos(request), duration_nanos(backend)
    if request_ns and backend_ns is not None and backend_ns > request_ns:
        found.error(at + ("backendRequest",), "backendRequest timeout cannot be longer than request timeout")
