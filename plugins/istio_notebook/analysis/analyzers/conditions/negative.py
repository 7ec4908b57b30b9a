"""IST0171: a resource from a cluster dump carries a negative status condition.

As istioctl's ``conditions.ConditionAnalyzer`` (pkg/config/analysis/analyzers/conditions/
conditions.go, tag 1.30.3): in ``status.conditions`` (Gateway API routes: every
``status.parents[].conditions``) a condition whose type is one of those below with status
``"False"`` is reported, as is an AuthorizationPolicy's ``WaypointAccepted`` with reason
``PartiallyInvalid`` whatever its status. Files written by hand have no status; this matters for
``kubectl get -o yaml`` dumps and ``--cluster`` input. We point at the condition.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_str, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.config.kinds import GATEWAY_API, GroupKind
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="conditions.ConditionAnalyzer",
    description="Checks for negative status conditions on resources",
    inputs=("Service", "ServiceEntry", "WorkloadEntry", "AuthorizationPolicy", "Gateway.gateway.networking.k8s.io", "HTTPRoute", "GRPCRoute"),
)

WAYPOINT_BOUND = ("istio.io/WaypointBound",)
ROUTE_CONDITIONS = ("Accepted", "Programmed", "ResolvedRefs")
# kind → the condition types reported when their status is "False"
NEGATIVE: dict[str | GroupKind, tuple[str, ...]] = {
    "Service": WAYPOINT_BOUND,
    "ServiceEntry": WAYPOINT_BOUND,
    "WorkloadEntry": WAYPOINT_BOUND,
    "AuthorizationPolicy": ("ZtunnelAccepted", "WaypointAccepted"),
    GroupKind(GATEWAY_API, "Gateway"): ROUTE_CONDITIONS,
    GroupKind(GATEWAY_API, "HTTPRoute"): ROUTE_CONDITIONS,
    GroupKind(GATEWAY_API, "GRPCRoute"): ROUTE_CONDITIONS,
}
ROUTES = ("HTTPRoute", "GRPCRoute")


def conditions(resource: Resource) -> Iterator[tuple[tuple, dict]]:
    """(field path, condition) for each condition in the resource's status."""
    if resource.group == GATEWAY_API and resource.kind in ROUTES:
        for p, parent in enumerate_dicts(resource.get("status", "parents")):
            for c, condition in enumerate_dicts(parent.get("conditions")):
                yield ("status", "parents", p, "conditions", c), condition
        return
    for c, condition in enumerate_dicts(resource.get("status", "conditions")):
        yield ("status", "conditions", c), condition


def _negative(resource: Resource, types: tuple[str, ...], condition: dict) -> bool:
    kind = as_str(condition.get("type"))
    if kind in types and condition.get("status") == "False":
        return True
    return resource.kind == "AuthorizationPolicy" and kind == "WaypointAccepted" and condition.get("reason") == "PartiallyInvalid"


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for kind, types in NEGATIVE.items():
        for resource in ctx.of_kind(kind):
            for path, condition in conditions(resource):
                if _negative(resource, types, condition):
                    yield messages.negative_condition_status(
                        resource, path, as_str(condition.get("type")), as_str(condition.get("reason")), as_str(condition.get("message"))
                    )
