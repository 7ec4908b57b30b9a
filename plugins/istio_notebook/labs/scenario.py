"""A lab as the checking machinery sees it: one mesh (fixtures + manifests) and its checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from istio_notebook.config import Mesh, Resource, load_paths
from istio_notebook.diagnostics import Diagnostic, Level, Position, report
from istio_notebook.examples.find import find_examples
from istio_notebook.examples.model import Check, CheckBlock
from istio_notebook.labs.catalog import Lab


@dataclass
class LabScenario:
    lab: Lab
    fixtures: list[Resource]
    manifests: list[Resource]
    checks: list[Check]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @cached_property
    def mesh(self) -> Mesh:
        """Fixtures then manifests (input order stands for creation time); built once, and the one analysed."""
        return Mesh(self.fixtures + self.manifests)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level in (Level.ERROR, Level.WARNING)]


def read_checks(path: Path) -> tuple[list[Check], list[Diagnostic]]:
    """The checks of every ```check fence in ``path``, with their syntax diagnostics."""
    text = path.read_text(encoding="utf-8")
    checks: list[Check] = []
    problems: list[Diagnostic] = []
    for item in find_examples(text, str(path)):
        if isinstance(item, CheckBlock):
            problems.extend(item.problems)
            for check in item.checks:
                problems.extend(check.diagnostics)
                checks.append(check)
    if not checks and not problems:
        problems.append(report("INB4003", Position(str(path)), file=str(path)))
    return checks, problems


def load_scenario(lab: Lab, fixtures_dir: Path) -> LabScenario:
    """Fixtures then manifests, loaded in that order (input order stands for creation time),
    analysed together as a docs page's scenario is; the manifests' findings stop the lab."""
    from istio_notebook.analysis import analyze

    fixture_files = lab.fixture_files(fixtures_dir)
    loaded = load_paths([*fixture_files, *lab.manifests])
    fixture_names = {str(path) for path in fixture_files}
    fixtures = [r for r in loaded.resources if r.file in fixture_names]
    manifests = [r for r in loaded.resources if r.file not in fixture_names]
    checks, problems = read_checks(lab.checks_file)
    manifest_names = {str(path) for path in lab.manifests}
    scenario = LabScenario(lab=lab, fixtures=fixtures, manifests=manifests, checks=checks)
    findings = [
        d for d in analyze(scenario.mesh)
        if d.file in manifest_names and d.level in (Level.ERROR, Level.WARNING)
    ]
    scenario.diagnostics = loaded.diagnostics + findings + problems
    return scenario
