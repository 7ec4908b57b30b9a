"""One HTTPRoute or GRPCRoute rule (with one match) → one Istio ``http`` route, as istiod converts it.

Mirrors pilot/pkg/config/kube/gateway/conversion.go convertHTTPRoute / convertGRPCRoute and the
create*Match / create*Filter helpers:
- name: the rule's ``name``, else ``<namespace>.<route>.<rule index>``;
- path: PathPrefix → ``prefix`` without its trailing ``/`` (unless ``/``), Exact → ``exact``,
  RegularExpression → ``regex``; no path → prefix ``/``; headers and query params Exact/RE;
  ``method`` → exact; GRPCRoute service/method → exact ``/S/M``, prefix ``/S/``, regex ``/[^/]+/M``;
- filters: header modifiers (names lower-cased, the first of a name wins), RequestRedirect
  (no port: the request's port, or the scheme's default when a scheme is set), URLRewrite
  (ReplacePrefixMatch → ``rewrite.uri`` without trailing ``/``, empty → ``/``; ReplaceFullPath →
  ``uriRegexRewrite {match: "/.*"}``), RequestMirror (fraction or percent), CORS (createCorsFilter:
  ``*`` → a strict origin regex, no ``*`` → exact, one trailing ``*`` → prefix, else a quoted regex;
  maxAge 5 s by the CRD's default; unmatched preflights IGNORE); any other filter type is a hard
  error (InvalidFilter: the route is not programmed);
- ``retry``: attempts (default 2) on connect-failure, refused-stream, unavailable, cancelled and
  the listed codes; ``timeouts.request`` → timeout, ``backendRequest`` → per-try timeout with a
  retry, else the timeout;
- backends: weight-0 ones dropped, one left takes all; no backendRefs at all (omitted or empty)
  → direct response 404 on an HTTPRoute (istio#59445, in 1.30.0), 500 on a GRPCRoute; every
  weight 0 → 500; neither when the rule redirects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.config import Mesh
from istio_notebook.config.shape import mappings
from istio_notebook.config.models.base import duration_nanos
from istio_notebook.config.regex import quote_meta
from istio_notebook.config.resource import Resource
from istio_notebook.gatewayapi.backends import BackendError, resolve_backend
from istio_notebook.gatewayapi.model import Problem

_RETRY_ON = ["connect-failure", "refused-stream", "unavailable", "cancelled"]
_CORS_ANY_ORIGIN = r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s?#]+$"
_CORS_MAX_AGE = 5  # seconds: HTTPCORSFilter.maxAge's +kubebuilder:default


class HardError(Exception):
    """A rule istiod cannot convert at all: the route gets no config (ResolvedRefs=False)."""

    def __init__(self, reason: str, message: str, path: tuple):
        super().__init__(message)
        self.reason, self.message, self.path = reason, message, path


@dataclass
class Converted:
    route: dict  # the Istio http route
    problems: list[Problem] = field(default_factory=list)  # soft errors: the route is still programmed


def uri_match(path: dict | None) -> dict:
    path = path if isinstance(path, dict) else {}
    kind, value = path.get("type") or "PathPrefix", path.get("value", "/")
    value = value if isinstance(value, str) else "/"
    if kind == "PathPrefix":
        # "When specified, a trailing `/` is ignored" (strings.TrimSuffix: one slash).
        return {"prefix": value[:-1] if value != "/" and value.endswith("/") else value}
    return {"exact": value} if kind == "Exact" else {"regex": value}


def string_matches(entries: list[dict], *, lower: bool) -> dict | None:
    out: dict = {}
    for entry in entries:
        name = str(entry.get("name"))
        out.setdefault(
            name.lower() if lower else name,
            {"regex": entry.get("value")} if entry.get("type") == "RegularExpression" else {"exact": entry.get("value")},
        )
    return out or None


def http_match(match: dict) -> dict:
    out = {"uri": uri_match(match.get("path"))}
    headers = string_matches(mappings(match.get("headers")), lower=False)
    if headers:
        out["headers"] = headers
    query = string_matches(mappings(match.get("queryParams")), lower=False)
    if query:
        out["queryParams"] = query
    if isinstance(match.get("method"), str):
        out["method"] = {"exact": match["method"]}
    return out


def grpc_match(match: dict) -> dict:
    out: dict = {}
    method = match.get("method") if isinstance(match.get("method"), dict) else None
    if method is not None:
        service, name = method.get("service"), method.get("method")
        if method.get("type") == "RegularExpression":
            out["uri"] = {"regex": f"/{service}/.+" if not name else f"/[^/]+/{name}" if not service else f"/{service}/{name}"}
        elif not name:
            out["uri"] = {"prefix": f"/{service}/"}
        else:
            out["uri"] = {"regex": f"/[^/]+/{name}"} if not service else {"exact": f"/{service}/{name}"}
    headers = string_matches(mappings(match.get("headers")), lower=False)
    if headers:
        out["headers"] = headers
    return out


def header_ops(spec: dict) -> dict:
    def as_map(entries: list[dict]) -> dict | None:
        out: dict = {}
        for entry in entries:
            out.setdefault(str(entry.get("name")).lower(), str(entry.get("value")))
        return out or None

    ops = {
        "add": as_map(mappings(spec.get("add"))),
        "set": as_map(mappings(spec.get("set"))),
        "remove": [str(v) for v in spec.get("remove") or []] or None,
    }
    return {k: v for k, v in ops.items() if v is not None}


def redirect(spec: dict) -> dict:
    # createRedirectFilter copies statusCode; the CRD defaults it to 302, which the API server writes
    # before istiod reads the route, so an unset code is 302 (a VirtualService's own default is 301).
    out: dict = {"redirectCode": spec["statusCode"] if isinstance(spec.get("statusCode"), int) else 302}
    if spec.get("hostname"):
        out["authority"] = spec["hostname"]
    if spec.get("scheme"):
        out["scheme"] = spec["scheme"]
    if isinstance(spec.get("port"), int):
        out["port"] = spec["port"]
    else:
        # "When empty, port (if specified) of the request is used", or the scheme's own port.
        out["derivePort"] = "FROM_PROTOCOL_DEFAULT" if spec.get("scheme") else "FROM_REQUEST_PORT"
    path = spec.get("path") if isinstance(spec.get("path"), dict) else {}
    if path.get("type") == "ReplaceFullPath":
        out["uri"] = path.get("replaceFullPath")
    elif path.get("type") == "ReplacePrefixMatch":
        out["prefixRewrite"] = path.get("replacePrefixMatch")
    return out


def rewrite(spec: dict) -> dict | None:
    out: dict = {}
    path = spec.get("path") if isinstance(spec.get("path"), dict) else {}
    if path.get("type") == "ReplacePrefixMatch":
        value = str(path.get("replacePrefixMatch") or "")
        out["uri"] = (value[:-1] if value.endswith("/") else value) or "/"  # "/" means: remove the prefix
    elif path.get("type") == "ReplaceFullPath":
        out["uriRegexRewrite"] = {"match": "/.*", "rewrite": path.get("replaceFullPath")}
    if spec.get("hostname"):
        out["authority"] = spec["hostname"]
    return out or None


def cors(spec: dict) -> dict:
    origins = []
    for origin in spec.get("allowOrigins") or []:
        if not isinstance(origin, str) or not origin:
            continue  # createCorsFilter skips an empty origin
        if origin == "*":
            origins.append({"regex": _CORS_ANY_ORIGIN})
        elif "*" not in origin:
            origins.append({"exact": origin})
        elif origin.count("*") == 1 and origin.endswith("*"):
            origins.append({"prefix": origin[:-1]})
        else:
            origins.append({"regex": "^" + ".*".join(quote_meta(part) for part in origin.split("*")) + "$"})
    out: dict = {"allowOrigins": origins, "unmatchedPreflights": "IGNORE"}
    for field_name in ("allowMethods", "allowHeaders", "exposeHeaders"):
        if spec.get(field_name):
            out[field_name] = [str(v) for v in spec[field_name]]
    if spec.get("allowCredentials") is True:
        out["allowCredentials"] = True
    # The CRD defaults maxAge to 5 (the API server writes it before istiod reads the route).
    max_age = spec["maxAge"] if isinstance(spec.get("maxAge"), int) else _CORS_MAX_AGE
    if max_age > 0:
        out["maxAge"] = f"{max_age}s"
    return out


def _filters(mesh: Mesh, route: Resource, rule: dict, at: tuple, out: dict, problems: list[Problem], grant: bool) -> None:
    for index, flt in enumerate(mappings(rule.get("filters"))):
        kind, where = flt.get("type"), at + ("filters", index)
        if kind == "RequestHeaderModifier" and isinstance(flt.get("requestHeaderModifier"), dict):
            out.setdefault("headers", {})["request"] = header_ops(flt["requestHeaderModifier"])
        elif kind == "ResponseHeaderModifier" and isinstance(flt.get("responseHeaderModifier"), dict):
            out.setdefault("headers", {})["response"] = header_ops(flt["responseHeaderModifier"])
        elif kind == "RequestRedirect" and route.kind == "HTTPRoute":
            out["redirect"] = redirect(flt.get("requestRedirect") or {})
        elif kind == "URLRewrite" and route.kind == "HTTPRoute":
            value = rewrite(flt.get("urlRewrite") or {})
            if value:
                out["rewrite"] = value
        elif kind == "CORS" and route.kind == "HTTPRoute":
            out["corsPolicy"] = cors(flt.get("cors") or {})
        elif kind == "RequestMirror" and isinstance(flt.get("requestMirror"), dict):
            _mirror(mesh, route, flt["requestMirror"], where + ("requestMirror",), out, problems, grant)
        else:
            raise HardError("InvalidFilter", f"unsupported filter type {kind!r}", where + ("type",))


def _mirror(mesh: Mesh, route: Resource, spec: dict, at: tuple, out: dict, problems: list[Problem], grant: bool) -> None:
    ref = spec.get("backendRef") if isinstance(spec.get("backendRef"), dict) else {}
    try:
        backend = resolve_backend(mesh, route, ref, at + ("backendRef",), enforce_grant=grant)
    except BackendError as error:
        problems.append(Problem(route, "ResolvedRefs", "InvalidDestination", error.message, error.path))
        return
    if backend.problem is not None:
        # createMirrorFilter returns no mirror on any error (not found too): the rule stays, the mirror goes.
        problems.append(backend.problem)
        return
    mirror: dict = {"destination": backend.destination()}
    fraction = spec.get("fraction") if isinstance(spec.get("fraction"), dict) else None
    if fraction is not None:
        mirror["percentage"] = {"value": 100 * fraction.get("numerator", 0) / (fraction.get("denominator") or 100)}
    elif isinstance(spec.get("percent"), int):
        mirror["percentage"] = {"value": float(spec["percent"])}
    out.setdefault("mirrors", []).append(mirror)


def _retries_and_timeouts(rule: dict, out: dict) -> None:
    retry = rule.get("retry") if isinstance(rule.get("retry"), dict) else None
    if retry is not None:
        attempts = retry.get("attempts") if isinstance(retry.get("attempts"), int) else 2
        codes = [str(c) for c in retry.get("codes") or []]
        out["retries"] = {"attempts": attempts, "retryOn": ",".join(_RETRY_ON + codes) if attempts else ""}
        if isinstance(retry.get("backoff"), str):
            out["retries"]["backoff"] = retry["backoff"]
    timeouts = rule.get("timeouts") if isinstance(rule.get("timeouts"), dict) else {}
    request, backend = timeouts.get("request"), timeouts.get("backendRequest")
    if isinstance(request, str) and duration_nanos(request):
        out["timeout"] = request
    if isinstance(backend, str) and duration_nanos(backend):
        if "retries" in out:
            out["retries"]["perTryTimeout"] = backend
        else:
            out["timeout"] = backend


def convert_rule(mesh: Mesh, route: Resource, index: int, rule: dict, match: dict | None, *, grant: bool = True) -> Converted:
    """One rule with (at most) one match → an Istio http route; raises HardError when istiod gives up.

    ``grant``: enforce ReferenceGrants (istiod does for gateway parents, not for mesh ones)."""
    at = ("spec", "rules", index)
    name = rule.get("name") if isinstance(rule.get("name"), str) else f"{route.namespace}.{route.name}.{index}"
    out: dict = {"name": name}
    if match is not None:
        out["match"] = [http_match(match) if route.kind == "HTTPRoute" else grpc_match(match)]
    problems: list[Problem] = []
    _filters(mesh, route, rule, at, out, problems, grant)
    if route.kind == "HTTPRoute":
        _retries_and_timeouts(rule, out)
    refs = mappings(rule.get("backendRefs"))
    weights = [ref.get("weight") if isinstance(ref.get("weight"), int) else 1 for ref in refs]
    if sum(weights) == 0 and "redirect" not in out:
        # convertHTTPRoute: "No backends specified at all; per the Gateway API spec return 404",
        # zero weights 500; convertGRPCRoute answers 500 for both.
        status = 404 if not refs and route.kind == "HTTPRoute" else 500
        out["directResponse"] = {"status": status}
        return Converted(out, problems)
    kept = [(i, ref, w) for i, (ref, w) in enumerate(zip(refs, weights)) if w > 0]
    destinations = []
    for b_index, ref, weight in kept:
        where = at + ("backendRefs", b_index)
        try:
            backend = resolve_backend(mesh, route, ref, where, enforce_grant=grant)
        except BackendError as error:
            raise HardError("InvalidDestination", error.message, error.path) from None
        if backend.problem is not None:
            problems.append(backend.problem)
        item: dict = {"destination": backend.destination(), "weight": weight if len(kept) > 1 else 0}
        for f_index, flt in enumerate(mappings(ref.get("filters"))):
            side = {"RequestHeaderModifier": "request", "ResponseHeaderModifier": "response"}.get(flt.get("type"))
            if side is None:
                raise HardError("InvalidFilter", f"unsupported filter type {flt.get('type')!r}", where + ("filters", f_index, "type"))
            item.setdefault("headers", {})[side] = header_ops(flt.get(side + "HeaderModifier") or {})
        destinations.append(item)
    if destinations:
        out["route"] = destinations
    return Converted(out, problems)
