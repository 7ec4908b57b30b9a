"""Running: YAML examples through the analyzers, checks through a backend, a page as a whole.

A page's scenarios are built once (fixtures + the scenario's blocks) and analysed together;
each diagnostic is given to the block whose lines hold it. Fixtures' own findings are not
repeated per page (they are reported once against the fixture file).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from istio_notebook.authz.inputs import rule_inputs
from istio_notebook.config import Mesh, Origin, Resource, load_text
from istio_notebook.config.confine import confined
from istio_notebook.diagnostics import Diagnostic, Level, Position, report
from istio_notebook.examples import backends
from istio_notebook.examples.coverage import Coverage, covered_by, route_units
from istio_notebook.examples.expectations import Observed, clause, evaluate
from istio_notebook.examples.find import Page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.model import (
    DEFAULT_SCENARIO,
    Check,
    CheckResult,
    ExampleResult,
    YamlExample,
)
from istio_notebook.examples.sentence import check_sentence
from istio_notebook.routing.inputs import built_in, looked_at

FAILING_LEVELS = (Level.ERROR, Level.WARNING)


def run_check(mesh: Mesh, check: Check, backend: str = "sim") -> CheckResult:
    """Ask the backend what happens to the check's request and compare with every expectation."""
    if check.diagnostics or check.request is None:
        return CheckResult(check, False, [d.message for d in check.diagnostics], {}, diagnostics=list(check.diagnostics))
    needs = {clause(e.clause).needs for e in check.expectations}
    routed = route_json = authz_json = None
    try:
        if "route" in needs:
            routed = backends.route(mesh, check, backend)
            route_json = routed.to_json()
        if "authz" in needs:
            authz_json = backends.authorize(mesh, check, backend)
    except backends.BackendUnavailable as error:
        return _not_runnable(check, str(error))
    except ImportError as error:  # the backend's package is not there yet
        return _not_runnable(check, f"{backend} backend is not available ({error})")
    except ValueError as error:  # RequestError and bad contexts are ValueErrors with a one-line message
        return _not_runnable(check, str(error))
    except Exception as error:  # noqa: BLE001 - a simulator bug must name the check, not crash the build
        return _not_runnable(check, f"{backend} backend failed: {type(error).__name__}: {error}")
    outcome = dict(route_json or {})
    if authz_json is not None:
        outcome = {**outcome, "authz": authz_json} if route_json is not None else dict(authz_json)
    observed = Observed(route=routed, authz=authz_json, request=check.request)
    differences: list[str] = []
    actual: dict[int, str] = {}
    failing: list[int] = []
    for expectation in check.expectations:
        holds, described = evaluate(expectation.clause, expectation.args, observed)
        actual[expectation.line] = described
        if not holds:
            failing.append(expectation.line)
            differences.append(f"expected {expectation.text}, got {described}{_where(route_json)}")
    diagnostics = [report("INB3020", Position(check.file, check.line), differences="; ".join(differences))] if differences else []
    return CheckResult(check, not differences, differences, outcome, actual=actual, failing=failing, diagnostics=diagnostics,
                       sentence=_sentence(mesh, check, routed, authz_json))


def _sentence(mesh: Mesh, check: Check, routed, authz_json: dict | None) -> str:
    """The outcome in Japanese, with what the deciding route looked at: the simulator's table route
    (the Envoy replay names the rule, not the route object: the simulator's is used when it took
    the same rule and match; otherwise the sentence names no inputs)."""
    request = backends.request_of(check)
    decided = getattr(routed, "route", None)
    if decided is None and routed is not None and routed.virtual_service and not request.is_connection:
        same = backends.route(mesh, check, "sim")
        where = (routed.virtual_service, routed.route_index, routed.match_index)
        decided = same.route if (same.virtual_service, same.route_index, same.match_index) == where else None
    proxy = backends.proxy_of(check.context) if decided is not None else None
    inputs = built_in(decided, proxy, request) + looked_at(decided.match, request) if decided is not None else None
    policy = authz_json.get("policy") if authz_json else None
    rule = authz_json.get("rule_index") if authz_json else None
    authz_inputs = rule_inputs(mesh, policy, rule, request, *backends.authz_parties(check.context)) if policy and rule is not None else ()
    vs_namespace = (routed.virtual_service or "").partition("/")[0] if routed is not None else ""
    client = vs_namespace or (check.context.from_ or check.context.via or "default").partition("/")[0]
    return check_sentence(routed, authz_json, inputs, client, request.scheme, request.sni, authz_inputs)


