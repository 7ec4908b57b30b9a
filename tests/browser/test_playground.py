"""The playground in Chromium (試してみる): Pyodide and the project's wheel in a Web Worker, served by
the site only (tools/playground/assets.py writes them into the built site, as ./dev build does).

One page for the whole module (one Pyodide load): reached through a "試す" button, it is then
edited by the tests, and its engine also answers every check of several pages, each compared
with what the command line prints for the same files and arguments.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from istio_notebook.playground.engine import run as run_cli_in_process
from playground_cases import BOOKINFO, JASON, JASON_MISSING_GATEWAY, REPO, cli

# The page's own engine module (same URL, so the same worker and the same Pyodide).
RUN = "async ([argv, files]) => (await import(new URL('assets/javascripts/playground/engine.js', window.inbPlayground.root).href)).run(argv, files)"
PAGES = ["contributing/syntax/", "traffic/fault-injection/", "traffic/ingress-gateway/", "security/authorization/"]
RUNS = "#inb-playground[data-runs='{n}']"


def _browser_conftest(request):
    """tests/browser/conftest.py as pytest loaded it ("from conftest import" may find another one)."""
    return next(p for p in request.config.pluginmanager.get_plugins() if str(getattr(p, "__file__", "")).endswith("browser/conftest.py"))


@pytest.fixture(scope="module")
def playground_site(site_dir: Path) -> Path:
    out = site_dir / "assets" / "playground"
    subprocess.run([sys.executable, str(REPO / "tools" / "playground" / "assets.py"), "--out", str(out)], check=True, timeout=600)
    return site_dir


@pytest.fixture(scope="module")
def playground(playground_site, browser, site_url, request):
    """The playground page, opened by the first "試す" of the syntax page's checks and run once."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900})
    session = _browser_conftest(request).PageSession(context.new_page(), site_url)
    session.fetched = []  # every URL the page and its worker asked for
    context.on("request", lambda r: session.fetched.append(r.url))
    page = session.open(PAGES[0])
    assert page.locator(".inb-example .inb-try").count() > 0  # checked examples have one too
    button = page.locator(".inb-checks .inb-try").first
    assert "check=" in button.get_attribute("href")
    button.click()
    page.wait_for_selector(RUNS.format(n=1), timeout=300_000)
    yield session
    context.close()


def _runs(page) -> int:
    return int(page.locator("#inb-playground").get_attribute("data-runs"))


def _control(page, label: str):
    return page.locator("#inb-playground").get_by_label(label, exact=True)


def _edit(page, label: str, value: str) -> None:
    """Replace a control's text as a reader would, and wait for the live rerun."""
    before = _runs(page)
    _control(page, label).fill(value)
    page.wait_for_selector(RUNS.format(n=before + 1), timeout=120_000)


def test_the_button_opens_the_checks_files_and_request_and_runs_them(playground):
    page = playground.page
    assert "reviews" in _control(page, "example.yaml").input_value()
    assert _control(page, "ヘッダー").input_value() == "end-user: jason"
    last = page.evaluate("window.inbPlayground.last")
    assert json.loads(last["answer"]["result"]["stdout"])["destinations"][0]["subset"] == "v2"
    assert "reviews.default.svc.cluster.local" in page.locator(".inb-pg__summary").inner_text()
    assert "として評価" in page.locator(".inb-pg__trace").inner_text()
    assert "#s=" in page.url  # the state is in the URL


def test_editing_a_header_changes_the_outcome_and_the_url_replays_it(playground):
    page = playground.page
    _edit(page, "ヘッダー", "end-user: alice")
    outcome = page.evaluate("window.inbPlayground.last.outcome")
    assert outcome["destinations"][0]["subset"] == "v1"
    shared = page.url
    _edit(page, "ヘッダー", "end-user: jason")
    assert page.evaluate("window.inbPlayground.last.outcome")["destinations"][0]["subset"] == "v2"
    other = page.context.new_page()
    try:
        other.goto(shared)
        other.wait_for_selector(RUNS.format(n=1), timeout=300_000)
        assert _control(other, "ヘッダー").input_value() == "end-user: alice"
        assert other.evaluate("window.inbPlayground.last.outcome")["destinations"][0]["subset"] == "v1"
    finally:
        other.close()


