"""How long the labs take offline: every lab on the simulator and on real Envoy.

Prints one line per backend (labs, checks, seconds, checks per second) and the slowest labs.
Target (issue: real data plane): all labs on Envoy under 60 s on this machine; sim in seconds.
Usage: .venv/bin/python benchmarks/labs_run.py [--backend sim|envoy|both]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from istio_notebook.labs.catalog import Catalog
from istio_notebook.labs.offline import run_offline
from istio_notebook.labs.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def measure(backend: str) -> None:
    catalog = Catalog.load(ROOT)
    started = time.perf_counter()
    scenarios = [load_scenario(lab, catalog.fixtures_dir) for lab in catalog.labs.values()]
    loaded = time.perf_counter() - started
    reports = [run_offline(s, backend) for s in scenarios]
    total = time.perf_counter() - started
    checks = sum(len(r.checks) for r in reports)
    failed = sum(1 for r in reports for c in r.checks if not c.passed)
    print(f"{backend:6s} {len(reports)} labs  {checks} checks  load {loaded:.2f}s  total {total:.2f}s  "
          f"{checks / total:.1f} checks/s  failed {failed}")
    for report in sorted(reports, key=lambda r: r.seconds, reverse=True)[:3]:
        print(f"       slowest: {report.name} {report.seconds:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sim", "envoy", "both"), default="both")
    args = parser.parse_args()
    for backend in ("sim", "envoy") if args.backend == "both" else (args.backend,):
        measure(backend)


if __name__ == "__main__":
    main()
