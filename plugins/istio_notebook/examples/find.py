"""Discovery: the YAML examples and check fences of a Markdown page, and the page's scenarios.

``find_examples(text, file)`` reads fences only (no YAML parsing, no running); ``read_page``
adds the front matter (fixtures, scenarios). Option errors become diagnostics on the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from istio_notebook.config import Origin
from istio_notebook.config.yaml_reader import read_documents
from istio_notebook.config.kinds import MODELLED
from istio_notebook.config.markdown import Fence, iter_fences
from istio_notebook.config.source import read_text
from istio_notebook.diagnostics import Diagnostic, Position, report
from istio_notebook.diagnostics.catalogue import CATALOGUE
from istio_notebook.examples.checks import context_from_options, parse_checks
from istio_notebook.examples.model import DEFAULT_SCENARIO, CheckBlock, CheckContext, FragmentTarget, YamlExample
from istio_notebook.examples.options import parse_info

YAML_LANGUAGES = ("yaml", "yml")
CHECK_LANGUAGE = "check"
_MODES = ("expect", "fragment", "unchecked")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\[\])?$")


@dataclass
class Page:
    """A Markdown page: its examples and checks, its fixtures and scenarios."""

    file: str
    items: list[YamlExample | CheckBlock]
    fixtures: list[str] = field(default_factory=list)  # page-wide fixture names
    scenario_fixtures: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)  # front matter problems

    @property
    def examples(self) -> list[YamlExample]:
        return [i for i in self.items if isinstance(i, YamlExample)]

    @property
    def check_blocks(self) -> list[CheckBlock]:
        return [i for i in self.items if isinstance(i, CheckBlock)]

    @property
    def scenarios(self) -> list[str]:
        """Scenario names in first-use order (the default scenario first when used)."""
        names: list[str] = []
        for item in self.items:
            if isinstance(item, YamlExample) and item.mode == "scenario" and item.scenario not in names:
                names.append(item.scenario)
        for name in self.scenario_fixtures:
            if name not in names:
                names.append(name)
        return names

    def fixtures_of(self, scenario: str) -> list[str]:
        extra = self.scenario_fixtures.get(scenario, [])
        return self.fixtures + [n for n in extra if n not in self.fixtures]

    def __str__(self) -> str:
        return self.file


def parse_fragment_target(value: str) -> FragmentTarget:
    """``"VirtualService:spec.http[]"`` → FragmentTarget; ValueError says what is wrong."""
    kind, sep, path = value.partition(":")
    kinds = {info.kind for info in MODELLED}
    if not sep or not kind or not path:
        raise ValueError("write Kind:field.path, e.g. VirtualService:spec.http[]")
    if kind not in kinds:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(sorted(kinds))})")
    steps: list[str | int] = []
    for segment in path.split("."):
        match = _SEGMENT.match(segment)
        if not match:
            raise ValueError(f"bad path segment {segment!r} (fields separated by '.', '[]' for one list item)")
        steps.append(match[1])
        if match[2]:
            steps.append(0)
    return FragmentTarget(kind=kind, path=tuple(steps), text=value)


def _fence_fields(fence: Fence, file: str, options: dict[str, str]) -> dict:
    """What YamlExample and CheckBlock both record about their fence."""
    return {
        "file": file,
        "line": fence.start_line,
        "body": fence.body,
        "body_line": fence.body_line,
        "indent": fence.indent,
        "options": options,
        "scenario": options.get("scenario", DEFAULT_SCENARIO),
    }


def _yaml_example(fence: Fence, file: str, options: dict[str, str]) -> YamlExample:
    example = YamlExample(**_fence_fields(fence, file, options))
    at = Position(file, fence.start_line, fence.indent + 1)
    modes = [m for m in _MODES if m in options]
    if len(modes) > 1 and set(modes) != {"expect", "fragment"}:
        example.problems.append(report("INB3001", at, first=modes[0], second=modes[1]))
    if "unchecked" in modes and "scenario" in options:
        example.problems.append(report("INB3001", at, first="unchecked", second="scenario"))
    if "fragment" in modes and "scenario" in options:
        example.problems.append(report("INB3001", at, first="fragment", second="scenario"))
    if "unchecked" in options:
        example.mode = "unchecked"
        example.reason = options["unchecked"].strip()
        if not example.reason:
            example.problems.append(report("INB3003", at))
        return example
    if "fragment" in options:
        example.mode = "fragment"
        try:
            example.fragment = parse_fragment_target(options["fragment"])
        except ValueError as error:
            example.problems.append(report("INB3002", at, value=options["fragment"], detail=str(error)))
    if "expect" in options:
        example.mode = "expect" if example.mode != "fragment" else "fragment"
        codes = tuple(c.strip() for c in options["expect"].split(",") if c.strip())
        unknown = [c for c in codes if c not in CATALOGUE]
        if not codes:
            example.problems.append(report("INB3004", at, value=options["expect"], detail="no code listed"))
        elif unknown:
            example.problems.append(report("INB3004", at, value=options["expect"], detail=f"unknown code {', '.join(unknown)}"))
        example.expect = codes
    return example


def _check_block(fence: Fence, file: str, options: dict[str, str]) -> CheckBlock:
    at = Position(file, fence.start_line, fence.indent + 1)
    problems: list[Diagnostic] = []
    try:
        context = context_from_options(options)
    except ValueError as error:
        problems.append(report("INB3013", at, text=fence.info, detail=str(error)))
        context = CheckContext()
    fields = _fence_fields(fence, file, options)
    origin = Origin(file, line_offset=fence.body_line - 1, column_offset=fence.indent)
    checks = parse_checks(fence.body, origin, context=context, scenario=fields["scenario"])
    return CheckBlock(**fields, checks=checks, problems=problems)


def find_examples(text: str, file: str) -> list[YamlExample | CheckBlock]:
    """Every top-level ```yaml and ```check fence of a Markdown text, in page order.

    Fences nested inside another fence (e.g. a ````markdown block that shows the syntax) are
    text, not examples.
    """
    items: list[YamlExample | CheckBlock] = []
    for fence in iter_fences(text):
        language, options = parse_info(fence.info)
        if language in YAML_LANGUAGES:
            item: YamlExample | CheckBlock = _yaml_example(fence, file, options)
        elif language == CHECK_LANGUAGE:
            item = _check_block(fence, file, options)
        else:
            continue
        if not fence.closed:
            # Nothing is skipped silently: a fence running to the end of the page is reported.
            item.problems.append(report("INB3009", Position(file, fence.start_line), language=language))
        items.append(item)
    return items


def front_matter(text: str, file: str) -> tuple[dict, list[Diagnostic]]:
    """The page's front matter, read by the project's safe YAML reader (alias bombs, huge numbers,
    tags and duplicate keys refused as in any YAML input); a problem is INB3007 at its line."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, []
    documents, problems = read_documents(match[1], Origin(file, line_offset=1))
    problems += [p for doc in documents for p in doc.diagnostics]
    if problems:
        first = problems[0]
        return {}, [report("INB3007", Position(file, first.line, first.column), detail=first.message)]
    data = documents[0].data if documents else None
    return (data if isinstance(data, dict) else {}), []


