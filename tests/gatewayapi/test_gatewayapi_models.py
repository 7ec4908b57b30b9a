"""Gateway API models from the v1.5.1 CRDs: strict decoding (IST0106 at the field) and the CEL rules that matter.

Sources: kubernetes-sigs/gateway-api v1.5.1 config/crd/experimental/*.yaml (OpenAPI schema and
x-kubernetes-validations; the experimental channel is a superset of the standard one).
"""

from __future__ import annotations

import pytest

from gwkit import GATEWAY, codes, mesh_of

ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: web, namespace: infra}]
  rules:
"""


def _errors(rule: str) -> list[tuple[int, str]]:
    mesh = mesh_of(GATEWAY, ROUTE + rule)
    return [(line, message.removeprefix("Schema validation error: ")) for code, line, message in codes(mesh) if code == "IST0106"]


def test_unknown_field_is_refused_with_its_line() -> None:
    # The API server prunes/refuses unknown fields of a structural CRD (strict field validation).
    assert _errors("  - backendRefs: [{name: a, port: 80}]\n    matchs: []\n") == [(21, "spec.rules[0].matchs: unknown field")]


def test_enum_and_bounds_come_from_the_schema() -> None:
    # HTTPPathMatch.type enum; BackendRef.port minimum 1, maximum 65535.
    got = _errors("  - matches: [{path: {type: Glob, value: /x}}]\n    backendRefs: [{name: a, port: 70000}]\n")
    assert (20, "spec.rules[0].matches[0].path.type: invalid value 'Glob', expected one of 'Exact', 'PathPrefix' or 'RegularExpression'") in got
    assert any(line == 21 and "spec.rules[0].backendRefs[0].port: value 70000 is out of range" in text for line, text in got)


def test_hostname_pattern_is_checked_with_re2() -> None:
    # Hostname: ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ (upper case refused).
    mesh = mesh_of(GATEWAY, ROUTE.replace("  rules:\n", "  hostnames: [Shop.Example.com]\n  rules:\n") + "  - backendRefs: [{name: a, port: 80}]\n")
    assert any(code == "IST0106" and line == 19 and "does not match the pattern" in text for code, line, text in codes(mesh))


@pytest.mark.parametrize(
    ("rule", "line", "message"),
    [
        # "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"
        ("  - matches: [{path: {type: PathPrefix, value: api}}]\n", 20,
         "spec.rules[0].matches[0].path.value: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"),
        ("  - matches: [{path: {value: /a//b}}]\n", 20, "spec.rules[0].matches[0].path.value: must not contain '//' when type one of ['Exact', 'PathPrefix']"),
        # HTTPRouteFilter: "filter.requestRedirect must be specified for RequestRedirect filter.type"
        ("  - filters: [{type: RequestRedirect}]\n", 20, "spec.rules[0].filters[0]: filter.requestRedirect must be specified for RequestRedirect filter.type"),
        # HTTPRouteRule: "RequestRedirect filter must not be used together with backendRefs"
        ("  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]\n    backendRefs: [{name: a, port: 80}]\n", 21,
         "spec.rules[0].backendRefs: RequestRedirect filter must not be used together with backendRefs"),
        # "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified"
        ("  - matches: [{path: {type: Exact, value: /a}}]\n    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]\n"
         "    backendRefs: [{name: a, port: 80}]\n", 21,
         "spec.rules[0].filters[0]: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified"),
        # BackendRef: "Must have port for Service reference"
        ("  - backendRefs: [{name: a}]\n", 20, "spec.rules[0].backendRefs[0]: Must have port for Service reference"),
        # HTTPRouteTimeouts: "backendRequest timeout cannot be longer than request timeout"
        ("  - timeouts: {request: 1s, backendRequest: 2s}\n    backendRefs: [{name: a, port: 80}]\n", 20,
         "spec.rules[0].timeouts.backendRequest: backendRequest timeout cannot be longer than request timeout"),
        # HTTPRequestMirrorFilter: "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter"
        ("  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, percent: 5, fraction: {numerator: 1}}}]\n"
         "    backendRefs: [{name: a, port: 80}]\n", 20,
         "spec.rules[0].filters[0].requestMirror: Only one of percent or fraction may be specified in HTTPRequestMirrorFilter"),
    ],
)
def test_cel_rules_of_the_httproute_crd(rule: str, line: int, message: str) -> None:
    assert (line, message) in _errors(rule)


def test_a_valid_route_passes() -> None:
    assert _errors("  - matches: [{path: {type: PathPrefix, value: /api/}, method: GET}]\n    backendRefs: [{name: a, port: 80, weight: 3}]\n") == []


def test_gateway_listener_rules() -> None:
    # Gateway CRD: "Listener name must be unique within the Gateway", "certificateRefs or options must
    # be specified when mode is Terminate", "hostname must not be specified for protocols ['TCP', 'UDP']".
    gateway = GATEWAY + "  - {name: http, port: 81, protocol: HTTP}\n  - {name: tls, port: 443, protocol: HTTPS, tls: {mode: Terminate}}\n" \
        "  - {name: tcp, port: 9000, protocol: TCP, hostname: a.example.com}\n"
    got = [(line, text) for code, line, text in codes(mesh_of(gateway)) if code == "IST0106"]
    assert (13, "Schema validation error: spec.listeners[1].name: Listener name must be unique within the Gateway") in got
    assert (14, "Schema validation error: spec.listeners[2].tls: certificateRefs or options must be specified when mode is Terminate") in got
    assert (15, "Schema validation error: spec.listeners[3].hostname: hostname must not be specified for protocols ['TCP', 'UDP']") in got


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("gateway.networking.k8s.io/v1", "GRPCRoute"), ("gateway.networking.k8s.io/v1", "TLSRoute"),
     ("gateway.networking.k8s.io/v1alpha2", "TCPRoute"), ("gateway.networking.k8s.io/v1", "ReferenceGrant")],
)
def test_other_kinds_are_modelled_and_strict(api_version: str, kind: str) -> None:
    mesh = mesh_of(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x, namespace: default}}\nspec:\n  bogus: 1\n")
    assert ("IST0106", 5, "Schema validation error: spec.bogus: unknown field") in codes(mesh)


def test_istio_gateway_and_gateway_api_gateway_do_not_collide() -> None:
    # Same namespace/name, different API groups: both are read, each validated by its own schema.
    istio = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: web, namespace: infra}\nspec:\n  servers:\n" \
            "  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}\n"
    mesh = mesh_of(GATEWAY, istio)
    assert [c for c, _, _ in codes(mesh) if c.startswith("IST")] == []
    assert {r.api_version for r in mesh} == {"gateway.networking.k8s.io/v1", "networking.istio.io/v1"}
