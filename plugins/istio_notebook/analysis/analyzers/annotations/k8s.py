"""IST0108, IST0135, IST0107 and IST0125: the Istio annotations on Namespaces, Services, Pods, Deployments.

As istioctl's ``annotations.K8sAnalyzer`` (pkg/config/analysis/analyzers/annotations/
annotations.go, tag 1.30.3), for each annotation whose key's prefix (before the first ``/``) ends
with ``istio.io``, or that is ``kubernetes.io/ingress.class``, skipping the ones istiod sets itself
(``sidecar.istio.io/status``, ``gateway.istio.io/controller-version``, ``istio.io/rev``):
- not in istio/api's list (istio_annotations.yaml): IST0108;
- deprecated: IST0135 (not for ``sidecar.istio.io/inject`` when the label of that name is set too);
- attached to none of ``Any`` or this kind: IST0107 naming where it belongs;
- attached to this kind, and its value refused by the injector's check for it: IST0125
  (:mod:`.values`, pkg/kube/inject/validate.go ``AnnotationValidation``).
Every message points at the annotation's key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from istio_notebook import package_data
from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.annotations.values import value_problem
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="annotations.K8sAnalyzer",
    description="Checks for unknown, deprecated and misplaced Istio annotations on Kubernetes resources",
    inputs=("Namespace", "Service", "Pod", "Deployment"),
)

KINDS = ("Namespace", "Service", "Pod", "Deployment")
ALWAYS_IGNORED = frozenset({"sidecar.istio.io/status", "gateway.istio.io/controller-version", "istio.io/rev"})
INJECT = "sidecar.istio.io/inject"
# annotations.go deprecationExtraMessages
EXTRA = {INJECT: ' in favor of the "sidecar.istio.io/inject" label'}


@dataclass(frozen=True)
class Annotation:
    name: str
    resources: tuple[str, ...]
    deprecated: bool


def _load() -> dict[str, Annotation]:
    entries = package_data.load(__package__, "istio_annotations.yaml")["annotations"]
    return {e["name"]: Annotation(e["name"], tuple(e["resources"]), bool(e["deprecated"])) for e in entries}


ANNOTATIONS = _load()


def is_istio_annotation(key: str) -> bool:
    return key == "kubernetes.io/ingress.class" or key.split("/", 1)[0].endswith("istio.io")


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for kind in KINDS:
        for resource in ctx.of_kind(kind):
            for key in resource.annotations:
                if not isinstance(key, str) or not is_istio_annotation(key) or key in ALWAYS_IGNORED:
                    continue
                path = ("metadata", "annotations", key)
                known = ANNOTATIONS.get(key)
                if known is None:
                    yield messages.unknown_annotation(resource, path, key)
                    continue
                if known.deprecated and not (key == INJECT and INJECT in resource.labels):
                    yield messages.deprecated_annotation(resource, path, key, EXTRA.get(key, ""))
                if "Any" in known.resources:
                    continue
                if kind not in known.resources:
                    yield messages.misplaced_annotation(resource, path, key, ", ".join(known.resources))
                elif (problem := value_problem(key, resource.annotations[key])) is not None:
                    yield messages.invalid_annotation(resource, path, key, problem)
