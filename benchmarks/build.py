"""Build time with the istio-notebook plugin enabled vs `enabled: false`, and the plugin's own time
for a one-page change (what `mkdocs serve` pays on a save).

Targets (issue 4): enabled build ≤ 1.15× the plain build (warm cache); < 1 s of plugin time for
one changed page. Runs on a copy of docs/ and mkdocs.yml in a temporary directory, so the
repository is not touched. Usage: .venv/bin/python benchmarks/build.py [--runs N] (medians, and the ratio of the best runs,
which is the steadier figure when other work shares the machine)
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

ROOT = Path(__file__).resolve().parent.parent


def site_copy(target: Path) -> Path:
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    os.symlink(ROOT / "plugins", target / "plugins")  # theme overrides live under plugins/
    return target / "mkdocs.yml"


def configured(config_file: Path, *, enabled: bool):
    # As a fresh `mkdocs build` process: MkDocs keeps plugins that define on_startup (ours does, for
    # `mkdocs serve`) for the whole process, which would make every "warm" build an in-memory one.
    dict(MkDocsConfig._schema)["plugins"].plugin_cache.clear()
    config = load_config(str(config_file), site_dir=str(config_file.parent / "site"))
    config.plugins["istio-notebook"].config.enabled = enabled
    return config


def timed_build(config) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one build. CPU time is the steadier figure on a shared
    machine; the build is single-threaded, so it is what a quiet machine's wall time would be."""
    gc.collect()  # garbage of the previous build is not this build's cost
    started, started_cpu = time.perf_counter(), time.process_time()
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    config.plugins.on_shutdown()
    return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        config_file = site_copy(Path(tmp))
        cache = Path(tmp) / ".cache"
        shutil.rmtree(cache, ignore_errors=True)
        cold = timed_build(configured(config_file, enabled=True))
        # Plain and warm builds alternate, so that drift of the process or the machine (a second
        # build in one process, other load) falls on both sides alike.
        plain, warm = [], []
        for _ in range(args.runs):
            plain.append(timed_build(configured(config_file, enabled=False)))
            warm.append(timed_build(configured(config_file, enabled=True)))

        # One changed page, as `mkdocs serve` sees it: the same plugin object (kept across rebuilds), one page edited.
        config = configured(config_file, enabled=True)
        plugin = config.plugins["istio-notebook"]
        config.plugins.on_startup(command="serve", dirty=False)
        build(config)
        pages = sorted((Path(tmp) / "docs").rglob("*.md"), key=lambda p: p.read_text(encoding="utf-8").count("```"))
        busiest = pages[-1]
        busiest.write_text(busiest.read_text(encoding="utf-8") + "\n<!-- edited -->\n", encoding="utf-8")
        started = time.perf_counter()
        build(config)
        rebuild = time.perf_counter() - started
        one_page = plugin.seconds
        checked = len(plugin.reports)

    def median(runs: list[tuple[float, float]], which: int) -> float:
        return statistics.median(run[which] for run in runs)

    def best(runs: list[tuple[float, float]], which: int) -> float:
        return min(run[which] for run in runs)

    print(f"pages checked by the plugin:        {checked}")
    for label, which in (("wall", 0), ("CPU", 1)):
        base = median(plain, which)
        print(f"[{label}] plain build (enabled: false): {base:.2f} s (median of {args.runs}; best {best(plain, which):.2f} s)")
        print(f"[{label}] plugin enabled, cold cache:   {cold[which]:.2f} s  ({cold[which] / base:.2f}x)")
        warm_s = median(warm, which)
        print(
            f"[{label}] plugin enabled, warm cache:   {warm_s:.2f} s  ({warm_s / base:.2f}x, target <= 1.15x; "
            f"best-of-{args.runs} ratio {best(warm, which) / best(plain, which):.2f}x)"
        )
    print(f"one-page change ({busiest.name}): plugin time {one_page * 1000:.0f} ms (target < 1000 ms), whole rebuild {rebuild:.2f} s")


if __name__ == "__main__":
    main()
