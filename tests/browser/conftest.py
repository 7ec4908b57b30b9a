"""Browser tests: build the real site once, serve it on loopback, drive Chromium with Playwright.

Chromium is Debian's (/usr/bin/chromium, installed by ./dev test); ISTIO_NOTEBOOK_CHROMIUM may name
another binary, or be "playwright" to use Playwright's own build (GitHub's Ubuntu runners).
Screenshots of every tested page are kept under test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import builds
import pytest
from screens import VIEWPORTS

REPO = builds.REPO
ARTIFACTS = REPO / "test-artifacts" / "screenshots"

# Flags for a sandboxed, offline machine: no background network traffic to Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_executable() -> str | None:
    configured = os.environ.get("ISTIO_NOTEBOOK_CHROMIUM", "")
    if configured == "playwright":
        return None
    found = configured or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (./dev test installs Debian's chromium)")
        pytest.skip("chromium is not installed; run ./dev test to install it")
    return found


def _built(build, *args: object) -> Path:
    try:
        return build(*args)
    except builds.BuildFailed as failure:
        pytest.fail(str(failure))


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built strictly by MkDocs into a temporary directory."""
    return _built(builds.build_mkdocs, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def zensical_site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site built strictly by Zensical (issue 17), in a scratch project (builds.py)."""
    zensical = builds.zensical_executable()
    if zensical is None:
        if os.environ.get("CI"):
            pytest.fail("zensical is not installed (./dev installs the [zensical] extra)")
        pytest.skip("zensical is not installed (pip install -e '.[zensical]'; ./dev does it)")
    return _built(builds.build_zensical, tmp_path_factory.mktemp("zensical"), zensical)


@pytest.fixture(scope="session")
def builder_url(request: pytest.FixtureRequest) -> Iterator[object]:
    """``builder_url("mkdocs" | "zensical")``: that builder's output, served on loopback.

    Each output is built and served the first time a test asks for it, so a run that opens only
    MkDocs pages never builds with Zensical.
    """
    outputs = {"mkdocs": "site_dir", "zensical": "zensical_site_dir"}
    urls: dict[str, str] = {}
    with contextlib.ExitStack() as servers:
        def url(builder: str) -> str:
            if builder not in urls:
                urls[builder] = servers.enter_context(builds.serve(request.getfixturevalue(outputs[builder])))
            return urls[builder]

        yield url


@pytest.fixture(scope="session")
def site_url(builder_url) -> str:
    """The MkDocs output, served (the published site)."""
    return builder_url("mkdocs")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium_executable()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


# Material renders Mermaid into a *closed* shadow root; open it so the test can see the SVG.
_OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: "open" }); };
"""


_DRAW_ALL_WIDGETS = """() => { const style = document.createElement("style"); style.id = "inb-draw-all";
  style.textContent = ".inb-example, .inb-checks { content-visibility: visible !important; }"; document.head.append(style); }"""
_DRAW_ALL_WIDGETS_UNDO = "() => document.getElementById('inb-draw-all')?.remove()"


class PageSession:
    """One browser page that records console errors, failed requests and external hosts contacted.

    Requests that leave the local site are aborted (CI is offline) and their hosts recorded, so a
    test can pin which third parties the site calls at all.
    """

    def __init__(self, page: object, base_url: str):
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        self.external_hosts: set[str] = set()
        self.requested: list[str] = []  # every URL the page asked for, in order
        page.on("request", lambda request: self.requested.append(request.url))
        page.route("**/*", self._route)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _local(self, url: str) -> bool:
        return url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:"))

    def _route(self, route: object) -> None:
        url = route.request.url
        if self._local(url):
            route.continue_()
        else:
            self.external_hosts.add(urlsplit(url).hostname or url)
            route.abort()

    def _console(self, message: object) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and source and not self._local(source):
            return  # an external request we aborted on purpose
        self.errors.append(f"console: {message.text}")

    def _failed(self, request: object) -> None:
        # ERR_ABORTED: the page was left while the request was in flight (a search worker still loading).
        if self._local(request.url) and "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: object) -> None:
        if self._local(response.url) and response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def open(self, path: str, wait_until: str = "load") -> object:
        """Go to ``path``. "load" by default: Material's scripts have run; a test that must see every
        request the page makes (the search worker, its index) waits for "networkidle" instead."""
        self.page.goto(self.base_url + path, wait_until=wait_until)
        return self.page

    def screenshot(self, name: str, element: object | None = None, full_page: bool = True) -> Path:
        """The whole page, the first screen, or only ``element``.

        A full-page shot of the VirtualService page (24,000 px) takes 5-15 s on a loaded machine,
        so tests shoot long pages by element or first screen.
        """
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        if element is not None:
            element.screenshot(path=str(target))
        elif full_page:
            # Widgets off screen are drawn only when the reader scrolls near them (content-visibility,
            # test_page_work.py); a shot of the whole page at once draws them all, as scrolling would.
            self.page.evaluate(_DRAW_ALL_WIDGETS)
            self.page.screenshot(path=str(target), full_page=True)
            self.page.evaluate(_DRAW_ALL_WIDGETS_UNDO)
        else:
            self.page.screenshot(path=str(target))
        return target




def _new_session(browser: object, site_url: str, viewport: str, scheme: str) -> PageSession:
    context = browser.new_context(
        locale="ja-JP",
        viewport=VIEWPORTS[viewport],
        color_scheme=scheme,
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )
    context.add_init_script(_OPEN_SHADOW_ROOTS)
    return PageSession(context.new_page(), site_url)


@pytest.fixture
def open_session(browser: object, builder_url) -> Iterator[object]:
    """``open_session(viewport="phone", scheme="dark", builder="zensical")``: a fresh browser context per call."""
    sessions: list[PageSession] = []

    def make(viewport: str = "desktop", scheme: str = "light", builder: str = "mkdocs") -> PageSession:
        sessions.append(_new_session(browser, builder_url(builder), viewport, scheme))
        return sessions[-1]

    try:
        yield make
    finally:
        for made in sessions:
            made.page.context.close()


@pytest.fixture(scope="module")
def shared_page(browser: object, builder_url) -> Iterator[object]:
    """``shared_page(path, viewport, scheme, builder)``: one loaded page per module and key, for tests
    that only read it or open tabs of their own example (each VirtualService page load costs
    seconds). A test that checks what else changes (tab independence, remembered state) opens its
    own session.
    """
    opened: dict[tuple[str, str, str, str], PageSession] = {}

    def get(path: str, viewport: str = "desktop", scheme: str = "light", builder: str = "mkdocs") -> PageSession:
        key = (path, viewport, scheme, builder)
        if key not in opened:
            opened[key] = _new_session(browser, builder_url(builder), viewport, scheme)
            opened[key].open(path)
        return opened[key]

    try:
        yield get
    finally:
        for made in opened.values():
            made.page.context.close()


@pytest.fixture
def session(open_session) -> PageSession:
    return open_session()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
