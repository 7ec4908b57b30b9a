"""A workload's locality read as istiod reads it, and what routing says about it.

Sources (istio/istio 1.30.3): pilot/pkg/serviceregistry/kube/controller/controller.go
getPodLocality (the locality label first; else the Node of spec.nodeName: region and zone from
the GA topology labels, else the beta failure-domain ones, subzone from topology.istio.io/subzone;
a Node with none gives ""); pkg/model/proxy.go GetLocalityLabel (topology.istio.io/locality,
then istio-locality, the first present one even when empty) and SanitizeLocalityLabel ("." → "/"
unless the value has a "/"). Locality orders endpoints inside a cluster (Envoy's locality-weighted
or priority load balancing); it never picks the route or the cluster.
"""

from __future__ import annotations

import textwrap

import pytest

from istio_notebook.analysis import analyze
from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.config.locality import workload_locality
from istio_notebook.routing import Proxy, Request, route

NODE = """\
apiVersion: v1
kind: Node
metadata:
  name: n1
  labels: {%s}
"""


def pod(labels: str = "app: web", node: str | None = "n1") -> str:
    spec = f"  nodeName: {node}\n" if node else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: default\n  labels: {{{labels}}}\n"
            f"spec:\n{spec}  containers: [{{name: web, image: example/web}}]\n")


def mesh_of(*documents: str) -> Mesh:
    loaded = load_text("---\n".join(textwrap.dedent(d) for d in documents), Origin("loc.yaml"))
    assert loaded.diagnostics == [], loaded.diagnostics
    return Mesh(loaded.resources)


def locality(mesh: Mesh) -> tuple[str, str] | None:
    (workload,) = [w for w in mesh.workloads.select({"app": "web"}, "default")]
    found = workload_locality(mesh, workload)
    return (found.value, found.source) if found else None


@pytest.mark.parametrize(
    ("node_labels", "expected"),
    [
        ("topology.kubernetes.io/region: r, topology.kubernetes.io/zone: z, topology.istio.io/subzone: s", "r/z/s"),
        # the beta labels count only when the GA ones are absent
        ("failure-domain.beta.kubernetes.io/region: old, failure-domain.beta.kubernetes.io/zone: oz", "old/oz/"),
        ("topology.kubernetes.io/region: r, failure-domain.beta.kubernetes.io/region: old", "r//"),
        ("topology.istio.io/subzone: s", "//s"),
    ],
)
def test_the_node_of_the_pod_gives_region_zone_subzone(node_labels: str, expected: str) -> None:
    assert locality(mesh_of(NODE % node_labels, pod())) == (expected, "Node n1")


def test_a_node_without_topology_labels_or_no_node_gives_no_locality() -> None:
    assert locality(mesh_of(NODE % "kubernetes.io/hostname: n1", pod())) is None
    assert locality(mesh_of(pod(node=None))) is None
    assert locality(mesh_of(pod(node="elsewhere"))) is None  # a Node the input does not hold


def test_the_locality_label_wins_over_the_node_and_dots_stand_for_slashes() -> None:
    labels = "app: web, topology.istio.io/locality: a.b.c"
    assert locality(mesh_of(NODE % "topology.kubernetes.io/region: r", pod(labels))) == (
        "a/b/c", "label topology.istio.io/locality of Pod default/web-1")
    assert locality(mesh_of(pod("app: web, istio-locality: x.y"))) == ("x/y", "label istio-locality of Pod default/web-1")


def test_an_empty_locality_label_hides_the_legacy_one_and_leaves_it_to_the_node() -> None:
    labels = 'app: web, topology.istio.io/locality: "", istio-locality: x.y'
    assert locality(mesh_of(NODE % "topology.kubernetes.io/region: r", pod(labels))) == ("r//", "Node n1")


def test_a_node_is_read_without_an_unknown_kind_warning() -> None:
    mesh = mesh_of(NODE % "topology.kubernetes.io/region: r")
    assert [d.code for d in analyze(mesh)] == []


DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: default}
spec:
  host: api
  trafficPolicy:
    loadBalancer: {localityLbSetting: {enabled: true}}
    outlierDetection: {consecutive5xxErrors: 3}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80}]
"""


def test_routing_reports_the_client_locality_and_keeps_the_cluster() -> None:
    mesh = mesh_of(NODE % "topology.kubernetes.io/region: r, topology.kubernetes.io/zone: z", pod(), DR)
    out = route(mesh, Request.parse("GET http://api/", []), Proxy.parse_from("default/app=web")).to_json()
    assert out["destinations"][0]["cluster"] == "outbound|80||api.default.svc.cluster.local"
    assert any("client's r/z/ (Node n1)" in line for line in out["trace"])
    without = route(mesh_of(pod(), DR), Request.parse("GET http://api/", []), Proxy.parse_from("default/app=web")).to_json()
    assert without["destinations"] == out["destinations"]
    assert any("shows no locality for the client" in line for line in without["trace"])