def _choose(page, label: str, value: str) -> None:
    before = _runs(page)
    _control(page, label).select_option(value)
    page.wait_for_selector(RUNS.format(n=before + 1), timeout=120_000)


def _last(page) -> dict:
    return page.evaluate("window.inbPlayground.last")


def test_the_proxy_controls_give_the_command_lines_options(playground):
    """サイドカー → --from NS/labels, アンビエント → the same with istio.io/dataplane-mode=ambient
    (routing/ambient.py: ztunnel carries the request), ゲートウェイ → --gateway NS/NAME. The
    check's own context (from="default/app=productpage") arrives in the fields."""
    page = playground.page
    first = _last(page)["argv"]
    assert first[first.index("--from") + 1] == "default/app=productpage"
    assert (_control(page, "プロキシ").input_value(), _control(page, "Pod のラベル").input_value()) == ("sidecar", "app=productpage")
    try:
        _choose(page, "プロキシ", "ambient")
        assert "default/istio.io/dataplane-mode=ambient,app=productpage" in _last(page)["argv"]
        assert _last(page)["outcome"]["trace"][0].startswith("ztunnel")
        _edit(page, "Pod のラベル", "app=ratings")
        assert "default/istio.io/dataplane-mode=ambient,app=ratings" in _last(page)["argv"]
        _choose(page, "プロキシ", "sidecar")
        assert _last(page)["outcome"]["trace"][0].startswith("sidecar default/app=ratings")
        _choose(page, "プロキシ", "gateway")
        assert _control(page, "名前空間").is_hidden() and _control(page, "Gateway").is_visible()
        _edit(page, "Gateway", "istio-system/bookinfo-gateway")
        argv = _last(page)["argv"]
        assert argv[argv.index("--gateway") + 1] == "istio-system/bookinfo-gateway" and "--from" not in argv
    finally:
        if _control(page, "プロキシ").input_value() != "sidecar":
            _choose(page, "プロキシ", "sidecar")
        if _control(page, "Pod のラベル").input_value() != "app=productpage":
            _edit(page, "Pod のラベル", "app=productpage")
    assert _last(page)["argv"] == first
    assert playground.errors == []


def test_the_diagram_marks_the_rule_the_request_took(playground):
    """The site's flowchart of the deciding VirtualService (playground/diagram.py), drawn by the
    site's Mermaid under the outcome, the match block taken and its destination marked."""
    page = playground.page
    marked = "window.inbPlayground.diagram && window.inbPlayground.diagram.includes({!r})"
    page.wait_for_function(marked.format("class r0m0,d0 chosen"), timeout=120_000)
    page.locator(".inb-pg__figure svg").wait_for(state="visible", timeout=60_000)
    try:
        _edit(page, "ヘッダー", "end-user: alice")
        page.wait_for_function(marked.format("class r1m0,d1 chosen"), timeout=120_000)
    finally:
        _edit(page, "ヘッダー", "end-user: jason")
    page.wait_for_function(marked.format("class r0m0,d0 chosen"), timeout=120_000)
    assert playground.errors == []


def test_invalid_yaml_shows_a_japanese_error_with_its_line_and_no_console_error(playground):
    page = playground.page
    good = _control(page, "example.yaml").input_value()
    broken = good.replace("kind: VirtualService", "kind: [VirtualService", 1)
    line = broken.splitlines().index("kind: [VirtualService") + 1
    try:
        _edit(page, "example.yaml", broken)
        item = page.locator(".inb-pg__diagnostic[data-code='INB1001']").first
        text = item.inner_text()
        assert "YAML の構文エラー" in text and "example.yaml" in text
        assert int(item.get_attribute("data-line")) in (line, line + 1)  # where the parser notices it
        assert f"{item.get_attribute('data-line')} 行目" in text
    finally:
        _edit(page, "example.yaml", good)
    assert playground.errors == []
    assert playground.external_hosts == set()


