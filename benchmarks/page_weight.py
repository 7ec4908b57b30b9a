"""What a reader's browser pays per page: bytes transferred and main-thread work.

Targets (issue 18): every page without diagrams ≤ 1 MB transferred on first load (cold cache);
traffic/virtual-service (18 diagrams in closed tabs) ≤ 2.5 s of main-thread work with the CPU
throttled 4× (Chrome DevTools' "mid-tier mobile"), measured through the DevTools protocol
(Performance.getMetrics' TaskDuration, the main thread's busy time until the page settles; the
search index counts in the bytes, served uncompressed as by `python -m http.server`, so a host that
compresses sends less). Builds the site into a
temporary directory, serves it on loopback, drives Chromium with Playwright.
Usage: .venv/bin/python benchmarks/page_weight.py [--site DIR] [--runs N]
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
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "glossary/", "traffic/destination-rule/", "security/authorization/", "labs/request-routing/", "traffic/virtual-service/"]
HEAVY = "traffic/virtual-service/"
WEIGHT_LIMIT = 1_000_000
MAIN_THREAD_LIMIT = 2.5
THROTTLE = 4


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def build(target: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    subprocess.run([str(mkdocs), "build", "--strict", "--quiet", "--site-dir", str(target)], cwd=ROOT, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def measure(browser, base: str, path: str) -> tuple[int, float, bool]:
    """(bytes transferred, main-thread seconds under 4× throttling, whether Mermaid was loaded)."""
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
    page.goto(base + path, wait_until="networkidle")
    # Every page's search worker downloads the index after load: wait for it, so each page counts it.
    for _ in range(50):
        if any("search_index.json" in urls.get(r, "") for r in sizes):
            break
        page.wait_for_timeout(200)
    page.wait_for_timeout(500)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    context.close()
    mermaid = any("mermaid" in u for u in urls.values())
    return sum(sizes.values()), metrics.get("TaskDuration", 0.0), mermaid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="inb-weight-"))
    try:
        site = args.site or tmp / "site"
        if not args.site:
            build(site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        failures = 0
        executable = shutil.which("chromium") or None
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"], headless=True)
            print(f"{'page':32} {'bytes':>10} {'main thread (4x)':>17}  mermaid")
            for path in PAGES:
                runs = [measure(browser, base, path) for _ in range(args.runs)]
                weight = int(statistics.median(r[0] for r in runs))
                seconds = statistics.median(r[1] for r in runs)
                mermaid = any(r[2] for r in runs)
                verdict = []
                if not mermaid and weight > WEIGHT_LIMIT:
                    verdict.append(f"over {WEIGHT_LIMIT:,} B")
                if path == HEAVY and seconds > MAIN_THREAD_LIMIT:
                    verdict.append(f"over {MAIN_THREAD_LIMIT} s")
                failures += bool(verdict)
                print(f"/{path:31} {weight:>10,} {seconds:>15.2f} s  {'yes' if mermaid else 'no':7} {'; '.join(verdict)}")
            browser.close()
        server.shutdown()
        print(f"targets: pages without diagrams ≤ {WEIGHT_LIMIT:,} B; /{HEAVY} ≤ {MAIN_THREAD_LIMIT} s main thread at {THROTTLE}x CPU throttling")
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
