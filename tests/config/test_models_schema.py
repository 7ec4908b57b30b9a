"""The typed models: strict decoding as ``istioctl validate`` does it (unknown fields refused,
scalars typed, enums by name), every error one IST0106 at the offending field."""

from __future__ import annotations

import textwrap

import pytest

from istio_notebook.config import Origin, kinds, load_text
from istio_notebook.config.models import SPECS, field_path, parse_model
from istio_notebook.config.models.virtual_service import VirtualService


def _resource(text: str):
    loaded = load_text(textwrap.dedent(text).lstrip(), Origin("m.yaml"))
    assert loaded.diagnostics == []
    (resource,) = loaded.resources
    return resource


def _details(text: str) -> list[tuple[int, str]]:
    model, diagnostics = parse_model(_resource(text))
    assert (model is None) == bool(diagnostics)
    assert all(d.code == "IST0106" for d in diagnostics)
    return [(d.position.line, d.message.removeprefix("Schema validation error: ")) for d in diagnostics]


VS_HEAD = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
"""


def test_unknown_field_is_named_with_its_path_and_line() -> None:
    # istioctl validate decodes strictly: `unknown field "hots"` (pkg/config/validation, protomarshal).
    got = _details(VS_HEAD + "  http:\n  - route:\n    - destination:\n        hots: reviews\n")
    assert (10, "spec.http[0].route[0].destination.hots: unknown field") in got


def test_missing_required_field_points_at_its_parent() -> None:
    # Destination.host is REQUIRED in istio/api networking/v1alpha3/virtual_service.proto.
    got = _details(VS_HEAD + "  http:\n  - route:\n    - destination: {subset: v1}\n")
    assert got == [(9, "spec.http[0].route[0].destination.host: required field is missing")]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("timeout: 10", "spec.http[0].timeout: expected a string, got 10"),
        ("timeout: ten", "spec.http[0].timeout: invalid duration 'ten': expected a number with a unit, e.g. 1.5s, 100ms, 3m"),
        ("retries: {attempts: '3'}", "spec.http[0].retries.attempts: expected an integer, got '3'"),
        ("retries: {attempts: 3000000000}", "spec.http[0].retries.attempts: value 3000000000 is out of range for this field"),
        (
            "retries: {retryRemoteLocalities: 'yes'}",
            "spec.http[0].retries.retryRemoteLocalities: expected a boolean (true or false), got 'yes'",
        ),
        # .nan never gets here: the reader refuses the document (INB1016, tests/hostile/test_hostile_numbers.py).
        ("mirrorPercentage: {value: 1.0e+400}", "spec.http[0].mirrorPercentage.value: expected a number, got '1.0e+400'"),
        (
            "redirect: {derivePort: FROM_HEADER}",
            "spec.http[0].redirect.derivePort: invalid value 'FROM_HEADER', expected one of 'FROM_PROTOCOL_DEFAULT' or 'FROM_REQUEST_PORT'",
        ),
        ("route: {destination: {host: a}}", "spec.http[0].route: expected a list, got a mapping"),
        (
            "match: [{uri: {exact: /a, prefix: /b}}]",
            "spec.http[0].match[0].uri.prefix: only one of exact, prefix, regex may be set, found exact, prefix",
        ),
    ],
)
def test_scalars_enums_lists_and_oneofs_are_typed(field: str, expected: str) -> None:
    got = _details(VS_HEAD + "  http:\n  - " + field + "\n")
    assert expected in [detail for _, detail in got]


def test_durations_take_go_syntax_as_istio_does() -> None:
    # Istio's docs write `baseEjectionTime: 3m`; protobuf JSON alone would want seconds ("180s").
    got = _details(
        VS_HEAD
        + "  http:\n  - route: [{destination: {host: a}}]\n    timeout: 1h2m3.5s\n    retries: {attempts: 1, perTryTimeout: 250ms}\n"
    )
    assert got == []


def test_integer_map_keys_accept_yaml_numbers_and_json_strings() -> None:
    # PeerAuthentication.portLevelMtls is map<uint32, MutualTLS>: YAML writes 8080, JSON "8080".
    text = """\
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata: {name: p}
    spec:
      selector: {matchLabels: {app: a}}
      portLevelMtls:
        8080: {mode: DISABLE}
        "9090": {mode: STRICT}
        http: {mode: STRICT}
    """
    assert _details(text) == [(9, "spec.portLevelMtls.http: expected an integer, got 'http'")]


def test_kubernetes_fields_we_do_not_model_are_not_flagged() -> None:
    text = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: d, labels: {app: d}}
    spec:
      progressDeadlineSeconds: 600
      selector: {matchLabels: {app: d}}
      template:
        metadata: {labels: {app: d}}
        spec:
          affinity: {nodeAffinity: {}}
          containers:
          - name: d
            image: d
            env: [{name: A, value: b}]
            ports: [{containerPort: 80, protocol: TCP}]
    """
    assert _details(text) == []


