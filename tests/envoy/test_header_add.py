"""`headers.request.add` on real Envoy: the upstream receives the client's value and the added one.

istio/api networking/v1alpha3/virtual_service.proto HeaderOperations: `add` appends the given
values to the headers (`set` overwrites them); istiod writes `add` as Envoy request_headers_to_add
with append_action APPEND_IF_EXISTS_OR_ADD (pilot/pkg/networking/core/route/route.go
translateHeadersOperations), and Envoy then keeps both values (Envoy docs, HeaderValueOption
APPEND_IF_EXISTS_OR_ADD). The replay used to read only the last value the upstream got and
reported it as `set`.
"""

from __future__ import annotations

import pytest
from envoy_testkit import requires_envoy
from istio_notebook.envoy.compare import differences
from istio_notebook.envoy.replay import Scenario
from istio_notebook.routing import Proxy, Request
from istio_notebook.routing import route as simulate
from routing.routing_helpers import make_mesh

pytestmark = [pytest.mark.envoy, requires_envoy]

VS = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - headers:
      request:
        add: {x-tag: added}
        set: {x-env: staging}
    route: [{destination: {host: reviews}}]
"""


@pytest.fixture(scope="module")
def both():
    mesh = make_mesh(VS)
    proxy = Proxy.sidecar("default")
    with Scenario(mesh, proxy) as scenario:
        def ask(*headers):
            request = Request.parse("GET http://reviews:9080/", list(headers))
            return simulate(mesh, request, proxy).to_json(), scenario.route(request)
        yield ask


def test_an_added_value_arrives_next_to_the_clients_own(both):
    sim, envoy = both("x-tag: sent", "x-env: prod")
    assert sim["headers"]["request"]["add"] == {"x-tag": "added"}
    assert envoy["headers"]["request"]["add"] == {"x-tag": "added"}, envoy["headers"]
    assert envoy["headers"]["request"]["set"] == {"x-env": "staging"}  # set replaced the client's value
    assert differences(sim, envoy) == []


def test_an_added_header_the_client_did_not_send_looks_like_set_on_the_wire(both):
    sim, envoy = both()
    assert sim["headers"]["request"]["add"] == {"x-tag": "added"}
    assert envoy["headers"]["request"]["set"]["x-tag"] == "added"  # one value: add and set cannot be told apart
    assert differences(sim, envoy) == []
