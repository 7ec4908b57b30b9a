"""IST0102, IST0148 and IST0123: the injection labels of each Namespace in the input.

As istioctl's ``injection.Analyzer`` (pkg/config/analysis/analyzers/injection/injection.go,
tag 1.30.3), for every Namespace except ``istio-system``:
- IST0123 when it carries more than one of ``istio-injection``, ``istio.io/rev`` and
  ``istio.io/dataplane-mode`` (the last two count only when ``istio-injection`` is absent or
  ``enabled``);
- then, unless ``istio.io/dataplane-mode=ambient``, when it has neither ``istio-injection``
  (non-empty) nor ``istio.io/rev``: IST0148 (Info, at the Namespace) when the injector
  ConfigMap ``istio-sidecar-injector`` in the input (any namespace; the first in input order)
  has ``values`` JSON with ``sidecarInjectorWebhook.enableNamespacesByDefault: true``, else
  IST0102 (Info) at ``metadata.name``.
Without that ConfigMap in the input the default (false) applies, as on an install that left it
unset. istioctl keeps the flag in one variable across Namespaces, so a Namespace whose
ConfigMap is absent inherits the previous Namespace's (revision) ConfigMap's flag, in the
store's order; that carry-over is not reproduced. A ``values`` that is not JSON counts as false
(istioctl's own fallback); one without the key or with a non-boolean value, which makes
istioctl's type assertion panic, counts as false too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="injection.Analyzer",
    description="Checks that each namespace is enrolled in the mesh by exactly one injection or ambient label",
    inputs=("Namespace", "ConfigMap"),
)

INJECTION = "istio-injection"
REVISION = "istio.io/rev"
DATAPLANE_MODE = "istio.io/dataplane-mode"
SYSTEM_NAMESPACE = "istio-system"
# util.InjectionConfigMap: the default revision's name (GetInjectorConfigMapName("")).
INJECTOR_CONFIGMAP = "istio-sidecar-injector"


def namespaces_enabled_by_default(ctx: Context) -> bool:
    """GetEnableNamespacesByDefaultFromInjectedConfigMap over the injector ConfigMap, if any."""
    for config_map in ctx.of_kind("ConfigMap"):
        if config_map.name != INJECTOR_CONFIGMAP:
            continue
        text = config_map.get("data", "values")
        try:
            values = json.loads(text) if isinstance(text, str) else None
        except (ValueError, RecursionError):
            return False
        webhook = values.get("sidecarInjectorWebhook") if isinstance(values, dict) else None
        return isinstance(webhook, dict) and webhook.get("enableNamespacesByDefault") is True
    return False


def istio_labels(labels: dict[str, str]) -> list[str]:
    """The enrolment labels as ``key=value``, in istioctl's order."""
    found = [f"{INJECTION}={labels[INJECTION]}"] if INJECTION in labels else []
    if INJECTION not in labels or labels[INJECTION] == "enabled":
        found += [f"{key}={labels[key]}" for key in (REVISION, DATAPLANE_MODE) if key in labels]
    return found


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    by_default = namespaces_enabled_by_default(ctx)
    for namespace in ctx.of_kind("Namespace"):
        if namespace.name == SYSTEM_NAMESPACE:
            continue
        labels = namespace.labels
        enrolment = istio_labels(labels)
        if len(enrolment) > 1:
            yield messages.namespace_multiple_injection_labels(namespace, ("metadata", "labels"), "[" + " ".join(enrolment) + "]")
        if labels.get(DATAPLANE_MODE) == "ambient":
            continue
        if not labels.get(INJECTION) and REVISION not in labels:
            if by_default:
                yield messages.namespace_injection_enabled_by_default(namespace, ())
            else:
                yield messages.namespace_not_injected(namespace, ("metadata", "name"), namespace.name)
