"""IST0144: an application Pod or Deployment runs as UID 1337, the sidecar proxy's user.

As istioctl's ``applicationUID.Analyzer`` (pkg/config/analysis/analyzers/deployment/pod.go, tag
1.30.3): the pod-level ``securityContext.runAsUser`` and each container's (except containers
named ``istio-proxy`` or ``istio-operator``) are checked for 1337; Istio's iptables rules exempt
that UID's traffic from redirection, so such an application bypasses the sidecar. Resources
labelled ``istio`` (any value) or ``release=istio`` are the control plane and skipped. istioctl
reports at the resource; we point at each ``runAsUser`` field that says 1337.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="applicationUID.Analyzer",
    description="Checks invalid application UID",
    inputs=("Pod", "Deployment"),
)

PROXY_UID = 1337
EXEMPT_CONTAINERS = ("istio-proxy", "istio-operator")


def is_control_plane(resource: Resource) -> bool:
    """istioctl's ``util.IsIstioControlPlane``: an ``istio`` label, or ``release=istio``."""
    return "istio" in resource.labels or resource.labels.get("release") == "istio"


def _uid_fields(resource: Resource, spec_path: tuple) -> Iterator[tuple]:
    spec = as_dict(resource.get(*spec_path))
    if as_dict(spec.get("securityContext")).get("runAsUser") == PROXY_UID:
        yield spec_path + ("securityContext", "runAsUser")
    for index, container in enumerate_dicts(spec.get("containers")):
        if container.get("name") in EXEMPT_CONTAINERS:
            continue
        if as_dict(container.get("securityContext")).get("runAsUser") == PROXY_UID:
            yield spec_path + ("containers", index, "securityContext", "runAsUser")


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for kind, spec_path in (("Pod", ("spec",)), ("Deployment", ("spec", "template", "spec"))):
        for resource in ctx.of_kind(kind):
            if is_control_plane(resource):
                continue
            for path in _uid_fields(resource, spec_path):
                yield messages.invalid_application_uid(resource, path)