def test_kubernetes_fields_we_model_are_typed() -> None:
    text = """\
    apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec:
      ports:
      - port: "80"
        protocol: HTTP
    """
    assert sorted(_details(text)) == [
        (6, "spec.ports[0].port: expected an integer, got '80'"),
        (7, "spec.ports[0].protocol: invalid value 'HTTP', expected one of 'TCP', 'UDP' or 'SCTP'"),
    ]


def test_istio_operator_values_stay_free_form_but_the_top_level_is_typed() -> None:
    text = """\
    apiVersion: install.istio.io/v1alpha1
    kind: IstioOperator
    metadata: {name: io, namespace: istio-system}
    spec:
      profile: demo
      meshConfig: {accessLogFile: /dev/stdout, anything: {goes: here}}
      values: {global: {proxy: {resources: {}}}}
      components:
        ingressGateways:
        - name: istio-ingressgateway
          enabled: true
          k8s: {service: {type: NodePort}}
        telemetry: {enabled: false}
    """
    assert _details(text) == [(13, "spec.components.telemetry: unknown field")]


def test_parse_model_returns_the_typed_spec() -> None:
    resource = _resource(VS_HEAD + "  http:\n  - route: [{destination: {host: reviews, subset: v1}, weight: 100}]\n")
    model, diagnostics = parse_model(resource)
    assert diagnostics == []
    assert isinstance(model.spec, VirtualService)
    assert model.spec.http[0].route[0].destination.subset == "v1"
    assert model.metadata.name == "reviews"


@pytest.mark.parametrize("version", ["v1", "v1beta1", "v1alpha3"])
def test_every_served_networking_version_uses_the_same_model(version: str) -> None:
    resource = _resource(
        VS_HEAD.replace("networking.istio.io/v1", f"networking.istio.io/{version}") + "  http:\n  - route: [{destination: {host: a}}]\n"
    )
    model, diagnostics = parse_model(resource)
    assert diagnostics == [] and isinstance(model.spec, VirtualService)


def test_every_modelled_kind_has_a_spec_model() -> None:
    assert {(k.group, k.kind) for k in kinds.MODELLED} == set(SPECS)


def test_field_paths_read_like_istioctl() -> None:
    assert field_path(("spec", "http", 0, "route", 1, "destination", "host")) == "spec.http[0].route[1].destination.host"
    assert field_path(("metadata", "labels", "app.kubernetes.io/name")) == "metadata.labels[app.kubernetes.io/name]"


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("1.5s", 1_500_000_000),
        ("1h2m", 3_720_000_000_000),
        ("100ms", 100_000_000),
        ("0", 0),
        ("-1s", -1_000_000_000),
        ("1ns", 1),
        ("7", None),
        ("1d", None),
    ],
)
def test_durations_are_read_exactly_in_go_syntax(text: str, nanos: int | None) -> None:
    # Exact nanoseconds matter: Istio refuses durations below 1ms and finer than whole milliseconds.
    from istio_notebook.config.models.base import duration_nanos

    assert duration_nanos(text) == nanos
