"""What a reader's browser pays per page: bytes transferred and main-thread work.

Targets (issue 18): every page ≤ 1 MB transferred on first load without its diagrams (cold cache;
Mermaid loads only when a diagram is opened, so no page loads it here);
traffic/virtual-service (22 diagrams in closed tabs) ≤ 2.5 s of main-thread work with the CPU
throttled 4× (Chrome DevTools' "mid-tier mobile"), measured through the DevTools protocol
(Performance.getMetrics' TaskDuration, the main thread's busy time until the page settles, and its
style, layout and script parts; bytes as served uncompressed by `python -m http.server`, so a host
that compresses sends less). The search index loads only when the reader opens search
(search-on-demand.js): a page's first load counts it only if something requested it, and its size is
printed apart as the cost of the first search. Builds the site into a temporary
directory, serves it on loopback, drives Chromium with Playwright.

On a shared machine TaskDuration is wall-clock and grows with the load, so each row also prints the
1-minute load average and the renderer main thread's CPU time read from /proc (Linux): what the
page itself computed, throttle included (Chrome throttles by keeping the thread busy), and not the
time it waited for a core. Compare figures taken at a similar load.
Usage: .venv/bin/python benchmarks/page_weight.py [--site DIR] [--runs N] [--page PATH ...]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "glossary/", "traffic/destination-rule/", "security/authorization/", "labs/request-routing/", "traffic/virtual-service/"]
HEAVY = "traffic/virtual-service/"
WEIGHT_LIMIT = 1_000_000
MAIN_THREAD_LIMIT = 2.5
THROTTLE = 4


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build(target: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    subprocess.run([str(mkdocs), "build", "--strict", "--quiet", "--site-dir", str(target)], cwd=ROOT, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def _main_thread_cpu(browser_cdp) -> dict[int, float]:
    """CPU seconds each renderer's main thread has used so far (/proc/<pid>/task/<pid>/stat: utime +
    stime). Unlike TaskDuration this is the page's own compute, hardly inflated by other load; the
    throttle does not change it (Chrome throttles by pausing the thread)."""
    seconds = {}
    for process in browser_cdp.send("SystemInfo.getProcessInfo")["processInfo"]:
        if process["type"] != "renderer":
            continue
        pid = process["id"]
        try:
            fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # not Linux, or the process just ended
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


@dataclass(frozen=True)
class Figures:
    """One page load: bytes, main-thread busy time under throttling and its parts, CPU, DOM size."""

    weight: int
    task: float
    style: float
    layout: float
    script: float
    cpu: float | None
    elements: int
    mermaid: bool  # Mermaid was loaded
    diagrams: int  # diagrams on the page (drawn or not)


def measure(browser, browser_cdp, base: str, path: str) -> Figures:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Performance.enable")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    before = _main_thread_cpu(browser_cdp)
    page.goto(base + path, wait_until="networkidle")
    page.wait_for_timeout(500)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    after = _main_thread_cpu(browser_cdp)
    elements, diagrams = page.evaluate("[document.getElementsByTagName('*').length, document.querySelectorAll('.mermaid').length]")
    context.close()
    cpu = sum(after[pid] - before.get(pid, 0.0) for pid in after) if after else None
    return Figures(
        weight=sum(sizes.values()), task=metrics.get("TaskDuration", 0.0), style=metrics.get("RecalcStyleDuration", 0.0),
        layout=metrics.get("LayoutDuration", 0.0), script=metrics.get("ScriptDuration", 0.0), cpu=cpu, elements=elements,
        mermaid=any("mermaid" in u for u in urls.values()), diagrams=diagrams,
    )


def report(browser, browser_cdp, base: str, path: str, runs: int) -> bool:
    """Measure ``path`` ``runs`` times, print the medians; True if it misses a target."""
    figures = [measure(browser, browser_cdp, base, path) for _ in range(runs)]

    def median(field: str) -> float:
        return statistics.median(getattr(f, field) for f in figures)

    weight, task = int(median("weight")), median("task")
    mermaid = any(f.mermaid for f in figures)
    diagrams = max(f.diagrams for f in figures)
    cpus = [f.cpu for f in figures if f.cpu is not None]
    cpu = f"{statistics.median(cpus):7.2f} s" if cpus else "    n/a"
    verdict = []
    if not mermaid and weight > WEIGHT_LIMIT:  # every page as first loaded, before any diagram is drawn
        verdict.append(f"over {WEIGHT_LIMIT:,} B")
    if path == HEAVY and task > MAIN_THREAD_LIMIT:
        verdict.append(f"over {MAIN_THREAD_LIMIT} s")
    load = os.getloadavg()[0]
    print(
        f"/{path:31} {weight:>10,} {task:>8.2f} s {median('style'):5.2f} {median('layout'):5.2f} {median('script'):5.2f}"
        f" {cpu} {int(median('elements')):>6} {load:5.1f} {diagrams:>4} {'yes' if mermaid else 'no':3}  {'; '.join(verdict)}"
    )
    return bool(verdict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page", action="append", dest="pages", help="measure only this page (repeatable), e.g. traffic/virtual-service/")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="inb-weight-"))
    try:
        site = args.site or tmp / "site"
        if not args.site:
            build(site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        executable = shutil.which("chromium") or None
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"], headless=True)
            browser_cdp = browser.new_browser_cdp_session()
            print(f"{'page':32} {'bytes':>10} {'main (4x)':>10} style layout script {'cpu':>7} {'elems':>6} {'load':>5} diag mermaid")
            failures = sum(report(browser, browser_cdp, base, path, args.runs) for path in args.pages or PAGES)
            browser.close()
        server.shutdown()
        index = site / "search" / "search_index.json"
        if index.is_file():
            print(f"search index, downloaded when search first opens (not counted above): {index.stat().st_size:,} B")
        print(f"targets: every page without its diagrams (Mermaid not loaded) ≤ {WEIGHT_LIMIT:,} B; /{HEAVY} ≤ {MAIN_THREAD_LIMIT} s main thread at {THROTTLE}x CPU throttling")
        print("main (4x): TaskDuration with the CPU throttled (style, layout, script: its parts); cpu: the renderer main"
              " thread's CPU time (from /proc, throttle included); load: 1-minute load average when measured")
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
