"""End-to-end: under `mkdocs serve`, editing a page shows its new check results on reload (issue 8, point 6).

A real `mkdocs serve` subprocess serves a temporary site; the page's check is made false, then
true again, by editing the file, and the served HTML must follow each edit (the plugin's cache
must be invalidated both ways) without the server printing a traceback or dying.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from test_build import (  # tests/mkdocs/test_build.py: the temporary-site helpers
    MKDOCS_YML,
    ROOT,
    make_site,
)
from test_build import PAGE as BROKEN_PAGE

START_SECONDS = 120  # first build: imports, Material, the plugin's checks
RELOAD_SECONDS = 60  # one edit → watcher → rebuild → new HTML

FALSE_CLAIM = "→ reviews v2\n```"  # test_build's false claim: the catch-all rule sends /reviews/1 to v1
TRUE_CLAIM = "→ reviews v1\n```"
# test_build's page, repaired: its broken example points at the defined subset, its claim is true.
PAGE = BROKEN_PAGE.replace("subset: v9", "subset: v1").replace(FALSE_CLAIM, TRUE_CLAIM)


def superfences_block(mkdocs_yml: str) -> str:
    """The ``- pymdownx.superfences:`` entry of a mkdocs.yml, verbatim (its item line and everything nested under it)."""
    lines = mkdocs_yml.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pymdownx.superfences:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return "\n".join(lines[start:end]) + "\n"


def site_config(strict: bool) -> str:
    """test_build's temporary mkdocs.yml (Material, the plugin), with the real site's superfences entry in place of its own.

    ``strict``: as the real mkdocs.yml sets it (for CI builds), which `./dev serve` then serves with.
    """
    real = superfences_block((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "istio_notebook.markdown.fences.format_check" in real
    return f"strict: {'true' if strict else 'false'}\n" + MKDOCS_YML.replace(superfences_block(MKDOCS_YML), real)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None  # not up yet, or mid-rebuild


class Server:
    """`mkdocs serve` in its own process group, output to a file (a pipe nobody reads could fill and block it)."""

    def __init__(self, site: Path):
        self.site = site
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = site / "serve.log"
        self.log_file = self.log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", str(site / "mkdocs.yml"), "-a", f"127.0.0.1:{self.port}"],
            cwd=site,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(site)},
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for_page(self, wanted: Callable[[str], bool], seconds: float, what: str) -> str:
        """Poll the page until ``wanted(html)`` holds; fail naming ``what`` after ``seconds`` or if the server exits."""
        deadline = time.monotonic() + seconds
        html = None
        while time.monotonic() < deadline:
            assert self.alive(), f"mkdocs serve exited ({self.process.returncode}) waiting for {what}:\n{self.log()[-4000:]}"
            html = fetch(self.url)
            # A complete document: a read during a rebuild can catch a half-written file.
            if html is not None and html.rstrip().endswith("</html>") and wanted(html):
                return html
            time.sleep(0.2)
        pytest.fail(f"no {what} within {seconds}s; last page:\n{(html or '')[-2000:]}\nserve log:\n{self.log()[-4000:]}")

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log_file.close()


@pytest.fixture(params=[True, False], ids=["strict-config", "non-strict-config"])
def server(tmp_path, request):
    site = make_site(tmp_path, PAGE)
    (site / "mkdocs.yml").write_text(site_config(strict=request.param), encoding="utf-8")
    running = Server(site)
    try:
        yield running
    finally:
        running.stop()


def passing(html: str) -> bool:
    return "inb-check--pass" in html and "inb-check--fail" not in html and "inb-badge--error" not in html


def failing(html: str) -> bool:
    return "inb-check--fail" in html and "inb-check--pass" not in html


@pytest.mark.slow
def test_editing_a_page_under_serve_shows_the_new_check_results(server):
    page = server.site / "docs" / "index.md"

    html = server.wait_for_page(passing, START_SECONDS, "passing check after the first build")
    assert "チェック 1/1 成立" in html and "inb-checks--verified" in html

    # The claim becomes false: the served page must show the failure, not the cached pass.
    page.write_text(PAGE.replace(TRUE_CLAIM, FALSE_CLAIM), encoding="utf-8")
    html = server.wait_for_page(failing, RELOAD_SECONDS, "failed check after making the claim false")
    assert "inb-checks--error" in html and "inb-badge--error" in html and "チェック 0/1 成立" in html
    assert "expected reviews v2, got reviews v1 (rule 1 of default/reviews)" in html
    assert "inb-mark--fail" in html
    assert server.alive()
    log = server.log()
    assert "Traceback" not in log, log
    # The terminal names it too, with page:line (at info level under serve, so a strict config does not abort the rebuild).
    line = PAGE.splitlines().index("curl http://reviews:9080/reviews/1") + 1  # a check is reported at its request line
    assert f"docs/index.md:{line} [INB3020] check failed: expected reviews v2, got reviews v1" in log, log

    # Fixed again: back to passing (a stale failure must not stick either).
    page.write_text(PAGE, encoding="utf-8")
    html = server.wait_for_page(passing, RELOAD_SECONDS, "passing check after fixing the claim")
    assert "チェック 1/1 成立" in html and "inb-checks--verified" in html
    assert server.alive()
    assert "Traceback" not in server.log(), server.log()
