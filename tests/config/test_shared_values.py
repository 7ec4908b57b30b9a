"""The one home of shared ideas in config/: label selectors, ``k=v`` lists, durations, percentages,
and resources keyed by (group, kind)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.config.durations import duration_nanos, format_envoy, format_human, format_seconds, normalize, seconds
from istio_notebook.config.kinds import GroupKind
from istio_notebook.config.labels import LabelError, parse_labels, parse_workload, selects, service_selects
from istio_notebook.config.percent import as_loaded, from_fractional, istio_percent, to_fractional


# istio/istio pkg/config/labels/instance.go: SubsetOf is true for an empty selector (policies,
# Sidecars, Gateways, subsets select everything), Match is false for it (a Service without
# selector has no pods).
def test_an_empty_workload_selector_selects_every_workload() -> None:
    assert selects({}, {"app": "reviews"})
    assert selects({}, {})


def test_an_empty_service_selector_selects_no_workload() -> None:
    assert not service_selects({}, {"app": "reviews"})
    assert service_selects({"app": "reviews"}, {"app": "reviews", "version": "v1"})


def test_a_selector_needs_every_pair_with_the_same_value() -> None:
    assert selects({"app": "reviews", "version": "v2"}, {"app": "reviews", "version": "v2", "x": "y"})
    assert not selects({"app": "reviews", "version": "v2"}, {"app": "reviews", "version": "v1"})
    assert not selects({"app": "reviews"}, {})


def test_label_lists_are_parsed_and_checked() -> None:
    assert parse_labels("app=reviews, version=v2") == {"app": "reviews", "version": "v2"}
    assert parse_labels("") == {}
    assert parse_labels("flag=") == {"flag": ""}
    for bad in ("app", "=v1", "a b=c", "app=x,app=y"):
        with pytest.raises(LabelError):
            parse_labels(bad)


def test_workload_references_name_a_namespace_and_labels() -> None:
    assert parse_workload("foo/app=httpbin", "--to") == ("foo", {"app": "httpbin"})
    assert parse_workload("foo", "--to") == ("foo", {})
    assert parse_workload("app=sleep", "--from", default_namespace="default") == ("default", {"app": "sleep"})
    with pytest.raises(LabelError, match="--to wants NS"):
        parse_workload("app=sleep", "--to")
    with pytest.raises(LabelError, match="--to labels want key=value"):
        parse_workload("foo/app", "--to")


# Go's time.ParseDuration grammar, which protobuf JSON durations and Istio's fields use.
@pytest.mark.parametrize(
    ("text", "secs"),
    [("10s", 10.0), ("1.5s", 1.5), ("100ms", 0.1), ("1m30s", 90.0), ("1h", 3600.0), (".5s", 0.5), ("0", 0.0), (" 2s ", 2.0)],
)
def test_one_parser_reads_every_duration(text: str, secs: float) -> None:
    assert seconds(text) == pytest.approx(secs)


@pytest.mark.parametrize("text", ["10", "s", "1.5", "ten seconds", ""])
def test_what_is_not_a_duration_reads_as_none(text: str) -> None:
    assert seconds(text) is None
    assert duration_nanos(text.strip()) is None


def test_non_strings_are_not_durations() -> None:
    assert seconds(10) is None and seconds(None) is None and normalize(True) is None


def test_the_three_written_forms_of_a_duration() -> None:
    assert [format_seconds(s) for s in (0.1, 10.0, 1.5)] == ["0.1s", "10s", "1.5s"]  # route JSON
    assert normalize("100ms") == "0.1s" and normalize("1m") == "60s"
    assert [format_envoy(s) for s in (0.1, 10.0, 0.000001)] == ["0.1s", "10s", "0.000001s"]  # Envoy JSON
    assert [format_human(s) for s in (0.25, 2.0, None)] == ["250ms", "2s", "none"]  # check lines


# pilot/pkg/networking/core/route/route.go translatePercentToFractionalPercent: over a million.
def test_percentages_convert_to_and_from_envoy_fractions() -> None:
    assert to_fractional(12.5) == {"numerator": 125000, "denominator": "MILLION"}
    assert from_fractional({"numerator": 125000, "denominator": "MILLION"}) == 12.5
    assert from_fractional({"numerator": 25}) == 25.0  # Envoy's default denominator is HUNDRED
    assert from_fractional(None) == 0.0
    # uint32(p.Value * 10000) truncates (Go): 2/3 of a hundred is 666666, and 0.57 is 5699
    # (0.57 * 10000 is 5699.999999999999 in float64); as_loaded is what Envoy then holds.
    assert to_fractional(100 * 2 / 3)["numerator"] == 666666 and to_fractional(0.57)["numerator"] == 5699
    assert as_loaded(100 * 2 / 3) == 66.6666


def test_istio_percent_reads_the_value_field_only() -> None:
    assert istio_percent({"value": 50}, 0.0) == 50.0
    assert istio_percent({"value": True}, 7.0) == 7.0
    assert istio_percent(None, 100.0) == 100.0


ISTIO_GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: web}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
"""


def test_gateway_api_and_istio_gateways_of_one_name_do_not_collide() -> None:
    (istio,) = load_text(ISTIO_GATEWAY, Origin("in.yaml")).resources
    # A Gateway API Gateway of the same namespace and name, as a front-end for it would load it.
    kube = replace(istio, api_version="gateway.networking.k8s.io/v1", info=None, order=1)
    mesh = Mesh([istio, kube])
    assert mesh.get("Gateway", "web", "edge") is istio
    assert mesh.get(GroupKind("gateway.networking.k8s.io", "Gateway"), "web", "edge") is kube
    assert mesh.of_kind("Gateway") == [istio]
    assert mesh.of_kind(GroupKind("networking.istio.io", "Gateway")) == [istio]
    assert mesh.of_kind(GroupKind("gateway.networking.k8s.io", "Gateway")) == [kube]


WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: default}
spec:
  selector: {matchLabels: {app: reviews}}
  template: {metadata: {labels: {app: reviews, version: v1}}}
---
apiVersion: v1
kind: Pod
metadata: {name: ratings, namespace: default, labels: {app: ratings}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm, namespace: other}
spec: {address: 10.0.0.1, labels: {app: reviews, version: v3}}
"""


def test_workloads_are_indexed_by_namespace_and_labels() -> None:
    mesh = Mesh(load_text(WORKLOADS, Origin("in.yaml")).resources)
    index = mesh.workloads
    assert [w.resource.name for w in index.select({"app": "reviews"})] == ["reviews-v1", "vm"]
    assert [w.resource.name for w in index.select({"app": "reviews"}, "default")] == ["reviews-v1"]
    assert [w.resource.name for w in index.select({}, "default")] == ["ratings", "reviews-v1"]
    assert index.service_endpoints({}, "default") == []
    assert [w.labels for w in index.service_endpoints({"version": "v3"}, "other")] == [{"app": "reviews", "version": "v3"}]
    # istioctl's analyzers count Pods and Deployments only.
    assert [w.resource.name for w in mesh.pod_workloads.select({"app": "reviews"})] == ["reviews-v1"]
