"""Response header operations as the client receives them from real Envoy.

A route's response ``set``, ``add`` and ``remove`` cannot be told apart on a response whose
upstream did not send the header: ``set`` and ``add`` both just add it, ``remove`` has nothing
to remove. So, when the route Envoy chose changes response headers, the replay sends the request
once more asking the echo upstream to answer with each of those headers set to
``from-upstream`` (echo.py ``x-echo-respond-with``), and reads what reached the client:

- the upstream's value replaced by the route's: ``set`` (append_action OVERWRITE_IF_EXISTS_OR_ADD);
- the upstream's value followed by the route's: ``add`` (APPEND_IF_EXISTS_OR_ADD);
- the header gone: ``remove``; the upstream's value alone: untouched.

istiod writes VirtualService ``headers.response`` (and Gateway API ResponseHeaderModifier,
converted to it) that way: pilot/pkg/networking/core/route/route.go TranslateHeadersOperations at
1.30.3; Envoy evaluates a header parser's removals before its additions (Envoy docs, "Custom
request/response headers"). The header names to probe come from the route as Envoy loaded it,
its own and those of every weighted cluster; on a weighted route the probe is sent again until
the cluster that served the request serves it (Envoy picks a weighted cluster per request).
"""

from __future__ import annotations

from istio_notebook.envoy.echo import (
    IDENTITY_HEADER,
    RESPOND_WITH_HEADER,
    UPSTREAM_VALUE,
)
from istio_notebook.envoy.instrument import CLUSTER_HEADER, DETAILS_HEADER
from istio_notebook.routing.outcome import HeaderChanges, HeaderOps
from istio_notebook.routing.server_header import SERVER

PROBE_TRIES = 40  # probes of a weighted route before giving up on the serving cluster (a 10% one: 1.5% miss)


def probed_names(envoy_route: dict) -> tuple[str, ...]:
    """Response header names the loaded route (or one of its weighted clusters) adds or removes;
    not ``server``, which the connection manager writes after the route (routing/server_header.py)."""
    parts = [envoy_route, *envoy_route.get("route", {}).get("weighted_clusters", {}).get("clusters", [])]
    names: dict[str, None] = {}
    for part in parts:
        for option in part.get("response_headers_to_add", []):
            names[option["header"]["key"].lower()] = None
        for name in part.get("response_headers_to_remove", []):
            names[name.lower()] = None
    names.pop(SERVER, None)
    return tuple(names)


def response_ops(names: tuple[str, ...], lines: tuple[tuple[str, str], ...]) -> HeaderOps | None:
    """The operations on ``names`` that a response whose upstream sent each of them shows."""
    set_: dict[str, str] = {}
    add: dict[str, str] = {}
    removed: list[str] = []
    for name in names:
        values = [v for n, v in lines if n == name]
        if not values:
            removed.append(name)
        elif values[0] == UPSTREAM_VALUE and len(values) > 1:
            add[name] = ", ".join(values[1:])
        elif values != [UPSTREAM_VALUE]:
            set_[name] = ", ".join(values)
    return HeaderOps.of(set_, add, removed) if set_ or add or removed else None


def with_probed_response(changes: HeaderChanges | None, names: tuple[str, ...],
                         lines: tuple[tuple[str, str], ...]) -> HeaderChanges | None:
    """``changes`` with the probed names' response operations read from the probe's ``lines``
    (other response headers the first answer showed, e.g. CORS ones, stay as they were)."""
    probed = response_ops(names, lines)
    first = changes.response if changes is not None else None
    others = tuple((k, v) for k, v in first.set if k not in names) if first is not None else ()
    kept = HeaderOps(others) if others else None
    response = kept.merged(probed) if kept and probed else (kept or probed)
    request = changes.request if changes is not None else None
    return HeaderChanges(request, response) if request or response else None


def observe(scenario, exchange, envoy_route: dict, draft) -> None:
    """Probe the response headers the chosen route changes; the outcome's ``headers.response``
    from the probe's answer, the names probed in ``envoy.response_probed`` (envoy/compare.py
    then compares set, add and remove apart). Not when the probe was not served upstream (a
    partial fault fired on it): the first answer's headers stay."""
    names = probed_names(envoy_route)
    if not names:
        return
    answer = None
    for _ in range(PROBE_TRIES):  # a weighted route: until the cluster that served the request serves the probe
        _, answer = scenario._send(exchange.request, exchange.listener, [(RESPOND_WITH_HEADER, ",".join(names))])
        if (answer.headers.get(CLUSTER_HEADER) or answer.headers.get(IDENTITY_HEADER)) == exchange.upstream_cluster:
            break
    if answer is None or answer.headers.get(DETAILS_HEADER) != "via_upstream":
        draft.trace.append("envoy: response headers not probed (the probe was not served upstream)")
        return
    if (answer.headers.get(CLUSTER_HEADER) or answer.headers.get(IDENTITY_HEADER)) != exchange.upstream_cluster:
        draft.trace.append(f"envoy: response headers not probed ({exchange.upstream_cluster} served none of {PROBE_TRIES} probes)")
        return
    draft.fields["headers"] = with_probed_response(draft.fields.get("headers"), names, answer.lines)
    draft.envoy["response_probed"] = list(names)
