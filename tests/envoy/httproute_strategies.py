"""Hypothesis strategies: random HTTPRoutes on a Gateway API Gateway, and requests that probe them.

Used by the Gateway API differential test (simulator vs real Envoy). Every rule obeys the CRD's
CEL rules (one PathPrefix match with ReplacePrefixMatch, no RequestRedirect with backendRefs or
with URLRewrite, a filter type once), so each generated route is one the API server would accept.
Matches: path Exact / PathPrefix (with and without trailing "/") / RegularExpression, headers
Exact / RegularExpression, query params, method; filters: header modifiers, URLRewrite
(ReplaceFullPath, ReplacePrefixMatch incl. "/"), RequestRedirect (scheme, hostname, code,
ReplaceFullPath, ReplacePrefixMatch), RequestMirror (all, percent, fraction, 0%), CORS (exact,
prefix, wildcard and ``*`` origins, which convert to regexes); backends: one, weighted, weight 0, none,
a Service that does not exist, another namespace without ReferenceGrant.
"""

from __future__ import annotations

import yaml
from hypothesis import strategies as st

from istio_notebook.config import Mesh
from istio_notebook.config.loader import load_text
from istio_notebook.config.yaml_reader import Origin

HOSTNAMES = ("shop.example.com", "api.example.com")
PREFIXES = ("/api", "/api/", "/api/v1", "/static", "/a", "/")
EXACTS = ("/api", "/api/v1", "/a/x", "/login")
REGEXES = ("/api/v[0-9]+(/.*)?", "/(a|b)/x", ".*login.*")
HEADER_NAMES = ("x-env", "end-user")
HEADER_VALUES = ("prod", "test", "jason")
BACKENDS = ("app-v1", "app-v2", "app-v3")
METHODS = ("GET", "POST")
CORS_ORIGINS = ("*", "https://*.example.com", "https://app.example.com", "http://*", "http://*.test:8080")  # the CRD pattern

BASE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    hostname: "*.example.com"
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces: {from: All}
""" + "".join(
    f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: default}}
spec:
  selector: {{app: app, version: {name[-2:]}}}
  ports: [{{name: http, port: 8080}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: default}}
spec:
  selector: {{matchLabels: {{app: app, version: {name[-2:]}}}}}
  template:
    metadata: {{labels: {{app: app, version: {name[-2:]}}}}}
    spec: {{containers: [{{name: app, image: app}}]}}
"""
    for name in BACKENDS
)


@st.composite
def path_match(draw) -> dict:
    kind = draw(st.sampled_from(("PathPrefix", "PathPrefix", "Exact", "RegularExpression")))
    values = {"PathPrefix": PREFIXES, "Exact": EXACTS, "RegularExpression": REGEXES}[kind]
    return {"type": kind, "value": draw(st.sampled_from(values))}


@st.composite
def route_match(draw, *, prefix_only: bool = False) -> dict:
    match: dict = {}
    if prefix_only:
        match["path"] = {"type": "PathPrefix", "value": draw(st.sampled_from(PREFIXES[:-1]))}
    elif draw(st.integers(0, 4)) != 0:
        match["path"] = draw(path_match())
    if draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(("Exact", "RegularExpression")))
        value = draw(st.sampled_from(HEADER_VALUES)) if kind == "Exact" else draw(st.sampled_from(("pr.*", "[a-z]+")))
        match["headers"] = [{"name": draw(st.sampled_from(HEADER_NAMES)), "type": kind, "value": value}]
    if draw(st.integers(0, 4)) == 0:
        match["queryParams"] = [{"name": "v", "value": draw(st.sampled_from(("1", "2")))}]
    if draw(st.integers(0, 4)) == 0:
        match["method"] = draw(st.sampled_from(METHODS))
    return match


def backend(name: str, weight: int | None = None, namespace: str | None = None) -> dict:
    ref: dict = {"name": name, "port": 8080}
    if namespace:
        ref["namespace"] = namespace
    if weight is not None:
        ref["weight"] = weight
    return ref


