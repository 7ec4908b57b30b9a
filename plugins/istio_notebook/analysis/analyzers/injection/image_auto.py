"""IST0146 and IST0147: ``image: auto`` on an istio-proxy container that no Istio webhook injects.

As istioctl's ``injection.ImageAutoAnalyzer`` (pkg/config/analysis/analyzers/injection/
image-auto.go, tag 1.30.3): a Deployment (IST0146, Warning) or Pod (IST0147, Error) with a
container ``istio-proxy`` whose image is ``auto`` needs the injector to fill the image in; it is
flagged when no webhook of a MutatingWebhookConfiguration whose name ends in ``istio.io``
selects it (``namespaceSelector`` against the labels of its Namespace in the input, none when
absent; ``objectSelector`` against the pod labels; a missing selector matches everything).

Two differences, both because files hold resources before admission: we judge only when the
input holds a MutatingWebhookConfiguration (without one, every gateway Deployment written the
documented way would be flagged, while the cluster's webhook is simply not in the files); and a
Pod is judged like a Deployment (istioctl flags every Pod with ``image: auto``, which in a live
cluster means the injector did not run; a Pod in a file has not met the injector yet).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.config.kinds import ADMISSION, GroupKind
from istio_notebook.config.labels import label_map, label_selector_matches
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="injection.ImageAutoAnalyzer",
    description="Makes sure that Pods and Deployments with `image: auto` are going to be injected",
    inputs=("Namespace", "Pod", "Deployment", "MutatingWebhookConfiguration"),
)

MUTATING_WEBHOOKS = GroupKind(ADMISSION, "MutatingWebhookConfiguration")
PROXY_CONTAINER = "istio-proxy"
AUTO_IMAGE = "auto"
ISTIO_WEBHOOK_SUFFIX = "istio.io"


def istio_webhooks(ctx: Context) -> list[dict]:
    return [
        webhook
        for configuration in ctx.of_kind(MUTATING_WEBHOOKS)
        for _, webhook in enumerate_dicts(configuration.get("webhooks"))
        if as_str(webhook.get("name")).endswith(ISTIO_WEBHOOK_SUFFIX)
    ]


def auto_image_path(spec_path: tuple, spec: dict) -> tuple | None:
    """The field path of the ``image: auto`` of the istio-proxy container, if there is one."""
    for index, container in enumerate_dicts(spec.get("containers")):
        if container.get("name") == PROXY_CONTAINER and container.get("image") == AUTO_IMAGE:
            return spec_path + ("containers", index, "image")
    return None


def _injected(ctx: Context, resource: Resource, pod_labels: dict[str, str], webhooks: list[dict]) -> bool:
    namespace = ctx.mesh.get("Namespace", "", resource.namespace or "default")
    namespace_labels = namespace.labels if namespace is not None else {}
    return any(
        label_selector_matches(w.get("namespaceSelector"), namespace_labels) and label_selector_matches(w.get("objectSelector"), pod_labels)
        for w in webhooks
    )


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.has(MUTATING_WEBHOOKS):
        return
    webhooks = istio_webhooks(ctx)
    for pod in ctx.of_kind("Pod"):
        path = auto_image_path(("spec",), pod.spec)
        if path and not _injected(ctx, pod, pod.labels, webhooks):
            yield messages.image_auto_pod_not_injected(pod, path)
    for deployment in ctx.of_kind("Deployment"):
        template = as_dict(deployment.get("spec", "template"))
        path = auto_image_path(("spec", "template", "spec"), as_dict(template.get("spec")))
        labels = label_map(as_dict(template.get("metadata")).get("labels"))
        if path and not _injected(ctx, deployment, labels, webhooks):
            yield messages.image_auto_deployment_not_injected(deployment, path)
