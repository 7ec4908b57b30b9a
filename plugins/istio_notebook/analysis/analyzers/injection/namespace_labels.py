"""IST0102 and IST0123: the injection labels of each Namespace in the input.

As istioctl's ``injection.Analyzer`` (pkg/config/analysis/analyzers/injection/injection.go,
tag 1.30.3), for every Namespace except ``istio-system``:
- IST0123 when it carries more than one of ``istio-injection``, ``istio.io/rev`` and
  ``istio.io/dataplane-mode`` (the last two count only when ``istio-injection`` is absent or
  ``enabled``);
- then, unless ``istio.io/dataplane-mode=ambient``, IST0102 (Info) when it has neither
  ``istio-injection`` (non-empty) nor ``istio.io/rev``, at ``metadata.name``.
istioctl reports IST0148 instead of IST0102 when the injector ConfigMap enables namespaces by
default; ConfigMaps are read but not modelled here, so that case is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="injection.Analyzer",
    description="Checks that each namespace is enrolled in the mesh by exactly one injection or ambient label",
    inputs=("Namespace",),
)

INJECTION = "istio-injection"
REVISION = "istio.io/rev"
DATAPLANE_MODE = "istio.io/dataplane-mode"
SYSTEM_NAMESPACE = "istio-system"


def istio_labels(labels: dict[str, str]) -> list[str]:
    """The enrolment labels as ``key=value``, in istioctl's order."""
    found = [f"{INJECTION}={labels[INJECTION]}"] if INJECTION in labels else []
    if INJECTION not in labels or labels[INJECTION] == "enabled":
        found += [f"{key}={labels[key]}" for key in (REVISION, DATAPLANE_MODE) if key in labels]
    return found


def analyze(ctx: Context) -> Iterator[Diagnostic]:
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
            yield messages.namespace_not_injected(namespace, ("metadata", "name"), namespace.name)