def _names(value: object, where: str, file: str, problems: list[Diagnostic]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(report("INB3007", Position(file, 1), detail=f"{where} must be a list of fixture names"))
        return []
    return list(value)


def read_page(text: str, file: str) -> Page:
    """Discovery plus front matter: the page's items, fixtures and scenarios."""
    meta, problems = front_matter(text, file)
    page = Page(file=file, items=find_examples(text, file), problems=problems)
    page.fixtures = _names(meta.get("fixtures"), "fixtures", file, page.problems)
    scenarios = meta.get("scenarios") or {}
    if not isinstance(scenarios, dict):
        page.problems.append(report("INB3007", Position(file, 1), detail="scenarios must map names to {fixtures: [...]}"))
        scenarios = {}
    for name, spec in scenarios.items():
        fixtures = spec.get("fixtures") if isinstance(spec, dict) else None
        page.scenario_fixtures[str(name)] = _names(fixtures, f"scenarios.{name}.fixtures", file, page.problems)
    known = set(page.scenarios) | {DEFAULT_SCENARIO}
    for item in page.items:
        wanted = item.scenario if isinstance(item, CheckBlock) or item.mode == "expect" else None
        if wanted is not None and wanted not in known:
            item.problems.append(report("INB3015", Position(file, item.line, item.indent + 1), name=wanted))
    return page


def read_page_file(path: str | Path, display: str | None = None) -> Page:
    path = Path(path)
    text, problems = read_text(path)
    if text is None:
        page = read_page("", display or str(path))
        page.problems.extend(problems)
        return page
    return read_page(text, display or str(path))
