"""Simulator vs real Envoy: how often they agree and how long each takes, on the same checks.

Two sets: every check in docs/ and labs/ (routing and authorization), and generated
VirtualServices × requests (the differential test's strategies). Prints one table per set:
checks, disagreements, and time per engine (Envoy: start-up per scenario, then per request).

    .venv/bin/python benchmarks/envoy_agreement.py [--generated-configs 40] [--requests 25]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


class Tally:
    def __init__(self, name: str):
        self.name = name
        self.checks = 0
        self.disagreements: list[str] = []
        self.sim: list[float] = []
        self.envoy: list[float] = []
        self.starts: list[float] = []

    def row(self) -> str:
        agree = self.checks - len(self.disagreements)
        pct = 100.0 * agree / self.checks if self.checks else 0.0
        med = lambda xs: _ms(statistics.median(xs)) if xs else "-"
        return (f"{self.name:<22} {self.checks:>6} {agree:>6} {pct:>7.1f}% "
                f"{med(self.sim):>11} {_ms(sum(self.sim)):>11} "
                f"{med(self.starts):>11} {med(self.envoy):>11} {_ms(sum(self.envoy) + sum(self.starts)):>12}")


HEADER = (f"{'set':<22} {'checks':>6} {'agree':>6} {'rate':>8} {'sim/check':>11} {'sim total':>11} "
          f"{'envoy start':>11} {'envoy/check':>11} {'envoy total':>12}")


def corpus(tally: Tally, authz: Tally) -> None:
    from istio_notebook.authz import authorize as evaluate
    from istio_notebook.authz.ports import workload_port
    from istio_notebook.envoy import authz_replay
    from istio_notebook.envoy.compare import differences
    from istio_notebook.examples.backends import authz_parties, proxy_of, request_of
    from istio_notebook.examples.corpus import doc_scenarios
    from istio_notebook.envoy.replay import Scenario
    from istio_notebook.routing import route as simulate

    for scenario in doc_scenarios(ROOT):  # docs/labs/ holds the labs' generated pages
        running: dict = {}
        try:
            for check in scenario.checks:
                request = request_of(check)
                if check.is_authz:
                    to, source = authz_parties(check.context)
                    begun = time.perf_counter()
                    sim = evaluate(scenario.mesh, request, to, source).to_json()
                    authz.sim.append(time.perf_counter() - begun)
                    begun = time.perf_counter()
                    port = workload_port(scenario.mesh, to, request.host, request.port)  # as authz_replay.authorize does
                    inbound = authz_replay.InboundScenario(scenario.mesh, to, authz_replay.peer_mode(scenario.mesh, to, port), port).start()
                    authz.starts.append(time.perf_counter() - begun)
                    try:
                        begun = time.perf_counter()
                        envoy = inbound.authorize(request, source, port)
                        authz.envoy.append(time.perf_counter() - begun)
                    finally:
                        inbound.close()
                    authz.checks += 1
                    if envoy["decision"] is not None and envoy["decision"] != sim["decision"]:
                        authz.disagreements.append(f"{check}: {sim['decision']} vs {envoy['decision']}")
                    continue
                proxy = proxy_of(check.context)
                begun = time.perf_counter()
                sim = simulate(scenario.mesh, request, proxy).to_json()
                tally.sim.append(time.perf_counter() - begun)
                if proxy.key not in running:
                    begun = time.perf_counter()
                    running[proxy.key] = Scenario(scenario.mesh, proxy).start()
                    tally.starts.append(time.perf_counter() - begun)
                begun = time.perf_counter()
                envoy = running[proxy.key].route(request)
                tally.envoy.append(time.perf_counter() - begun)
                tally.checks += 1
                diffs = differences(sim, envoy)
                if diffs:
                    tally.disagreements.append(f"{check}: {'; '.join(diffs)}")
        finally:
            for item in running.values():
                item.close()


def generated(tally: Tally, configs: int, requests: int) -> None:
    from hypothesis import strategies as st
    from istio_notebook.envoy.compare import differences
    from istio_notebook.envoy.replay import Scenario
    from istio_notebook.routing import Proxy, Request
    from istio_notebook.routing import route as simulate

    # The strategies are test code (they import hypothesis), so they live beside the
    # differential test rather than in the runtime package.
    sys.path.insert(0, str(ROOT / "tests" / "envoy"))
    from virtualservice_strategies import mesh_with, request_line, virtual_service

    proxy = Proxy.sidecar("default")
    for index in range(configs):
        vs = virtual_service().example()
        lines = st.lists(request_line(), min_size=requests, max_size=requests).example()
        mesh = mesh_with(vs)
        begun = time.perf_counter()
        scenario = Scenario(mesh, proxy, samples=100).start()
        tally.starts.append(time.perf_counter() - begun)
        try:
            for line, headers in lines:
                request = Request.parse(line, headers)
                begun = time.perf_counter()
                sim = simulate(mesh, request, proxy).to_json()
                tally.sim.append(time.perf_counter() - begun)
                begun = time.perf_counter()
                envoy = scenario.route(request)
                tally.envoy.append(time.perf_counter() - begun)
                tally.checks += 1
                diffs = differences(sim, envoy)
                if diffs:
                    tally.disagreements.append(f"config {index} {line} {headers}: {'; '.join(diffs)}")
        finally:
            scenario.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated-configs", type=int, default=40)
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args(argv)
    import warnings

    from hypothesis.errors import NonInteractiveExampleWarning

    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
    from istio_notebook.envoy.binary import envoy_path, envoy_version

    print(f"Envoy {envoy_version()} ({envoy_path()})")
    routing, authz, gen = Tally("docs+labs routing"), Tally("docs+labs authz"), Tally("generated routing")
    started = time.perf_counter()
    corpus(routing, authz)
    corpus_seconds = time.perf_counter() - started
    started = time.perf_counter()
    generated(gen, args.generated_configs, args.requests)
    generated_seconds = time.perf_counter() - started
    print(HEADER)
    for tally in (routing, authz, gen):
        print(tally.row())
    print(f"wall time: docs+labs {corpus_seconds:.1f} s, generated {generated_seconds:.1f} s "
          "(Envoy per check includes retry probes, mirror waits, weighted sampling and real fault delays)")
    for tally in (routing, authz, gen):
        for line in tally.disagreements[:20]:
            print(f"DISAGREE [{tally.name}] {line}")
    return 1 if any(t.disagreements for t in (routing, authz, gen)) else 0


if __name__ == "__main__":
    sys.exit(main())