@st.composite
def backends(draw) -> list[dict] | None:
    kind = draw(st.sampled_from(("one", "one", "one", "weighted", "zero", "none", "missing", "foreign")))
    if kind == "one":
        ref = backend(draw(st.sampled_from(BACKENDS)))
        if draw(st.integers(0, 4)) == 0:  # a backendRef's own filter: destination-level headers in istiod's VirtualService
            ref["filters"] = [{"type": "ResponseHeaderModifier",
                               "responseHeaderModifier": draw(response_modifier(("x-version", "x-region")))}]
        return [ref]
    if kind == "weighted":
        a, b = draw(st.lists(st.sampled_from(BACKENDS), min_size=2, max_size=2, unique=True))
        weight = draw(st.sampled_from((10, 50, 90)))
        return [backend(a, weight), backend(b, 100 - weight)]
    if kind == "zero":
        return [backend(draw(st.sampled_from(BACKENDS)), 0)]
    if kind == "missing":
        return [backend("app-v9")]
    if kind == "foreign":
        return [backend("app-v1", namespace="elsewhere")]
    return None


@st.composite
def response_modifier(draw, names: tuple[str, ...] = ("x-answer", "x-cache", "x-served-by")) -> dict:
    """A ResponseHeaderModifier with set, add and remove, each header name in one of them."""
    spec: dict = {}
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True)):
        op = draw(st.sampled_from(("set", "add", "remove")))
        if op == "remove":
            spec.setdefault("remove", []).append(name)
        else:
            spec.setdefault(op, []).append({"name": name, "value": draw(st.sampled_from(("yes", "v2")))})
    return spec


@st.composite
def redirect_filter(draw, prefix_ok: bool) -> dict:
    spec: dict = {}
    if draw(st.booleans()):
        spec["statusCode"] = draw(st.sampled_from((301, 302)))
    if draw(st.integers(0, 2)) == 0:
        spec["hostname"] = "moved.example.com"
    if draw(st.integers(0, 2)) == 0:
        spec["port"] = 8443
    kind = draw(st.sampled_from(("full", "prefix", "none"))) if prefix_ok else draw(st.sampled_from(("full", "none")))
    if kind == "full":
        spec["path"] = {"type": "ReplaceFullPath", "replaceFullPath": "/moved"}
    elif kind == "prefix":
        spec["path"] = {"type": "ReplacePrefixMatch", "replacePrefixMatch": draw(st.sampled_from(("/new", "/new/")))}
    return {"type": "RequestRedirect", "requestRedirect": spec}


@st.composite
def rewrite_filter(draw, prefix_ok: bool) -> dict:
    spec: dict = {}
    kind = draw(st.sampled_from(("full", "prefix", "host"))) if prefix_ok else draw(st.sampled_from(("full", "host")))
    if kind == "full":
        spec["path"] = {"type": "ReplaceFullPath", "replaceFullPath": draw(st.sampled_from(("/", "/internal")))}
    elif kind == "prefix":
        spec["path"] = {"type": "ReplacePrefixMatch", "replacePrefixMatch": draw(st.sampled_from(("/", "/v2", "/v2/")))}
    if kind == "host" or draw(st.integers(0, 2)) == 0:
        spec["hostname"] = "internal.example.com"
    return {"type": "URLRewrite", "urlRewrite": spec}


@st.composite
def mirror_filter(draw) -> dict:
    spec: dict = {"backendRef": backend(draw(st.sampled_from(BACKENDS)))}
    share = draw(st.sampled_from(("none", "percent", "fraction")))
    if share == "percent":
        spec["percent"] = draw(st.sampled_from((0, 50, 100)))
    elif share == "fraction":
        spec["fraction"] = draw(st.sampled_from(({"numerator": 2, "denominator": 3}, {"numerator": 5}, {"numerator": 0})))
    return {"type": "RequestMirror", "requestMirror": spec}