def _where(route_json: dict | None) -> str:
    if not route_json or not route_json.get("virtual_service"):
        return ""
    index = route_json.get("route_index")
    rule = f"rule {index} of " if index is not None else ""
    return f" ({rule}{route_json['virtual_service']})"


def _not_runnable(check: Check, reason: str) -> CheckResult:
    diagnostic = report("INB3021", Position(check.file, check.line), reason=reason)
    return CheckResult(check, False, [diagnostic.message], {}, diagnostics=[diagnostic])


# ---------------------------------------------------------------- scenarios


@dataclass
class BlockResources:
    example: YamlExample
    resources: list[Resource]
    load_diagnostics: list[Diagnostic]


@dataclass
class Scenario:
    name: str
    fixtures: list[str]
    blocks: list[BlockResources]
    mesh: Mesh
    diagnostics: dict[int, list[Diagnostic]] = field(default_factory=dict)  # example line → its diagnostics


def _load_block(example: YamlExample) -> BlockResources:
    origin = Origin(example.file, line_offset=example.body_line - 1, column_offset=example.indent)
    loaded = load_text(example.body, origin)
    return BlockResources(example, loaded.resources, loaded.diagnostics)


def _fixture_resources(names: list[str], store: FixtureStore) -> list[Resource]:
    resources: list[Resource] = []
    for name in names:
        fixture = store.get(name)
        if fixture is not None:
            resources.extend(fixture.loaded.resources)
    return resources


def _mesh(fixtures: list[Resource], blocks: list[BlockResources]) -> Mesh:
    """Fixtures first, then blocks in page order; input order stands for creation time."""
    everything = fixtures + [r for b in blocks for r in b.resources]
    return Mesh(replace(r, order=i) for i, r in enumerate(everything))


def _attribute(diagnostics: list[Diagnostic], blocks: list[BlockResources]) -> dict[int, list[Diagnostic]]:
    """Each diagnostic to the block whose lines hold it; others (fixture files) are dropped."""
    found: dict[int, list[Diagnostic]] = {b.example.line: list(b.load_diagnostics) for b in blocks}
    for d in diagnostics:
        for block in blocks:
            example = block.example
            if d.file == example.file and example.body_line <= d.line <= example.end_line:
                found[example.line].append(d)
                break
        else:
            owner = next((b for b in blocks if any(r.origin == d.origin for r in b.resources)), None)
            if owner is not None and d.file == owner.example.file:
                found[owner.example.line].append(d)
    return found


def build_scenario(name: str, fixtures: list[str], examples: list[YamlExample], store: FixtureStore) -> Scenario:
    return _scenario_of_blocks(name, fixtures, [_load_block(e) for e in examples], store)


def _scenario_of_blocks(name: str, fixtures: list[str], blocks: list[BlockResources], store: FixtureStore) -> Scenario:
    from istio_notebook.analysis import analyze

    mesh = _mesh(_fixture_resources(fixtures, store), blocks)
    scenario = Scenario(name, fixtures, blocks, mesh)
    scenario.diagnostics = _attribute(analyze(mesh), blocks)
    return scenario


# ---------------------------------------------------------------- pages


@dataclass
class PageReport:
    """Everything a page's rendering and tests need, keyed by the item's opening line."""

    page: Page
    examples: dict[int, ExampleResult] = field(default_factory=dict)
    checks: dict[int, CheckResult] = field(default_factory=dict)  # check line → result
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)  # front matter, fixtures, block options
    coverage: Coverage = field(default_factory=Coverage)

    def detached(self) -> "PageReport":
        """The report without its scenarios' meshes: small enough to cache and keep across rebuilds."""
        return replace(self, scenarios={})

    @property
    def failures(self) -> list[Diagnostic]:
        found = list(self.problems)
        for result in self.examples.values():
            found.extend(result.failures)
        for result in self.checks.values():
            found.extend(result.diagnostics)
        return sorted(found, key=lambda d: (d.line, d.column, d.code))

    @property
    def passed(self) -> bool:
        return not self.failures


