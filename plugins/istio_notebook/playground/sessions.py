"""What the "試す" button of a page opens: for each check, the files and the command line that
ask `istio-notebook` the same question the check asks.

A page's scenario is its fixtures plus its scenario blocks in page order (examples/run.py builds
the same mesh): here they become two files, ``fixtures.yaml`` and ``example.yaml``, in that order
(input order stands for creation time). Route checks become ``route``, authorization checks
``authz``, with the check's context (``via`` → ``--gateway``, ``from`` → ``--from``, ``to`` and the
caller → authz options). The MkDocs hook writes one JSON file per page; the playground page
reads it when the reader clicks "試す".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from istio_notebook.examples.find import Page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.model import Check, CheckContext

FIXTURES_FILE = "fixtures.yaml"
EXAMPLE_FILE = "example.yaml"
FILES = [FIXTURES_FILE, EXAMPLE_FILE]


@dataclass(frozen=True)
class TryCheck:
    line: int  # the check's request line on the page
    title: str
    scenario: str
    command: str  # "route" | "authz"
    method: str
    url: str
    headers: list[str]
    options: list[str]  # context options: ["--gateway", "istio-system/gw"], ["--to", ...]

    def argv(self, files: dict[str, str]) -> list[str]:
        """The full command line over the scenario's non-empty files, as the playground runs it."""
        headers = [arg for h in self.headers for arg in ("-H", h)]
        return [self.command, *given(files), "--request", f"{self.method} {self.url}", *headers, *self.options, "--format", "json", "--lang", "ja"]


@dataclass
class PageSessions:
    page: str
    scenarios: dict[str, dict[str, str]] = field(default_factory=dict)  # scenario → {file name: text}
    checks: list[TryCheck] = field(default_factory=list)
    # Every YAML fence in page order (the order the site renders them): its line and, when it
    # joins a scenario, that scenario (None: expect=, fragment= and unchecked blocks).
    examples: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        checks = [{**asdict(c), "argv": c.argv(self.scenarios[c.scenario])} for c in self.checks]
        return {"page": self.page, "scenarios": self.scenarios, "checks": checks, "examples": self.examples}


def given(files: dict[str, str]) -> list[str]:
    """The file names worth passing, in FILES order (an empty file would only say "no YAML documents")."""
    return [name for name in FILES if files.get(name, "").strip()]


def _join(texts: list[str]) -> str:
    """YAML documents one after the other, each ending with a newline."""
    return "---\n".join(t if t.endswith("\n") else t + "\n" for t in texts if t.strip())


def _context_options(context: CheckContext, authz: bool) -> list[str]:
    if authz:
        options = ["--to", context.to or ""]
        if context.source_principal:
            options += ["--source-principal", context.source_principal]
        elif context.source_namespace:
            options += ["--source-namespace", context.source_namespace]
        if context.source_ip:
            options += ["--source-ip", context.source_ip]
        if context.mtls is False:
            options += ["--mtls", "off"]
        return options + [arg for key, value in context.claims.items() for arg in ("--claim", f"{key}={value}")]
    if context.via:
        return ["--gateway", context.via]
    return ["--from", context.from_] if context.from_ else []


def try_check(check: Check) -> TryCheck | None:
    """The check as a command line, or None when it cannot be asked (a syntax error in it)."""
    if check.request is None or check.diagnostics:
        return None
    authz = check.is_authz
    if authz and not check.context.to:
        return None
    request = check.request
    return TryCheck(
        line=check.line,
        title=check.title,
        scenario=check.scenario,
        command="authz" if authz else "route",
        method=request.method,
        url=request.url,
        headers=list(request.headers),
        options=_context_options(check.context, authz) + (["--sni", request.sni] if request.sni else [])
        + (["--alpn", request.alpn] if request.alpn is not None and request.tool == "openssl" else []),
    )


def page_sessions(page: Page, store: FixtureStore, name: str) -> PageSessions:
    """Every scenario's files and every askable check of ``page`` (``name``: its path in the site)."""
    sessions = PageSessions(name)
    for scenario in page.scenarios or [""]:
        fixtures = [store.path(n).read_text(encoding="utf-8") for n in page.fixtures_of(scenario) if store.path(n).is_file()]
        blocks = [e.body for e in page.examples if e.mode == "scenario" and e.scenario == scenario]
        sessions.scenarios[scenario] = {FIXTURES_FILE: _join(fixtures), EXAMPLE_FILE: _join(blocks)}
    for example in page.examples:
        joined = example.mode == "scenario" and example.scenario in sessions.scenarios
        sessions.examples.append({"line": example.line, "scenario": example.scenario if joined else None})
    for block in page.check_blocks:
        for check in block.checks:
            asked = try_check(check)
            if asked is not None and asked.scenario in sessions.scenarios:
                sessions.checks.append(asked)
    return sessions
