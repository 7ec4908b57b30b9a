"""IST0166: a policy's ``selector`` picks the pods of a Gateway API gateway, where it has no effect.

As istioctl's ``k8sgateway.SelectorAnalyzer`` (pkg/config/analysis/analyzers/k8sgateway/workloadselector.go,
testdata/k8sgateway-selector.yaml): an AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin
without ``targetRef(s)`` whose ``selector.matchLabels`` are all on a pod labelled
``gateway.networking.k8s.io/gateway-name`` is reported; such gateways take policies through
``targetRefs``. istioctl looks at the Pods of the cluster; files seldom hold the pods istiod
deploys, so each Istio-managed Gateway API Gateway of the input also stands for its pods (labelled
``gateway.networking.k8s.io/gateway-name: <name>`` in its namespace, as istiod's deployment
template labels them).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.diagnostics import Diagnostic
from istio_notebook.gatewayapi.listeners import ISTIO_CONTROLLERS, controller_of
from istio_notebook.gatewayapi.model import GATEWAY_NAME_LABEL, of_kind

METADATA = Metadata(
    name="gatewayapi.IneffectiveSelector",
    description="Checks that policy selectors are not aimed at the pods of Gateway API gateways",
    inputs=("AuthorizationPolicy", "RequestAuthentication", "Telemetry", "WasmPlugin", "Pod", "Gateway"),
)
POLICY_KINDS = ("AuthorizationPolicy", "RequestAuthentication", "Telemetry", "WasmPlugin")


def _gateway_pods(ctx: Context) -> dict[str, list[dict[str, str]]]:
    pods: dict[str, list[dict[str, str]]] = {}
    for pod in ctx.of_kind("Pod"):
        if GATEWAY_NAME_LABEL in pod.labels:
            pods.setdefault(pod.namespace, []).append(pod.labels)
    for gateway in of_kind(ctx.mesh, "Gateway"):
        if controller_of(ctx.mesh, gateway) in ISTIO_CONTROLLERS:
            pods.setdefault(gateway.namespace, []).append({GATEWAY_NAME_LABEL: gateway.name})
    return pods


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    pods = _gateway_pods(ctx)
    if not pods:
        return
    for kind in POLICY_KINDS:
        for policy in ctx.of_kind(kind):
            spec = policy.spec
            if spec.get("targetRef") or spec.get("targetRefs"):
                continue
            selector = spec.get("selector")
            labels = selector.get("matchLabels") if isinstance(selector, dict) else None
            if not isinstance(labels, dict) or not labels:
                continue
            for pod in pods.get(policy.namespace, []):
                if all(pod.get(str(k)) == str(v) for k, v in labels.items()):
                    yield messages.ineffective_selector(policy, ("spec", "selector"), pod.get(GATEWAY_NAME_LABEL, ""))
                    break