@pytest.mark.parametrize("key", PAGES)
def test_every_check_of_the_page_in_the_browser_is_the_command_lines_json(playground, playground_site, key):
    sessions = json.loads((playground_site / "assets" / "playground" / "sessions" / key / "session.json").read_text(encoding="utf-8"))
    assert sessions["checks"]
    for check in sessions["checks"]:
        files = sessions["scenarios"][check["scenario"]]
        answer = playground.page.evaluate(RUN, [check["argv"], files])
        expected = run_cli_in_process(check["argv"], files)
        assert answer["ok"], answer
        assert answer["result"]["exit"] == expected.exit == 0, (key, check["line"], answer["result"]["stderr"])
        assert json.loads(answer["result"]["stdout"]) == json.loads(expected.stdout), (key, check["line"])


@pytest.mark.parametrize("header", ["end-user: jason", "end-user: alice"])
def test_route_in_the_browser_is_the_installed_commands(playground, tmp_path, header):
    files = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON}
    argv = ["route", "bookinfo.yaml", "vs.yaml", "--request", "GET http://reviews:9080/reviews/1", "-H", header, "--format", "json", "--lang", "ja"]
    answer = playground.page.evaluate(RUN, [argv, files])
    expected = cli(tmp_path, argv, files)  # the console script in a subprocess
    assert json.loads(answer["result"]["stdout"]) == json.loads(expected.stdout)
    assert answer["result"]["exit"] == expected.returncode == 0


def test_check_in_the_browser_reports_the_installed_commands_diagnostics(playground, tmp_path):
    files = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON_MISSING_GATEWAY}
    # The language of the hints is explicit: by default it follows the locale, and the browser's
    # (ja-JP here: Emscripten sets LANG from navigator.language) need not be the test runner's.
    argv = ["check", "bookinfo.yaml", "vs.yaml", "--format", "json", "--lang", "ja"]
    answer = playground.page.evaluate(RUN, [argv, files])
    expected = cli(tmp_path, argv, files)
    assert (answer["result"]["exit"], json.loads(answer["result"]["stdout"])) == (expected.returncode, json.loads(expected.stdout))
    assert json.loads(answer["result"]["stdout"])["diagnostics"][0]["line"] == 7


# engine.js of the page (the same module instance as RUN's): its time limit and restart count.
ENGINE = "async (code) => { const engine = await import(new URL('assets/javascripts/playground/engine.js', window.inbPlayground.root).href); return new Function('engine', code)(engine); }"


def test_a_run_over_the_time_limit_is_stopped_with_a_japanese_message_and_the_worker_restarts(playground):
    """The fallback regex engine (Python re) backtracks exponentially on `(a*)*b` against a run of
    "a"s with no "b" (google-re2 is linear); the page must stop it, say so, and keep working."""
    page = playground.page
    good = _control(page, "example.yaml").input_value()
    assert "exact: jason" in good
    limit = page.evaluate(ENGINE, "return engine.configure({timeoutMs: 4000}).timeoutMs")
    restarts = page.evaluate(ENGINE, "return engine.stats.restarts")
    try:
        _edit(page, "example.yaml", good.replace("exact: jason", "regex: '(a*)*b'", 1))
        _edit(page, "ヘッダー", "end-user: " + "a" * 40)
        last = page.evaluate("window.inbPlayground.last")
        assert last["answer"]["timeout"] is True
        assert last["elapsed_ms"] >= limit
        message = page.locator(".inb-pg__outcome .inb-pg__timeout").inner_text()
        assert f"{limit / 1000:g} 秒を超えたため止めました" in message and "再起動しました" in message
        assert page.evaluate(ENGINE, "return engine.stats.restarts") == restarts + 1
        assert last["checked"]["ok"]  # the check that follows runs on the new worker
        _edit(page, "ヘッダー", "end-user: jason")  # "jason" does not match (a*)*b: the default route
        assert page.evaluate("window.inbPlayground.last.outcome")["destinations"][0]["subset"] == "v1"
    finally:
        for label, value in (("ヘッダー", "end-user: jason"), ("example.yaml", good)):
            if _control(page, label).input_value() != value:
                _edit(page, label, value)
        page.evaluate(ENGINE, "return engine.configure({timeoutMs: engine.DEFAULT_TIMEOUT_MS})")
    assert page.evaluate("window.inbPlayground.last.outcome")["destinations"][0]["subset"] == "v2"
    assert playground.errors == []


