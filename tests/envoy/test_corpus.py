"""Every scenario and check in docs/ (lab pages included): Envoy accepts the config, and both engines agree.

Scenarios run in parallel threads (each has its own Envoy and echo servers): a few documented
checks wait for real fault delays (7 s in the fault injection pages), the rest take milliseconds.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from envoy_testkit import requires_envoy
from istio_notebook.authz import authorize as evaluate
from istio_notebook.diagnostics import Position
from istio_notebook.envoy import authz_replay
from istio_notebook.envoy.compare import differences, disagreement
from istio_notebook.examples.backends import authz_parties, proxy_of, request_of
from istio_notebook.examples.corpus import CorpusScenario, doc_scenarios
from istio_notebook.envoy.replay import Scenario
from istio_notebook.envoy.runner import rejection, validate
from istio_notebook.envoy.translate import envoy_config
from istio_notebook.routing import route as simulate

pytestmark = [pytest.mark.envoy, pytest.mark.slow, requires_envoy]
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


@pytest.fixture(scope="module")
def corpus() -> list[CorpusScenario]:
    scenarios = doc_scenarios(ROOT)  # the lab pages in docs/labs/ are the labs (generated; a test keeps them in step)
    if not scenarios:
        pytest.skip("no docs/ or labs/ scenarios yet")
    return scenarios


def _validate(scenario: CorpusScenario) -> list[str]:
    problems = []
    for proxy in scenario.proxies():
        accepted, message = validate(envoy_config(scenario.mesh, proxy))
        if not accepted:
            problems.append(f"{scenario.name}: {rejection(proxy, message).message}")
    return problems


def _replay(scenario: CorpusScenario) -> list[str]:
    problems = []
    running: dict = {}
    try:
        for check in scenario.checks:
            request = request_of(check)
            if check.is_authz:
                to, source = authz_parties(check.context)
                envoy = authz_replay.authorize(scenario.mesh, request, to, source)  # as `--backend envoy` replays it
                sim = evaluate(scenario.mesh, request, to, source).to_json()
                deny_policy = lambda o: o["policy"] if o.get("action") == "DENY" else None
                if envoy["decision"] is not None and (envoy["decision"], deny_policy(envoy)) != (sim["decision"], deny_policy(sim)):
                    problems.append(str(disagreement(
                        Position(check.file, check.line), str(check.request),
                        [(f"decision: simulator {sim['decision']} {deny_policy(sim)} ≠ envoy {envoy['decision']} "
                          f"{deny_policy(envoy)}"), *envoy["trace"]])))
                continue
            proxy = proxy_of(check.context)
            if proxy.key not in running:
                running[proxy.key] = Scenario(scenario.mesh, proxy).start()
            envoy = running[proxy.key].route(request)
            sim = simulate(scenario.mesh, request, proxy).to_json()
            diffs = differences(sim, envoy)
            if diffs:
                problems.append(str(disagreement(Position(check.file, check.line), str(check.request),
                                                 diffs + envoy["trace"][-1:])))
    finally:
        for running_scenario in running.values():
            running_scenario.close()
    return problems


def test_envoy_accepts_every_documented_scenario(corpus):
    with ThreadPoolExecutor(WORKERS) as pool:
        problems = [p for found in pool.map(_validate, corpus) for p in found]
    assert not problems, "\n".join(problems)


def test_every_documented_check_agrees_on_both_engines(corpus):
    with ThreadPoolExecutor(WORKERS) as pool:
        problems = [p for found in pool.map(_replay, corpus) for p in found]
    assert not problems, "\n".join(problems)
