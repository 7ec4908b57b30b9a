"""The playground's speed in Chromium (issue: first run after "試す" under 5 s with a cold cache,
later runs under 200 ms per request).

Builds the site (or takes --site DIR, built with its playground files), serves it on loopback,
and in a fresh browser context (empty cache) clicks the first "試す" of a page and times it until
the playground has shown its first outcome; then reloads (warm HTTP cache) and times that; then
asks the same worker for --requests route requests. Prints the figures and the load average (the
machine is shared: figures under load are slower than the machine is), and the CPU time all
Chromium processes spent on the cold first run, a figure the load changes much less.

Usage: python benchmarks/playground.py [--site DIR] [--page contributing/syntax/] [--requests 30]
"""

from __future__ import annotations

import argparse
import collections
import functools
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = "#inb-playground[data-runs='{n}']"
RUN = "async ([argv, files]) => (await import(new URL('assets/javascripts/playground/engine.js', window.inbPlayground.root).href)).run(argv, files)"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly and notes each file it sends (path, bytes) in ``server.sent``."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:
        self.server.sent.append((self.path, os.fstat(source.fileno()).st_size))
        super().copyfile(source, outputfile)


def build_site(out: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "--strict", "--quiet", "--site-dir", str(out)], cwd=REPO, check=True, env=env)
    subprocess.run([sys.executable, str(REPO / "tools" / "playground" / "assets.py"), "--out", str(out / "assets" / "playground")], check=True)


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    server.sent = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _descendants(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


# Chromium's threads by name (/proc/PID/task/TID/comm): the worker running Python, V8's background
# pool (WebAssembly tier-up to TurboFan, concurrent GC), and the rest (page main threads, network).
THREADS = {"DedicatedWorker": "worker (Python)", "ThreadPoolForeg": "V8 background (wasm tier-up, GC)"}


def chromium_cpu() -> collections.Counter:
    """CPU seconds (user + system) used so far by this process's Chromium descendants (Linux /proc),
    by kind of thread (THREADS; "other" for the rest)."""
    used: collections.Counter = collections.Counter()
    for pid in _descendants(os.getpid()):
        try:
            if "chrom" not in Path(f"/proc/{pid}/comm").read_text():
                continue
            for task in Path(f"/proc/{pid}/task").iterdir():
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                used[THREADS.get((task / "comm").read_text().strip(), "other")] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return used


def first_run(page, url: str, sent: list) -> tuple[float, dict, collections.Counter, list]:
    """Seconds from the click on "試す" to the first outcome shown, the worker's timings,
    Chromium's CPU seconds and the files the server sent (path, bytes) in that time."""
    page.goto(url, wait_until="networkidle")
    cpu, started, before = chromium_cpu(), time.perf_counter(), len(sent)
    page.locator(".inb-checks .inb-try").first.click()
    page.wait_for_selector(RUNS.format(n=1), timeout=600_000)
    return time.perf_counter() - started, page.evaluate("window.inbPlayground.last"), chromium_cpu() - cpu, sent[before:]


def requests(page, count: int) -> tuple[list[float], list[float]]:
    """Round trips (page → worker → page) and the engine's own time, in ms, per route request."""
    last = page.evaluate("window.inbPlayground.last")
    files = page.evaluate("({'fixtures.yaml': document.querySelector('[data-file=\"fixtures.yaml\"]').value, 'example.yaml': document.querySelector('[data-file=\"example.yaml\"]').value})")
    trips, engine = [], []
    for index in range(count):
        argv = [*last["argv"]]
        argv[argv.index("--request") + 1] = f"GET http://reviews:9080/reviews/{index}"
        started = time.perf_counter()
        answer = page.evaluate(RUN, [argv, files])
        trips.append((time.perf_counter() - started) * 1000)
        engine.append(answer["timings"]["run_ms"])
    return trips, engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="playground timings in Chromium")
    parser.add_argument("--site", type=Path, help="a built site with its playground files")
    parser.add_argument("--page", default="contributing/syntax/")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    temporary = None
    site = args.site
    if site is None:
        temporary = Path(tempfile.mkdtemp(prefix="playground-bench-"))
        build_site(temporary)
        site = temporary
    server, base = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context()  # a new context starts with an empty cache
            page = context.new_page()
            cold, last, cold_cpu, cold_sent = first_run(page, base + args.page, server.sent)
            warm, warm_last, _, _ = first_run(page, base + args.page, server.sent)
            trips, engine = requests(page, args.requests)
            browser.close()
    finally:
        server.shutdown()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"load average (1 min): {load:.2f} on {os.cpu_count()} cores")
    print(f"first run after 試す, cold cache: {cold:.2f} s (worker boot {last['answer']['timings']['boot_ms'] / 1000:.2f} s; target < 5 s)")
    phases = ", ".join(f"{k.removesuffix('_ms')} {v / 1000:.2f} s" for k, v in last["answer"]["timings"]["phases"].items())
    print(f"  worker boot phases: {phases}; first route run {last['answer']['timings']['run_ms'] / 1000:.2f} s")
    threads = ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in cold_cpu.most_common())
    print(f"  Chromium CPU time (all its processes, every thread) from the click to the first outcome: {cold_cpu.total():.2f} s ({threads})")
    playground = [(path, size) for path, size in cold_sent if "/assets/playground/" in path]
    biggest = ", ".join(f"{path.rsplit('/', 1)[-1]} {size / 1e6:.2f}" for path, size in sorted(playground, key=lambda p: -p[1])[:6])
    print(f"  fetched from the click to the first outcome: {sum(s for _, s in cold_sent) / 1e6:.2f} MB in {len(cold_sent)} files, {sum(s for _, s in playground) / 1e6:.2f} MB of them the engine's (MB: {biggest})")
    print(f"  rest.zip fetched: {'yes' if any('rest.zip' in path for path, _ in cold_sent) else 'no'}")
    print(f"first run after 試す, warm HTTP cache: {warm:.2f} s (worker boot {warm_last['answer']['timings']['boot_ms'] / 1000:.2f} s)")
    print(f"the page's own timer for that warm first run (worker boot, route and check): {warm_last['elapsed_ms']} ms")
    p95 = sorted(trips)[int(len(trips) * 0.95) - 1]
    print(f"route requests ({len(trips)}): median {statistics.median(trips):.0f} ms, p95 {p95:.0f} ms round trip; engine median {statistics.median(engine):.0f} ms (target < 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
