"""Real Envoy replays Istio's documented routing behaviour, and agrees with the simulator.

Behaviour cited from istio.io: tasks/traffic-management/request-routing (jason → v2),
traffic-shifting (80/20), fault-injection (abort, delay), request-timeouts, mirroring,
ingress (host/method/query matching, 404 when nothing matches, httpsRedirect 301);
reference/config/networking/virtual-service (rewrite, redirect, directResponse, headers, retries).
"""

from __future__ import annotations

import pytest
from envoy_testkit import load_mesh, requires_envoy
from istio_notebook.envoy.compare import differences
from istio_notebook.envoy.replay import Scenario
from istio_notebook.routing import Proxy, Request
from istio_notebook.routing import route as simulate

pytestmark = [pytest.mark.envoy, requires_envoy]


@pytest.fixture(scope="module")
def mesh():
    return load_mesh("reviews.yaml", "gateway.yaml")


@pytest.fixture(scope="module")
def sidecar(mesh):
    with Scenario(mesh, Proxy.sidecar("default")) as scenario:
        yield scenario


@pytest.fixture(scope="module")
def gateway(mesh):
    with Scenario(mesh, Proxy.gateway("default", "web")) as scenario:
        yield scenario


def _ask(scenario, mesh, line, *headers):
    request = Request.parse(line, list(headers))
    outcome = scenario.route(request)
    sim = simulate(mesh, request, scenario.proxy).to_json()
    assert differences(sim, outcome) == [], (sim, outcome)
    return outcome


def _subsets(outcome):
    return [d["subset"] for d in outcome["destinations"]]


