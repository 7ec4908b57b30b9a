"""INB6001–INB6011: the status conditions istiod would set to False on Gateway API routes and Gateways.

istiod reports what is wrong with a Gateway API resource in its ``status`` (Accepted,
ResolvedRefs, Programmed with the spec's reason names), not through ``istioctl analyze``. The
front-end (``gatewayapi``) computes them while it converts, as pilot/pkg/config/kube/gateway
does (conditions.go createRouteStatus, conversion.go referenceAllowed / buildDestination /
buildListener); this analyzer turns each into one diagnostic at the field it is about.

Flagged: a parentRef that attaches nowhere (NoMatchingParent, NotAllowedByListeners,
NoMatchingListenerHostname), backendRefs that do not resolve (BackendNotFound, RefNotPermitted,
InvalidKind, InvalidDestination), unsupported filters (InvalidFilter), listeners with an
unsupported protocol, a certificateRef without ReferenceGrant, or route kinds they cannot serve.
Not flagged: the happy conditions (Accepted=True ...), Programmed on Gateways (it depends on the
cluster: addresses, a deployed Service).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.diagnostics import Diagnostic, report
from istio_notebook.gatewayapi import conversion_of

METADATA = Metadata(
    name="gatewayapi.StatusConditions",
    description="Reports the status conditions istiod would set to False on Gateway API routes and Gateways",
    inputs=("Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "ReferenceGrant", "Service"),
)

ROUTE_CODES = {
    "NoMatchingParent": "INB6001",
    "NotAllowedByListeners": "INB6002",
    "NoMatchingListenerHostname": "INB6003",
    "BackendNotFound": "INB6004",
    "RefNotPermitted": "INB6005",
    "InvalidKind": "INB6006",
    "InvalidFilter": "INB6007",
    "InvalidDestination": "INB6008",
}
LISTENER_CODES = {"UnsupportedProtocol": "INB6009", "RefNotPermitted": "INB6010", "InvalidRouteKinds": "INB6011"}


def code_of(kind: str, reason: str) -> str | None:
    return (LISTENER_CODES if kind == "Gateway" else ROUTE_CODES).get(reason)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for problem in conversion_of(ctx.mesh).problems:
        code = code_of(problem.resource.kind, problem.reason)
        if code is None:
            continue
        yield report(
            code,
            problem.resource.locate(*problem.path),
            problem.resource.origin,
            condition=problem.condition,
            reason=problem.reason,
            message=problem.message,
        )
