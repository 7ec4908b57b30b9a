"""The parts of a request that the route it took looks at: its distinguishing inputs.

A check row says *why* a request went where it did ("end-user: jason なら reviews v2 へ"): the
request's own values for exactly the fields the deciding route's match tests. The match is the
route table's, fully normalised (routing/table.py: a missing uri is prefix "/", ``method`` and
``authority`` are the pseudo headers :method and :authority, withoutHeaders are inverted header
matches), so a catch-all route looks at nothing and gives no inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.gatewayapi import gateway_semantics
from istio_notebook.routing.proxy import Proxy
from istio_notebook.routing.request import Request
from istio_notebook.routing.table import Route, RouteMatch

PSEUDO_KINDS = {":method": "method", ":authority": "authority", ":scheme": "scheme", ":path": "path"}


@dataclass(frozen=True)
class RequestInput:
    """One input the route tested: ``kind`` path | method | authority | scheme | header | query, or
    one istiod applied when it built the proxy's table (routing/match_filters.py): label | namespace |
    port | gateway (on the authorization side also principal | ip, authz/inputs.py);
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


def built_in(route: Route, proxy: Proxy, request: Request) -> tuple[RequestInput, ...]:
    """What the route's HTTPMatchRequest asked of the client itself, which istiod settles when it
    builds the proxy's table (sourceLabels, sourceNamespace, port, gateways: a route that survived
    them looks at nothing more at request time), with this client's values."""
    origin = route.origin
    source = origin.source
    # Routes converted from Gateway API carry istiod's own port matches (their parentRefs), not the reader's.
    if source is None or origin.delegate or origin.rule_index is None or origin.match_index is None or gateway_semantics(source):
        return ()
    match = source.get("spec", "http", origin.rule_index, "match", origin.match_index)
    if not isinstance(match, dict):
        return ()
    found: list[RequestInput] = []
    labels = match.get("sourceLabels")
    for key in labels if isinstance(labels, dict) else ():
        found.append(RequestInput("label", str(key), proxy.labels.get(str(key))))
    if "sourceNamespace" in match:
        found.append(RequestInput("namespace", "", proxy.namespace))
    if "gateways" in match and proxy.kind == "gateway":
        found.append(RequestInput("gateway", "", f"{proxy.namespace}/{proxy.name}"))
    if "port" in match:
        found.append(RequestInput("port", "", str(request.port)))
    return tuple(found)
