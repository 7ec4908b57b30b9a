"""A single-request replay gives Envoy only what the request can reach (envoy/focus.py), and the
outcome is the same as with the whole configuration.

Envoy chooses a virtual host among those whose domains match the Host (exact, ``*.`` suffix,
``.*`` prefix, ``*``: config.route.v3.VirtualHost.domains); the focus keeps every virtual host one
of whose domains could match any form of the Host, so the choice, the routes and the clusters
they name are unchanged. Each request below is replayed twice on real Envoy, with and without the
focus, and the outcomes compared whole (timings aside).
"""

from __future__ import annotations

import pytest
from envoy_testkit import load_mesh, requires_envoy
from istio_notebook.envoy.focus import domain_could_match, focused, host_forms
from istio_notebook.envoy.replay import Scenario
from istio_notebook.envoy.translate import route_table
from istio_notebook.routing import Proxy, Request

WILDCARDS = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: wild, namespace: default}
spec:
  hosts: ["*.example.org"]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: NONE
  location: MESH_EXTERNAL
"""


def test_host_forms_cover_the_host_with_and_without_its_port():
    assert host_forms("Reviews:9080", "reviews", 9080) == {"reviews:9080", "reviews"}
    assert host_forms("x.example.org", "x.example.org", 80) == {"x.example.org", "x.example.org:80"}
    assert host_forms("a.b.:80", "a.b.", 80) == {"a.b.:80", "a.b.", "a.b", "a.b:80"}


@pytest.mark.parametrize(("domain", "host", "could"), [
    ("reviews", "reviews", True), ("REVIEWS", "reviews", True), ("*", "anything", True),
    ("*.example.org", "a.example.org", True), ("*.example.org", "example.org", False),
    ("reviews.*", "reviews.default", True), ("reviews", "ratings", False), ("reviews:9080", "reviews", False),
])
def test_a_domain_could_match_as_envoy_matches_it_or_more(domain, host, could):
    assert domain_could_match(domain, frozenset({host})) is could


def test_the_focus_keeps_the_virtual_hosts_the_host_could_match_and_their_clusters():
    mesh = load_mesh("reviews.yaml")
    table = route_table(mesh, Proxy.sidecar("default"))
    small = focused(table, host_forms("ratings:9080", "ratings", 9080))
    kept = {d for c in small.route_configs for v in c.virtual_hosts for d in v.domains}
    assert "ratings" in kept and "reviews" not in kept
    # The subsets only reviews' virtual host names go; a cluster no virtual host names stays.
    assert "outbound|9080|v1|reviews.default.svc.cluster.local" in table.clusters
    assert not any("|v1|reviews" in name or "|v2|reviews" in name for name in small.clusters)
    assert "outbound|9080||reviews.default.svc.cluster.local" in small.clusters
    assert "outbound|9080||ratings.default.svc.cluster.local" in small.clusters


REQUESTS = [
    ("sidecar", "GET http://reviews:9080/", []),
    ("sidecar", "GET http://reviews:9080/", ["end-user: jason"]),
    ("sidecar", "GET http://REVIEWS.default.svc.cluster.local:9080/old/x", []),
    ("sidecar", "GET http://reviews:9080/shadow", []),
    ("sidecar", "GET http://ratings:9080/", []),
    ("sidecar", "GET http://ratings:9080/", ["host: reviews:9080"]),
    ("sidecar", "GET http://a.example.org:9080/", []),
    ("sidecar", "GET http://nowhere:9080/", []),
    ("sidecar", "GET http://reviews.:9080/", []),
    ("gateway", "GET http://shop.example.com:8080/reviews", []),
    ("gateway", "GET http://secure.example.com:8080/", []),
    ("gateway", "GET http://other.example.com:8080/", []),
]


def _comparable(outcome: dict) -> dict:
    """The outcome less its timings and, on a weighted route, what the random draws gave (the
    cluster of the first request, the count of each cluster among the samples)."""
    drawn = len(outcome.get("destinations") or ()) > 1
    envoy = {k: v for k, v in (outcome.get("envoy") or {}).items()
             if k != "elapsed" and not (drawn and k in ("upstream_cluster", "samples"))}
    trace = [line.rsplit(", cluster ", 1)[0] if drawn else line for line in outcome.get("trace", [])]
    return {**outcome, "envoy": envoy, "trace": trace}


@pytest.mark.envoy
@requires_envoy
@pytest.mark.parametrize(("proxy_kind", "line", "headers"), REQUESTS)
def test_the_focused_replay_answers_as_the_whole_one(tmp_path, proxy_kind, line, headers):
    extra = tmp_path / "wild.yaml"
    extra.write_text(WILDCARDS)
    mesh = load_mesh("reviews.yaml", "gateway.yaml", str(extra))
    proxy = Proxy.sidecar("default") if proxy_kind == "sidecar" else Proxy.parse_gateway("default/web")
    request = Request.parse(line, headers)
    with Scenario(mesh, proxy, samples=40) as whole:
        expected = whole.route(request)
    hosts = host_forms(request.authority, request.host, request.port)
    with Scenario(mesh, proxy, samples=40, focus=hosts) as narrow:
        assert len(narrow.table.clusters) <= len(whole.table.clusters)
        observed = narrow.route(request)
    assert _comparable(observed) == _comparable(expected)


def test_only_the_clusters_nothing_names_are_dropped():
    from istio_notebook.envoy.focus import without_unnamed_clusters

    route = {"route": {"weighted_clusters": {"clusters": [{"name": "w1", "weight": 1}, {"name": "w2", "weight": 1}]},
                       "request_mirror_policies": [{"cluster": "m"}]}}
    bootstrap = {"static_resources": {
        "listeners": [{"filter_chains": [{"filters": [{"typed_config": {"route_config": {"virtual_hosts": [
            {"routes": [route]}]}}}, {"typed_config": {"cluster": "tcp"}}]}]}],
        "clusters": [{"name": n, "load_assignment": {"cluster_name": n}} for n in ("w1", "w2", "m", "tcp", "idle")],
    }, "dynamic_resources": {"ads_config": {"grpc_services": [{"envoy_grpc": {"cluster_name": "xds"}}]}}}
    kept = [c["name"] for c in without_unnamed_clusters(bootstrap)["static_resources"]["clusters"]]
    assert kept == ["w1", "w2", "m", "tcp"]