def test_header_match_sends_jason_to_v2(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/reviews/1", "end-user: jason")
    assert _subsets(outcome) == ["v2"] and outcome["virtual_service"] == "default/reviews"
    assert outcome["route_index"] == 0 and outcome["route_name"] == "jason"


def test_prefix_rewrite_and_authority_rewrite_reach_the_upstream(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/old/a?q=1")
    assert outcome["rewrite"] == {"uri": "/new/a?q=1", "authority": "reviews-internal"}


def test_redirect_keeps_the_query_and_uses_the_code(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/moved?a=b")
    assert outcome["redirect"] == {"location": "http://example.com/here?a=b", "status": 308}


def test_direct_response_status_and_body(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/maintenance")
    assert outcome["direct_response"] == {"status": 503, "body": "down for maintenance"}


def test_fault_abort_and_delay(sidecar, mesh):
    abort = _ask(sidecar, mesh, "GET http://reviews:9080/broken")
    assert abort["status"] == 418 and abort["fault"]["abort"]["http_status"] == 418
    delay = _ask(sidecar, mesh, "GET http://reviews:9080/slow")
    assert delay["status"] is None and float(delay["fault"]["delay"]["fixed_delay"].rstrip("s")) >= 0.29


def test_retries_are_counted_upstream_and_per_try_timeout_announced(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/careful")
    assert outcome["retries"] == {"attempts": 4, "per_try_timeout": "0.5s", "retry_on": "5xx"}
    assert outcome["timeout"] == "2s"


def test_default_retry_policy_allows_two_retries(sidecar, mesh):
    assert _ask(sidecar, mesh, "GET http://reviews:9080/x", "end-user: jason")["retries"]["attempts"] == 2


def test_mirror_copy_reaches_v3(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/shadow")
    assert [m["subset"] for m in outcome["mirrors"]] == ["v3"] and _subsets(outcome) == ["v1"]


def test_undefined_subset_is_503_cluster_not_found(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/ghost")
    assert outcome["status"] == 503 and outcome["envoy"]["details"] == "cluster_not_found"


def test_header_operations(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/headers", "x-drop: 1")
    assert outcome["headers"]["request"]["set"] == {"x-set": "1"} and outcome["headers"]["request"]["remove"] == ["x-drop"]
    # `add` (APPEND_IF_EXISTS_OR_ADD): the probe's upstream value arrives with the added one after it.
    assert outcome["headers"]["response"]["add"] == {"x-resp": "yes"} and outcome["headers"]["response"]["set"] == {}


def test_weighted_split_is_about_80_20(sidecar, mesh):
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/")
    shares = {d["subset"]: d["weight"] for d in outcome["destinations"]}
    assert set(shares) == {"v1", "v3"} and abs(shares["v1"] - 80) <= 10


def test_unknown_host_passes_through(sidecar, mesh):
    assert _ask(sidecar, mesh, "GET http://httpbin.org/get")["action"] == "passthrough"
    assert _ask(sidecar, mesh, "GET http://httpbin.org:1234/get")["action"] == "passthrough"


def test_gateway_host_method_and_query_matching(gateway, mesh):
    assert _ask(gateway, mesh, "GET http://shop.example.com/reviews/1")["action"] == "route"
    assert _ask(gateway, mesh, "POST http://shop.example.com/reviews/1")["status"] == 404
    assert _ask(gateway, mesh, "GET http://shop.example.com/x?debug=1")["direct_response"]["body"] == "debug"
    assert _ask(gateway, mesh, "GET http://other.example.com/")["status"] == 404


def test_gateway_https_redirect(gateway, mesh):
    outcome = _ask(gateway, mesh, "GET http://secure.example.com/x")
    assert outcome["redirect"] == {"location": "https://secure.example.com/x", "status": 301}


def test_gateway_service_port_reaches_the_target_port(gateway, mesh):
    assert _ask(gateway, mesh, "GET http://shop.example.com:80/reviews")["action"] == "route"


def test_gateway_terminates_tls_for_its_https_server(gateway, mesh):
    # istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/: SIMPLE TLS at the gateway,
    # the server chosen by SNI, then the same VirtualService routes the decrypted request.
    outcome = _ask(gateway, mesh, "GET https://shop.example.com:8443/reviews/1")
    assert outcome["action"] == "route" and outcome["envoy"]["listener"] == "0.0.0.0_8443"
    assert outcome["route_name"] is None and outcome["virtual_service"] == "default/shop"


def test_gateway_https_without_a_server_for_the_name_gets_no_route(gateway):
    outcome = gateway.route(Request.parse("GET https://other.example.com:8443/"))
    assert outcome["action"] == "no_route" and outcome["status"] is None


def test_batch_api_answers_in_order_with_one_envoy_per_proxy(mesh):
    from istio_notebook.envoy import replay

    items = [
        (Request.parse("GET http://reviews:9080/", ["end-user: jason"]), Proxy.sidecar("default")),
        (Request.parse("GET http://shop.example.com/reviews/1"), Proxy.gateway("default", "web")),
        (Request.parse("GET http://reviews:9080/maintenance"), Proxy.sidecar("default")),
    ]
    started = []
    original = replay.Scenario.start

    def counting_start(self):
        started.append(self.proxy)
        return original(self)

    replay.Scenario.start = counting_start
    try:
        results = replay.replay_checks(mesh, items)
    finally:
        replay.Scenario.start = original
    assert [r["action"] for r in results] == ["route", "route", "direct_response"]
    assert _subsets(results[0]) == ["v2"]
    assert len(started) == 2  # one Envoy for the sidecar, one for the gateway


def test_module_api_reuses_the_running_envoy_for_the_same_mesh_and_proxy(mesh):
    from istio_notebook.envoy import replay

    proxy = Proxy.sidecar("default")
    replay.route(mesh, Request.parse("GET http://reviews:9080/"), proxy)
    pid = replay._scenario(mesh, proxy).envoy.process.pid
    replay.route(mesh, Request.parse("GET http://reviews:9080/moved"), proxy)
    assert replay._scenario(mesh, proxy).envoy.process.pid == pid
    replay.close_all()


def test_destination_rule_becomes_the_cluster_policy(sidecar, mesh):
    # istio.io/latest/docs/reference/config/networking/destination-rule/: subset policy overrides,
    # LEAST_REQUEST by default; auto mTLS sends ISTIO_MUTUAL to in-mesh services unless DISABLE.
    jason = _ask(sidecar, mesh, "GET http://reviews:9080/", "end-user: jason")
    assert jason["policy"]["load_balancer"]["simple"] == "ROUND_ROBIN"
    assert jason["policy"]["tls"]["mode"] == "ISTIO_MUTUAL"  # the echo saw a SPIFFE client certificate
    old = _ask(sidecar, mesh, "GET http://reviews:9080/old/x")
    assert old["policy"]["load_balancer"]["simple"] == "LEAST_REQUEST"
    ratings = _ask(sidecar, mesh, "GET http://ratings:9080/ratings/1")
    assert ratings["policy"]["tls"]["mode"] == "DISABLE"


def test_cors_preflight_answers_with_the_policy(sidecar, mesh):
    # istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy → Envoy's CORS filter.
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/cors")
    assert outcome["cors"]["allow_methods"] == ["GET", "POST"] and outcome["cors"]["max_age"] == "86400s"
    assert outcome["cors"]["allow_credentials"] is True and outcome["cors"]["expose_headers"] == ["x-trace"]


def test_default_policy_retries_are_probed_through_grpc_unavailable_not_503(sidecar, mesh):
    # Since Istio 1.24 the default policy retries no HTTP status (retry.go defaultPolicy), so the
    # replay makes the upstream answer grpc-status 14 ("unavailable") and counts real attempts.
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/x", "end-user: jason")
    assert outcome["retries"]["attempts"] == 2
    assert not any("not probed" in step for step in outcome["trace"])


def test_retries_no_answer_can_trigger_are_read_from_the_route_and_still_compared(sidecar, mesh):
    # connect-failure alone: no upstream answer makes Envoy retry, so the replay reads the attempts
    # from the loaded route; compare.differences (in _ask) must expect the simulated 3, not 0.
    outcome = _ask(sidecar, mesh, "GET http://reviews:9080/connect-only")
    assert outcome["retries"]["attempts"] == 3 and outcome["retries"]["retry_on"] == "connect-failure"
    assert any("not probed" in step for step in outcome["trace"])