@st.composite
def cors_filter(draw) -> dict:
    spec: dict = {"allowOrigins": draw(st.lists(st.sampled_from(CORS_ORIGINS), min_size=1, max_size=2, unique=True))}
    if draw(st.booleans()):
        spec["allowMethods"] = draw(st.lists(st.sampled_from(METHODS), min_size=1, unique=True))
    if draw(st.booleans()):
        spec["allowCredentials"] = True
    if draw(st.booleans()):
        spec["maxAge"] = draw(st.sampled_from((1, 600)))
    return {"type": "CORS", "cors": spec}


@st.composite
def rule(draw) -> dict:
    out: dict = {}
    if draw(st.integers(0, 4)) == 0:
        prefix_ok = False
    else:
        one_prefix = draw(st.integers(0, 2)) == 0
        out["matches"] = [draw(route_match(prefix_only=True))] if one_prefix else draw(st.lists(route_match(), min_size=1, max_size=2))
        prefix_ok = one_prefix
    filters: list[dict] = []
    if draw(st.integers(0, 5)) == 0:
        out["filters"] = [draw(redirect_filter(prefix_ok))]
        return out
    if draw(st.integers(0, 3)) == 0:
        filters.append(draw(rewrite_filter(prefix_ok)))
    if draw(st.integers(0, 3)) == 0:
        filters.append({"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x-generated", "value": "1"}], "remove": ["x-env"]}})
    if draw(st.integers(0, 4)) == 0:
        filters.append({"type": "ResponseHeaderModifier", "responseHeaderModifier": draw(response_modifier())})
    if draw(st.integers(0, 5)) == 0:
        filters.append(draw(mirror_filter()))
    if draw(st.integers(0, 5)) == 0:
        filters.append(draw(cors_filter()))
    if filters:
        out["filters"] = filters
    refs = draw(backends())
    if refs is not None:
        out["backendRefs"] = refs
    if draw(st.integers(0, 4)) == 0:
        out["timeouts"] = {"request": draw(st.sampled_from(("1s", "10s")))}
    if draw(st.integers(0, 5)) == 0:
        out["retry"] = {"attempts": draw(st.integers(0, 3)), "codes": [503]}
    return out


@st.composite
def http_routes(draw) -> list[dict]:
    """One to three HTTPRoutes, in namespace default, for one or both hostnames."""
    routes = []
    for index in range(draw(st.integers(1, 3))):
        hostnames = draw(st.lists(st.sampled_from(HOSTNAMES), min_size=0, max_size=2, unique=True))
        spec: dict = {"parentRefs": [{"name": "web", "namespace": "infra"}], "rules": draw(st.lists(rule(), min_size=1, max_size=4))}
        if hostnames:
            spec["hostnames"] = hostnames
        routes.append({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                       "metadata": {"name": f"route-{index}", "namespace": "default"}, "spec": spec})
    return routes


@st.composite
def request_line(draw) -> tuple[str, list[str]]:
    path = draw(st.sampled_from(("/api", "/api/", "/api/v1", "/api/v1/items", "/apix", "/api/v2", "/static/app.js",
                                 "/a", "/a/x", "/b/x", "/login", "/x/login", "/")))
    if draw(st.integers(0, 3)) == 0:
        path += "?v=" + draw(st.sampled_from(("1", "2")))
    method = draw(st.sampled_from(METHODS[:1] * 3 + METHODS[1:]))
    headers = [f"{name}: {draw(st.sampled_from(HEADER_VALUES))}"
               for name in draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=2, unique=True))]
    host = draw(st.sampled_from(HOSTNAMES + ("other.example.com",)))
    return f"{method} http://{host}{path}", headers


def mesh_with(routes: list[dict]) -> Mesh:
    text = BASE + "".join("---\n" + yaml.safe_dump(r, sort_keys=False) for r in routes)
    return Mesh(load_text(text, Origin("<generated>")).resources)
