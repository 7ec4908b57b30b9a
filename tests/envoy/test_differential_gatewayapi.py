"""Differential test for Gateway API: generated HTTPRoutes and requests, simulator vs real Envoy.

Each hypothesis example is one to three HTTPRoutes on one Gateway API Gateway (converted as istiod
converts them) and a batch of requests, all replayed on one Envoy start, as the gateway istiod
deploys for that Gateway. Budget: EXAMPLES × REQUESTS_PER_EXAMPLE ≥ 500 pairs per run (asserted).
Also asserted: every generated route passes our schema and CEL checks (no IST0106), so the
routes are ones the API server would accept.
"""

from __future__ import annotations

import json

import pytest
from envoy_testkit import requires_envoy
from httproute_strategies import http_routes, mesh_with, request_line
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from istio_notebook.analysis import analyze
from istio_notebook.envoy.compare import differences
from istio_notebook.envoy.replay import Scenario
from istio_notebook.routing import Proxy, Request
from istio_notebook.routing import route as simulate

pytestmark = [pytest.mark.envoy, pytest.mark.slow, requires_envoy]

EXAMPLES = 24
REQUESTS_PER_EXAMPLE = 24
PAIRS = {"count": 0}
GATEWAY = Proxy.gateway("infra", "web")


def _side_by_side(routes: list[dict], request: Request, sim: dict, envoy: dict, diffs: list[str]) -> str:
    keep = lambda outcome: {k: v for k, v in outcome.items() if v not in (None, [], {}) and k != "trace"}
    return "\n".join([
        "simulator and Envoy disagree:", *diffs,
        f"request: {request.method} {request.authority}{request.path_with_query} headers={request.headers}",
        "HTTPRoutes:", json.dumps([r["spec"] for r in routes], indent=1),
        "simulator:", json.dumps(keep(sim), indent=1), "envoy:", json.dumps(keep(envoy), indent=1),
        "envoy trace:", *envoy.get("trace", []),
    ])


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(routes=http_routes(), requests=st.lists(request_line(), min_size=REQUESTS_PER_EXAMPLE, max_size=REQUESTS_PER_EXAMPLE))
def test_simulator_and_envoy_agree_on_generated_httproutes(routes, requests):
    mesh = mesh_with(routes)
    assert [d for d in analyze(mesh) if d.code == "IST0106"] == []
    with Scenario(mesh, GATEWAY, samples=100) as scenario:
        for line, headers in requests:
            request = Request.parse(line, headers)
            sim = simulate(mesh, request, GATEWAY).to_json()
            envoy = scenario.route(request)
            diffs = differences(sim, envoy)
            assert not diffs, _side_by_side(routes, request, sim, envoy, diffs)
            assert envoy["route_ref"] == sim["route_ref"]
            PAIRS["count"] += 1


def test_the_generated_run_compared_at_least_500_httproute_pairs():
    # Runs after the generated test in file order; alone (-k), it reports that nothing ran.
    assert PAIRS["count"] >= 500, f"only {PAIRS['count']} request/HTTPRoute pairs were compared"