def _page_problems(page: Page, store: FixtureStore) -> list[Diagnostic]:
    problems = list(page.problems)
    names = list(page.fixtures) + [n for names in page.scenario_fixtures.values() for n in names]
    for name in dict.fromkeys(names):
        if not confined(store.path(name), store.directory):
            problems.append(report("INB1018", Position(page.file, 1), what="fixture", name=name, root=store.display(store.directory)))
        elif store.get(name) is None:
            problems.append(report("INB3006", Position(page.file, 1), name=name, path=store.display(store.path(name))))
        elif findings := store.findings(name):
            detail = f"{findings[0]} (and {len(findings) - 1} more)" if len(findings) > 1 else str(findings[0])
            problems.append(report("INB3008", Position(page.file, 1), name=name, detail=detail))
    for block in page.check_blocks:
        problems.extend(block.problems)
    return problems


def _example_result(example: YamlExample, produced: list[Diagnostic]) -> ExampleResult:
    failing = [d for d in produced if d.level in FAILING_LEVELS]
    if example.problems:
        return ExampleResult(example, "error", produced, list(example.problems))
    if example.mode == "unchecked":
        return ExampleResult(example, "unchecked", [], [])
    if example.expect:
        codes = sorted({d.code for d in failing})
        if codes == sorted(set(example.expect)):
            return ExampleResult(example, "expected-error", produced, [])
        mismatch = report(
            "INB3005",
            Position(example.file, example.line, example.indent + 1),
            expected=", ".join(sorted(set(example.expect))),
            actual=", ".join(codes) or "none",
        )
        return ExampleResult(example, "error", produced, [mismatch] + failing)
    return ExampleResult(example, "error" if failing else "verified", produced, failing)


def run_page(page: Page, store: FixtureStore, backend: str = "sim") -> PageReport:
    """Check every example and run every check of a page."""
    result = PageReport(page, problems=_page_problems(page, store))
    by_scenario: dict[str, list[YamlExample]] = {}
    for example in page.examples:
        if example.mode == "scenario":
            by_scenario.setdefault(example.scenario, []).append(example)
    for name in page.scenarios or [DEFAULT_SCENARIO]:
        result.scenarios[name] = build_scenario(name, page.fixtures_of(name), by_scenario.get(name, []), store)
    for name in {b.scenario for b in page.check_blocks} - set(result.scenarios):
        result.scenarios[name] = build_scenario(name, page.fixtures_of(name), [], store)
    for example in page.examples:
        result.examples[example.line] = _run_example(example, result, store)
    for block in page.check_blocks:
        scenario = result.scenarios[block.scenario]
        for check in block.checks:
            result.checks[check.line] = run_check(scenario.mesh, check, backend)
    result.coverage = _coverage(result)
    return result


def _coverage(result: PageReport) -> Coverage:
    coverage = Coverage()
    for name, scenario in result.scenarios.items():
        units = route_units(r for b in scenario.blocks for r in b.resources)
        outcomes = [
            result.checks[c.line].outcome
            for block in result.page.check_blocks
            if block.scenario == name
            for c in block.checks
            if c.line in result.checks
        ]
        coverage.merge(Coverage(units, covered_by(units, outcomes)))
    return coverage


def _run_example(example: YamlExample, page_result: PageReport, store: FixtureStore) -> ExampleResult:
    page = page_result.page
    if example.mode == "unchecked" or example.problems:
        return _example_result(example, [])
    if example.mode == "scenario":
        produced = page_result.scenarios[example.scenario].diagnostics.get(example.line, [])
        return _example_result(example, produced)
    if example.mode == "fragment":
        if example.fragment is None:
            return _example_result(example, [])
        origin = Origin(example.file, line_offset=example.body_line - 1, column_offset=example.indent)
        label = f"fragment {example.fragment.text}"
        from istio_notebook.examples.fragments import check_fragment  # loads the typed models: only when needed

        return _example_result(example, check_fragment(example.body, origin, example.fragment, label))
    # expect: standalone with the page's fixtures; with scenario="x" also with that scenario's blocks as context.
    context = page_result.scenarios.get(example.scenario) if "scenario" in example.options else None
    fixtures = page.fixtures_of(example.scenario) if context else list(page.fixtures)
    # The context's blocks are already loaded (_mesh copies their resources, so sharing is safe).
    blocks = (list(context.blocks) if context else []) + [_load_block(example)]
    alone = _scenario_of_blocks(f"expect@{example.line}", fixtures, blocks, store)
    return _example_result(example, alone.diagnostics.get(example.line, []))
