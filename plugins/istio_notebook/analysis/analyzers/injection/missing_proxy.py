"""IST0103: a Pod of an injected namespace runs without the istio-proxy container.

As istioctl's ``injection.Analyzer`` (injection/injection.go at 1.30.3) for Pods: a namespace
counts as injected only with ``istio-injection=enabled`` (not ``istio-system``, not
``istio.io/dataplane-mode=ambient``; a namespace enrolled by ``istio.io/rev`` alone does not
count there); a Pod in it that does not opt out (``sidecar.istio.io/inject`` label, else
annotation, equal to ``false`` in any case) and is not ``hostNetwork`` must have a container or
init container named ``istio-proxy`` (a native sidecar is an init container).

istioctl sees Pods as they run; a file holds a Pod as written, before the injector adds the
proxy, where the check means nothing. So only Pods dumped from a cluster are judged: those with a
``status`` (``kubectl get pods -o yaml``), where a missing proxy means the Pod started before
injection was enabled, or the webhook did not reach it.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.injection.namespace_labels import DATAPLANE_MODE, INJECTION, SYSTEM_NAMESPACE
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="injection.PodMissingProxyAnalyzer",
    description="Checks that running Pods of injected namespaces have the istio-proxy container",
    inputs=("Namespace", "Pod"),
)

PROXY_CONTAINER = "istio-proxy"
INJECT = "sidecar.istio.io/inject"


def injected_namespaces(ctx: Context) -> set[str]:
    return {
        ns.name
        for ns in ctx.of_kind("Namespace")
        if ns.name != SYSTEM_NAMESPACE and ns.labels.get(DATAPLANE_MODE) != "ambient" and ns.labels.get(INJECTION) == "enabled"
    }


def _opted_out(pod: Resource) -> bool:
    value = pod.labels.get(INJECT, pod.annotations.get(INJECT, ""))
    return isinstance(value, str) and value.lower() == "false"


def _has_proxy(pod: Resource) -> bool:
    containers = [c for field in ("containers", "initContainers") for _, c in enumerate_dicts(pod.get("spec", field))]
    return any(c.get("name") == PROXY_CONTAINER for c in containers)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    namespaces = injected_namespaces(ctx)
    if not namespaces:
        return
    for pod in ctx.of_kind("Pod"):
        if pod.namespace not in namespaces or not as_dict(pod.get("status")):
            continue
        if _opted_out(pod) or pod.get("spec", "hostNetwork") is True or _has_proxy(pod):
            continue
        yield messages.pod_missing_proxy(pod, (), pod.key)
