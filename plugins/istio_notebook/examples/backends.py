"""Who answers a check: the routing simulator ("sim") or real Envoy ("envoy").

Both answer in the DESIGN.md JSON; imports are deferred so that discovery and rendering work
even where a backend is not installed, and a missing backend is one clear sentence.
"""

from __future__ import annotations

from istio_notebook.config import Mesh
from istio_notebook.examples.model import Check, CheckContext

BACKENDS = ("sim", "envoy")


class BackendUnavailable(Exception):
    """The chosen backend cannot run here (not implemented yet, binary missing...)."""


def _labels(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in filter(None, text.split(",")))


def _request(check: Check):
    from istio_notebook.routing import Request

    assert check.request is not None
    return Request.parse(check.request.request_line, list(check.request.headers))


def _proxy(context: CheckContext):
    from istio_notebook.routing import Proxy

    if context.via:
        return Proxy.parse_gateway(context.via)
    return Proxy.parse_from(context.from_ or "default")


def route(mesh: Mesh, check: Check, backend: str = "sim") -> dict:
    request, proxy = _request(check), _proxy(check.context)
    if backend == "envoy":
        try:
            from istio_notebook.envoy import replay
        except ImportError as error:
            raise BackendUnavailable(f"the Envoy backend is not available ({error})") from None
        return replay.route(mesh, request, proxy)
    try:
        from istio_notebook.routing import route as simulate
    except ImportError as error:
        raise BackendUnavailable(f"the routing simulator is not available ({error})") from None
    return simulate(mesh, request, proxy).to_json()


def authorize(mesh: Mesh, check: Check, backend: str = "sim") -> dict:
    context = check.context
    if not context.to:
        raise ValueError("→ ALLOW / → DENY need a target workload: to=\"NS/k=v\" on the fence or @to in the check")
    try:
        from istio_notebook.authz import Source, Workload
    except ImportError as error:
        raise BackendUnavailable(f"the authorization evaluator is not available ({error})") from None
    namespace, _, labels = context.to.partition("/")
    to = Workload(namespace, _labels(labels))
    source = Source(
        principal=context.source_principal,
        namespace=context.source_namespace,
        ip=context.source_ip,
        mtls=True if context.mtls is None else context.mtls,
        claims=dict(context.claims),
    )
    request = _request(check)
    if backend == "envoy":
        try:
            from istio_notebook.envoy import replay
        except ImportError as error:
            raise BackendUnavailable(f"the Envoy backend is not available ({error})") from None
        return replay.authorize(mesh, request, to, source)
    from istio_notebook.authz import authorize as evaluate

    return evaluate(mesh, request, to, source).to_json()
