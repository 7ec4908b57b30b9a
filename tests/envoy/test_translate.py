"""Istio → Envoy translation: Istio's names and shapes, accepted by `envoy --mode validate`.

Names as istiod generates them: pilot/pkg/networking/core/httproute.go (route config per port,
"http.<port>" on gateways), pilot/pkg/networking/util (outbound|port|subset|host,
PassthroughCluster, BlackHoleCluster), and istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/.
"""

from __future__ import annotations

import pytest
from envoy_testkit import load_mesh, requires_envoy
from istio_notebook.envoy.runner import validate
from istio_notebook.envoy.translate import envoy_config
from istio_notebook.routing import Proxy


@pytest.fixture(scope="module")
def mesh():
    return load_mesh("reviews.yaml", "gateway.yaml")


def _route_configs(bootstrap):
    for listener in bootstrap["static_resources"]["listeners"]:
        for chain in listener["filter_chains"]:
            config = chain["filters"][0]["typed_config"]
            if "route_config" in config:
                yield listener["name"], config["route_config"]


def test_sidecar_names_listener_route_config_and_clusters_like_istiod(mesh):
    bootstrap = envoy_config(mesh, Proxy.sidecar("default"))
    configs = dict(_route_configs(bootstrap))
    assert configs["0.0.0.0_9080"]["name"] == "9080"
    clusters = {c["name"] for c in bootstrap["static_resources"]["clusters"]}
    assert {"outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080||ratings.default.svc.cluster.local",
            "PassthroughCluster", "BlackHoleCluster"} <= clusters
    # The undefined subset v9 gets no cluster: Envoy answers 503 cluster_not_found, as with Istio.
    assert "outbound|9080|v9|reviews.default.svc.cluster.local" not in clusters
    vhosts = {v["name"]: v for v in configs["0.0.0.0_9080"]["virtual_hosts"]}
    assert "reviews" in vhosts["reviews.default.svc.cluster.local:9080"]["domains"]
    assert "allow_any" in vhosts  # ALLOW_ANY: unknown hosts pass through


def test_gateway_route_config_is_http_port(mesh):
    bootstrap = envoy_config(mesh, Proxy.gateway("default", "web"))
    names = {name: rc["name"] for name, rc in _route_configs(bootstrap)}
    assert names == {"0.0.0.0_8080": "http.8080", "0.0.0.0_8443": "https.8443.https.web.default"}
    https = next(l for l in bootstrap["static_resources"]["listeners"] if l["name"] == "0.0.0.0_8443")
    chain = https["filter_chains"][0]
    assert chain["filter_chain_match"] == {"server_names": ["shop.example.com"]}
    sds = chain["transport_socket"]["typed_config"]["common_tls_context"]["tls_certificate_sds_secret_configs"]
    assert sds[0]["name"] == "kubernetes://shop-cert"  # Istio's SDS name for credentialName


def test_route_actions_become_envoy_fields(mesh):
    bootstrap = envoy_config(mesh, Proxy.sidecar("default"))
    routes = {
        r.get("name"): r
        for _, rc in _route_configs(bootstrap)
        for v in rc["virtual_hosts"]
        for r in v["routes"]
    }
    assert routes["jason"]["match"]["headers"] == [{"name": "end-user", "string_match": {"exact": "jason"}}]
    assert routes["old-api"]["route"]["prefix_rewrite"] == "/new/"
    assert routes["old-api"]["route"]["host_rewrite_literal"] == "reviews-internal"
    assert routes["moved"]["redirect"] == {"response_code": "PERMANENT_REDIRECT", "path_redirect": "/here",
                                           "host_redirect": "example.com"}
    assert routes["maintenance"]["direct_response"] == {"status": 503, "body": {"inline_string": "down for maintenance"}}
    fault = routes["broken"]["typed_per_filter_config"]["envoy.filters.http.fault"]
    assert fault["abort"] == {"http_status": 418, "percentage": {"numerator": 1000000, "denominator": "MILLION"}}
    careful = routes["careful"]["route"]
    assert careful["timeout"] == "2s" and careful["retry_policy"]["num_retries"] == 4
    assert careful["retry_policy"]["per_try_timeout"] == "0.5s" and careful["retry_policy"]["retry_on"] == "5xx"
    assert routes["shadow"]["route"]["request_mirror_policies"][0]["cluster"] == "outbound|9080|v3|reviews.default.svc.cluster.local"
    weights = {c["name"].split("|")[2]: c["weight"] for c in routes["split"]["route"]["weighted_clusters"]["clusters"]}
    assert weights == {"v1": 80, "v3": 20}
    # No timeout in the VirtualService: Istio disables Envoy's 15 s default.
    assert routes["jason"]["route"]["timeout"] == "0s"


@pytest.mark.envoy
@requires_envoy
@pytest.mark.parametrize("proxy", [Proxy.sidecar("default"), Proxy.gateway("default", "web")], ids=str)
def test_envoy_validate_accepts_the_display_config(mesh, proxy):
    accepted, message = validate(envoy_config(mesh, proxy))
    assert accepted, message


def test_excerpt_shows_what_each_resource_became(mesh):
    # The corrected mapping the docs teach: VirtualService → routes, DestinationRule → clusters
    # (not routes), Gateway → listeners, AuthorizationPolicy → RBAC filters.
    from istio_notebook.envoy.excerpt import excerpt

    sidecar = envoy_config(mesh, Proxy.sidecar("default"))
    vs = excerpt(sidecar, mesh.get("VirtualService", "default", "reviews"))
    routes = vs["route_configs"]["9080"]["reviews.default.svc.cluster.local:9080"]["routes"]
    assert [r["name"] for r in routes][:2] == ["jason", "old-api"]
    dr = excerpt(sidecar, mesh.get("DestinationRule", "default", "reviews"))
    subsets = {c["name"].split("|")[2] for c in dr["clusters"]}
    assert subsets == {"", "v1", "v2", "v3"}
    assert next(c for c in dr["clusters"] if c["name"].split("|")[2] == "v2")["lb_policy"] == "ROUND_ROBIN"
    gateway = excerpt(envoy_config(mesh, Proxy.gateway("default", "web")), mesh.get("Gateway", "default", "web"))
    assert [l["name"] for l in gateway["listeners"]] == ["0.0.0.0_8080", "0.0.0.0_8443"]
