"""The parts of a request that the route it took looks at: its distinguishing inputs.

A check row says *why* a request went where it did ("end-user: jason なら reviews v2 へ"): the
request's own values for exactly the fields the deciding route's match tests. The match is the
route table's, fully normalised (routing/table.py: a missing uri is prefix "/", ``method`` and
``authority`` are the pseudo headers :method and :authority, withoutHeaders are inverted header
matches), so a catch-all route looks at nothing and gives no inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.routing.request import Request
from istio_notebook.routing.table import RouteMatch

PSEUDO_KINDS = {":method": "method", ":authority": "authority", ":scheme": "scheme", ":path": "path"}


@dataclass(frozen=True)
class RequestInput:
    """One input the route tested: ``kind`` path | method | authority | scheme | header | query;
    ``name`` the header or query parameter (empty for the others); ``value`` what the request
    carried (None: absent, which is what an inverted header match, withoutHeaders, can select on)."""

    kind: str
    name: str
    value: str | None


def looked_at(match: RouteMatch, request: Request) -> tuple[RequestInput, ...]:
    """The request's values for what ``match`` tests, in the order Envoy tests them (path, headers, query)."""
    found: list[RequestInput] = []
    if not match.path.matches_everything:
        found.append(RequestInput("path", "", request.path))  # Envoy matches the path without its query
    for header in match.headers:
        kind = PSEUDO_KINDS.get(header.name, "header")
        found.append(RequestInput(kind, "" if kind != "header" else header.name, request.header(header.name)))
    params = request.query_params()
    for query in match.query:
        found.append(RequestInput("query", query.name, params.get(query.name)))
    return tuple(found)
