"""Property: whatever YAML arrives, ``load_text`` → ``validate`` never raises, and every
diagnostic it gives points at a line of that text.

Three generators, a few thousand cases per run (derandomized, so CI runs are repeatable):
arbitrary YAML-ish text; arbitrary JSON-like documents under each modelled kind; and valid
resources mutated the way people get them wrong (fields dropped, renamed, retyped, wrong
scalars, deep nesting, huge numbers, unicode).
"""

from __future__ import annotations

import copy

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from istio_notebook.analysis.validation import validate
from istio_notebook.config import Origin, kinds, load_text

SETTINGS = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID = yaml.safe_load_all(
    """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  gateways: [mesh, istio-system/public]
  http:
  - match: [{uri: {prefix: /api}, headers: {x-user: {regex: "j.*"}}}]
    route:
    - {destination: {host: reviews, subset: v1, port: {number: 9080}}, weight: 90}
    - {destination: {host: reviews, subset: v2}, weight: 10}
    retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}
    fault: {delay: {fixedDelay: 1s, percentage: {value: 5}}}
    timeout: 10s
  tcp:
  - match: [{port: 3306}]
    route: [{destination: {host: mysql}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 10}, http: {http2MaxRequests: 100}}
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
    loadBalancer: {consistentHash: {httpHeaderName: x-user}}
    tls: {mode: ISTIO_MUTUAL}
  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*.example.com"], tls: {mode: SIMPLE, credentialName: cert}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
  endpoints: [{address: api.example.com, ports: {tls: 443}}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default}
spec:
  egress: [{hosts: ["./*", "istio-system/*"]}]
  ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: "127.0.0.1:9080"}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow}
spec:
  selector: {matchLabels: {app: reviews}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/default/sa/a], ipBlocks: [10.0.0.0/8]}}]
    to: [{operation: {methods: [GET], paths: ["/items/{*}"]}}]
    when: [{key: "request.headers[x-a]", values: [b]}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt}
spec:
  jwtRules: [{issuer: a, jwksUri: "https://a/jwks", outputClaimToHeaders: [{header: x-sub, claim: sub}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: p}
spec:
  selector: {matchLabels: {app: a}}
  portLevelMtls: {8080: {mode: DISABLE}}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: ef}
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    match: {listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}}}
    patch: {operation: INSERT_BEFORE, value: {name: x}}
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: t}
spec:
  tracing: [{randomSamplingPercentage: 1.0, customTags: {a: {literal: {value: b}}}}]
---
apiVersion: v1
kind: Service
metadata: {name: reviews, labels: {app: reviews}}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080, targetPort: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews}
spec:
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews}}
    spec: {containers: [{name: r, image: r, ports: [{containerPort: 9080}]}]}
"""
)
VALID = list(VALID)

ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "*", "0s", "1e999", "-1", "a(b", "unix://", "{**}", "ns/", "/", "💥", "\u0000", "ALLOW", "999999999999999999999"]),
)
JSONISH = st.recursive(
    ODD_SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=20,
)


def _run(text: str) -> None:
    lines = max(1, len(text.splitlines()))
    for resource in load_text(text, Origin("property.yaml")).resources:
        for diagnostic in validate(resource):
            # Every finding names a real place in the text it came from.
            assert diagnostic.code in ("IST0106", "IST0133") and diagnostic.position.file == "property.yaml"
            assert 1 <= diagnostic.position.line <= lines, diagnostic


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("abkindspecmetadat:-[]{},'\"*&!|>#\n  0123456789.\t/ü")), max_size=300))
def test_arbitrary_yaml_text_never_raises(text: str) -> None:
    _run(text)


@SETTINGS
@given(st.sampled_from([(k.api_versions[0], k.kind) for k in kinds.MODELLED]), JSONISH, JSONISH)
def test_arbitrary_specs_of_every_kind_never_raise(head: tuple[str, str], spec: object, metadata: object) -> None:
    document = {"apiVersion": head[0], "kind": head[1], "metadata": metadata, "spec": spec}
    _run(yaml.safe_dump(document, allow_unicode=True))


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node in a plain document."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, prefix + (index,))
    return found


def _nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = {"a": [value]}
    return value


@st.composite
def mutated(draw: st.DrawFn) -> dict:
    document = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(_paths(document["spec"], ("spec",))))
        parent_path, last = path[:-1], path[-1] if len(path) > 1 else None
        parent = document
        for step in parent_path:
            parent = parent[step]
        if last is None:
            document["spec"] = draw(JSONISH)
            continue
        action = draw(st.sampled_from(["drop", "rename", "retype", "scalar", "nest", "huge", "unicode", "duplicate"]))
        if action == "drop":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            parent[str(last) + draw(st.sampled_from(["s", "_", "X", " "]))] = parent.pop(last)
        elif action == "retype":
            current = parent[last]
            parent[last] = [current] if not isinstance(current, list) else {"k": current}
        elif action == "scalar":
            parent[last] = draw(ODD_SCALARS)
        elif action == "nest":
            parent[last] = _nested(draw(st.integers(min_value=1, max_value=60)))
        elif action == "huge":
            parent[last] = draw(st.sampled_from([2**64, -(2**63) - 1, 10**30, 1e308, -1e308, 4294967296]))
        elif action == "unicode":
            parent[last] = draw(
                st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x10FFFF, exclude_categories=("Cs",)), max_size=20)
            )
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return document


@SETTINGS
@given(mutated())
def test_mutated_valid_resources_never_raise(document: dict) -> None:
    _run(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


def test_the_seed_resources_are_valid() -> None:
    # The mutations start from resources that pass, so every failure found comes from a mutation.
    # Istio warns about every EnvoyFilter (it exposes Envoy internals): the only warning allowed here.
    for document in VALID:
        (resource,) = load_text(yaml.safe_dump(document, sort_keys=False), Origin("seed.yaml")).resources
        found = [d for d in validate(resource) if not (resource.kind == "EnvoyFilter" and "exposes internal implementation details" in d.message)]
        assert found == [], resource.origin
