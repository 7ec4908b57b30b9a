"""IST0139: Istio injection webhooks that overlap, or point at an injector Service that is missing.

As istioctl's ``webhook.Analyzer`` (pkg/config/analysis/analyzers/webhook/webhook.go, tag
1.30.3). The MutatingWebhookConfigurations considered are Istio's: some webhook name ends in
``istio.io``, or a revision is named (label ``istio.io/rev`` on the configuration, or
``istio.io/rev`` in a webhook's namespace or object selector). For every combination of
namespace labels (none, ``istio-injection`` enabled/disabled, each with and without each
revision) and pod labels (none, ``sidecar.istio.io/inject`` true/false, likewise), more than one
webhook selecting it means a pod could be injected twice: IST0139 on each of them. And a webhook
whose ``clientConfig.service`` names a Service that is not in the input is IST0139 too; that half
is judged only when the input holds some Service in that namespace (an input that does not show
the control plane's Services says nothing about them). At the webhook entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.injection.image_auto import ISTIO_WEBHOOK_SUFFIX, MUTATING_WEBHOOKS
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_list, as_str, enumerate_dicts, go_list
from istio_notebook.config import Resource
from istio_notebook.config.labels import label_map, label_selector_matches
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="webhook.Analyzer",
    description="Checks the validity of Istio webhooks",
    inputs=("MutatingWebhookConfiguration", "Service"),
)

REVISION = "istio.io/rev"
NAMESPACE_LABELS = ({}, {"istio-injection": "enabled"}, {"istio-injection": "disabled"})
OBJECT_LABELS = ({}, {"sidecar.istio.io/inject": "true"}, {"sidecar.istio.io/inject": "false"})


@dataclass(frozen=True)
class Webhook:
    configuration: Resource
    index: int
    body: dict

    @property
    def key(self) -> str:
        return f"{self.configuration.name}/{as_str(self.body.get('name'))}"

    @property
    def path(self) -> tuple:
        return ("webhooks", self.index)


def revisions(configuration: Resource) -> set[str]:
    found = {configuration.labels[REVISION]} if REVISION in configuration.labels else set()
    for _, webhook in enumerate_dicts(configuration.get("webhooks")):
        for field in ("namespaceSelector", "objectSelector"):
            selector = as_dict(webhook.get(field))
            labels = label_map(selector.get("matchLabels"))
            if REVISION in labels:
                found.add(labels[REVISION])
            for _, expression in enumerate_dicts(selector.get("matchExpressions")):
                if expression.get("key") == REVISION:
                    found.update(str(v) for v in as_list(expression.get("values")))
    return found


def istio_webhooks(ctx: Context) -> tuple[list[Webhook], set[str]]:
    hooks: list[Webhook] = []
    revs: set[str] = set()
    for configuration in ctx.of_kind(MUTATING_WEBHOOKS):
        own = revisions(configuration)
        entries = list(enumerate_dicts(configuration.get("webhooks")))
        if not own and not any(as_str(w.get("name")).endswith(ISTIO_WEBHOOK_SUFFIX) for _, w in entries):
            continue
        hooks.extend(Webhook(configuration, i, w) for i, w in entries)
        revs |= own
    return hooks, revs


def _label_sets(base: tuple[dict, ...], revs: set[str]) -> list[dict]:
    return [dict(b) for b in base] + [{**b, REVISION: rev} for rev in sorted(revs) for b in base]


def _overlaps(hooks: list[Webhook], revs: set[str]) -> Iterator[Diagnostic]:
    reported: set[tuple[str, str]] = set()
    for namespace_labels in _label_sets(NAMESPACE_LABELS, revs):
        for object_labels in _label_sets(OBJECT_LABELS, revs):
            matching = [
                h for h in hooks
                if label_selector_matches(h.body.get("namespaceSelector"), namespace_labels)
                and label_selector_matches(h.body.get("objectSelector"), object_labels)
            ]
            keys = sorted({h.key for h in matching})
            if len(keys) < 2:
                continue
            for hook in matching:
                others = go_list([k for k in keys if k != hook.key])
                if (hook.key, others) not in reported:
                    reported.add((hook.key, others))
                    detail = f"Webhook overlaps with others: {others}. This may cause injection to occur twice."
                    yield messages.invalid_webhook(hook.configuration, hook.path, detail)


def _missing_services(ctx: Context, hooks: list[Webhook]) -> Iterator[Diagnostic]:
    shown = {s.namespace for s in ctx.of_kind("Service")}
    for hook in hooks:
        service = as_dict(as_dict(hook.body.get("clientConfig")).get("service"))
        namespace, name = as_str(service.get("namespace")), as_str(service.get("name"))
        if service and namespace in shown and ctx.mesh.get("Service", namespace, name) is None:
            detail = f"Injector refers to a control plane service that does not exist: {namespace}/{name}."
            yield messages.invalid_webhook(hook.configuration, hook.path + ("clientConfig", "service"), detail)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    hooks, revs = istio_webhooks(ctx)
    if hooks:
        yield from _overlaps(hooks, revs)
        yield from _missing_services(ctx, hooks)
