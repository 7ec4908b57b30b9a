"""The playground's cold start by phase, as CPU time (benchmarks/playground_boot.mjs: the worker's
steps in Pyodide under Node). The browser figure (benchmarks/playground.py) is wall time and on a
shared machine mostly says how loaded it is; this one moves much less with the load, so a change
to the assets or the engine shows here. The requests are the first "試す" of a page: its route
check, then the check of its files (what the playground page runs first), then the route again.

Usage: python benchmarks/playground_boot.py [--assets DIR] [--page contributing/syntax/] [--runs 2]
  --assets: a built assets/playground/ (default: build one with tools/playground/assets.py)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "plugins"))


def first_try(page: str) -> list[dict]:
    """What the playground runs after the first "試す" of ``page``: route, then check."""
    from istio_notebook.examples.find import read_page
    from istio_notebook.examples.fixtures import FixtureStore, default_fixtures_dir
    from istio_notebook.playground.sessions import given, page_sessions

    source = REPO / "docs" / (page.rstrip("/") + ".md")
    sessions = page_sessions(read_page(source.read_text(encoding="utf-8"), f"docs/{source.relative_to(REPO / 'docs')}"), FixtureStore(default_fixtures_dir(source)), page)
    check = sessions.checks[0]
    files = sessions.scenarios[check.scenario]
    route = {"argv": check.argv(files), "files": files}
    return [route, {"argv": ["check", *given(files), "--format", "json", "--lang", "ja"], "files": files}, route]


def measure(assets: Path, requests: list[dict]) -> list[dict]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(requests, file)
    try:
        done = subprocess.run(["node", str(REPO / "benchmarks" / "playground_boot.mjs"), str(assets), file.name], capture_output=True, text=True, check=True)
    finally:
        os.unlink(file.name)
    return json.loads(done.stdout.strip().splitlines()[-1])  # {phases, rest_fetched}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="playground cold start by phase (CPU time, Pyodide under Node)")
    parser.add_argument("--assets", type=Path)
    parser.add_argument("--page", default="contributing/syntax/")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    temporary = None
    assets = args.assets
    if assets is None:
        temporary = Path(tempfile.mkdtemp(prefix="playground-boot-"))
        subprocess.run([sys.executable, str(REPO / "tools" / "playground" / "assets.py"), "--out", str(temporary)], check=True, stderr=subprocess.DEVNULL)
        assets = temporary
    try:
        requests = first_try(args.page)
        runs = [measure(assets, requests) for _ in range(args.runs)]
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs, median of each phase")
    for index, phase in enumerate(runs[0]["phases"]):
        cpu = statistics.median(run["phases"][index]["cpu_ms"] for run in runs)
        wall = statistics.median(run["phases"][index]["wall_ms"] for run in runs)
        print(f"  {phase['name']:<16} cpu {cpu / 1000:6.2f} s   wall {wall / 1000:6.2f} s")
    to_first = [sum(p["cpu_ms"] for p in run["phases"][:5]) for run in runs]
    print(f"boot + first route + first check: cpu {statistics.median(to_first) / 1000:.2f} s (the browser adds the page and the download)")
    print(f"rest.zip fetched by these runs: {'yes' if any(run['rest_fetched'] for run in runs) else 'no'} (what the first runs import is fetched at boot)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