def test_the_runs_fetch_the_engines_zip_and_never_the_rest(playground):
    """tools/playground/bundle.py moves what the first runs of the pages do not import into
    rest.zip; the runs of these tests (route, check, authz on four pages) never need it. Pyodide's
WebAssembly comes as its gzip twin."""
    fetched = [url.rsplit("/assets/playground/", 1)[-1] for url in playground.fetched if "/assets/playground/" in url]
    assert "engine.zip" in fetched and "manifest.json" in fetched
    assert "vendor/pyodide/pyodide.asm.wasm.gz" in fetched and "vendor/pyodide/pyodide.asm.wasm" not in fetched  # boot.js gunzipping
    assert "rest.zip" not in fetched and not any("istio_notebook" in url or "pydantic-" in url for url in fetched)


NODE_IMPORT = """
import { pathToFileURL } from "node:url";
const { bootInNode } = await import(pathToFileURL(process.argv[1]).href);
const { pyodide } = await bootInNode(process.argv[2]);
console.log(pyodide.runPython(`import sys
before = any(getattr(f, "fetched", False) for f in sys.meta_path)
import pydantic.v1, istio_notebook.envoy.binary, pdb
str([before, any(getattr(f, "fetched", False) for f in sys.meta_path), pydantic.v1.__file__])`));
"""


def test_a_module_of_the_rest_still_imports_fetching_the_rest_zip_then(playground_site):
    """The built files in Pyodide under Node (the worker's boot, tools/playground/node_boot.mjs)."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", NODE_IMPORT, str(REPO / "tools" / "playground" / "node_boot.mjs"), str(playground_site / "assets" / "playground")],
        capture_output=True, text=True, timeout=300, check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "[False, True, '/lib/rest.zip/pydantic/v1/__init__.pyc']"


def test_opening_the_playground_starts_the_engine_before_any_run(playground_site, browser, site_url, request):
    """Pyodide's start is most of the first run: the page boots the worker as it opens (engine.js
    warm()), while it still reads the session and builds the form, even before there is YAML to run."""
    context = browser.new_context(locale="ja-JP")
    session = _browser_conftest(request).PageSession(context.new_page(), site_url)
    try:
        with session.page.expect_request(lambda r: "/assets/playground/engine.zip" in r.url, timeout=300_000):
            page = session.open("playground/")
        assert page.locator("#inb-playground").get_attribute("data-runs") is None  # nothing was run
        assert "YAML を貼り付けると" in page.locator(".inb-pg__status").inner_text()
        assert session.errors == []
    finally:
        context.close()


@pytest.fixture(scope="module")
def zensical_playground_site(zensical_site_dir: Path) -> Path:
    """The Zensical output with the playground's files (as ./dev build --zensical has them: written
    by tools/playground/assets.py, sessions included, since Zensical runs no MkDocs hooks)."""
    out = zensical_site_dir / "assets" / "playground"
    subprocess.run([sys.executable, str(REPO / "tools" / "playground" / "assets.py"), "--out", str(out)], check=True, timeout=600)
    return zensical_site_dir


def test_on_the_zensical_build_a_checks_button_opens_and_runs_it(zensical_playground_site, open_session):
    session = open_session(builder="zensical")
    page = session.open(PAGES[0])
    page.locator(".inb-checks .inb-try").first.click()
    page.wait_for_selector(RUNS.format(n=1), timeout=300_000)
    assert _control(page, "ヘッダー").input_value() == "end-user: jason"
    assert page.evaluate("window.inbPlayground.last.outcome")["destinations"][0]["subset"] == "v2"
    assert session.errors == [] and session.external_hosts == set()
