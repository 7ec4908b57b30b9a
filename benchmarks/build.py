"""Build time with the examples checked (plugin and extension enabled) vs `enabled: false`, under
MkDocs and under Zensical, and the plugin's own time for a one-page change (what `mkdocs serve`
pays on a save).

Targets (issues 4, 17): MkDocs warm cache ≤ 1.10× the plain build, cold cache ≤ 1.3×; < 1 s of
plugin time for one changed page. Zensical is timed with and without the extension (cold and
warm checking cache; Zensical's own page cache cleared every time, as `./dev build --zensical`
does). Runs on a copy of docs/ and mkdocs.yml in a temporary directory, so the repository is not
touched. Usage: .venv/bin/python benchmarks/build.py [--runs N] [--no-zensical] (medians, and the
ratio of the best runs, which is the steadier figure when other work shares the machine)
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
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


def zensical_config(config_file: Path, *, enabled: bool) -> Path:
    """A copy of mkdocs.yml with the extension switched on or off, beside the original (same project)."""
    text = config_file.read_text(encoding="utf-8")
    if not enabled:
        text = text.replace("  - istio_notebook.markdown:\n", "  - istio_notebook.markdown:\n      enabled: false\n", 1)
    target = config_file.with_name(f"zensical-{'on' if enabled else 'off'}.yml")
    target.write_text(text, encoding="utf-8")
    return target


def timed_zensical(config_file: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the zensical process) of one `zensical build --clean`."""
    zensical = Path(sys.executable).with_name("zensical")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(zensical), "build", "--clean", "-f", str(config_file)], cwd=config_file.parent, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"zensical build failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def zensical_figures(config_file: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    on, off = zensical_config(config_file, enabled=True), zensical_config(config_file, enabled=False)
    shutil.rmtree(config_file.parent / ".cache" / "istio-notebook", ignore_errors=True)
    figures: dict[str, list[tuple[float, float]]] = {"cold": [timed_zensical(on)], "plain": [], "warm": []}
    for _ in range(runs):
        figures["plain"].append(timed_zensical(off))
        figures["warm"].append(timed_zensical(on))
    return figures


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
    parser.add_argument("--no-zensical", action="store_true", help="time MkDocs only")
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
        zensical = None if args.no_zensical or not Path(sys.executable).with_name("zensical").exists() else zensical_figures(config_file, args.runs)

    def median(runs: list[tuple[float, float]], which: int) -> float:
        return statistics.median(run[which] for run in runs)

    def best(runs: list[tuple[float, float]], which: int) -> float:
        return min(run[which] for run in runs)

    print(f"pages checked by the plugin:        {checked}")
    for label, which in (("wall", 0), ("CPU", 1)):
        base = median(plain, which)
        print(f"[{label}] plain build (enabled: false): {base:.2f} s (median of {args.runs}; best {best(plain, which):.2f} s)")
        print(f"[{label}] checked, cold cache:          {cold[which]:.2f} s  ({cold[which] / base:.2f}x, target <= 1.3x)")
        warm_s = median(warm, which)
        print(
            f"[{label}] checked, warm cache:          {warm_s:.2f} s  ({warm_s / base:.2f}x, target <= 1.10x; "
            f"best-of-{args.runs} ratio {best(warm, which) / best(plain, which):.2f}x)"
        )
    print(f"one-page change ({busiest.name}): plugin time {one_page * 1000:.0f} ms (target < 1000 ms), whole rebuild {rebuild:.2f} s")
    if zensical is None:
        print("zensical: not installed (pip install -e '.[zensical]') or --no-zensical")
        return
    for label, which in (("wall", 0), ("CPU", 1)):
        base = median(zensical["plain"], which)
        cold_z, warm_z = zensical["cold"][0][which], median(zensical["warm"], which)
        print(f"[{label}] zensical without the extension: {base:.2f} s (median of {args.runs})")
        print(f"[{label}] zensical, extension, cold cache: {cold_z:.2f} s  ({cold_z / base:.2f}x)")
        print(f"[{label}] zensical, extension, warm cache: {warm_z:.2f} s  ({warm_z / base:.2f}x)")

if __name__ == "__main__":
    main()
