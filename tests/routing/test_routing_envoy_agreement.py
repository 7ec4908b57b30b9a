"""The simulator and real Envoy (running the translated route table) agree on tricky cases.

The translator turns the same table into Envoy config, so this pins what Envoy itself decides:
regex full match, rewrite forms, query-string handling, header absence, domains, gateway merge
and 404s, and the authz value forms.
"""

from __future__ import annotations

import pytest
import test_gateways as gateways
from istio_notebook.routing import Proxy, Request, route
from routing_helpers import make_mesh

pytestmark = pytest.mark.envoy

TRICKY = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {regex: '/re.*'}}]
    rewrite: {uri: /v2}
    route: [{destination: {host: reviews, subset: v1}}]
  - match: [{uri: {exact: /exact}}]
    rewrite: {uri: /v3}
    route: [{destination: {host: reviews, subset: v1}}]
  - match: [{uri: {prefix: /p/}}]
    rewrite: {uri: /}
    route: [{destination: {host: reviews, subset: v1}}]
  - match: [{withoutHeaders: {x-a: {regex: '.*'}}}, {uri: {prefix: /nohdr}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - match: [{queryParams: {k: {exact: ""}}}]
    route: [{destination: {host: reviews, subset: v3}}]
  - match: [{queryParams: {p: {exact: "x+y"}}}]
    route: [{destination: {host: reviews, subset: v3}}]
  - route: [{destination: {host: reviews, subset: v1}}]
    rewrite: {uri: /v9}
"""

SIDECAR_CASES = [
    ("GET http://reviews:9080/reviews/1?q=1", []),
    ("GET http://reviews:9080/reviews/1/x", []),
    ("GET http://reviews:9080/exact?z", []),
    ("GET http://reviews:9080/p/x", []),
    ("GET http://reviews:9080/nohdr", []),
    ("GET http://reviews:9080/nohdr", ["x-a: 1"]),
    ("GET http://reviews:9080/zz?k", ["x-a: 1"]),
    ("GET http://reviews:9080/foo", ["x-a: 1"]),
    ("GET http://reviews.default.svc.cluster.local:9080/foo", ["x-a: 1"]),
    ("GET http://reviews.default:9080/foo", ["x-a: 1"]),
    ("GET http://reviews:9080/?p=x+y", ["x-a: 1"]),  # query values are compared still encoded
    ("GET http://reviews:9080/?p=x%2By", ["x-a: 1"]),
]


def key(outcome: dict) -> tuple:
    return (outcome["action"], outcome["status"], outcome["virtual_service"], outcome["route_index"],
            [d["cluster"] for d in outcome["destinations"]], (outcome["rewrite"] or {}).get("uri"),
            (outcome["redirect"] or {}).get("location"))


@pytest.fixture(scope="module")
def replay():
    from istio_notebook.envoy import replay as module

    yield module
    module.close_all()


def test_sidecar_matching_and_rewrites_agree_with_envoy(replay):
    mesh = make_mesh(TRICKY)
    proxy = Proxy.sidecar("default")
    for line, headers in SIDECAR_CASES:
        request = Request.parse(line, headers)
        assert key(route(mesh, request, proxy).to_json()) == key(replay.route(mesh, request, proxy)), (line, headers)


@pytest.mark.parametrize(
    ("manifests", "gateway", "lines"),
    [
        ((gateways.HTTPBIN_GATEWAY,), "default/httpbin-gateway",
         ["GET http://httpbin.example.com/status/200", "GET http://httpbin.example.com/headers", "GET http://other.example.com/"]),
        ((gateways.HTTPS_REDIRECT,), "default/secure", ["GET http://bookinfo.example.com/productpage?u=1"]),
        ((gateways.EGRESS_GATEWAY,), "default/istio-egressgateway", ["GET http://edition.cnn.com/politics"]),
    ],
)
def test_gateways_agree_with_envoy(replay, manifests, gateway, lines):
    mesh = make_mesh(*manifests)
    proxy = Proxy.parse_gateway(gateway)
    for line in lines:
        request = Request.parse(line)
        assert key(route(mesh, request, proxy).to_json()) == key(replay.route(mesh, request, proxy)), line
