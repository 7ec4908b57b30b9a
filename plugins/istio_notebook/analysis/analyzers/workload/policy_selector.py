"""IST0127: a policy's workload selector matches no workload.

As istioctl's ``auth.AuthorizationPoliciesAnalyzer`` (authz/authorizationpolicies.go) for
AuthorizationPolicy: in the root namespace (istio-system) a selector may match a pod of any
namespace; elsewhere it must match one of its own namespace; a policy without selector outside
the root namespace needs some pod in its namespace. The same selector rule is applied to
PeerAuthentication, RequestAuthentication (``selector.matchLabels``) and EnvoyFilter
(``workloadSelector.labels``), which istioctl does not check. Telemetry selectors are
``telemetry.SelectorAnalyzer``'s (IST0101, as istioctl). Judged only when the input holds
Pods or Deployments.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.config.labels import format_labels, label_map
from istio_notebook.config.mesh import ROOT_NAMESPACE
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="workload.PolicySelectorAnalyzer",
    description="Checks that policy workload selectors match a Pod or Deployment",
    inputs=(
        "AuthorizationPolicy",
        "PeerAuthentication",
        "RequestAuthentication",
        "EnvoyFilter",
        "Pod",
        "Deployment",
    ),
)

SELECTOR_PATHS = {
    "AuthorizationPolicy": ("spec", "selector", "matchLabels"),
    "PeerAuthentication": ("spec", "selector", "matchLabels"),
    "RequestAuthentication": ("spec", "selector", "matchLabels"),
    "EnvoyFilter": ("spec", "workloadSelector", "labels"),
}


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.workloads:
        return
    for kind, path in SELECTOR_PATHS.items():
        for policy in ctx.of_kind(kind):
            labels = label_map(policy.get(*path))
            scope = None if policy.namespace == ROOT_NAMESPACE else policy.namespace
            if labels:
                if not ctx.workloads.any_selected(labels, scope):
                    yield messages.no_matching_workloads(policy, path + (min(labels),), format_labels(labels))
            elif kind == "AuthorizationPolicy" and scope is not None and not ctx.workloads.in_namespace(scope):
                yield messages.no_matching_workloads(policy, ("metadata", "name"), "")
