"""A CORS preflight that Envoy's CORS filter answered itself, read into the route outcome.

The CORS filter answers a preflight before the router (cors_filter.cc decodeHeaders →
encodeHeaders), so the answer carries none of the headers instrument.py adds on the route: no
route name, no response flags. The route it was on is learnt from the same request without
``Access-Control-Request-Method`` (then a plain CORS request, which the router takes and names);
the policy, from the access-control-* headers of the answer (see observe.cors_answer). Which
preflights the filter answers is routing/cors.py's rule; tests/gatewayapi/test_gatewayapi_cors.py
replays both kinds (an allowed origin, and one IGNOREd) on real Envoy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from istio_notebook.envoy.instrument import FLAGS_HEADER, ROUTE_HEADER
from istio_notebook.envoy.observe import Draft, cors_answer, cors_origins, route_fields
from istio_notebook.routing.cors import is_preflight
from istio_notebook.routing.outcome import DirectResponse

if TYPE_CHECKING:  # pragma: no cover
    from istio_notebook.envoy.replay import Scenario, _Exchange

_ASKED = "access-control-request-method"


def answered_by_cors_filter(x: _Exchange) -> bool:
    return is_preflight(x.request) and not x.route_name and FLAGS_HEADER not in x.response.headers


def read_answer(scenario: Scenario, x: _Exchange, draft: Draft) -> None:
    """Fill ``draft`` for a preflight the CORS filter answered: a 200 direct response on its route."""
    response = x.response
    body = response.body.decode("utf-8", "replace") or None
    draft.fields.update(action="direct_response", status=response.status, direct_response=DirectResponse(response.status, body))
    plain = replace(x.request, headers={k: v for k, v in x.request.headers.items() if k != _ASKED},
                    lines=tuple((k, v) for k, v in x.request.lines if k != _ASKED))
    _, routed = scenario._send(plain, x.listener)
    name = routed.headers.get(ROUTE_HEADER) or ""
    draft.trace.append("envoy: the CORS filter answered the preflight itself (no route headers); its route, from the same "
                       f"request without Access-Control-Request-Method: {name or 'none'}")
    table_route = scenario._table_route(name)
    if table_route is not None:
        draft.fields.update(route_fields(table_route))
    policy = scenario._envoy_routes.get(name, {}).get("typed_per_filter_config", {}).get("envoy.filters.http.cors")
    origin = x.request.headers.get("origin", "")
    if policy and response.headers.get("access-control-allow-origin") == origin:
        draft.fields["cors"] = cors_answer(cors_origins(policy), origin, response.headers)
