"""The playground engine in Chromium: Pyodide and the project's wheel in a Web Worker, loaded only
from the site, answering exactly what the command line answers (tools/playground/assets.py writes
the files into the built site, as ./dev build does)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from playground_cases import BOOKINFO, JASON, JASON_MISSING_GATEWAY, REPO, cli

RUN = "async ([argv, files]) => (await import('./assets/javascripts/playground/engine.js')).run(argv, files)"


def browser_conftest(request):
    """tests/browser/conftest.py as pytest loaded it ("from conftest import" may find another one)."""
    return next(p for p in request.config.pluginmanager.get_plugins() if str(getattr(p, "__file__", "")).endswith("browser/conftest.py"))


@pytest.fixture(scope="module")
def playground_site(site_dir: Path) -> Path:
    out = site_dir / "assets" / "playground"
    subprocess.run([sys.executable, str(REPO / "tools" / "playground" / "assets.py"), "--out", str(out)], check=True, timeout=600)
    return site_dir


@pytest.fixture(scope="module")
def engine(playground_site, browser, site_url, request):
    """One page whose worker has loaded Pyodide once, for the whole module."""
    PageSession = browser_conftest(request).PageSession  # noqa: N806 - a class

    context = browser.new_context(locale="ja-JP")
    session = PageSession(context.new_page(), site_url)
    session.open("")
    first = session.page.evaluate(RUN, [["check", "bookinfo.yaml", "--format", "json"], {"bookinfo.yaml": BOOKINFO}])
    assert first["ok"], first
    yield session
    context.close()


@pytest.mark.parametrize("header", ["end-user: jason", "end-user: alice"])
def test_route_in_the_browser_is_the_command_lines(engine, tmp_path, header):
    files = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON}
    argv = ["route", "bookinfo.yaml", "vs.yaml", "--request", "GET http://reviews:9080/reviews/1", "-H", header, "--format", "json", "--lang", "ja"]
    answer = engine.page.evaluate(RUN, [argv, files])
    expected = cli(tmp_path, argv, files)
    assert answer["ok"], answer
    assert json.loads(answer["result"]["stdout"]) == json.loads(expected.stdout)
    assert answer["result"]["exit"] == expected.returncode == 0


def test_check_in_the_browser_reports_the_same_diagnostics(engine, tmp_path):
    files = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON_MISSING_GATEWAY}
    argv = ["check", "bookinfo.yaml", "vs.yaml", "--format", "json"]
    answer = engine.page.evaluate(RUN, [argv, files])
    expected = cli(tmp_path, argv, files)
    assert (answer["result"]["exit"], json.loads(answer["result"]["stdout"])) == (expected.returncode, json.loads(expected.stdout))
    assert json.loads(answer["result"]["stdout"])["diagnostics"][0]["line"] == 7


def test_the_engine_fetches_nothing_outside_the_site_and_logs_no_error(engine):
    assert engine.external_hosts == set()
    assert engine.errors == []
