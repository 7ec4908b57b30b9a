"""Who answers a check: the routing simulator ("sim") or real Envoy ("envoy").

Routing: both answer with a routing.outcome.RouteOutcome; authorization: the JSON of docs/reference/cli.md.
Imports are deferred so that discovery and rendering work
even where a backend is not installed, and a missing backend is one clear sentence.
"""

from __future__ import annotations

from istio_notebook.config import Mesh
from istio_notebook.config.labels import parse_workload
from istio_notebook.examples.model import Check, CheckContext

BACKENDS = ("sim", "envoy")


class BackendUnavailable(Exception):
    """The chosen backend cannot run here (not implemented yet, binary missing...)."""


def request_of(check: Check):
    """The check's request as a routing.Request."""
    from istio_notebook.routing import Request

    assert check.request is not None
    return Request.parse(check.request.request_line, list(check.request.headers), sni=check.request.sni,
                         alpn=check.request.alpn)


def proxy_of(context: CheckContext):
    """The proxy a routing check goes through: `via` a gateway, else a sidecar `from` a namespace."""
    from istio_notebook.routing import Proxy

    if context.via:
        return Proxy.parse_gateway(context.via)
    return Proxy.parse_from(context.from_ or "default")


def authz_parties(context: CheckContext):
    """(Workload, Source) of an authorization check: the target `to` and the caller's identity."""
    from istio_notebook.authz import Source, Workload

    namespace, labels = parse_workload(context.to or "", "to")
    source = Source(
        principal=context.source_principal,
        namespace=context.source_namespace,
        ip=context.source_ip,
        mtls=True if context.mtls is None else context.mtls,
        claims=dict(context.claims),
    )
    return Workload(namespace, labels), source


def route(mesh: Mesh, check: Check, backend: str = "sim"):
    """The check's routing outcome (a routing.outcome.RouteOutcome), from either engine."""
    request, proxy = request_of(check), proxy_of(check.context)
    if backend == "envoy":
        try:
            from istio_notebook.envoy import replay
        except ImportError as error:
            raise BackendUnavailable(f"the Envoy backend is not available ({error})") from None
        return replay.outcome(mesh, request, proxy)
    try:
        from istio_notebook.routing import route as simulate
    except ImportError as error:
        raise BackendUnavailable(f"the routing simulator is not available ({error})") from None
    return simulate(mesh, request, proxy)


def authorize(mesh: Mesh, check: Check, backend: str = "sim") -> dict:
    context = check.context
    if not context.to:
        raise ValueError("→ ALLOW / → DENY need a target workload: to=\"NS/k=v\" on the fence or @to in the check")
    try:
        to, source = authz_parties(context)
    except ImportError as error:
        raise BackendUnavailable(f"the authorization evaluator is not available ({error})") from None
    request = request_of(check)
    if backend == "envoy":
        try:
            from istio_notebook.envoy import replay
        except ImportError as error:
            raise BackendUnavailable(f"the Envoy backend is not available ({error})") from None
        return replay.authorize(mesh, request, to, source)
    from istio_notebook.authz import authorize as evaluate

    return evaluate(mesh, request, to, source).to_json()
