"""What an expectation clause reads (the backend's outcome, the authz decision, the request) and the clause type.

The clauses themselves: examples/clauses_destination.py (where the request goes, status, actions,
rewrites), examples/clauses_details.py (fault, timeout, retries, mirror, headers, policy) and
examples/expectations.py (authz, matched rule, waypoint; the registry of all clauses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from istio_notebook.config.percent import percent_value
from istio_notebook.examples.model import Request
from istio_notebook.routing.outcome import (
    RouteOutcome,
    Upstream,
)


@dataclass(frozen=True)
class Observed:
    """What a check can look at: the routing outcome, the authz decision, the request itself."""

    route: RouteOutcome | None
    authz: dict | None
    request: Request


Verdict = tuple[bool, str]  # (holds, what actually holds in clause syntax)


@dataclass(frozen=True)
class Clause:
    name: str
    keyword: str | None  # first word that selects it; None for the destination fallback
    syntax: str  # for the reference page
    meaning: str  # Japanese, for the reference page
    parse: Callable[[list[str], str], dict]
    check: Callable[[dict, Observed], Verdict]
    needs: str = "route"  # "route" or "authz": which outcome the clause reads


NOTHING = RouteOutcome(None)


def route_of(obs: Observed) -> RouteOutcome:
    return obs.route or NOTHING


def live_destinations(route: RouteOutcome) -> list[Upstream]:
    dests = route.destinations
    return [d for d in dests if (percent_value(d.weight, 100.0) or 0) > 0] or list(dests)


def suffix_words(words: list[str]) -> dict[str, str]:
    """``on=5xx,connect-failure`` style key=value words at the end of a clause."""
    return dict(w.split("=", 1) for w in words if "=" in w)
