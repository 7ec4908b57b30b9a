"""Route coverage, as Envoy's route table check tool reports it: which VirtualService HTTP rules
and match blocks of a page no check exercises.

A unit is one match block of one HTTP rule (a rule without ``match`` is one unit); a check covers
the unit its outcome names (``virtual_service``, ``route_index``, ``match_index``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class RouteUnit:
    file: str
    line: int
    virtual_service: str  # "namespace/name"
    rule: int
    match: int | None  # None: the rule has no match blocks (matches everything)
    # A rule that delegates: covered when a request reaches the delegate VirtualService ("ns/name").
    # The outcome names only the delegate, so every such rule of one root counts as exercised together.
    delegate: str | None = None

    @property
    def what(self) -> str:
        return f"rule {self.rule}" + (f" match {self.match}" if self.match is not None else "")

    def __str__(self) -> str:
        return f"{self.what} of {self.virtual_service} ({self.file}:{self.line})"


@dataclass
class Coverage:
    units: list[RouteUnit] = field(default_factory=list)
    covered: set[RouteUnit] = field(default_factory=set)

    @property
    def uncovered(self) -> list[RouteUnit]:
        return sorted(u for u in self.units if u not in self.covered)

    @property
    def percent(self) -> float:
        return 100.0 if not self.units else 100.0 * len(self.covered & set(self.units)) / len(self.units)

    def merge(self, other: "Coverage") -> None:
        self.units.extend(other.units)
        self.covered |= other.covered

    @classmethod
    def total(cls, parts: Iterable["Coverage"]) -> "Coverage":
        result = cls()
        for part in parts:
            result.merge(part)
        return result


def route_units(resources: Iterable) -> list[RouteUnit]:
    """The HTTP match blocks of the VirtualServices among ``resources``."""
    units: list[RouteUnit] = []
    for resource in resources:
        if resource.kind != "VirtualService":
            continue
        rules = resource.get("spec", "http")
        if not isinstance(rules, list):
            continue
        for i, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            delegate = _delegate(rule, resource.namespace)
            matches = rule.get("match")
            if not isinstance(matches, list) or not matches:
                position = resource.locate("spec", "http", i)
                units.append(RouteUnit(position.file, position.line, resource.key, i, None, delegate))
                continue
            for j in range(len(matches)):
                position = resource.locate("spec", "http", i, "match", j)
                units.append(RouteUnit(position.file, position.line, resource.key, i, j, delegate))
    return units


def _delegate(rule: dict, namespace: str) -> str | None:
    delegate = rule.get("delegate")
    if not isinstance(delegate, dict) or not delegate.get("name"):
        return None
    return f"{delegate.get('namespace') or namespace}/{delegate['name']}"


def covered_by(units: list[RouteUnit], outcomes: Iterable[dict]) -> set[RouteUnit]:
    hits = set()
    for outcome in outcomes:
        vs, rule, match = outcome.get("virtual_service"), outcome.get("route_index"), outcome.get("match_index")
        if vs is None or rule is None:
            continue
        for unit in units:
            if unit.delegate is not None and unit.delegate == vs:
                hits.add(unit)
            elif unit.virtual_service == vs and unit.rule == rule and (unit.match is None or unit.match == match):
                hits.add(unit)
    return hits
